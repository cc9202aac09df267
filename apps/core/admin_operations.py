"""The operator's page in the admin (运行状态): superusers and committee staff see whether the
database, Redis, the Celery worker and beat are alive, the outbox backlog, the background jobs
(failed ones with their error and a retry button), disk use and the holiday-calendar warning."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _

from apps.core.admin_mixins import InvalidFilterMixin
from apps.core.admin_pages import admin_url, page
from apps.core.jobs import JOB_KINDS
from apps.core.models import JobStatus, TaskHeartbeat, User
from apps.core.operations import operations_status

FAILED_SHOWN = 20


def may_operate(user) -> bool:
    return user.is_active and (user.is_superuser or user.role == User.Role.COMMITTEE)


def failed_jobs(user) -> list[dict]:
    """Failed jobs in the user's scope, newest first, each with the key its retry button posts."""
    rows = []
    for key, (model, _folder, _retry) in JOB_KINDS.items():
        failed = model.objects.visible_to(user).filter(status=JobStatus.FAILED).order_by("-finished_at", "-pk")
        rows += [{"key": key, "job": job, "kind": model._meta.verbose_name} for job in failed[:FAILED_SHOWN]]
    return rows


@admin.register(TaskHeartbeat)
class TaskHeartbeatAdmin(InvalidFilterMixin, admin.ModelAdmin):
    list_display = ["name", "last_run_at", "hostname", "runs", "detail"]
    readonly_fields = ["name", "last_run_at", "hostname", "runs", "detail"]
    change_list_template = "admin/core/taskheartbeat/change_list.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.operations_view)
        return [path("operations/", view, name="core_taskheartbeat_operations"), *super().get_urls()]

    def operations_view(self, request):
        if not may_operate(request.user):
            raise PermissionDenied
        if request.method == "POST":
            self._retry(request)
            return HttpResponseRedirect(admin_url(TaskHeartbeat, "operations"))
        context = {**operations_status(), "failed_jobs": failed_jobs(request.user)}
        return page(self, request, "admin/core/taskheartbeat/operations.html", _("运行状态"), **context)

    def _retry(self, request) -> None:
        kind = JOB_KINDS.get(request.POST.get("kind", ""))
        if kind is None:
            raise PermissionDenied
        model, _folder, retry = kind
        pk = request.POST.get("job", "")
        job = model.objects.visible_to(request.user).filter(pk=int(pk)).first() if pk.isdigit() else None
        if job is not None and retry(job=job):
            messages.success(request, _("已重新提交：%(job)s") % {"job": job})
        else:
            messages.warning(request, _("该任务已不是失败状态，未重新提交。"))
