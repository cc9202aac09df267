from uuid import UUID

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from apps.core import display, operations
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.export_jobs import export_file, export_job_for, export_jobs_of
from apps.core.models import User
from apps.core.workbench import workbench_for

RECENT_EXPORTS = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: 200 when the database and the cache answer, 503 otherwise. No
    authentication, nothing personal, no model queries (SELECT 1 and a cache round trip)."""
    checks = operations.health()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


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
        return redirect("workbench")
    if user.role == User.Role.REPRESENTATIVE:
        return redirect("representatives:mine")
    if user.role == User.Role.UNIT:
        return redirect("unit_home")
    return redirect("home")


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
    """The requester's background exports that they may still download, with their progress;
    refreshes itself while one runs."""
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
@require_GET
def export_download(request: HttpRequest, token: UUID) -> FileResponse:
    """The workbook, for whoever may download it (export_jobs.downloadable_jobs); 404 for
    everyone else, so a token never tells whether the job exists."""
    job = export_job_for(request.user, token)
    if job is None or job.status != job.Status.DONE or not job.file_name:
        raise Http404
    path = export_file(job.file_name)
    if not path.is_file():
        raise Http404
    audit_event(Audit.DOWNLOAD, request=request, target=job, file="export")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"{job.title}.xlsx", content_type=XLSX_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
