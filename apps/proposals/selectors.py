"""Reads: lists for each portal, the cohort's rates, per-unit statistics."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from apps.core.scope import scope_for
from apps.proposals.models import (
    NOT_ASSIGNED,
    Assignment,
    ContactRecord,
    CoSigner,
    Feedback,
    Notice,
    Proposal,
    Rating,
    Reply,
    Status,
)

ACTIVE = Assignment.State.ACTIVE


# --- access helpers -------------------------------------------------------------------------


def get_assignment_for_unit(user, pk) -> Assignment:
    """The unit's own assignment, or 404 for anyone else's."""
    try:
        return Assignment.objects.select_related("proposal__lead", "proposal__session__term__region", "unit").get(
            pk=pk, unit_id=user.handling_unit_id, unit__isnull=False
        )
    except Assignment.DoesNotExist:
        raise Http404 from None


def get_proposal_for_representative(representative, pk) -> Proposal:
    """A proposal the representative leads or co-signs, or 404."""
    qs = Proposal.objects.filter(_signed_by(representative))
    try:
        return qs.select_related("session__term__region", "lead").get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


def _signed_by(representative) -> Q:
    """Led by the representative, or co-signed by them (unless they declined)."""
    cosigned = CoSigner.objects.filter(proposal=OuterRef("pk"), representative=representative, declined_at__isnull=True)
    return Q(lead=representative) | Q(Exists(cosigned))


def _notices_in_scope(user):
    scope = scope_for(user)
    if scope.unrestricted:
        return Notice.objects.all()
    q = Q(pk__in=[])
    for path in scope.region_paths:
        q |= Q(session__term__region__path__startswith=path)
    return Notice.objects.filter(q)


def get_notice_for_user(user, pk) -> Notice:
    """A published notice to the public (when it is public) and to the units it names; to back-office
    staff of its congress also before publication, to check the printed page. 404 for anyone else."""
    published = Q(published_at__isnull=False)
    may = published & Q(is_public=True)
    if user.is_authenticated and user.role == user.Role.UNIT and user.handling_unit_id:
        may |= published & Q(units=user.handling_unit_id)
    if user.is_authenticated and user.has_perm("proposals.view_notice"):
        may |= Q(pk__in=_notices_in_scope(user).values("pk"))
    found = Notice.objects.filter(may, pk=pk).values_list("pk", flat=True).distinct()[:1]
    try:
        return Notice.objects.select_related("session__term__region").get(pk__in=list(found))
    except Notice.DoesNotExist:
        raise Http404 from None


def public_notices():
    return Notice.objects.filter(published_at__isnull=False, is_public=True).order_by("-published_at", "-pk")


def unit_notices(unit_id: int):
    return (
        Notice.objects.filter(published_at__isnull=False, units=unit_id)
        .select_related("session__term__region")
        .order_by("-published_at", "-pk")
    )


# --- lists ----------------------------------------------------------------------------------


def unit_assignments(unit_id: int):
    return (
        Assignment.objects.filter(unit_id=unit_id, state=ACTIVE)
        .exclude(proposal__status__in=NOT_ASSIGNED)
        .select_related("proposal__lead", "proposal__session__term__region")
        .annotate(
            contacted=Exists(ContactRecord.objects.filter(assignment=OuterRef("pk"))),
            replied_this_round=Exists(
                Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("proposal__round"))
            ),
        )
        .order_by("due_on", "pk")
    )


def representative_proposals(representative):
    return (
        Proposal.objects.filter(_signed_by(representative))
        .select_related("session__term__region", "lead")
        .order_by("-created_at", "-pk")
    )


def published_proposals():
    """What the public may read: assigned proposals whose signers consented to publication."""
    return (
        Proposal.objects.exclude(status__in=NOT_ASSIGNED)
        .exclude(publication=Proposal.Publication.NONE)
        .select_related("session__term__region", "lead")
        .order_by("-session__opened_on", "number")
    )


# --- rates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None

    def __str__(self):
        pct = "—" if self.percent is None else f"{self.percent}%"
        return f"{pct} ({self.numerator}/{self.denominator})"


def cohort(*, session=None, year: int | None = None, period: str | None = None):
    """Assigned proposals of a session (optionally only those made during it, or in recess)
    or of a year of assignment."""
    qs = Proposal.objects.exclude(status__in=NOT_ASSIGNED)
    if session is not None:
        qs = qs.filter(session=session)
    if period:
        qs = qs.filter(period=period)
    if year is not None:
        qs = qs.filter(assigned_at__year=year)
    return qs


def rates(proposals) -> dict[str, Rate]:
    """The cohort's rates, each with numerator and denominator, in a fixed number of queries."""
    assigned_ids = proposals.values("pk")
    stats = proposals.aggregate(
        assigned=Count("pk", distinct=True),
        closed=Count("pk", filter=Q(status=Status.CLOSED), distinct=True),
        visited=Count(
            "pk",
            filter=Q(assignments__contacts__kind__in=ContactRecord.IN_PERSON),
            distinct=True,
        ),
        replied=Count("pk", filter=Q(assignments__replies__isnull=False), distinct=True),
    )
    # On time: every answering unit's first reply came by its deadline.
    late = Reply.objects.filter(assignment__proposal__in=assigned_ids, round=1, on_time=False).values(
        "assignment__proposal"
    )
    on_time = proposals.filter(assignments__replies__round=1).exclude(pk__in=late).distinct().count()
    first = Feedback.objects.filter(proposal__in=assigned_ids, round=1).aggregate(
        returned=Count("pk"),
        satisfied=Count("pk", filter=Q(result=Rating.SATISFIED)),
        basic=Count("pk", filter=Q(result=Rating.BASIC)),
    )
    n = stats["assigned"]
    return {
        "visit_rate": Rate(stats["visited"], n),
        "reply_rate": Rate(stats["replied"], n),
        "on_time_reply_rate": Rate(on_time, n),
        "satisfaction_rate": Rate(first["satisfied"] + first["basic"], first["returned"]),
        "fully_satisfied_rate": Rate(first["satisfied"], first["returned"]),
        "closure_rate": Rate(stats["closed"], n),
    }


def unit_statistics(proposals, *, today: date):
    """Per handling unit: assigned, replied on time, overdue, satisfaction (first round)."""
    return (
        Assignment.objects.filter(proposal__in=proposals.values("pk"))
        .values("unit_id", "unit__name")
        .annotate(
            assigned=Count("pk", distinct=True),
            replied=Count("pk", filter=Q(replies__round=1), distinct=True),
            on_time=Count("pk", filter=Q(replies__round=1, replies__on_time=True), distinct=True),
            overdue=Count(
                "pk",
                filter=Q(
                    state=ACTIVE,
                    replied_at__isnull=True,
                    due_on__lt=today,
                    role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
                ),
                distinct=True,
            ),
            feedback=Count("proposal__feedback", filter=Q(proposal__feedback__round=1), distinct=True),
            satisfied=Count(
                "proposal__feedback",
                filter=Q(proposal__feedback__round=1, proposal__feedback__result__in=[Rating.SATISFIED, Rating.BASIC]),
                distinct=True,
            ),
        )
        .order_by("unit__name")
    )


def late_units(*, session, today: date) -> list[dict]:
    """Units with overdue answers or answers given without talking to the representative."""
    rows = (
        Assignment.objects.filter(
            proposal__session=session, state=ACTIVE, role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE]
        )
        .values("unit_id", "unit__name")
        .annotate(
            overdue=Count("pk", filter=Q(replied_at__isnull=True, due_on__lt=today), distinct=True),
            no_contact=Count("pk", filter=Q(replied_at__isnull=False, contacts__isnull=True), distinct=True),
        )
        .filter(Q(overdue__gt=0) | Q(no_contact__gt=0))
        .order_by("unit__name")
    )
    return [{**row, "unit": row["unit__name"]} for row in rows]


@dataclass(frozen=True)
class NoticeItem:
    """One proposal a notice names a unit for: unanswered past its deadline, answered late, or
    answered without talking to the representative (perfunctory)."""

    number: int | None
    title: str
    due_on: date
    days_overdue: int  # so far when unanswered; by how much the answer came late otherwise
    answered: bool
    contacted: bool


@dataclass
class NoticeUnit:
    unit: object  # HandlingUnit
    items: list[NoticeItem]


def notice_items(*, session, today: date) -> list[NoticeUnit]:
    """The units a notice of the session names, each with its items, in one query."""
    contacted = Exists(ContactRecord.objects.filter(assignment=OuterRef("pk")))
    rows = (
        Assignment.objects.filter(
            proposal__session=session, state=ACTIVE, role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE]
        )
        .exclude(proposal__status__in=NOT_ASSIGNED)
        .annotate(contacted=contacted)
        .filter(
            Q(replied_at__isnull=True, due_on__lt=today)
            | Q(replied_at__isnull=False, contacted=False)
            | Q(replied_at__date__gt=F("due_on"))
        )
        .select_related("proposal", "unit")
        .order_by("unit__name", "unit_id", "proposal__number", "pk")
    )
    units: dict[int, NoticeUnit] = {}
    for a in rows:
        answered_on = timezone.localdate(a.replied_at) if a.replied_at else None
        late_by = max(((answered_on or today) - a.due_on).days, 0)
        item = NoticeItem(a.proposal.number, a.proposal.title, a.due_on, late_by, answered_on is not None, a.contacted)
        units.setdefault(a.unit_id, NoticeUnit(a.unit, [])).items.append(item)
    return list(units.values())
