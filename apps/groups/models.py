"""Representatives' activity groups and what they do together (seed article, 2022): six groups by
expertise ran 36 activities (微宣讲, 微心愿); campaigns such as "我为群众办实事" with the problems
representatives helped solve (128); inspections and thematic surveys in numbered batches (12).

Activities and problems solved are `Confirmable`: what a representative reports in the portal
counts toward the duty record only once staff confirm it; what staff enter is confirmed at once.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import Confirmable, Region
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative

UPPER_LEVELS = {"level__in": [Region.Level.COUNTY, Region.Level.TOWNSHIP]}


class ActivityGroup(models.Model):
    """A representatives' activity group (代表活动小组), formed by expertise."""

    name = models.CharField(_("小组名称"), max_length=50)
    theme = models.CharField(_("专业领域"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="activity_groups",
        limit_choices_to=UPPER_LEVELS,
        help_text=_("县级小组选县，乡镇小组选乡镇。"),
    )
    leader = models.ForeignKey(
        Representative,
        verbose_name=_("组长"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups_led",
    )
    members = models.ManyToManyField(
        Representative, verbose_name=_("成员"), through="GroupMembership", related_name="activity_groups"
    )
    liaison_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系的常委会组成人员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups_in_contact",
        help_text=_("有系统账号时选择账号；没有账号时在下一栏填写姓名。"),
    )
    liaison_name = models.CharField(_("联系人姓名（无账号时）"), max_length=30, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "region__path"
    # Township staff read the county's groups (their representatives belong to them) without changing them.
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("代表活动小组")
        verbose_name_plural = _("代表活动小组")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="activity_group_unique_name_per_region",
                violation_error_message=_("本区域已有同名的代表活动小组。"),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def liaison_display(self) -> str:
        return str(self.liaison_member) if self.liaison_member_id else self.liaison_name


class GroupMembership(models.Model):
    """A representative in a group from `joined_on` to `left_on` (open while still a member)."""

    group = models.ForeignKey(
        ActivityGroup, verbose_name=_("小组"), on_delete=models.CASCADE, related_name="memberships"
    )
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "group__region__path"
    scope_includes_ancestors = True  # the members of the county's groups, as the groups themselves

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["group", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "representative"],
                condition=Q(left_on__isnull=True),
                name="group_membership_one_open_per_rep",
                violation_error_message=_("该代表已是本小组成员。"),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="group_membership_leaves_after_joining",
                violation_error_message=_("退出日期不能早于加入日期。"),
            ),
        ]

    def __str__(self):
        return _("%(rep)s（%(group)s）") % {"rep": self.representative, "group": self.group}


class Activity(Confirmable):
    """One activity of a group or of representatives on their own (微宣讲, 微心愿, 走访选民 …)."""

    class Kind(models.TextChoices):
        TALK = "talk", _("微宣讲")
        WISH = "wish", _("微心愿")
        SURVEY = "survey", _("调研")
        VOTER_VISIT = "voter_visit", _("走访选民")
        INSPECTION = "inspection", _("视察")
        OTHER = "other", _("其他")

    group = models.ForeignKey(
        ActivityGroup,
        verbose_name=_("活动小组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("代表个人或主题活动中开展的活动可不选小组。"),
    )
    kind = models.CharField(_("活动类型"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=100, blank=True)
    participants = models.ManyToManyField(
        Representative, verbose_name=_("参加代表"), related_name="group_activities", blank=True
    )
    summary = models.TextField(_("活动情况"), blank=True)
    wishes_fulfilled = models.PositiveIntegerField(_("实现微心愿（个）"), default=0)
    people_reached = models.PositiveIntegerField(_("覆盖群众（人次）"), default=0)
    problems_solved = models.PositiveIntegerField(_("解决问题（件）"), default=0)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+", limit_choices_to=UPPER_LEVELS
    )
    reported_by = models.ForeignKey(
        Representative,
        verbose_name=_("填报代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities_reported",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"

    class Meta:
        verbose_name = _("代表活动")
        verbose_name_plural = _("代表活动")
        ordering = ["-date", "-pk"]
        permissions = [
            ("import_activity", _("可以导入代表活动")),
            ("export_activity", _("可以导出代表活动")),
        ]
        indexes = [
            models.Index(fields=["region", "date"], name="activity_region_date"),
            models.Index(fields=["group", "date"], name="activity_group_date"),
            models.Index(fields=["kind", "date"], name="activity_kind_date"),
        ]

    def __str__(self):
        return self.title


class CampaignQuerySet(ScopedQuerySet):
    def open_on(self, day):
        return self.filter(started_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class Campaign(models.Model):
    """A themed campaign (主题实践活动) such as "我为群众办实事" or 五级代表走访选民."""

    name = models.CharField(_("活动名称"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("组织区域"), on_delete=models.PROTECT, related_name="+", limit_choices_to=UPPER_LEVELS
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    description = models.TextField(_("活动说明"), blank=True)

    history = HistoricalRecords()
    objects = CampaignQuerySet.as_manager()
    scope_path = "region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("主题活动")
        verbose_name_plural = _("主题活动")
        ordering = ["-started_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="campaign_unique_name_per_region",
                violation_error_message=_("本区域已有同名的主题活动。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return self.name


class ProblemSolved(Confirmable):
    """A problem a representative helped the people solve during a campaign (办实事)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("主题活动"), on_delete=models.PROTECT, related_name="problems"
    )
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="problems_solved"
    )
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    date = models.DateField(_("日期"))
    problem = models.TextField(_("群众反映的问题"))
    action_taken = models.TextField(_("采取的措施"), blank=True)
    is_solved = models.BooleanField(_("已解决"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "township__path"

    class Meta:
        verbose_name = _("办实事记录")
        verbose_name_plural = _("办实事记录")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["campaign", "review_status", "is_solved"], name="problem_campaign_counted"),
            models.Index(fields=["representative", "date"], name="problem_rep_date"),
            models.Index(fields=["township", "date"], name="problem_township_date"),
        ]

    def __str__(self):
        return _("%(rep)s：%(problem)s") % {"rep": self.representative, "problem": self.problem[:30]}


class Inspection(models.Model):
    """A batch (批次) of collective inspection, thematic survey or law-enforcement check.

    Batches are numbered per organising region and year by `inspection_create`, under a lock."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("视察")
        SURVEY = "survey", _("专题调研")
        ENFORCEMENT = "enforcement", _("执法检查")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        DONE = "done", _("已完成")

    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("组织区域"), on_delete=models.PROTECT, related_name="+", limit_choices_to=UPPER_LEVELS
    )
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    batch_no = models.PositiveSmallIntegerField(_("批次"), editable=False)
    topic = models.CharField(_("主题"), max_length=200)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    organiser = models.CharField(_("组织单位"), max_length=100, blank=True)
    participants = models.ManyToManyField(
        Representative, verbose_name=_("参加代表"), related_name="inspections", blank=True
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    report = models.TextField(_("视察调研报告"), blank=True)
    report_file = models.FileField(_("报告附件"), upload_to="groups/reports/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("视察调研")
        verbose_name_plural = _("视察调研")
        ordering = ["-year", "-batch_no"]
        permissions = [("export_inspection", _("可以导出视察调研"))]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "batch_no"],
                name="inspection_batch_unique_per_region_year",
                violation_error_message=_("该区域本年度已有相同批次号。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="inspection_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return _("%(year)s年第%(no)s批：%(topic)s") % {"year": self.year, "no": self.batch_no, "topic": self.topic}

    def clean(self):
        if self.region_id and self.region.level == Region.Level.VILLAGE:
            raise ValidationError({"region": _("组织区域须为县或乡镇。")})


class InspectionSuggestion(models.Model):
    """A suggestion resulting from an inspection, linked to the proposal it became, if any."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("视察调研"), on_delete=models.CASCADE, related_name="suggestions"
    )
    text = models.TextField(_("意见建议"))
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("形成的代表建议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_suggestions",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "inspection__region__path"

    class Meta:
        verbose_name = _("视察调研意见建议")
        verbose_name_plural = _("视察调研意见建议")
        ordering = ["inspection", "pk"]

    def __str__(self):
        return self.text[:40]
