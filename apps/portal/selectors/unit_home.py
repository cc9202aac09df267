"""A handling unit's home: its open items of every kind, merged and sorted by due date.

Proposal assignments awaiting its reply (or, for an assisting unit, its opinion), concerns routed
to it and not answered, and unfinished milestones of the livelihood projects it is responsible
for. The three are one UNION query sorted in the database, so the page shows the earliest due
items of all, overdue first, in three queries however many there are.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.workbench import WorkItem
from apps.liaison.models import Concern
from apps.livelihood.models import Milestone, Project
from apps.proposals.models import Assignment, AssistOpinion, Reply, Status

Role = Assignment.Role

# Each kind: what it is called, and the page where the unit acts on it (by the row's `ref`).
KINDS = {
    "reply": (_("建议答复"), "proposals:unit_detail"),
    "opinion": (_("协办意见"), "proposals:unit_detail"),
    "concern": (_("群众意见"), "liaison:concern_detail"),
    "milestone": (_("民生实事节点"), "livelihood:unit_project"),
}
ROLE_LABELS = dict(Role.choices)
CATEGORY_LABELS = dict(Concern.Category.choices)


@dataclass(frozen=True)
class UnitAgenda:
    items: list[WorkItem]
    total: int
    overdue: int

    @property
    def more(self) -> int:
        """Open items beyond those shown."""
        return self.total - len(self.items)


def _columns(qs: QuerySet, *, kind, ref, due_on, title, detail) -> QuerySet:
    # Only annotations, so that the columns of the union line up whatever Django selects first;
    # no ordering of its own (the models' Meta.ordering): SQLite refuses ORDER BY in a union part.
    return (
        qs.order_by()
        .annotate(kind=kind, ref=ref, due=due_on, heading=title, subtitle=detail)
        .values("kind", "ref", "due", "heading", "subtitle")
    )


def awaiting_reply(unit_id: int) -> QuerySet:
    """Active assignments of the unit in a handling round that still wait for its answer: the reply
    of a lead or separate unit, the opinion of an assisting one (by its own deadline)."""
    replied = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("proposal__round"))
    opinion = AssistOpinion.objects.filter(assignment=OuterRef("pk"))
    answering = Q(role__in=[Role.LEAD, Role.SEPARATE]) & ~Q(Exists(replied))
    assisting = Q(role=Role.ASSIST) & ~Q(Exists(opinion))
    qs = Assignment.objects.filter(
        answering | assisting,
        unit_id=unit_id,
        state=Assignment.State.ACTIVE,
        proposal__status__in=[Status.ASSIGNED, Status.REHANDLING],
    )
    assist = Q(role=Role.ASSIST)
    return _columns(
        qs,
        kind=Case(When(assist, then=Value("opinion")), default=Value("reply")),
        ref=F("pk"),
        due_on=Case(
            When(assist, then=Coalesce("opinion_due_on", "due_on")), default=F("due_on"), output_field=DateField()
        ),
        title=F("proposal__title"),
        detail=F("role"),
    )


def open_concerns(unit_id: int) -> QuerySet:
    """Concerns routed to the unit that it has not answered yet."""
    qs = Concern.objects.filter(unit_id=unit_id, status__in=[Concern.Status.ACCEPTED, Concern.Status.ROUTED])
    return _columns(
        qs,
        kind=Value("concern"),
        ref=F("pk"),
        due_on=F("resolve_due_on"),
        title=F("category"),
        detail=F("tracking_code"),
    )


def unfinished_milestones(unit_id: int) -> QuerySet:
    """Leaf milestones (the ones progress is reported on) not complete, of the approved projects
    the unit is responsible for."""
    children = Milestone.objects.filter(parent=OuterRef("pk"))
    qs = Milestone.objects.filter(
        project__responsible_unit_id=unit_id, project__status__in=Project.IMPLEMENTING, completed_on__isnull=True
    ).exclude(Exists(children))
    return _columns(
        qs,
        kind=Value("milestone"),
        ref=F("project_id"),
        due_on=F("due_on"),
        title=F("project__title"),
        detail=F("title"),
    )


def _union(unit_id: int, *, overdue_on: date | None = None) -> QuerySet:
    parts = [awaiting_reply(unit_id), open_concerns(unit_id), unfinished_milestones(unit_id)]
    if overdue_on is not None:
        parts = [qs.filter(due__lt=overdue_on) for qs in parts]
    return parts[0].union(*parts[1:], all=True)


def agenda_for(unit_id: int, today: date) -> UnitAgenda:
    """The unit's open items, earliest due first (overdue ones therefore first, undated last)."""
    size = config("PORTAL", "HOME_LIST_SIZE")
    ordered = _union(unit_id).order_by(F("due").asc(nulls_last=True), "kind", "ref")
    items = [_item(row, today) for row in ordered[:size]]
    return UnitAgenda(items=items, total=_union(unit_id).count(), overdue=_union(unit_id, overdue_on=today).count())


def _item(row: dict, today: date) -> WorkItem:
    label, url_name = KINDS[row["kind"]]
    title, detail = row["heading"], row["subtitle"]
    if row["kind"] in ("reply", "opinion"):
        detail = ROLE_LABELS.get(detail, detail)
    elif row["kind"] == "concern":
        code = "-".join(detail[i : i + 4] for i in range(0, len(detail), 4))
        title, detail = CATEGORY_LABELS.get(title, title), _("查询码 %(code)s") % {"code": code}
    due = row["due"]
    return WorkItem(
        kind=row["kind"],
        kind_label=label,
        title=title,
        detail=detail,
        url=reverse(url_name, args=[row["ref"]]),
        due_on=due,
        overdue=bool(due and due < today),
    )
