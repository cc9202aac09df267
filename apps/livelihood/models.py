"""Livelihood projects (民生实事项目, DOMAIN.md §2): 征集 -> 初定 -> 审议 -> 票决 -> 监督 -> 评估.

Ideas are collected from citizens, representatives and units; staff shortlist them into
candidate projects for a congress session; representatives choose the projects in a secret,
competitive ballot; the government implements them (milestones, progress, supervision); at the
next session the representatives rate each project in a secret satisfaction poll.

Secrecy: who voted (`BallotVoter`) and what was chosen (`BallotTally`, `PaperBatch` counts)
live in separate tables that share nothing but the ballot. Tallies are counters incremented
in place, so there is no per-voter choice row, no timestamp and no sequence to line up with the
voter list. Neither table keeps history rows.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import CongressSession, HandlingUnit, Region
from apps.core.phones import PhoneNumberField
from apps.core.scope import ScopedQuerySet
from apps.representatives.models import Representative


class Idea(models.Model):
    """A project idea collected from anyone (征集)."""

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("群众")
        REPRESENTATIVE = "representative", _("人大代表")
        UNIT = "unit", _("政府部门")
        STAFF = "staff", _("人大机关")

    class Status(models.TextChoices):
        NEW = "new", _("待筛选")
        SHORTLISTED = "shortlisted", _("已列入候选项目")
        MERGED = "merged", _("已合并")
        DECLINED = "declined", _("未采纳")

    region = models.ForeignKey(
        Region, verbose_name=_("所在乡镇"), on_delete=models.PROTECT, related_name="livelihood_ideas"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), max_length=3000)
    estimated_cost = models.DecimalField(
        _("估算投资（万元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    # Who proposed it: a citizen's name and phone (personal data), or a representative, or a unit.
    proposer_name = models.CharField(_("提出人"), max_length=30, blank=True)
    proposer_phone = PhoneNumberField(_("联系电话"), max_length=20, blank=True, kind="mobile")
    consented_at = models.DateTimeField(_("同意隐私说明时间"), null=True, blank=True)
    representative = models.ForeignKey(
        Representative,
        verbose_name=_("提出代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="livelihood_ideas",
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("提出单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="livelihood_ideas",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    # The public form's one-time key: a double post makes one idea.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NEW)
    feasibility_note = models.TextField(_("论证意见"), blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    project = models.ForeignKey(
        "Project", verbose_name=_("候选项目"), on_delete=models.PROTECT, null=True, blank=True, related_name="ideas"
    )

    history = HistoricalRecords(excluded_fields=["submission_key"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"

    class Meta:
        verbose_name = _("项目建议")
        verbose_name_plural = _("项目建议")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="lh_idea_status_submitted")]
        permissions = [("view_idea_personal", _("查看项目建议人的联系方式"))]

    def __str__(self):
        return self.title


class ProjectQuerySet(ScopedQuerySet):
    def approved(self):
        return self.filter(status__in=Project.IMPLEMENTING)


class Project(models.Model):
    """A candidate project of a session (候选项目), approved by ballot into 正式项目."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("候选")
        APPROVED = "approved", _("票决通过")
        NOT_APPROVED = "not_approved", _("未通过")
        TIE = "tie", _("得票相同，待再次票决")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已完成")

    IMPLEMENTING = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)

    class Grade(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    session = models.ForeignKey(
        CongressSession,
        verbose_name=_("人民代表大会会议"),
        on_delete=models.PROTECT,
        related_name="livelihood_projects",
    )
    # The county (or township) whose congress decides; scope and the public page go by it.
    region = models.ForeignKey(
        Region, verbose_name=_("行政区域"), on_delete=models.PROTECT, related_name="livelihood_projects"
    )
    number = models.PositiveSmallIntegerField(_("编号"))
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), max_length=3000)
    responsible_unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="livelihood_projects"
    )
    investment = models.DecimalField(
        _("总投资（万元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    completion_due = models.DateField(_("计划完成时间"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    lead_leader = models.CharField(_("牵头领导"), max_length=60, blank=True)
    # Derived from the milestones by the services; stored so lists and the public page read it.
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, validators=[MaxValueValidator(100)])
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    grade = models.CharField(_("满意度测评结果"), max_length=20, choices=Grade.choices, blank=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()
    scope_path = "region__path"
    scope_unit_field = "responsible_unit"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("民生实事项目")
        verbose_name_plural = _("民生实事项目")
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="lh_project_number_per_session")]
        indexes = [models.Index(fields=["region", "status"], name="lh_project_region_status")]
        permissions = [
            ("import_project", _("可以导入候选项目")),
            ("export_project", _("可以导出项目及票决结果")),
        ]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    """A step of a project's work plan. Leaves carry progress; a parent's is derived from its
    children weighted by `weight`, and the project's from its top-level milestones."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级节点"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    title = models.CharField(_("节点名称"), max_length=100)
    due_on = models.DateField(_("计划完成日期"))
    weight = models.PositiveSmallIntegerField(_("权重"), default=1, validators=[MinValueValidator(1)])
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, validators=[MaxValueValidator(100)])
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "project__region__path"
    scope_unit_field = "project__responsible_unit"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("实施节点")
        verbose_name_plural = _("实施节点")
        ordering = ["project", "sort_order", "due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "completed_on"], name="lh_milestone_due")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.parent_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": _("上级节点必须属于同一项目。")})


class ProgressReport(models.Model):
    """One progress update of a milestone, by the unit or staff: the history the public sees."""

    milestone = models.ForeignKey(Milestone, verbose_name=_("节点"), on_delete=models.CASCADE, related_name="reports")
    progress = models.PositiveSmallIntegerField(_("进度（%）"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("进展情况"), max_length=2000)
    reported_on = models.DateField(_("填报日期"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT)

    objects = ScopedQuerySet.as_manager()
    scope_path = "milestone__project__region__path"
    scope_unit_field = "milestone__project__responsible_unit"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("进度填报")
        verbose_name_plural = _("进度填报")
        ordering = ["-reported_on", "-pk"]

    def __str__(self):
        return f"{self.milestone} {self.progress}%"


class Supervision(models.Model):
    """A supervision record (督办 / 视察 / 专题询问 / 听取报告) on one project."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("视察")
        INQUIRY = "inquiry", _("专题询问")
        REPORT = "report", _("听取审议报告")
        SUPERVISION = "supervision", _("督办")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    participants = models.CharField(_("参加人员"), max_length=300, blank=True)
    findings = models.TextField(_("发现问题及意见"), max_length=3000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_path = "project__region__path"
    scope_unit_field = "project__responsible_unit"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("监督记录")
        verbose_name_plural = _("监督记录")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.project} {self.get_kind_display()} {self.held_on}"


class Ballot(models.Model):
    """A secret ballot of one session: choosing projects (票决) or rating them (满意度测评)."""

    class Kind(models.TextChoices):
        SELECTION = "selection", _("项目票决")
        SATISFACTION = "satisfaction", _("满意度测评")

    class Status(models.TextChoices):
        DRAFT = "draft", _("未开始")
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已结束")

    class Base(models.TextChoices):
        # What "more than half" is a half of.
        ELIGIBLE = "eligible", _("全体代表")
        CAST = "cast", _("实际投票代表")

    session = models.ForeignKey(
        CongressSession, verbose_name=_("人民代表大会会议"), on_delete=models.PROTECT, related_name="livelihood_ballots"
    )
    region = models.ForeignKey(Region, verbose_name=_("行政区域"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SELECTION)
    title = models.CharField(_("名称"), max_length=100)
    projects = models.ManyToManyField(Project, verbose_name=_("项目"), through="BallotItem", related_name="ballots")
    # For a re-vote after a tie: the ballot whose tie this one settles.
    revote_of = models.ForeignKey(
        "self", verbose_name=_("再次票决自"), on_delete=models.PROTECT, null=True, blank=True, related_name="revotes"
    )
    slots = models.PositiveSmallIntegerField(_("应选项目数"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("每票最多选择"), null=True, blank=True)
    min_vote_ratio = models.DecimalField(
        _("通过票数比例（超过）"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    base = models.CharField(_("比例基数"), max_length=10, choices=Base.choices, default=Base.ELIGIBLE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    closes_at = models.DateTimeField(_("截止时间"))
    closed_at = models.DateTimeField(_("实际结束时间"), null=True, blank=True)
    # Snapshot at opening: the representatives entitled to vote, and how many sheets came in.
    eligible_count = models.PositiveIntegerField(_("应参加投票代表数"), default=0)
    sheets_online = models.PositiveIntegerField(_("网上投票数"), default=0)
    sheets_paper = models.PositiveIntegerField(_("纸质选票数"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开启人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结束人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["sheets_online", "sheets_paper"])
    objects = ScopedQuerySet.as_manager()
    scope_path = "region__path"
    scope_includes_ancestors = True

    class Meta:
        verbose_name = _("票决 / 测评")
        verbose_name_plural = _("票决 / 测评")
        ordering = ["-closes_at", "-pk"]
        indexes = [models.Index(fields=["status", "closes_at"], name="lh_ballot_status_closes")]

    def __str__(self):
        return self.title

    @property
    def sheets(self) -> int:
        return self.sheets_online + self.sheets_paper


class BallotItem(models.Model):
    """A project on a ballot, with the result written when the ballot closes."""

    class Outcome(models.TextChoices):
        PENDING = "", _("未计票")
        APPROVED = "approved", _("通过")
        NOT_APPROVED = "not_approved", _("未通过")
        TIE = "tie", _("得票相同，需再次票决")

    ballot = models.ForeignKey(Ballot, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="ballot_items")
    position = models.PositiveSmallIntegerField(_("票面顺序"))
    votes = models.PositiveIntegerField(_("得票数"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, blank=True, default="")
    # Satisfaction poll results.
    satisfied = models.PositiveIntegerField(_("满意票"), null=True, blank=True)
    basic = models.PositiveIntegerField(_("基本满意票"), null=True, blank=True)
    dissatisfied = models.PositiveIntegerField(_("不满意票"), null=True, blank=True)
    grade = models.CharField(_("测评结果"), max_length=20, choices=Project.Grade.choices, blank=True)

    class Meta:
        verbose_name = _("票决项目")
        verbose_name_plural = _("票决项目")
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="lh_item_once_per_ballot"),
            models.UniqueConstraint(fields=["ballot", "position"], name="lh_item_position_per_ballot"),
        ]

    def __str__(self):
        return f"{self.ballot} {self.project}"


class BallotVoter(models.Model):
    """Who has voted on a ballot, and how (online or a paper sheet handed in). Never what."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上投票")
        PAPER = "paper", _("纸质选票")

    ballot = models.ForeignKey(Ballot, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="voters")
    representative = models.ForeignKey(
        Representative, verbose_name=_("代表"), on_delete=models.PROTECT, related_name="livelihood_votes"
    )
    channel = models.CharField(_("方式"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("已投票代表")
        verbose_name_plural = _("已投票代表")
        # The one guarantee against a double vote, whatever the number of tabs or processes.
        constraints = [models.UniqueConstraint(fields=["ballot", "representative"], name="lh_one_vote_per_rep")]

    def __str__(self):
        return f"{self.ballot} {self.representative}"


class BallotTally(models.Model):
    """The running count of one option of one project on a ballot: online sheets add one in
    place; paper batches add their counts. Nothing here says who."""

    class Option(models.TextChoices):
        FOR = "for", _("赞成")
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    ballot = models.ForeignKey(Ballot, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="tallies")
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    option = models.CharField(_("选项"), max_length=20, choices=Option.choices)
    count = models.PositiveIntegerField(_("票数"), default=0)

    class Meta:
        verbose_name = _("计票")
        verbose_name_plural = _("计票")
        constraints = [models.UniqueConstraint(fields=["ballot", "project", "option"], name="lh_tally_once_per_option")]

    def __str__(self):
        return f"{self.ballot} {self.project} {self.option} {self.count}"


class PaperBatch(models.Model):
    """A batch of paper sheets counted by the secretariat (秘书处汇总计票) and entered by staff:
    its counts per project and option, added to the tallies when entered."""

    ballot = models.ForeignKey(Ballot, verbose_name=_("票决"), on_delete=models.CASCADE, related_name="paper_batches")
    number = models.PositiveSmallIntegerField(_("批次"))
    sheets = models.PositiveIntegerField(_("选票张数"))
    counts = models.JSONField(_("各项目票数"), default=dict)  # {"<project id>": {"<option>": n}}
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纸质选票批次")
        verbose_name_plural = _("纸质选票批次")
        ordering = ["ballot", "number"]
        constraints = [models.UniqueConstraint(fields=["ballot", "number"], name="lh_paper_batch_number")]

    def __str__(self):
        return f"{self.ballot} #{self.number}"
