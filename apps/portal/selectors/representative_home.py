"""A representative's home: what needs them now, block by block, each block one query.

Each block lists at most RENDA_PORTAL["HOME_LIST_SIZE"] items and links to the page where the
representative acts on them; that page lists them all.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.models import Confirmable
from apps.core.workdays import add_workdays
from apps.groups.models import Activity, ProblemSolved
from apps.liaison.models import Concern, DutyShift
from apps.livelihood.selectors import open_ballots_for
from apps.notifications.selectors import inbox_for
from apps.posts.models import PostLog
from apps.proposals.models import CoSigner, Feedback, Proposal, Status
from apps.representatives.models import DutyActivity, Representative
from apps.training.models import Lecture
from apps.training.selectors import lectures_for_representative

# What the page shows: a string, or a translation resolved when the page is drawn.
Text = str | Promise

REJECTED = Confirmable.Review.REJECTED
CONCERN_OPEN = (Concern.Status.ACCEPTED, Concern.Status.ROUTED)


@dataclass(frozen=True)
class Item:
    """One thing on the home page: what it is, where to act on it, and by when."""

    title: Text
    url: str
    when: date | datetime | None = None
    overdue: bool = False
    detail: Text = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime)


@dataclass(frozen=True)
class Block:
    key: str
    heading: Text
    items: list[Item]
    link: str
    link_label: Text
    empty: Text


@dataclass(frozen=True)
class Todo:
    blocks: list[Block]

    @property
    def count(self) -> int:
        return sum(len(block.items) for block in self.blocks)


@dataclass(frozen=True)
class Inbox:
    latest_unread: list = field(default_factory=list)
    unread: int = 0


def todo_for(representative: Representative, today: date) -> Todo:
    """What needs the representative now, from every app: a fixed number of queries."""
    blocks = [
        _feedback_block(representative, today),
        _returned_block(representative, today),
        _cosign_block(representative),
        _shift_block(representative, today),
        _lecture_block(representative, today),
        _ballot_block(representative),
        _concern_block(representative, today),
        _rejected_block(representative, today),
    ]
    return Todo(blocks=blocks)


def inbox_summary(user, size: int = 5) -> Inbox:
    """The latest unread messages of the user's inbox and how many are unread: two queries."""
    unread = inbox_for(user).filter(read_at__isnull=True)
    return Inbox(latest_unread=list(unread[:size]), unread=unread.count())


def _first(qs: QuerySet) -> list:
    return list(qs[: config("PORTAL", "HOME_LIST_SIZE")])


# --- proposals ----------------------------------------------------------------------------------


def _proposals_block(key: str, heading: Text, items: list[Item], empty: Text) -> Block:
    """A block of the representative's proposals, linking to the list of them (我的建议)."""
    link = reverse("proposals:mine")
    return Block(key=key, heading=heading, items=items, link=link, link_label=_("我的建议"), empty=empty)


def awaiting_feedback(representative: Representative) -> QuerySet[Proposal]:
    """Replied proposals the representative leads and has not rated this round (only the lead
    rates, as the feedback form does), with the time of the last reply."""
    rated = Feedback.objects.filter(proposal=OuterRef("pk"), round=OuterRef("round"))
    return (
        Proposal.objects.filter(lead=representative, status=Status.REPLIED)
        .exclude(Exists(rated))
        .annotate(last_reply=Max("assignments__replies__replied_at"))
        .order_by("last_reply", "pk")
    )


def _feedback_block(representative: Representative, today: date) -> Block:
    days = config("PROPOSALS", "FEEDBACK_WORKDAYS")
    items = []
    for proposal in _first(awaiting_feedback(representative)):
        # The same deadline the feedback reminder uses: working days from the last reply.
        due = add_workdays(timezone.localdate(proposal.last_reply), days) if proposal.last_reply else None
        url = reverse("proposals:mine_detail", args=[proposal.pk])
        items.append(Item(title=proposal.title, url=url, when=due, overdue=bool(due and due < today)))
    return _proposals_block("feedback", _("答复待我评价"), items, _("没有待评价的建议答复。"))


def returned_proposals(representative: Representative, since: date) -> QuerySet[Proposal]:
    """Proposals the representative leads that staff returned since a day, newest first, with when."""
    returned_at = Max("events__at", filter=Q(events__to_status=Status.RETURNED))
    return (
        Proposal.objects.filter(lead=representative, status=Status.RETURNED)
        .annotate(returned_at=returned_at)
        .filter(returned_at__date__gte=since)
        .order_by("-returned_at", "-pk")
    )


def _returned_block(representative: Representative, today: date) -> Block:
    since = today - timedelta(days=config("PORTAL", "HOME_DAYS_BACK"))
    items = [
        Item(
            title=proposal.title,
            url=reverse("proposals:mine_detail", args=[proposal.pk]),
            when=timezone.localdate(proposal.returned_at),
            detail=_("退回理由：%(reason)s") % {"reason": proposal.return_reason or proposal.get_exclusion_display()},
        )
        for proposal in _first(returned_proposals(representative, since))
    ]
    return _proposals_block("returned", _("被退回的建议"), items, _("近期没有被退回的建议。"))


def awaiting_cosignature(representative: Representative) -> QuerySet[Proposal]:
    """Proposals still open to co-signing whose lead asked this representative to join."""
    asked = CoSigner.objects.filter(
        proposal=OuterRef("pk"), representative=representative, confirmed_at__isnull=True, declined_at__isnull=True
    )
    return (
        Proposal.objects.filter(Exists(asked), status__in=[Status.DRAFT, Status.SUBMITTED])
        .select_related("lead")
        .order_by("created_at", "pk")
    )


def _cosign_block(representative: Representative) -> Block:
    items = [
        Item(
            title=proposal.title,
            url=reverse("proposals:mine_detail", args=[proposal.pk]),
            detail=_("领衔代表：%(name)s") % {"name": proposal.lead.name},
        )
        for proposal in _first(awaiting_cosignature(representative))
    ]
    return _proposals_block("cosign", _("附议待我确认"), items, _("没有待确认的附议邀请。"))


# --- liaison ------------------------------------------------------------------------------------


def _ahead(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=config("PORTAL", "HOME_DAYS_AHEAD"))


def shifts_coming(representative: Representative, today: date) -> QuerySet[DutyShift]:
    """Duty shifts still to serve in the coming days, with their reception day's hours."""
    return (
        DutyShift.objects.filter(
            representative=representative, date__range=_ahead(today), attendance=DutyShift.Attendance.PENDING
        )
        .select_related("office", "reception_day")
        .order_by("date", "pk")
    )


def _shift_detail(shift: DutyShift) -> Text:
    day = shift.reception_day
    if day is None:
        return _("驻室值班")
    hours = {"start": f"{day.starts_at:%H:%M}", "end": f"{day.ends_at:%H:%M}"}
    return _("接待日 %(start)s–%(end)s") % hours


def _shift_block(representative: Representative, today: date) -> Block:
    url = reverse("liaison:my_shifts")
    items = [
        Item(title=shift.office.name, url=url, when=shift.date, detail=_shift_detail(shift))
        for shift in _first(shifts_coming(representative, today))
    ]
    return Block(
        key="shifts",
        heading=_("近期值班和接待日"),
        items=items,
        link=url,
        link_label=_("我的驻室值班"),
        empty=_("近期没有安排值班和接待日。"),
    )


def open_concerns(representative: Representative) -> QuerySet[Concern]:
    """Concerns routed to the representative that they have not answered yet."""
    return Concern.objects.filter(representative=representative, status__in=CONCERN_OPEN).order_by(
        F("resolve_due_on").asc(nulls_last=True), "pk"
    )


def _concern_block(representative: Representative, today: date) -> Block:
    items = [
        Item(
            title=concern.get_category_display(),
            url=reverse("liaison:concern_detail", args=[concern.pk]),
            when=concern.resolve_due_on,
            overdue=bool(concern.resolve_due_on and concern.resolve_due_on < today),
            detail=concern.display_code,
        )
        for concern in _first(open_concerns(representative))
    ]
    return Block(
        key="concerns",
        heading=_("转给我的群众意见"),
        items=items,
        link=reverse("liaison:my_concerns"),
        link_label=_("全部群众意见"),
        empty=_("没有待办理的群众意见。"),
    )


# --- training and livelihood --------------------------------------------------------------------


def lectures_coming(representative: Representative, today: date) -> QuerySet[Lecture]:
    """Planned lectures of the halls that train the representative, in the coming days."""
    return (
        lectures_for_representative(representative)
        .filter(date__range=_ahead(today), status=Lecture.Status.PLANNED)
        .order_by("date", F("starts_at").asc(nulls_last=True), "pk")
    )


def _lecture_block(representative: Representative, today: date) -> Block:
    url = reverse("training:my_lectures")
    items = [
        Item(title=lecture.topic, url=url, when=lecture.date, detail=_lecture_detail(lecture))
        for lecture in _first(lectures_coming(representative, today))
    ]
    return Block(
        key="lectures",
        heading=_("近期学习培训"),
        items=items,
        link=url,
        link_label=_("我的学习培训"),
        empty=_("近期没有安排授课。"),
    )


def _lecture_detail(lecture: Lecture) -> str:
    if lecture.starts_at is None:
        return lecture.hall.name
    return f"{lecture.hall.name} {lecture.starts_at:%H:%M}"


def _ballot_block(representative: Representative) -> Block:
    # A Q: `voted` is the selector's annotation, which the type checker's Django plugin cannot see.
    ballots = open_ballots_for(representative).filter(Q(voted=False))
    items = [
        Item(
            title=ballot.title,
            url=reverse("livelihood:ballot_vote", args=[ballot.pk]),
            when=timezone.localtime(ballot.closes_at),
            detail=ballot.get_kind_display(),
        )
        for ballot in _first(ballots)
    ]
    return Block(
        key="ballots",
        heading=_("待我投票的民生实事票决"),
        items=items,
        link=reverse("livelihood:my"),
        link_label=_("民生实事项目票决与测评"),
        empty=_("没有待投票的票决或测评。"),
    )


# --- records staff did not confirm --------------------------------------------------------------

# What each kind of reported record is called, and the page where the representative reports again.
REJECTED_SOURCES = {
    "activity": (_("自报履职"), "representatives:activities"),
    "post_log": (_("岗位工作记录"), "posts:mine"),
    "group_activity": (_("代表活动"), "groups:mine"),
    "problem": (_("办实事"), "groups:mine"),
}


def rejected_records(representative: Representative, since: date) -> QuerySet:
    """The representative's reported records that staff did not confirm since a day, from every
    app, as one query: rows of source, day, text and the reviewer's note."""

    def rows(qs: QuerySet, source: str, text: str) -> QuerySet:
        # Only annotations, so that the columns of the union line up whatever Django selects first;
        # no ordering of its own (the models' Meta.ordering): SQLite refuses ORDER BY in a union part.
        return (
            qs.order_by()
            .filter(review_status=REJECTED, reviewed_at__date__gte=since)
            .annotate(source=Value(source), day=F("date"), text=F(text), note=F("review_note"))
            .values("source", "day", "text", "note")
        )

    activities = rows(DutyActivity.objects.filter(representative=representative), "activity", "description")
    logs = rows(PostLog.objects.filter(assignment__representative=representative), "post_log", "content")
    group = rows(Activity.objects.filter(reported_by=representative), "group_activity", "title")
    problems = rows(ProblemSolved.objects.filter(representative=representative), "problem", "problem")
    return activities.union(logs, group, problems, all=True).order_by("-day")


def _rejected_block(representative: Representative, today: date) -> Block:
    since = today - timedelta(days=config("PORTAL", "HOME_DAYS_BACK"))
    items = []
    for row in _first(rejected_records(representative, since)):
        label, url_name = REJECTED_SOURCES[row["source"]]
        detail = _("%(kind)s未通过确认：%(note)s") % {"kind": label, "note": row["note"] or "—"}
        items.append(Item(title=row["text"], url=reverse(url_name), when=row["day"], detail=detail))
    return Block(
        key="rejected",
        heading=_("未通过确认的履职记录"),
        items=items,
        link=reverse("representatives:activities"),
        link_label=_("我填报的履职记录"),
        empty=_("近期没有未通过确认的记录。"),
    )
