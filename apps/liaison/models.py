from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import DecisionRequest, HandlingUnit, Region, StatusEvent
from apps.core.phones import PhoneNumberField
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative


class LiaisonOffice(models.Model):
    """A township's liaison office (代表联系群众工作室) or a village's station (联络站)."""

    class Level(models.TextChoices):
        OFFICE = "office", _("乡镇工作室")
        STATION = "station", _("村（社区）联络站")

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices, default=Level.OFFICE)
    region = models.ForeignKey(Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="offices")
    parent = models.ForeignKey(
        "self", verbose_name=_("所属工作室"), on_delete=models.PROTECT, null=True, blank=True, related_name="stations"
    )
    head = models.CharField(_("站长"), max_length=30, blank=True)
    liaison_officer = models.CharField(_("联络员"), max_length=30, blank=True)
    phone = PhoneNumberField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    # GCJ-02, as China's map apps (高德、腾讯) read and show them; the public directory links there.
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("地图坐标（GCJ-02），可不填。"),
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_active = models.BooleanField(_("启用"), default=True)
    established_on = models.DateField(
        _("设立日期"), null=True, blank=True, help_text=_("统计每年新设的联络站；早已设立、日期不详的可留空。")
    )
    # 联络站码: the opaque code of the QR poster on the office's door (see Representative.contact_code).
    contact_code = models.CharField(_("联络站码"), max_length=16, unique=True, null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"

    class Meta:
        verbose_name = _("联络站（工作室）")
        verbose_name_plural = _("联络站（工作室）")
        ordering = ["region__path", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="office_unique_name_per_region")]

    def __str__(self):
        return self.name

    @property
    def map_url(self) -> str:
        if self.latitude is None or self.longitude is None:
            return ""
        query = urlencode({"position": f"{self.longitude},{self.latitude}", "name": self.name})
        return f"https://uri.amap.com/marker?{query}"

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("经度和纬度要么都填，要么都不填。")})
        if not self.region_id:
            return
        wanted = Region.Level.TOWNSHIP if self.level == self.Level.OFFICE else Region.Level.VILLAGE
        if self.region.level != wanted:
            raise ValidationError({"region": _("工作室设在乡镇，联络站设在村（社区）。")})
        if self.level == self.Level.STATION and self.parent_id and self.parent.region_id != self.region.parent_id:
            raise ValidationError({"parent": _("联络站必须隶属于所在乡镇的工作室。")})


class Funding(models.Model):
    office = models.ForeignKey(
        LiaisonOffice, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="funding"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    source = models.CharField(_("来源"), max_length=100)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "office__region__path"

    class Meta:
        verbose_name = _("经费")
        verbose_name_plural = _("经费")
        ordering = ["-year", "office"]

    def __str__(self):
        return f"{self.office} {self.year} {self.amount}"


class ReceptionSchedule(models.Model):
    """A recurring reception day (接待日), e.g. the 9th and 19th of every month."""

    office = models.ForeignKey(
        LiaisonOffice, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="schedules"
    )
    days_of_month = models.CharField(_("每月日期"), max_length=50, help_text=_("用逗号分隔，例如：9,19"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "office__region__path"

    class Meta:
        verbose_name = _("接待日安排")
        verbose_name_plural = _("接待日安排")

    def __str__(self):
        return _("%(office)s每月%(days)s日") % {"office": self.office, "days": self.days_of_month}

    @property
    def days(self) -> list[int]:
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        return sorted({int(d) for d in self.days_of_month.replace("，", ",").split(",") if d.strip().isdecimal()})

    def clean(self):
        days = self.days
        if not days or any(not 1 <= d <= 31 for d in days):
            raise ValidationError({"days_of_month": _("请填写1到31之间的日期，用逗号分隔。")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})


class ReceptionDay(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("如期")
        MOVED = "moved", _("已调整")
        CANCELLED = "cancelled", _("已取消")

    office = models.ForeignKey(
        LiaisonOffice, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="reception_days"
    )
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    moved_from = models.DateField(_("原定日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "office__region__path"

    class Meta:
        verbose_name = _("接待日")
        verbose_name_plural = _("接待日")
        ordering = ["date", "office"]
        constraints = [models.UniqueConstraint(fields=["office", "date"], name="reception_day_once_per_office")]
        indexes = [models.Index(fields=["date", "status"], name="reception_day_date_status")]

    def __str__(self):
        return f"{self.office} {self.date}"


class DutyShift(models.Model):
    """A representative on duty at an office (驻室), with attendance."""

    class Attendance(models.TextChoices):
        PENDING = "pending", _("待履职")
        ATTENDED = "attended", _("已到岗")
        ABSENT = "absent", _("缺勤")
        EXCUSED = "excused", _("请假")

    office = models.ForeignKey(LiaisonOffice, verbose_name=_("工作室"), on_delete=models.CASCADE, related_name="shifts")
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="shifts"
    )
    reception_day = models.ForeignKey(
        ReceptionDay, verbose_name=_("接待日"), on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    date = models.DateField(_("日期"))
    attendance = models.CharField(_("出勤"), max_length=10, choices=Attendance.choices, default=Attendance.PENDING)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "office__region__path"

    class Meta:
        verbose_name = _("驻室值班")
        verbose_name_plural = _("驻室值班")
        ordering = ["date", "office"]
        constraints = [models.UniqueConstraint(fields=["office", "representative", "date"], name="shift_once_per_day")]
        indexes = [models.Index(fields=["representative", "date"], name="shift_representative_date")]

    def __str__(self):
        return f"{self.representative} {self.date}"


class Concern(models.Model):
    """A citizen's concern (群众意见 / 急难愁盼), from the public form or a reception."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")
        ACCEPTED = "accepted", _("已受理")
        REFERRED_OUT = "referred_out", _("已引导至其他渠道")
        ROUTED = "routed", _("办理中")
        RESOLVED = "resolved", _("已办理")
        CLOSED = "closed", _("已办结")

    class Category(models.TextChoices):
        ROADS = "roads", _("道路交通")
        WATER = "water", _("供水水利")
        EDUCATION = "education", _("教育")
        HEALTH = "health", _("医疗卫生")
        SOCIAL = "social", _("社会保障")
        ENVIRONMENT = "environment", _("环境卫生")
        AGRICULTURE = "agriculture", _("农业生产")
        HOUSING = "housing", _("住房")
        SAFETY = "safety", _("治安安全")
        OTHER = "other", _("其他")

    class Route(models.TextChoices):
        TOWNSHIP = "township", _("乡镇人民政府")
        UNIT = "unit", _("承办单位")
        REPRESENTATIVE = "representative", _("人大代表")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上提交")
        RECEPTION = "reception", _("接待登记")

    class ReferralReason(models.TextChoices):
        LITIGATION = "litigation", _("属于诉讼、仲裁或行政复议事项，请通过司法途径解决")
        PETITION = "petition", _("属于信访事项，请向信访部门反映")
        OTHER = "other", _("其他")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    channel = models.CharField(_("来源"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    region = models.ForeignKey(Region, verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="concerns")
    office = models.ForeignKey(
        LiaisonOffice,
        verbose_name=_("工作室"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    addressed_to = models.ForeignKey(
        Representative,
        verbose_name=_("反映给代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="addressed_concerns",
    )
    category = models.CharField(_("类别"), max_length=15, choices=Category.choices)
    is_urgent = models.BooleanField(_("急难愁盼"), default=False)
    description = models.TextField(_("反映内容"))
    name = models.CharField(_("姓名"), max_length=30, blank=True)
    # A mobile from the public form (its field says so); a visitor at a reception day may leave a landline.
    phone = PhoneNumberField(_("手机号码"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("同意隐私说明时间"))

    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    referral_reason = models.CharField(_("引导理由"), max_length=15, choices=ReferralReason.choices, blank=True)
    referral_note = models.TextField(_("引导说明"), blank=True)
    route = models.CharField(_("转办对象"), max_length=15, choices=Route.choices, blank=True)
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("办理代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_concerns",
    )
    instructions = models.TextField(
        _("转办要求"), blank=True, help_text=_("转办时写给办理单位或代表的要求，群众看不到。")
    )
    answer = models.TextField(_("办理情况"), blank=True)
    public_answer = models.TextField(
        _("公开答复"), blank=True, help_text=_("群众凭查询码可以看到的答复，不要写入个人信息。")
    )
    answered_on_spot = models.BooleanField(_("当场答复"), default=False)
    rating = models.CharField(_("群众评价"), max_length=15, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    proposal = models.ForeignKey(
        "proposals.Proposal",
        verbose_name=_("形成的代表建议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    accept_due_on = models.DateField(_("受理期限"))
    resolve_due_on = models.DateField(_("办理期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["submission_key"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("view_concern_personal", _("可以查看群众姓名和电话")),
            ("export_concern", _("可以导出群众意见")),
        ]
        indexes = [
            models.Index(fields=["status", "accept_due_on"], name="concern_status_accept_due"),
            models.Index(fields=["status", "resolve_due_on"], name="concern_status_resolve_due"),
            models.Index(fields=["office", "submitted_at"], name="concern_office_submitted"),
            models.Index(fields=["representative", "status"], name="concern_representative"),
            models.Index(fields=["unit", "status"], name="concern_unit"),
            # The admin list's order (newest first) and the dashboard's year ranges.
            models.Index(fields=["submitted_at", "id"], name="concern_submitted"),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.get_category_display()}"

    @property
    def display_code(self) -> str:
        code = self.tracking_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


class ConcernReturnRequest(DecisionRequest):
    """A unit's request to send back a concern routed to it by mistake; staff decide."""

    concern = models.ForeignKey(
        Concern, verbose_name=_("群众意见"), on_delete=models.CASCADE, related_name="return_requests"
    )
    unit = models.ForeignKey(HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_path = "concern__region__path"
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("群众意见退回申请")
        verbose_name_plural = _("群众意见退回申请")
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["decision", "requested_at"], name="concern_return_pending")]

    def __str__(self):
        return f"{self.concern} ← {self.unit}"


class ConcernPhoto(models.Model):
    concern = models.ForeignKey(Concern, verbose_name=_("群众意见"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to="concerns/%Y/%m/")

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self):
        return self.image.name


class ConcernEvent(StatusEvent):
    """Status history of a concern; the tracking page shows its status changes, without names or notes."""

    concern = models.ForeignKey(Concern, verbose_name=_("群众意见"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=15, choices=Concern.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=15, choices=Concern.Status.choices)

    def __str__(self):
        return f"{self.concern_id} {self.action}"


class Revisit(models.Model):
    """A follow-up call or visit (回访) to the citizen after the concern was handled."""

    concern = models.ForeignKey(Concern, verbose_name=_("群众意见"), on_delete=models.CASCADE, related_name="revisits")
    revisited_on = models.DateField(_("回访日期"))
    notes = models.TextField(_("回访情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["revisited_on"]

    def __str__(self):
        return f"{self.concern_id} {self.revisited_on}"


class ReceptionRecord(models.Model):
    """A visitor registered at an office: answered on the spot or turned into a concern."""

    office = models.ForeignKey(
        LiaisonOffice, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="receptions"
    )
    reception_day = models.ForeignKey(
        ReceptionDay, verbose_name=_("接待日"), on_delete=models.SET_NULL, null=True, blank=True
    )
    received_on = models.DateField(_("接待日期"))
    visitor_name = models.CharField(_("来访人"), max_length=30, blank=True)
    visitor_phone = PhoneNumberField(_("联系电话"), max_length=20, blank=True)
    matter = models.TextField(_("反映事项"))
    answered_on_spot = models.BooleanField(_("当场答复"), default=False)
    answer = models.TextField(_("答复情况"), blank=True)
    concern = models.OneToOneField(
        Concern,
        verbose_name=_("转为群众意见"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reception",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "office__region__path"

    class Meta:
        verbose_name = _("接待登记")
        verbose_name_plural = _("接待登记")
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"{self.office} {self.received_on}"


class RateLimitHit(models.Model):
    """Counts requests per key (e.g. an IP address and a form) per time window, in the database,
    so the public forms stay protected whether or not Redis is up."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_limit_once_per_window")]
        indexes = [models.Index(fields=["window_start"], name="rate_limit_window")]

    def __str__(self):
        return f"{self.key} {self.window_start} {self.count}"
