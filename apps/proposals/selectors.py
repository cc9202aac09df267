"""Reads: lists for each portal, the cohort's rates, per-unit statistics."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from apps.core.models import HandlingUnit, Region
from apps.proposals.models import (
    NOT_ASSIGNED,
    Assignment,
    AssistOpinion,
    ContactRecord,
    CoSigner,
    Feedback,
    Notice,
    Proposal,
    Rating,
    Reply,
    Status,
)
from apps.representatives.models import Representative

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


def get_notice_for_user(user, pk) -> Notice:
    """A published notice to the public (when it is public) and to the units it names; to back-office
    staff of its congress also before publication, to check the printed page. 404 for anyone else."""
    published = Q(published_at__isnull=False)
    may = published & Q(is_public=True)
    if user.is_authenticated and user.role == user.Role.UNIT and user.handling_unit_id:
        may |= published & Q(units=user.handling_unit_id)
    if user.is_authenticated and user.has_perm("proposals.view_notice"):
        may |= Q(pk__in=Notice.objects.visible_to(user).values("pk"))
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


def signers(proposal: Proposal) -> list[Representative]:
    """Everyone a reply must reach: the lead and every co-signer who confirmed."""
    cosigners = [
        c.representative
        for c in proposal.cosigners.select_related("representative__user")
        if c.confirmed_at and not c.declined_at
    ]
    return [proposal.lead, *cosigners]


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


def published_matching(qs, words: str):
    """Published proposals whose title, lead representative or handling unit names the words."""
    units = Assignment.objects.filter(proposal=OuterRef("pk"), unit__name__icontains=words)
    return qs.filter(Q(title__icontains=words) | Q(lead__name__icontains=words) | Exists(units))


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


ANSWERING = [Assignment.Role.LEAD, Assignment.Role.SEPARATE]


def _answering_units():
    """The assignments that still answer the proposal: its 主办, or each of its 分办 units (DOMAIN.md
    §1.7). A unit that handed its assignment back answers no more; assisting units never answer."""
    return Assignment.objects.filter(proposal=OuterRef("pk"), state=ACTIVE, role__in=ANSWERING)


def _first_feedback():
    return Feedback.objects.filter(proposal=OuterRef("pk"), round=1)


def handling_conditions() -> dict[str, Q]:
    """Each proposal's handling facts as EXISTS conditions, so counting them joins no rows.

    Answered: every unit that answers it has sent its first-round reply (two 分办 units with one
    reply are not answered yet); on time: answered, and none of those replies was late."""
    answering = _answering_units()
    first_reply = Reply.objects.filter(assignment=OuterRef("pk"), round=1)
    visits = ContactRecord.objects.filter(assignment__proposal=OuterRef("pk"), kind__in=ContactRecord.IN_PERSON)
    answered = Q(Exists(answering)) & ~Q(Exists(answering.exclude(Exists(first_reply))))
    return {
        "visited": Q(Exists(visits)),
        "answered": answered,
        "on_time": answered & ~Q(Exists(answering.filter(Exists(first_reply.filter(on_time=False))))),
        "on_site": Q(Exists(Assignment.objects.filter(proposal=OuterRef("pk"), batch__isnull=False))),
        "rated": Q(Exists(_first_feedback())),
        "satisfied": Q(Exists(_first_feedback().filter(result=Rating.SATISFIED))),
        "basic": Q(Exists(_first_feedback().filter(result=Rating.BASIC))),
        "closed": Q(status=Status.CLOSED),
    }


def _rate_counts() -> dict:
    """The aggregates behind the rates."""
    found = handling_conditions()
    return {
        "assigned": Count("pk"),
        "closed": Count("pk", filter=found["closed"]),
        "visited": Count("pk", filter=found["visited"]),
        "replied": Count("pk", filter=found["answered"]),
        "on_time": Count("pk", filter=found["on_time"]),
        "returned": Count("pk", filter=found["rated"]),
        "satisfied": Count("pk", filter=found["satisfied"]),
        "basic": Count("pk", filter=found["basic"]),
    }


def _rates_of(counts: dict) -> dict[str, Rate]:
    n, returned = counts["assigned"], counts["returned"]
    return {
        "visit_rate": Rate(counts["visited"], n),
        "reply_rate": Rate(counts["replied"], n),
        "on_time_reply_rate": Rate(counts["on_time"], n),
        "satisfaction_rate": Rate(counts["satisfied"] + counts["basic"], returned),
        "fully_satisfied_rate": Rate(counts["satisfied"], returned),
        "closure_rate": Rate(counts["closed"], n),
    }


def rates(proposals) -> dict[str, Rate]:
    """The cohort's rates, each with numerator and denominator, in one query."""
    return _rates_of(proposals.aggregate(**_rate_counts()))


def rates_by_period(proposals) -> dict[str, dict[str, Rate]]:
    """The rates of the session (大会期间) and recess (闭会期间) proposals among `proposals`, and of
    both together ("all"), in one query."""
    rows = {row["period"]: row for row in proposals.values("period").annotate(**_rate_counts()).order_by()}
    empty = dict.fromkeys(_rate_counts(), 0)
    found = {period: _rates_of(rows.get(period, empty)) for period in Proposal.Period.values}
    both = {key: sum(rows.get(p, empty)[key] for p in Proposal.Period.values) for key in empty}
    return {**found, "all": _rates_of(both)}


def handling_counts_by_township(proposals):
    """Per township of the lead representative: proposals, assigned on site, answered, closed."""
    found = handling_conditions()
    return (
        proposals.values("township")
        .annotate(
            proposals=Count("pk"),
            on_site=Count("pk", filter=found["on_site"]),
            replied=Count("pk", filter=found["answered"]),
            closed=Count("pk", filter=found["closed"]),
        )
        .order_by()
    )


def counted_in(starts_on: date, ends_on: date) -> Q:
    """The proposals a period's figures count, both kinds together: made during a session of a
    county congress that opened in the period, or made in recess to a county congress and assigned
    in the period (in local time: 23:40 on 31 December is still that year)."""
    county = Q(session__term__region__level=Region.Level.COUNTY)
    start, end = (timezone.make_aware(datetime.combine(day, time.min)) for day in (starts_on, ends_on + timedelta(1)))
    session = Q(period=Proposal.Period.SESSION, session__opened_on__range=(starts_on, ends_on))
    recess = Q(period=Proposal.Period.RECESS, assigned_at__gte=start, assigned_at__lt=end)
    return county & (session | recess)


def unit_statistics(proposals, *, today: date):
    """Per handling unit. Lead units (主办, 分办) carry the answers: assigned, answered in the first
    round, on time, overdue, and the representative's first-round rating of the proposal.
    Assisting units (协办) have their own counts: assisted, opinions sent, sent by their deadline.
    Assignments handed back (退回调整) are counted apart and in nothing else."""
    first_reply = Reply.objects.filter(assignment=OuterRef("pk"), round=1)
    feedback = Feedback.objects.filter(proposal=OuterRef("proposal"), round=1)
    opinion = AssistOpinion.objects.filter(assignment=OuterRef("pk"))
    answering = Q(state=ACTIVE, role__in=ANSWERING)
    assisting = Q(state=ACTIVE, role=Assignment.Role.ASSIST)
    return (
        Assignment.objects.filter(proposal__in=proposals.values("pk"))
        .alias(
            replied_first=Exists(first_reply),
            on_time_first=Exists(first_reply.filter(on_time=True)),
            rated=Exists(feedback),
            satisfied=Exists(feedback.filter(result__in=[Rating.SATISFIED, Rating.BASIC])),
            opinion_sent=Exists(opinion),
            opinion_on_time=Exists(opinion.filter(sent_at__date__lte=OuterRef("opinion_due_on"))),
        )
        .values("unit_id", "unit__name")
        .annotate(
            assigned=Count("pk", filter=answering),
            lead=Count("pk", filter=Q(state=ACTIVE, role=Assignment.Role.LEAD)),
            separate=Count("pk", filter=Q(state=ACTIVE, role=Assignment.Role.SEPARATE)),
            replied=Count("pk", filter=answering & Q(replied_first=True)),
            on_time=Count("pk", filter=answering & Q(on_time_first=True)),
            overdue=Count("pk", filter=answering & Q(replied_at__isnull=True, due_on__lt=today)),
            feedback=Count("pk", filter=answering & Q(rated=True)),
            satisfied=Count("pk", filter=answering & Q(satisfied=True)),
            assisting=Count("pk", filter=assisting),
            opinions=Count("pk", filter=assisting & Q(opinion_sent=True)),
            opinions_on_time=Count("pk", filter=assisting & Q(opinion_on_time=True)),
            handed_back=Count("pk", filter=Q(state=Assignment.State.RETURNED)),
        )
        .order_by("unit__name")
    )


def unit_reconciliation(proposals) -> dict[str, int]:
    """How the per-unit table adds up to the proposal count: each proposal has one 主办 unit, or
    several 分办 units each answering it (counted once per unit), or (handed back, not yet
    re-assigned) none."""
    units = Assignment.objects.filter(proposal=OuterRef("pk"), state=ACTIVE)
    lead = Q(Exists(units.filter(role=Assignment.Role.LEAD)))
    separate = Q(Exists(units.filter(role=Assignment.Role.SEPARATE)))
    return proposals.aggregate(
        proposals=Count("pk"),
        lead=Count("pk", filter=lead),
        separate=Count("pk", filter=~lead & separate),
        unanswered=Count("pk", filter=~lead & ~separate),
    )


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
    unit: HandlingUnit
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
