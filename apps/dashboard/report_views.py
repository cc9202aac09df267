"""The annual report pages: ask for a report and follow it, download its files, print it.
A report is chosen with the dashboard's own form: a year or a term, and a township for county staff."""

from uuid import UUID

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import SafeXLSX
from apps.core.scope import Scope

from . import report, services
from .access import dashboard_scope, scope_covers_job
from .figures import build_dashboard
from .models import ReportJob
from .views import DashboardForm

RECENT_JOBS = 20
# kind -> (the job's field naming the file, its content type)
FILE_KINDS = {"xlsx": ("xlsx_name", SafeXLSX.CONTENT_TYPE), "pdf": ("pdf_name", "application/pdf")}


def _scope_or_404(user) -> Scope:
    try:
        return dashboard_scope(user)
    except PermissionDenied:
        raise Http404 from None


def report_job_for_user(user, token: UUID) -> ReportJob:
    """The job named by `token` if `user` asked for it or their scope covers it (and they may
    still see the dashboard); 404 for anyone else."""
    scope = _scope_or_404(user)
    job = get_object_or_404(ReportJob.objects.select_related("term__region", "region"), token=token)
    if job.requested_by_id != user.pk and not scope_covers_job(scope, job):
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request.user)
    # Opened from the dashboard, the form starts on the dashboard's period and township.
    chosen = {key: request.GET[key] for key in ("period", "township") if request.GET.get(key)}
    form = DashboardForm(request.POST or None, scope=scope, initial=chosen)
    if form.is_bound and form.is_valid():
        period, township = form.selection()
        try:
            services.report_request(user=request.user, period=period, region=township)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已提交，报告正在后台生成，完成后可在下方下载。"))
            return redirect("dashboard:report")
    return _page(request, form, status=400 if form.errors else 200)


def _page(request, form, *, status=200) -> HttpResponse:
    jobs = list(
        ReportJob.objects.filter(requested_by=request.user).select_related("term__region", "region")[:RECENT_JOBS]
    )
    context = {
        **admin.site.each_context(request),
        "title": _("年度统计报告"),
        "form": form,
        "jobs": jobs,
        "any_active": any(job.is_active for job in jobs),
    }
    return render(request, "dashboard/report.html", context, status=status)


@login_required
@require_GET
def report_status(request: HttpRequest, token: UUID) -> JsonResponse:
    job = report_job_for_user(request.user, token)
    done = job.status == ReportJob.Status.DONE
    return JsonResponse(
        {
            "token": str(job.token),
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "step": job.step,
            "error": job.error,
            "xlsx_url": reverse("dashboard:report_download", args=[job.token, "xlsx"]) if done else None,
            "pdf_url": reverse("dashboard:report_download", args=[job.token, "pdf"]) if done else None,
        }
    )


@login_required
@require_GET
def report_download(request: HttpRequest, token: UUID, kind: str) -> FileResponse:
    job = report_job_for_user(request.user, token)
    field, content_type = FILE_KINDS.get(kind, ("", ""))
    name = getattr(job, field, "") if field else ""
    path = services.report_file(name) if name and job.status == ReportJob.Status.DONE else None
    if path is None or not path.is_file():
        raise Http404
    audit_event(Audit.DOWNLOAD, request=request, target=job, file=kind)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{job}.{kind}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_print(request: HttpRequest) -> HttpResponse:
    """The printable report of a period, computed now: for the browser's own print."""
    scope = dashboard_scope(request.user)
    form = DashboardForm(request.GET, scope=scope)
    if not form.is_valid():
        return _page(request, form, status=400)
    period, region = form.selection()
    paths = services.report_paths(scope, region)
    label = services.paths_label(paths, region)
    dashboard = build_dashboard(scope=services.paths_scope(paths), period=period, scope_label=label, region=region)
    title = report.report_title(report.organ_name(services.paths_regions(paths, region)), period)
    return HttpResponse(report.report_html(dashboard, title, for_screen=True, back_url=reverse("dashboard:report")))
