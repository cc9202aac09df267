import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.numerals import chinese_number
from apps.core.phones import PhoneNumberField
from apps.core.scope import ScopedQuerySet, ancestor_paths


class Region(models.Model):
    """One node of the administrative tree: county > township > village or community."""

    class Level(models.TextChoices):
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡镇级")
        VILLAGE = "village", _("村（社区）级")

    class Kind(models.TextChoices):
        COUNTY = "county", _("县")
        AUTONOMOUS_COUNTY = "autonomous_county", _("自治县")
        DISTRICT = "district", _("区")
        CITY = "city", _("县级市")
        TOWN = "town", _("镇")
        TOWNSHIP = "township", _("乡")
        ETHNIC_TOWNSHIP = "ethnic_township", _("民族乡")
        SUBDISTRICT = "subdistrict", _("街道")
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    KINDS_BY_LEVEL = {
        Level.COUNTY: {Kind.COUNTY, Kind.AUTONOMOUS_COUNTY, Kind.DISTRICT, Kind.CITY},
        Level.TOWNSHIP: {Kind.TOWN, Kind.TOWNSHIP, Kind.ETHNIC_TOWNSHIP, Kind.SUBDISTRICT},
        Level.VILLAGE: {Kind.VILLAGE, Kind.COMMUNITY},
    }
    PARENT_LEVEL = {Level.COUNTY: None, Level.TOWNSHIP: Level.COUNTY, Level.VILLAGE: Level.TOWNSHIP}

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级区域"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of codes ("/430529/430529100/"): a scope is a prefix of it.
    path = models.CharField(_("路径"), max_length=255, editable=False, db_index=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    # A place the division codes no longer list: kept while records refer to it, offered to nobody.
    is_active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["level", "sort_order", "code"]
        indexes = [models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = self._computed_path()
        super().save(*args, **kwargs)

    def clean(self):
        self.path = self._computed_path()
        if self.kind and self.level and self.kind not in self.KINDS_BY_LEVEL[self.level]:
            raise ValidationError({"kind": _("该类型与层级不符。")})
        expected = self.PARENT_LEVEL.get(self.level)
        actual = self.parent.level if self.parent_id else None
        if self.level and expected != actual:
            raise ValidationError({"parent": _("上级区域的层级不正确。")})
        if self.pk and self.parent_id != type(self).objects.filter(pk=self.pk).values_list("parent", flat=True).first():
            raise ValidationError({"parent": _("已建立的区域不能更换上级。")})

    def _computed_path(self) -> str:
        return (self.parent.path if self.parent_id else "/") + f"{self.code}/"

    @property
    def ancestor_paths(self) -> list[str]:
        return ancestor_paths(self.path)


class CongressTerm(models.Model):
    """A term (届) of the people's congress of a county or a township."""

    region = models.ForeignKey(Region, verbose_name=_("行政区域"), on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField(_("届次"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("人民代表大会届次")
        verbose_name_plural = _("人民代表大会届次")
        ordering = ["region__path", "-number"]
        constraints = [models.UniqueConstraint(fields=["region", "number"], name="term_unique_per_region")]

    def __str__(self):
        return _("%(region)s第%(number)s届人民代表大会") % {
            "region": self.region.name,
            "number": chinese_number(self.number),
        }

    def clean(self):
        if self.region_id and self.region.level == Region.Level.VILLAGE:
            raise ValidationError({"region": _("村（社区）不设人民代表大会。")})
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})


class CongressSession(models.Model):
    """A session (次会议) of one congress term."""

    term = models.ForeignKey(CongressTerm, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("会议次数"))
    opened_on = models.DateField(_("开幕日期"))
    closed_on = models.DateField(_("闭幕日期"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "term__region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("人民代表大会会议")
        verbose_name_plural = _("人民代表大会会议")
        ordering = ["term__region__path", "-term__number", "-number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="session_unique_per_term")]

    def __str__(self):
        return _("%(term)s第%(number)s次会议") % {"term": self.term, "number": chinese_number(self.number)}

    def clean(self):
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": _("闭幕日期不能早于开幕日期。")})


class HandlingUnit(models.Model):
    """A unit (承办单位) that proposals and concerns are assigned to."""

    class Category(models.TextChoices):
        GOVERNMENT = "government", _("政府部门")
        SUPERVISION = "supervision", _("监察委员会")
        COURT = "court", _("人民法院")
        PROCURATORATE = "procuratorate", _("人民检察院")
        OTHER = "other", _("其他单位")

    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.GOVERNMENT)
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="units")
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = PhoneNumberField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "region__path"
    scope_unit_field = "pk"

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["region__path", "category", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_per_region")]
        indexes = [models.Index(fields=["category", "is_active"], name="unit_category_active")]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """An account. Its role and scope (regions, unit) decide what it may see."""

    class Role(models.TextChoices):
        COMMITTEE = "committee", _("常委会工作人员")
        TOWNSHIP = "township", _("乡镇人大工作人员")
        LIAISON = "liaison", _("联络站工作人员")
        UNIT = "unit", _("承办单位工作人员")
        REPRESENTATIVE = "representative", _("人大代表")
        AUDITOR = "auditor", _("安全审计员")

    # Roles that work in the admin, within their regions. The auditor reads only the audit log.
    STAFF_ROLES = {Role.COMMITTEE, Role.TOWNSHIP, Role.LIAISON, Role.AUDITOR}

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    full_name = models.CharField(_("姓名"), max_length=30, blank=True)
    phone = PhoneNumberField(_("手机号码"), max_length=20, blank=True, kind="mobile")
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("管辖区域"),
        blank=True,
        related_name="staff",
        help_text=_("工作人员只能看到这些区域（含下级区域）的数据。"),
    )
    handling_unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("所在承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.role == self.Role.UNIT and not self.handling_unit_id:
            raise ValidationError({"handling_unit": _("承办单位工作人员必须指定所在单位。")})
        if self.role != self.Role.UNIT and self.handling_unit_id:
            raise ValidationError({"handling_unit": _("只有承办单位工作人员才能指定所在单位。")})


class TaskHeartbeat(models.Model):
    """When each periodic task last ran, so operators can see that beat and a worker are alive."""

    name = models.CharField(_("任务"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("最近运行时间"))
    hostname = models.CharField(_("运行主机"), max_length=200, blank=True)
    runs = models.PositiveBigIntegerField(_("运行次数"), default=0)
    # What the last run did ("删除 3 个文件"), for housekeeping tasks.
    detail = models.CharField(_("最近结果"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StatusEvent(models.Model):
    """One status change of a record, written by the service that made it (ProposalEvent,
    ConcernEvent): what was done, by whom (None: the system), when, and a note. Each subclass adds
    the link to its record and `from_status`/`to_status` with its own status choices; a subclass
    may narrow `action`."""

    action = models.CharField(_("操作"), max_length=40)
    by = models.ForeignKey("core.User", verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        abstract = True
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]


class DecisionRequest(models.Model):
    """A handling unit's request that staff approve or refuse: send back an item assigned to it by
    mistake (proposals' ReturnRequest, liaison's ConcernReturnRequest). Each subclass adds the link
    to its item; services decide (`DecisionAdminMixin` gives the admin's two actions)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待决定")
        APPROVED = "approved", _("同意退回")
        REJECTED = "rejected", _("不同意退回")

    reason = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey("core.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        "core.User", verbose_name=_("决定人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定说明"), blank=True)

    class Meta:
        abstract = True


class Confirmable(models.Model):
    """A record a representative reports and staff confirm; it counts only once confirmed.

    Used by self-reported duty activities, post work logs and the like (DOMAIN.md §4: 竹山
    "代表上报，代工委审核"). Reviews go through `apps.core.confirmation.record_review`.
    """

    class Review(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("未通过")

    review_status = models.CharField(
        _("确认状态"), max_length=10, choices=Review.choices, default=Review.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        "core.User", verbose_name=_("确认人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    review_note = models.CharField(_("确认意见"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.review_status == self.Review.CONFIRMED


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("处理中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class BackgroundJob(models.Model):
    """What the background jobs (exports, annual reports) share: a status claimed by one worker at
    a time, a count of attempts (a worker that dies mid-job costs one), the error a person reads,
    and files deleted after `RENDA_JOBS["FILE_RETENTION_DAYS"]` while the row stays, marked expired.

    Subclasses name their file columns in `file_fields` and their stale limit in `stale_setting`."""

    Status = JobStatus
    ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
    file_fields: tuple[str, ...] = ()
    stale_setting = ""

    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    files_expired_at = models.DateTimeField(_("文件清理时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_expired(self) -> bool:
        return self.files_expired_at is not None

    @property
    def file_names(self) -> list[str]:
        return [name for name in (getattr(self, f) for f in self.file_fields) if name]


class ExportJob(BackgroundJob):
    """One spreadsheet of an admin register (its changelist's filters at the time of asking),
    written in the background so that a large export never holds a web worker or its memory."""

    file_fields = ("file_name",)
    stale_setting = "EXPORT_STALE_SECONDS"

    # Names the job in URLs: sequential ids would let anyone count and guess other people's exports.
    token = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        "core.User", verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="export_jobs"
    )
    # "liaison.concern": the admin whose changelist (and export resource) the worker rebuilds.
    model_label = models.CharField(_("数据类型"), max_length=100)
    title = models.CharField(_("名称"), max_length=200)
    # The changelist's query string: its filters, search and ordering, replayed in the worker.
    query = models.TextField(_("筛选条件"), blank=True)
    # The requester's scope when asking ("/" for everything): who else may download the file.
    region_path = models.CharField(_("范围路径"), max_length=255, blank=True)
    language = models.CharField(_("语言"), max_length=10, default="zh-hans", editable=False)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已导出行数"), default=0)
    file_name = models.CharField(_("文件"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "region_path"

    class Meta:
        verbose_name = _("后台导出任务")
        verbose_name_plural = _("后台导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="exportjob_requester_recent")]

    def __str__(self):
        return self.title

    @property
    def progress(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class HolidayYear(models.Model):
    """One year's official schedule of public holidays (放假安排), as the State Council publishes
    it each November or December and staff enter it. A year entered here replaces the
    chinese-calendar package's data for that year; the package is the default for years it knows."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    # The notice it was entered from ("国办发明电〔2026〕x号"), so anyone can check it.
    source = models.CharField(_("依据文件"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]
        permissions = [("recompute_deadlines", _("可以按节假日安排重新计算期限"))]

    def __str__(self):
        return _("%(year)s年节假日安排") % {"year": self.year}


class CalendarDay(models.Model):
    """A day that departs from the weekend rule: a holiday on a weekday, or a weekend day worked (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    holiday_year = models.ForeignKey(HolidayYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日或调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.date and self.holiday_year_id and not self.belongs_to(self.holiday_year.year):
            raise ValidationError({"date": _("日期不在该年度内。")})

    def belongs_to(self, year: int) -> bool:
        # A notice may start with the last days of December before (元旦 2017 began 2016-12-31).
        return self.date.year == year or (self.date.year == year - 1 and self.date.month == 12)


class AuditEvent(models.Model):
    """One security-relevant event, kept in the database for the 等保 review (docs/security.md).

    Written only by `apps.core.audit`; no one changes or deletes a row (the admin is read-only for
    superusers too) but the retention purge. `detail` never holds a full phone or ID number.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出登录")
        PERMISSION_CHANGE = "permission_change", _("权限变更")
        PERSONAL_VIEW = "personal_view", _("查看个人信息")
        PHONE_SEARCH = "phone_search", _("按手机号查询")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        IMPORT = "import", _("导入")
        ADMIN_ADD = "admin_add", _("后台新增")
        ADMIN_CHANGE = "admin_change", _("后台修改")
        ADMIN_DELETE = "admin_delete", _("后台删除")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("事件类型"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        "core.User", verbose_name=_("操作人"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Copied so that the row still says who it was after the account is deleted.
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # The region of the target (or of the account) when known: an auditor sees only their regions.
    region_path = models.CharField(_("区域路径"), max_length=255, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    scope_path = "region_path"

    class Meta:
        verbose_name = _("安全审计日志")
        verbose_name_plural = _("安全审计日志")
        ordering = ["-at", "-pk"]
        # Rows are written by the code only: no add, change or delete permission exists.
        default_permissions = ("view",)
        permissions = [("export_auditevent", _("可以导出安全审计日志"))]
        indexes = [
            models.Index(fields=["-at"], name="auditevent_recent"),
            models.Index(fields=["kind", "-at"], name="auditevent_kind_recent"),
            models.Index(fields=["actor_username", "-at"], name="auditevent_actor_recent"),
            models.Index(fields=["region_path"], name="auditevent_region", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.actor_username or '-'} {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"


class CountySettings(models.Model):
    """What one county may set differently from the deployment's defaults (renda/settings.py).

    An empty field means "the default": read every value through
    `apps.core.county_settings.county_setting(region, key)`, never from this model directly."""

    county = models.OneToOneField(
        Region,
        verbose_name=_("县（市、区）"),
        on_delete=models.PROTECT,
        related_name="county_settings",
        limit_choices_to={"level": Region.Level.COUNTY},
    )
    site_name = models.CharField(_("网站名称"), max_length=60, blank=True)
    committee_name = models.CharField(
        _("常委会名称"), max_length=60, blank=True, help_text=_("如“城步苗族自治县人大常委会”，显示在页面底部。")
    )
    public_contact = models.TextField(_("公开页面联系方式"), blank=True, help_text=_("显示在公开页面底部。"))
    reply_months = models.PositiveSmallIntegerField(_("建议答复期限（月）"), null=True, blank=True)
    reply_months_complex = models.PositiveSmallIntegerField(_("复杂建议答复期限（月）"), null=True, blank=True)
    due_soon_days = models.CharField(
        _("建议到期前提醒（天）"), max_length=30, blank=True, help_text=_("逗号分隔，如“14,3”。")
    )
    concern_accept_workdays = models.PositiveSmallIntegerField(_("群众意见受理期限（工作日）"), null=True, blank=True)
    concern_resolve_workdays = models.PositiveSmallIntegerField(_("群众意见办理期限（工作日）"), null=True, blank=True)
    concern_due_soon_days = models.PositiveSmallIntegerField(_("群众意见到期前提醒（天）"), null=True, blank=True)
    outcome_labels = models.JSONField(
        _("办理结果类别名称"), default=dict, blank=True, help_text=_('如 {"A": "已解决", "B": "正在解决"}。')
    )
    satisfaction_labels = models.JSONField(
        _("满意度名称"), default=dict, blank=True, help_text=_('如 {"satisfied": "满意", "basic": "基本满意"}。')
    )
    duty_points = models.JSONField(
        _("履职积分"), default=dict, blank=True, help_text=_('只填与默认不同的类别，如 {"post_held": 6}。')
    )
    grade_excellent_min = models.PositiveSmallIntegerField(_("优秀最低积分"), null=True, blank=True)
    grade_competent_min = models.PositiveSmallIntegerField(_("称职最低积分"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path = "county__path"

    class Meta:
        verbose_name = _("县级设置")
        verbose_name_plural = _("县级设置")
        ordering = ["county__code"]

    def __str__(self):
        return str(self.county)

    def clean(self):
        errors = {}
        if self.county_id and self.county.level != Region.Level.COUNTY:
            errors["county"] = _("只能为县级行政区域设置。")
        if self.due_soon_days and not all(p.strip().isdigit() for p in self.due_soon_days.split(",")):
            errors["due_soon_days"] = _("请填写以逗号分隔的天数，如“14,3”。")
        for name in ["outcome_labels", "satisfaction_labels"]:
            value = getattr(self, name)
            if not isinstance(value, dict) or not all(isinstance(v, str) and v.strip() for v in value.values()):
                errors[name] = _("名称应为“代码: 名称”，名称不能为空。")
        points = self.duty_points
        if not isinstance(points, dict) or not all(isinstance(v, int | float) and v >= 0 for v in points.values()):
            errors["duty_points"] = _("履职积分应为“类别: 分值”，分值不能为负数。")
        low, high = self.grade_competent_min, self.grade_excellent_min
        if low is not None and high is not None and low >= high:
            errors["grade_competent_min"] = _("称职最低积分应低于优秀最低积分。")
        if errors:
            raise ValidationError(errors)
