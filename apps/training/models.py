"""The "1+12" lecture halls (培训讲堂): halls, instructors, lectures, attendance, retraining.

One county hall (县人大讲堂) and one in each township. Standing-committee members and office heads
teach part-time, township party secretaries and congress chairs full-time, each a yearly quota
of lectures (RENDA_TRAINING["DEFAULT_YEARLY_QUOTA"] unless the instructor has their own).
"""

import posixpath
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.config import config
from apps.core.models import Region
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative


class LectureHall(models.Model):
    class Level(models.TextChoices):
        COUNTY = "county", _("县级讲堂")
        TOWNSHIP = "township", _("乡镇讲堂")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="halls")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"
    # Township staff read the county's hall, its instructors and lectures (reference data).
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("培训讲堂")
        verbose_name_plural = _("培训讲堂")
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="hall_unique_name_per_region")]

    def __str__(self):
        return self.name

    def clean(self):
        if not self.region_id or not self.level:
            return
        if self.region.level != self.level:
            raise ValidationError({"region": _("县级讲堂设在县，乡镇讲堂设在乡镇。")})


class Instructor(models.Model):
    class Kind(models.TextChoices):
        PART_TIME = "part_time", _("兼职教员")
        FULL_TIME = "full_time", _("专职教员")

    name = models.CharField(_("姓名"), max_length=30)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    position = models.CharField(
        _("职务"), max_length=60, blank=True, help_text=_("例如：县人大常委会委员、乡镇党委书记、优秀代表。")
    )
    hall = models.ForeignKey(
        LectureHall, verbose_name=_("主讲讲堂"), on_delete=models.PROTECT, related_name="instructors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_roles",
        help_text=_("有账号的教员会收到授课任务提醒。"),
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("代表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructor_roles",
        help_text=_("由优秀代表交流履职经验时填写；授课计入其履职档案。"),
    )
    yearly_quota = models.PositiveSmallIntegerField(
        _("年度授课任务（次）"), null=True, blank=True, help_text=_("留空则按系统默认（每年两次）。")
    )
    is_active = models.BooleanField(_("在任"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "hall__region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("教员")
        verbose_name_plural = _("教员")
        ordering = ["hall__region__path", "kind", "name"]
        indexes = [models.Index(fields=["is_active", "hall"], name="instructor_active_hall")]

    def __str__(self):
        return f"{self.name}（{self.position}）" if self.position else self.name

    @property
    def quota(self) -> int:
        if self.yearly_quota is not None:
            return self.yearly_quota
        return config("TRAINING", "DEFAULT_YEARLY_QUOTA")


def material_path(lecture, filename: str) -> str:
    # A random name: the uploader's file name says nothing to the server and cannot be guessed.
    ext = posixpath.splitext(filename)[1].lower()
    return f"training/materials/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Lecture(models.Model):
    class Theme(models.TextChoices):
        THEORY = "theory", _("人民代表大会制度理论")
        LAW = "law", _("代表法等法律法规")
        DUTY = "duty", _("履职能力")
        PROPOSALS = "proposals", _("建议撰写")
        SUPERVISION = "supervision", _("监督工作")
        EXPERIENCE = "experience", _("经验分享")
        POLICY = "policy", _("中心工作与政策")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    hall = models.ForeignKey(LectureHall, verbose_name=_("讲堂"), on_delete=models.PROTECT, related_name="lectures")
    instructor = models.ForeignKey(
        Instructor, verbose_name=_("主讲教员"), on_delete=models.PROTECT, related_name="lectures"
    )
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    topic = models.CharField(_("题目"), max_length=200)
    theme = models.CharField(_("专题"), max_length=15, choices=Theme.choices, default=Theme.DUTY)
    audience = models.CharField(_("听课对象"), max_length=100, blank=True, help_text=_("例如：全镇县乡人大代表。"))
    materials = models.FileField(_("课件资料"), upload_to=material_path, blank=True)
    materials_name = models.CharField(_("课件文件名"), max_length=200, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "hall__region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("授课")
        verbose_name_plural = _("授课")
        ordering = ["-date", "-pk"]
        permissions = [
            ("import_lecture", _("可以导入授课")),
            ("export_lecture", _("可以导出授课")),
        ]
        indexes = [
            models.Index(fields=["hall", "date"], name="lecture_hall_date"),
            models.Index(fields=["instructor", "status", "date"], name="lecture_instructor_held"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.hall} {self.topic}"

    def clean(self):
        if self.instructor_id and self.hall_id and self.instructor.hall_id != self.hall_id:
            county_guest = self.instructor.hall.level == LectureHall.Level.COUNTY
            # County instructors also teach in the townships; township ones only in their own hall.
            if not county_guest:
                raise ValidationError({"instructor": _("乡镇教员只能在本乡镇讲堂授课。")})


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        EXCUSED = "excused", _("请假")

    lecture = models.ForeignKey(Lecture, verbose_name=_("授课"), on_delete=models.CASCADE, related_name="attendance")
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="lecture_attendance"
    )
    status = models.CharField(_("出勤"), max_length=10, choices=Status.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "lecture__hall__region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("听课出勤")
        verbose_name_plural = _("听课出勤")
        ordering = ["lecture", "representative"]
        permissions = [
            ("import_attendance", _("可以导入听课出勤")),
            ("export_attendance", _("可以导出听课出勤")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "representative"], name="attendance_once_per_lecture"),
        ]
        indexes = [models.Index(fields=["representative", "status"], name="attendance_rep_status")]

    def __str__(self):
        return f"{self.representative} {self.get_status_display()}"


class Retraining(models.Model):
    """Retraining (再培训) of a representative who did not perform, or whose voters are dissatisfied."""

    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="retrainings"
    )
    reason = models.TextField(_("原因"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_on = models.DateField(_("安排日期"), default=timezone.localdate)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lecture = models.ForeignKey(
        Lecture,
        verbose_name=_("完成培训的授课"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retrainings",
    )
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "representative__township__path"

    class Meta:
        verbose_name = _("再培训")
        verbose_name_plural = _("再培训")
        ordering = ["-assigned_on", "-pk"]
        constraints = [
            # At most one open retraining per representative, even when two staff assign at once.
            models.UniqueConstraint(
                fields=["representative"],
                condition=models.Q(completed_on__isnull=True),
                name="retraining_one_open_per_rep",
                violation_error_message=_("该代表已有未完成的再培训。"),
            ),
        ]

    def __str__(self):
        return _("%(name)s的再培训（%(date)s）") % {"name": self.representative, "date": self.assigned_on}

    @property
    def is_open(self) -> bool:
        return self.completed_on is None
