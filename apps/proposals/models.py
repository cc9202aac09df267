from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import CongressSession, DecisionRequest, HandlingUnit, Region, StatusEvent
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审查")
    RETURNED = "returned", _("已退回")
    MERGED = "merged", _("已并案")
    WITHDRAWN = "withdrawn", _("已撤回")
    ACCEPTED = "accepted", _("待交办")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    REHANDLING = "rehandling", _("重新办理")
    FOLLOW_UP = "follow_up", _("跟踪办理")
    CLOSED = "closed", _("已办结")


# Assigned proposals count in the cohort's rates; these never reached a unit.
NOT_ASSIGNED = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.MERGED, Status.WITHDRAWN, Status.ACCEPTED]
# Units are working on these; in the first two a reply is owed by its due date (follow-up has been answered).
HANDLING = (Status.ASSIGNED, Status.REHANDLING, Status.FOLLOW_UP)
REPLY_OWED = (Status.ASSIGNED, Status.REHANDLING)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Outcome(models.TextChoices):
    """Answer classification; the labels shown are configurable (RENDA_PROPOSALS["OUTCOME_LABELS"])."""

    A = "A", _("A 所提问题已经解决或者基本解决")
    B = "B", _("B 所提问题正在解决或者列入规划逐步解决")
    C = "C", _("C 所提问题因目前条件限制需待以后解决")
    D = "D", _("D 所提问题留作参考")


class Proposal(models.Model):
    """A representative's proposal (代表建议、批评和意见), from draft to closure."""

    class Period(models.TextChoices):
        SESSION = "session", _("大会期间")
        RECESS = "recess", _("闭会期间")

    class Category(models.TextChoices):
        ECONOMY = "economy", _("经济发展")
        URBAN_RURAL = "urban_rural", _("城乡建设")
        AGRICULTURE = "agriculture", _("农业农村")
        TRANSPORT = "transport", _("交通水利")
        EDUCATION = "education", _("教育科技文化")
        HEALTH = "health", _("医疗卫生")
        SOCIAL = "social", _("社会保障")
        ENVIRONMENT = "environment", _("生态环境")
        GOVERNANCE = "governance", _("政法与社会治理")
        OTHER = "other", _("其他")

    class Publication(models.TextChoices):
        FULL = "full", _("同意全文公开")
        TITLE_ONLY = "title_only", _("仅同意公开标题")
        NONE = "none", _("不同意公开")

    class Formation(models.TextChoices):
        RESEARCH = "research", _("专题调研")
        SYMPOSIUM = "symposium", _("座谈")
        VISIT = "visit", _("走访选民")
        INSPECTION = "inspection", _("视察")
        LIAISON = "liaison", _("联络站收集")
        OTHER = "other", _("其他")

    class Exclusion(models.TextChoices):
        """Why a submission is not a proposal (DOMAIN.md §1.4)."""

        BEYOND_POWERS = "beyond_powers", _("不属于本级国家机关职权范围")
        PERSONAL = "personal", _("涉及代表本人及其亲属或个别单位的具体问题")
        JUDICIAL = "judicial", _("属于具体司法案件")
        FORWARDED = "forwarded", _("转交群众来信")
        ACADEMIC = "academic", _("学术探讨或产品推介")
        NO_CONTENT = "no_content", _("没有实质内容")
        OTHER = "other", _("其他不宜作为代表建议的情形")

    session = models.ForeignKey(
        CongressSession, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="proposals"
    )
    number = models.PositiveIntegerField(_("建议编号"), null=True, blank=True)
    period = models.CharField(_("提出时间"), max_length=10, choices=Period.choices, default=Period.SESSION)
    title = models.CharField(_("建议标题"), max_length=200)
    content = models.TextField(_("建议内容"))
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    publication = models.CharField(_("公开意见"), max_length=12, choices=Publication.choices, default=Publication.FULL)
    formation = models.CharField(_("形成方式"), max_length=12, choices=Formation.choices, default=Formation.VISIT)
    wants_contact = models.BooleanField(_("希望当面沟通"), default=True)
    reference_only = models.BooleanField(_("仅供参考，不需书面答复"), default=False)
    lead = models.ForeignKey(
        Representative, verbose_name=_("领衔代表"), on_delete=models.PROTECT, related_name="led_proposals"
    )
    township = models.ForeignKey(
        Region, verbose_name=_("代表所在乡镇"), on_delete=models.PROTECT, related_name="proposals", editable=False
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    exclusion = models.CharField(_("退回情形"), max_length=20, choices=Exclusion.choices, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("并入建议"), on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    is_complex = models.BooleanField(_("涉及面广、处理难度大"), default=False)
    is_key = models.BooleanField(_("重点督办"), default=False)
    supervising_leader = models.CharField(_("督办领导"), max_length=50, blank=True)
    carried_over = models.BooleanField(_("结转下年办理"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "township__path"

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["session", "number", "pk"]
        permissions = [
            ("import_proposal", _("可以导入代表建议")),
            ("export_proposal", _("可以导出代表建议")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=Q(number__isnull=False), name="proposal_number_per_session"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="proposal_session_status"),
            models.Index(fields=["status", "assigned_at"], name="proposal_status_assigned"),
            models.Index(fields=["lead", "status"], name="proposal_lead_status"),
            # The back office's list, newest submissions first, has its index on PostgreSQL only
            # (migration 0002: SQLite cannot declare NULLS LAST in an index).
        ]

    def __str__(self):
        if self.number:
            return _("第%(number)s号：%(title)s") % {"number": self.number, "title": self.title}
        return self.title

    def fields_staff_may_correct(self) -> set[str]:
        """What the back office may still correct: the classification always, the complexity
        until assignment sets the reply deadline by it, the wording only while under review."""
        editable = {"publication", "category"}
        if self.status in (Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED):
            editable.add("is_complex")
        if self.status == Status.SUBMITTED:
            editable |= {"title", "content"}
        return editable


class CoSigner(models.Model):
    """A representative who joins a proposal (附议人) and must confirm it reflects their will."""

    class Source(models.TextChoices):
        """How the co-signer's answer reached the office: many representatives never log in."""

        PORTAL = "portal", _("本人网上确认")
        PAPER = "paper", _("纸质签名")
        PHONE = "phone", _("电话")
        IN_PERSON = "in_person", _("当面")

    # What staff may record on a representative's behalf.
    STAFF_SOURCES = (Source.PAPER, Source.PHONE, Source.IN_PERSON)

    proposal = models.ForeignKey(Proposal, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="cosigners")
    representative = models.ForeignKey(
        Representative, verbose_name=_("附议代表"), on_delete=models.PROTECT, related_name="cosigned"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("拒绝时间"), null=True, blank=True)
    agreed_to_withdraw_at = models.DateTimeField(_("同意撤回时间"), null=True, blank=True)
    answered_via = models.CharField(_("答复方式"), max_length=10, choices=Source.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代为登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("代表在纸质建议上签名或电话、当面答复时，登记答复的工作人员。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附议代表")
        verbose_name_plural = _("附议代表")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "representative"], name="cosigner_once_per_proposal")
        ]

    def __str__(self):
        return str(self.representative)


class ProposalEvent(StatusEvent):
    """The status history: one row per transition, written by the service that made it."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)

    def __str__(self):
        return f"{self.proposal_id} {self.from_status}->{self.to_status}"


class AssignmentBatch(models.Model):
    """An on-site assignment meeting (现场交办会) that assigns many proposals at once."""

    session = models.ForeignKey(CongressSession, verbose_name=_("会议"), on_delete=models.PROTECT)
    title = models.CharField(_("名称"), max_length=100)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "session__term__region__path"

    class Meta:
        verbose_name = _("现场交办会")
        verbose_name_plural = _("现场交办会")
        ordering = ["-held_on"]

    def __str__(self):
        return self.title


class Assignment(models.Model):
    """A proposal assigned to one handling unit in one role."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSIST = "assist", _("协办")
        SEPARATE = "separate", _("分办")

    class State(models.TextChoices):
        ACTIVE = "active", _("办理中")
        RETURNED = "returned", _("已退回调整")

    proposal = models.ForeignKey(Proposal, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(_("办理方式"), max_length=10, choices=Role.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    batch = models.ForeignKey(
        AssignmentBatch,
        verbose_name=_("现场交办会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    assigned_at = models.DateTimeField(_("交办时间"))
    due_on = models.DateField(_("答复期限"))
    opinion_due_on = models.DateField(_("协办意见期限"), null=True, blank=True)
    handling_plan = models.TextField(_("办理方案"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "proposal__township__path"
    scope_unit_field = "unit"

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "unit"], name="assignment_once_per_unit")]
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="assignment_unit_due"),
            models.Index(fields=["state", "due_on"], name="assignment_state_due"),
        ]

    def __str__(self):
        return f"{self.proposal} → {self.unit}（{self.get_role_display()}）"

    @property
    def answers(self) -> bool:
        """Lead and separate units each answer the representative; assisting units advise the lead."""
        return self.role in (self.Role.LEAD, self.Role.SEPARATE)


class ReturnRequest(DecisionRequest):
    """A unit's request to return an item it thinks was assigned to it by mistake."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="return_requests"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "assignment__proposal__township__path"

    class Meta:
        verbose_name = _("退回调整申请")
        verbose_name_plural = _("退回调整申请")
        ordering = ["-requested_at"]

    def __str__(self):
        return str(self.assignment)


class Extension(models.Model):
    """A request to extend an assignment's reply deadline, decided by committee staff."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("延期天数"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decision = models.CharField(
        _("决定"), max_length=10, choices=ReturnRequest.Decision.choices, default=ReturnRequest.Decision.PENDING
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "assignment__proposal__township__path"

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self):
        return str(self.assignment)


class ContactRecord(models.Model):
    """The unit's contact with the representative while handling (沟通/见面/走访)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("走访")
        MEETING = "meeting", _("座谈见面")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网络")

    # Face-to-face contact: what the visit rate (走访率/见面率) counts.
    IN_PERSON = (Kind.VISIT, Kind.MEETING)

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    contacted_on = models.DateField(_("沟通日期"))
    summary = models.TextField(_("沟通情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.contacted_on}"


class AssistOpinion(models.Model):
    """An assisting unit's written opinion, sent to the lead unit."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("交办"), on_delete=models.CASCADE, related_name="opinion"
    )
    text = models.TextField(_("协办意见"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发送人"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")

    def __str__(self):
        return str(self.assignment)


class Reply(models.Model):
    """A lead (or separate) unit's written answer in one handling round."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("交办"), on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    outcome = models.CharField(_("办理结果分类"), max_length=1, choices=Outcome.choices)
    text = models.TextField(_("答复内容"))
    letter = models.FileField(_("答复函"), upload_to="proposals/replies/%Y/", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(_("答复时间"))
    on_time = models.BooleanField(_("按期答复"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["replied_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="reply_once_per_round")]

    def __str__(self):
        return f"{self.assignment} {self.outcome}"


class Feedback(models.Model):
    """The lead representative's rating of the handling (征询意见表), one per round."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="feedback")
    round = models.PositiveSmallIntegerField(_("办理轮次"))
    representative = models.ForeignKey(Representative, verbose_name=_("评价代表"), on_delete=models.PROTECT)
    attitude = models.CharField(_("办理态度"), max_length=12, choices=Rating.choices)
    result = models.CharField(_("办理结果"), max_length=12, choices=Rating.choices)
    reasons = models.TextField(_("意见和理由"), blank=True)
    submitted_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代表评价")
        verbose_name_plural = _("代表评价")
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="feedback_once_per_round")]

    def __str__(self):
        return f"{self.proposal} {self.get_result_display()}"

    @property
    def dissatisfied(self) -> bool:
        return Rating.DISSATISFIED in (self.attitude, self.result)


class Supervision(models.Model):
    """One act of supervision (督办) by the standing committee."""

    class Method(models.TextChoices):
        COUNTERPART = "counterpart", _("对口督办")
        VISIT = "visit", _("走访查办")
        FOLLOW_UP = "follow_up", _("跟踪推办")
        MEETING = "meeting", _("会议评办")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("建议"), on_delete=models.CASCADE, related_name="supervisions"
    )
    method = models.CharField(_("督办方式"), max_length=12, choices=Method.choices)
    supervised_on = models.DateField(_("督办日期"))
    supervisor = models.CharField(_("督办人"), max_length=50)
    notes = models.TextField(_("督办情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_path = "proposal__township__path"

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["-supervised_on"]

    def __str__(self):
        return f"{self.get_method_display()} {self.supervised_on}"


class Notice(models.Model):
    """A notice (通报) naming late or perfunctory units, drafted from the records, then published."""

    class Kind(models.TextChoices):
        CRITICISM = "criticism", _("通报批评")
        COMMENDATION = "commendation", _("通报表扬")

    session = models.ForeignKey(CongressSession, verbose_name=_("会议"), on_delete=models.PROTECT)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.CRITICISM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    units = models.ManyToManyField(HandlingUnit, verbose_name=_("涉及单位"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_public = models.BooleanField(
        _("向社会公开"), default=False, help_text=_("勾选后，通报发布后任何人都可以在门户网站上查看。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    scope_path = "session__term__region__path"

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def editable_fields(self) -> tuple[str, ...]:
        # Whether the public may read it can change after publication; the text cannot.
        return ("title", "body", "is_public") if self.published_at is None else ("is_public",)
