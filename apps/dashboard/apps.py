from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    verbose_name = _("统计分析")

    def ready(self):
        from apps.core.jobs import register_job_kind

        from .models import ReportJob
        from .services import report_dir, report_retry

        register_job_kind(ReportJob, folder=report_dir, retry=report_retry)
