from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.collation import by_stroke
from apps.core.masking import mask_phone
from apps.core.models import Confirmable, CongressTerm, Region
from apps.core.phones import PhoneNumberField
from apps.core.scope import ScopedQuerySet
from apps.representatives import duty
from apps.representatives.choices import (
    ETHNICITY_CHOICES,
    Category,
    Education,
    Gender,
    Level,
    Party,
    Status,
)


class Constituency(models.Model):
    """An electoral district (选区) of one congress term."""

    term = models.ForeignKey(
        CongressTerm, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="constituencies"
    )
    number = models.PositiveIntegerField(_("选区编号"))
    name = models.CharField(_("选区名称"), max_length=100)
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="constituencies",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "township__path"

    class Meta:
        verbose_name = _("选区")
        verbose_name_plural = _("选区")
        ordering = ["term", "number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="constituency_unique_per_term")]

    def __str__(self):
        return _("第%(number)s选区（%(name)s）") % {"number": self.number, "name": self.name}


class RepresentativeQuerySet(ScopedQuerySet):
    def serving(self):
        return self.filter(status=Status.SERVING)

    def by_stroke(self):
        return self.order_by(by_stroke("name"), "pk")


class Representative(models.Model):
    """A people's congress representative (人大代表) of any of the five levels living in the county."""

    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    party = models.CharField(_("政治面貌"), max_length=20, choices=Party.choices, default=Party.MASSES)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("工作单位及职务"), max_length=100, blank=True)
    category = models.CharField(_("代表构成"), max_length=20, choices=Category.choices)
    level = models.CharField(_("代表层级"), max_length=20, choices=Level.choices)
    term = models.ForeignKey(
        CongressTerm,
        verbose_name=_("届次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
        help_text=_("县、乡镇人大代表必填；上级人大代表可不填。"),
    )
    constituency = models.ForeignKey(
        Constituency,
        verbose_name=_("选区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
    )
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇"),
        on_delete=models.PROTECT,
        related_name="representatives",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    credential_no = models.CharField(_("代表证号"), max_length=30, blank=True)
    phone = PhoneNumberField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.SERVING)
    elected_on = models.DateField(_("当选日期"), null=True, blank=True)
    status_changed_on = models.DateField(
        _("状态变更日期"), null=True, blank=True, help_text=_("辞职、罢免或终止代表资格的日期。")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representative",
    )
    # 代表码: the opaque code of the QR card that opens the concern form aimed at this
    # representative; issued when first needed, never changed, no personal data in it.
    contact_code = models.CharField(_("代表码"), max_length=16, unique=True, null=True, blank=True, editable=False)
    contact_code_township = models.ForeignKey(
        Region,
        verbose_name=_("代表码所印乡镇"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("最近一次印制代表码时代表所在的乡镇；代表调动后，扫码页面会说明。"),
    )

    history = HistoricalRecords()
    objects = RepresentativeQuerySet.as_manager()

    scope_path = "township__path"

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = [by_stroke("name"), "pk"]
        permissions = [
            ("import_representative", _("可以导入人大代表")),
            ("export_representative", _("可以导出人大代表")),
            ("view_representative_contact", _("可以查看代表联系方式")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "credential_no"],
                condition=~Q(credential_no=""),
                name="representative_unique_credential_per_term",
                violation_error_message=_("该届次已有相同代表证号的代表。"),
            ),
        ]
        indexes = [
            models.Index(fields=["township", "level", "status"], name="rep_township_level_status"),
            models.Index(fields=["term", "status"], name="rep_term_status"),
            models.Index(fields=["category"], name="rep_category"),
            # The public roster of one township, in stroke order, read a page at a time.
            models.Index(
                models.F("township"),
                by_stroke("name"),
                models.F("id"),
                condition=Q(status="serving"),
                name="rep_roster_order",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.township_id and self.township.level != Region.Level.TOWNSHIP:
            errors["township"] = _("所在乡镇必须是乡镇一级的区域。")
        self._clean_term(errors)
        if self.status != Status.SERVING and not self.status_changed_on:
            errors["status_changed_on"] = _("代表不在任时必须填写状态变更日期。")
        if self.constituency_id and self.constituency.term_id != self.term_id:
            errors["constituency"] = _("选区不属于所选届次。")
        if errors:
            raise ValidationError(errors)

    def _clean_term(self, errors):
        if self.level not in (Level.COUNTY, Level.TOWNSHIP):
            return
        if not self.term_id:
            errors["term"] = _("县、乡镇人大代表必须填写届次。")
            return
        region = self.term.region
        if self.level == Level.COUNTY and region.level != Region.Level.COUNTY:
            errors["term"] = _("县人大代表的届次必须是县人民代表大会的届次。")
        elif self.level == Level.TOWNSHIP and region.pk != self.township_id:
            errors["term"] = _("乡镇人大代表的届次必须是本乡镇人民代表大会的届次。")
        elif self.township_id and not self.township.path.startswith(region.path):
            errors["term"] = _("届次所属区域与代表所在乡镇不一致。")

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class StatusChange(models.Model):
    """A representative left office (辞职、罢免、终止) or was restored to it, when and why: the
    roster keeps only the status now; this is the record of how it came to be."""

    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="status_changes"
    )
    old_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices)
    new_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    changed_on = models.DateField(_("变更日期"))
    reason = models.CharField(_("变更原因"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_path = "representative__township__path"

    class Meta:
        verbose_name = _("代表状态变更")
        verbose_name_plural = _("代表状态变更")
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return _("%(rep)s：%(old)s→%(new)s") % {
            "rep": self.representative,
            "old": self.get_old_status_display(),
            "new": self.get_new_status_display(),
        }


class DutyActivity(Confirmable):
    """A duty a representative reports themselves (自报履职), counted once staff confirm it.

    Only the kinds no other app records (竹山's five duty types, DOMAIN.md §4): lectures, shifts,
    posts, groups and proposals come from their own apps.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("出席会议")
        SURVEY = "survey", _("调研视察")
        VOTERS = "voters", _("联系选民")
        GROUP = "group", _("小组活动")
        OTHER = "other", _("其他")

    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="duty_activities"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100)
    description = models.TextField(_("履职内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "representative__township__path"

    class Meta:
        verbose_name = _("自报履职")
        verbose_name_plural = _("自报履职")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["representative", "date"], name="activity_rep_date"),
            models.Index(fields=["review_status", "date"], name="activity_review_date"),
        ]

    def __str__(self):
        return _("%(rep)s %(date)s %(kind)s") % {
            "rep": self.representative,
            "date": self.date,
            "kind": self.get_kind_display(),
        }

    @property
    def points_kind(self) -> str:
        """The key of RENDA_DUTY["POINTS"] this activity earns under."""
        return f"activity_{self.kind}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("履职日期不能晚于今天。")})


class VoterRating(models.Model):
    """The voters' satisfaction rating (选民满意度测评) of a representative in one year."""

    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="voter_ratings"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    held_on = models.DateField(_("测评日期"))
    satisfied = models.PositiveIntegerField(_("满意票数"))
    basic = models.PositiveIntegerField(_("基本满意票数"))
    dissatisfied = models.PositiveIntegerField(_("不满意票数"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "representative__township__path"

    class Meta:
        verbose_name = _("选民满意度测评")
        verbose_name_plural = _("选民满意度测评")
        ordering = ["-year", "representative"]
        permissions = [("import_voterrating", _("可以导入选民满意度测评"))]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "year"],
                name="voter_rating_once_per_year",
                violation_error_message=_("该代表本年度已有测评结果。"),
            )
        ]

    def __str__(self):
        return _("%(rep)s %(year)s年选民满意度测评") % {"rep": self.representative, "year": self.year}

    @property
    def total(self) -> int:
        return (self.satisfied or 0) + (self.basic or 0) + (self.dissatisfied or 0)

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) / all votes; None when nobody voted."""
        return (self.satisfied + self.basic) / self.total if self.total else None

    @property
    def percent(self) -> float | None:
        rate = self.rate
        return None if rate is None else round(100 * rate, 1)

    def clean(self):
        if self.satisfied is not None and self.basic is not None and self.dissatisfied is not None and not self.total:
            raise ValidationError(_("测评票数合计不能为零。"))
        if self.held_on and self.year and self.held_on.year not in (self.year, self.year + 1):
            raise ValidationError({"held_on": _("测评日期应在测评年度内或次年年初。")})


class Evaluation(models.Model):
    """The year's evaluation (年度履职评价) of a representative: points, grade and the outcome staff confirm."""

    class Outcome(models.TextChoices):
        COMMEND = "commend", _("表彰")
        RETRAIN = "retrain", _("再培训")
        NONE = "none", _("无")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("拟定")
        CONFIRMED = "confirmed", _("已确认")

    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="evaluations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.DecimalField(_("履职积分"), max_digits=7, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=20)
    voter_rate = models.DecimalField(_("选民满意率（%）"), max_digits=4, decimal_places=1, null=True, blank=True)
    outcome = models.CharField(_("评价结果"), max_length=10, choices=Outcome.choices, default=Outcome.NONE)
    status = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PROPOSED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "representative__township__path"

    class Meta:
        verbose_name = _("年度履职评价")
        verbose_name_plural = _("年度履职评价")
        ordering = ["-year", "representative"]
        permissions = [("export_evaluation", _("可以导出年度履职评价"))]
        constraints = [
            models.UniqueConstraint(
                fields=["representative", "year"],
                name="evaluation_once_per_year",
                violation_error_message=_("该代表本年度已有履职评价。"),
            )
        ]
        indexes = [models.Index(fields=["year", "status", "outcome"], name="evaluation_year_status")]

    def __str__(self):
        return _("%(rep)s %(year)s年度履职评价") % {"rep": self.representative, "year": self.year}

    @property
    def grade_label(self) -> str:
        return duty.grade_label(self.grade)
