"""Duty posts (履职岗位): the posts a county sets up for its representatives, who holds them when,
and the work the holders log there (Chengbu's "双培三联四岗", 1150 posts in 2022)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.config import config
from apps.core.models import Confirmable, Region
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative


def default_programme() -> str:
    return config("POSTS", "DEFAULT_PROGRAMME")


class PostRole(models.Model):
    """A kind of post (宣传员, 监督员, 巡查员 …); the list is kept by committee staff."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    description = models.CharField(_("职责说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("岗位角色")
        verbose_name_plural = _("岗位角色")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class PostField(models.TextChoices):
    """The area of work a post serves (领域)."""

    DISPUTES = "disputes", _("矛盾纠纷调解")
    ENVIRONMENT = "environment", _("生态环境保护")
    RURAL = "rural", _("乡村振兴")
    SAFETY = "safety", _("安全生产")
    POLICY = "policy", _("政策宣传")
    LIVELIHOOD = "livelihood", _("民生服务")
    OTHER = "other", _("其他")


class AssignmentQuerySet(ScopedQuerySet):
    def current_on(self, day):
        """Assignments running on `day`."""
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))

    def during_year(self, year: int):
        """Assignments running at any time in `year`."""
        return self.filter(started_on__year__lte=year).filter(Q(ended_on__isnull=True) | Q(ended_on__year__gte=year))


def post_active_during(starts_on, ends_on) -> Q:
    """Posts set up for any part of [starts_on, ends_on] (one day: the snapshot 截至 that day). A
    post stopped without a closing date (停用 before dates were kept) is left out: when it closed
    is not known."""
    set_up = Q(set_up_on__isnull=True) | Q(set_up_on__lte=ends_on)
    still_open = Q(closed_on__isnull=True, is_active=True) | Q(closed_on__gte=starts_on)
    return set_up & still_open


class DutyPostQuerySet(ScopedQuerySet):
    def active_during(self, starts_on, ends_on):
        return self.filter(post_active_during(starts_on, ends_on))


class DutyPost(models.Model):
    title = models.CharField(_("岗位名称"), max_length=100)
    role = models.ForeignKey(PostRole, verbose_name=_("岗位角色"), on_delete=models.PROTECT, related_name="posts")
    field = models.CharField(_("领域"), max_length=15, choices=PostField.choices)
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="duty_posts",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("村（社区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_duty_posts",
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    programme = models.CharField(_("所属活动"), max_length=50, default=default_programme)
    capacity = models.PositiveSmallIntegerField(
        _("定员"), default=1, validators=[MinValueValidator(1)], help_text=_("同时在岗的代表人数上限。")
    )
    description = models.TextField(_("岗位职责"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # A year's figures count the posts set up during any part of it (留空：设岗日期不详，按一直设有计).
    set_up_on = models.DateField(_("设岗日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤岗日期"), null=True, blank=True, help_text=_("停用岗位时自动填写当天。"))

    history = HistoricalRecords()
    objects = DutyPostQuerySet.as_manager()
    scope_path = "township__path"

    class Meta:
        verbose_name = _("履职岗位")
        verbose_name_plural = _("履职岗位")
        ordering = ["township__sort_order", "township__code", "title"]
        permissions = [
            ("import_dutypost", _("可以导入履职岗位")),
            ("export_dutypost", _("可以导出履职岗位")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "title"],
                name="duty_post_unique_title_per_township",
                violation_error_message=_("本乡镇已有同名的履职岗位。"),
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="duty_post_capacity_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(set_up_on__isnull=True) | Q(closed_on__gte=F("set_up_on")),
                name="duty_post_closes_after_set_up",
                violation_error_message=_("撤岗日期不能早于设岗日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "is_active"], name="duty_post_township_active"),
            models.Index(fields=["role", "field"], name="duty_post_role_field"),
            models.Index(fields=["programme"], name="duty_post_programme"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.township_id and self.township.level != Region.Level.TOWNSHIP:
            errors["township"] = _("所在乡镇必须是乡镇一级的区域。")
        elif self.village_id and self.village.parent_id != self.township_id:
            errors["village"] = _("所选村（社区）不属于所在乡镇。")
        if self.pk:
            self._clean_against_holders(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_against_holders(self, errors: dict) -> None:
        """A post's township and capacity must still fit the representatives holding it now."""
        current = self.assignments.filter(ended_on__isnull=True)
        held = current.count()
        if self.capacity and held > self.capacity:
            errors["capacity"] = _("目前有%(n)s位代表在岗，定员不能少于%(n)s。") % {"n": held}
        if self.township_id and current.exclude(representative__township=self.township_id).exists():
            errors["township"] = _("岗位上有其他乡镇的代表在岗，请先办理离岗再更换乡镇。")


class PostAssignment(models.Model):
    """A representative holding a post from `started_on` to `ended_on` (open while still held)."""

    post = models.ForeignKey(DutyPost, verbose_name=_("履职岗位"), on_delete=models.PROTECT, related_name="assignments")
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="post_assignments"
    )
    started_on = models.DateField(_("上岗日期"))
    ended_on = models.DateField(_("离岗日期"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("安排时间"), auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("离岗登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()
    scope_path = "post__township__path"

    class Meta:
        verbose_name = _("岗位安排")
        verbose_name_plural = _("岗位安排")
        ordering = ["-started_on", "-pk"]
        permissions = [
            ("import_postassignment", _("可以导入岗位安排")),
            ("export_postassignment", _("可以导出岗位安排")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="post_assignment_ends_after_start",
                violation_error_message=_("离岗日期不能早于上岗日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["post", "ended_on"], name="post_assignment_post_end"),
            models.Index(fields=["representative", "started_on"], name="post_assignment_rep_start"),
        ]

    def __str__(self):
        return _("%(rep)s（%(post)s）") % {"rep": self.representative, "post": self.post}

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


class PostLog(Confirmable):
    """What a representative did at their post on a day; counts toward points once confirmed."""

    assignment = models.ForeignKey(
        PostAssignment, verbose_name=_("岗位安排"), on_delete=models.PROTECT, related_name="logs"
    )
    date = models.DateField(_("日期"))
    content = models.TextField(_("工作内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "assignment__post__township__path"

    class Meta:
        verbose_name = _("岗位工作记录")
        verbose_name_plural = _("岗位工作记录")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["assignment", "date"], name="post_log_assignment_date"),
            models.Index(fields=["review_status", "date"], name="post_log_review_date"),
        ]

    def __str__(self):
        return _("%(date)s %(post)s工作记录") % {"date": self.date, "post": self.assignment.post}


class PostLogPhoto(models.Model):
    log = models.ForeignKey(PostLog, verbose_name=_("工作记录"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="posts/%Y/%m/")

    objects = ScopedQuerySet.as_manager()
    scope_path = "log__assignment__post__township__path"

    class Meta:
        verbose_name = _("工作照片")
        verbose_name_plural = _("工作照片")
        ordering = ["pk"]

    def __str__(self):
        return self.image.name
