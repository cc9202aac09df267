import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import BackgroundJob, CongressTerm, Region
from apps.core.scope import ScopedQuerySet

# The scope of a report asked for by someone who sees every region (a superuser).
EVERYWHERE = "/"


class ReportJob(BackgroundJob):
    """One annual report (xlsx and PDF) asked for by one person, generated in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    file_fields = ("xlsx_name", "pdf_name")
    stale_setting = "REPORT_STALE_SECONDS"

    # Names the job in URLs: sequential ids would let anyone count and guess other people's reports.
    token = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    # The regions the report covers, space-separated: the one chosen, or the requester's own
    # at the time of asking ("/" for someone who sees everything).
    scope_paths = models.CharField(_("统计范围"), max_length=1000)
    # Their common ancestor: decides who else may see the job (the admin list, downloads).
    region_path = models.CharField(_("范围路径"), max_length=255)
    region = models.ForeignKey(
        Region, verbose_name=_("所选区域"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scope_label = models.CharField(_("统计范围名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    term = models.ForeignKey(
        CongressTerm, verbose_name=_("届次"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "y2022" or "t7": with scope_paths, what makes two requests the same request.
    period_key = models.CharField(_("期间"), max_length=20, editable=False)
    # The requester's language: the worker writes the report in it.
    language = models.CharField(_("语言"), max_length=10, default="zh-hans", editable=False)
    # The labels of the report page ("生成中"); the values are BackgroundJob's.
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    step = models.CharField(_("当前步骤"), max_length=100, blank=True)
    xlsx_name = models.CharField(_("Excel 文件"), max_length=100, blank=True)
    pdf_name = models.CharField(_("PDF 文件"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "region_path"

    class Meta:
        verbose_name = _("统计报告任务")
        verbose_name_plural = _("统计报告任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=False, term__isnull=True) | Q(year__isnull=True, term__isnull=False),
                name="reportjob_year_or_term",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportjob_progress_at_most_100"),
            # One active job per person, scope and period: asking twice returns the first.
            models.UniqueConstraint(
                fields=["requested_by", "region_path", "period_key", "scope_paths"],
                condition=Q(status__in=["queued", "running"]),
                name="reportjob_one_active_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="reportjob_requester_recent"),
            # Scoping filters by path prefix (LIKE 'x%'): needs the pattern operator class.
            models.Index(fields=["region_path"], name="reportjob_region_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return _("%(scope)s %(period)s统计报告") % {"scope": self.scope_label, "period": self.period_label}

    @property
    def period_label(self) -> str:
        return str(self.term) if self.term_id else _("%(year)s年") % {"year": self.year}

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self.scope_paths.split())
