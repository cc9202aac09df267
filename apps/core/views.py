import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.core import display
from apps.core.access import unit_staff_required
from apps.core.export_jobs import export_file, export_job_for, export_jobs_of
from apps.core.models import Region, User
from apps.core.unit_home import agenda_for
from apps.representatives.selectors import public_counts_by_township

audit = logging.getLogger("renda.audit")
RECENT_EXPORTS = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def home(request: HttpRequest) -> HttpResponse:
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
    return render(
        request,
        "core/home.html",
        {"counties": counties, "townships": public_counts_by_township(), "site_name": settings.RENDA["SITE_NAME"]},
    )


@require_safe
def display_mode(request: HttpRequest) -> HttpResponse:
    """The 大字 switch is a plain link: it sets the cookie and returns to the page it was on."""
    mode = request.GET.get("mode")
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = "/"
    response = redirect(back)
    if mode in display.MODES:
        display.set_display_mode(response, mode)
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return redirect(static("favicon.svg"), permanent=True)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where each role goes after logging in."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    if user.role == User.Role.REPRESENTATIVE:
        return redirect("representatives:mine")
    if user.role == User.Role.UNIT:
        return redirect("unit_home")
    return redirect("home")


@never_cache
@unit_staff_required
def unit_home(request: HttpRequest) -> HttpResponse:
    """A handling unit's home: its open items of every kind by due date."""
    unit = request.user.handling_unit
    agenda = agenda_for(unit.pk, timezone.localdate())
    return render(request, "core/unit_home.html", {"unit": unit, "agenda": agenda})


# --- background exports (apps.core.export_jobs) ------------------------------------------------


@login_required
@never_cache
def export_jobs(request: HttpRequest) -> HttpResponse:
    """The requester's background exports with their progress; refreshes itself while one runs."""
    if not request.user.is_staff:  # only the back office exports
        raise PermissionDenied
    jobs = list(export_jobs_of(request.user)[:RECENT_EXPORTS])
    context = {
        **admin.site.each_context(request),
        "title": _("后台导出"),
        "jobs": jobs,
        "any_active": any(job.is_active for job in jobs),
    }
    return render(request, "admin/renda/export_jobs.html", context)


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = export_job_for(request.user, pk)
    if job is None or job.status != job.Status.DONE or not job.file_name:
        raise Http404
    path = export_file(job.file_name)
    if not path.is_file():
        raise Http404
    audit.info("export download job=%s by=%s", job.pk, request.user.pk)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.title}.xlsx", content_type=XLSX_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
