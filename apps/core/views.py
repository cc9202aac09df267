import logging
from uuid import UUID

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from apps.core import checkin as checkin_codes
from apps.core import display, operations
from apps.core.access import unit_staff_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.export_jobs import export_file, export_job_for, export_jobs_of
from apps.core.models import Region, User
from apps.core.unit_home import agenda_for
from apps.core.workbench import workbench_for
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.selectors import public_counts_by_township, representative_for_user

RECENT_EXPORTS = 20
log = logging.getLogger("renda")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def home(request: HttpRequest) -> HttpResponse:
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
    return render(
        request,
        "core/home.html",
        {"counties": counties, "townships": public_counts_by_township(), "site_name": settings.RENDA["SITE_NAME"]},
    )


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


# --- 活动码: a representative checks in ---------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request: HttpRequest, kind: str, key: str, token: str) -> HttpResponse:
    """The page a 活动码 opens: it says whether the code holds, and a button checks in.

    Scanning only shows the page; the check-in is the button's POST, so a browser that
    prefetches the link, or a link shared in a chat, never checks anybody in."""
    event_kind = checkin_codes.KINDS.get(kind)
    event = event_kind.find(key) if event_kind else None
    if event is None:
        raise Http404
    context = {"kind": event_kind, "title": event_kind.title(event)}
    representative = representative_for_user(request.user)
    if representative is None or representative.status != RepresentativeStatus.SERVING:
        context = {"refusal": _("只有在任的人大代表可以扫码签到；工作人员请在后台登记出勤。")}
        return render(request, "core/checkin.html", context, status=403)
    if not event_kind.concerns(event, representative):
        raise Http404  # another region's event, as any object outside one's scope
    now = timezone.now()
    try:
        checkin_codes.check_code(event_kind, key, token, now)
        checkin_codes.check_window(event_kind.window(event), now)
        if request.method == "POST":
            context["done"] = _checked_in(event_kind, event, representative, request.user)
    except checkin_codes.CheckInRefused as refusal:
        context["refusal"] = refusal.message
        return render(request, "core/checkin.html", context, status=400)
    return render(request, "core/checkin.html", context)


def _checked_in(kind, event, representative, user) -> str:
    try:
        new = kind.check_in(event=event, representative=representative, by=user)
    except ValidationError as error:
        raise checkin_codes.CheckInRefused(" ".join(error.messages)) from None
    log.info("checkin kind=%s event=%s representative=%s new=%s", kind.name, kind.key(event), representative.pk, new)
    return _("签到成功。") if new else _("已签到，无需重复签到。")
