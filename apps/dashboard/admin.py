from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import ScopedAdminMixin
from apps.core.admin_operations import may_operate

from .access import DASHBOARD_ROLES
from .models import ReportJob
from .services import report_retry


@admin.register(ReportJob)
class ReportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Reports asked for in the user's regions: read-only, for following what the workers do.
    Jobs are written by the services only (the report page), never here."""

    list_display = ["scope_label", "period_label", "requested_by", "status", "progress", "created_at", "downloads"]
    list_filter = ["status", "year"]
    list_select_related = ["requested_by", "term__region", "region"]
    search_fields = ["scope_label", "requested_by__username", "requested_by__full_name"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ReportJob._meta.fields]
    list_per_page = 50
    show_full_result_count = False
    actions = ["retry"]

    # Who may look: the people who may ask for reports, in their own scope (the queryset).
    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and (user.is_superuser or user.role in DASHBOARD_ROLES)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("统计期间"))
    def period_label(self, job):
        return job.period_label

    @admin.display(description=_("下载"))
    def downloads(self, job):
        if job.status != ReportJob.Status.DONE:
            return "—"
        kinds = ("xlsx", "pdf")
        links = [(reverse("dashboard:report_download", args=[job.token, kind]), kind.upper()) for kind in kinds]
        return format_html_join(" ", '<a href="{}">{}</a>', links)

    def has_retry_permission(self, request):
        return may_operate(request.user)

    @admin.action(description=_("重试所选失败任务"), permissions=["retry"])
    def retry(self, request, queryset):
        retried = sum(report_retry(job=job) for job in queryset.filter(status=ReportJob.Status.FAILED))
        self.message_user(request, _("已重新提交 %(n)s 个任务。") % {"n": retried}, messages.SUCCESS)
