import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from apps.core.access import unit_staff_required
from apps.core.export_jobs import export_file, export_job_for, export_jobs_of
from apps.core.models import Region, User
from apps.core.unit_home import agenda_for
from apps.core.workbench import workbench_for
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


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return redirect(static("favicon.svg"), permanent=True)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where each role goes after logging in."""
    user = request.user
    if user.is_staff:
        return redirect("workbench")
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


def workbench(request: HttpRequest) -> HttpResponse:
    """A staff member's to-do list across the apps, overdue first; wrapped by `admin.site.admin_view`
    in the URLconf, so it asks for what the admin asks for (staff, the one-time code when required)."""
    bench = workbench_for(request.user, timezone.localdate())
    return render(request, "core/workbench.html", {"agenda": bench, "scope": scope_label(request.user)})


def scope_label(user) -> str:
    if user.is_superuser:
        return _("全部区域")
    return "、".join(str(region) for region in user.regions.all()) or _("未分配管辖区域")


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
