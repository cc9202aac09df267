"""Reads of the livelihood app: who may vote, open ballots, results, the public page, progress.

Every list here costs a fixed number of queries whatever the number of rows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from apps.core.models import Region, User
from apps.core.scope import ancestor_paths
from apps.livelihood.models import Ballot, BallotItem, BallotVoter, Milestone, Project
from apps.representatives.models import Representative

# --- ballots ------------------------------------------------------------------------------------


def eligible_representatives(ballot: Ballot) -> QuerySet[Representative]:
    """Who may vote: the serving representatives of the session's congress term, living in the
    ballot's region (a term belongs to one region, the region check guards bad roster data)."""
    return Representative.objects.serving().filter(
        term_id=ballot.session.term_id, township__path__startswith=ballot.region.path
    )


def is_eligible(ballot: Ballot, representative: Representative) -> bool:
    return eligible_representatives(ballot).filter(pk=representative.pk).exists()


def has_voted(ballot: Ballot, representative: Representative) -> bool:
    return BallotVoter.objects.filter(ballot=ballot, representative=representative).exists()


def open_ballots_for(representative: Representative) -> QuerySet[Ballot]:
    """Ballots open now that the representative may vote on, each with `voted` (bool). One query."""
    if not representative.term_id or representative.status != "serving":
        return Ballot.objects.none()
    voted = BallotVoter.objects.filter(ballot=OuterRef("pk"), representative=representative)
    return (
        Ballot.objects.filter(
            status=Ballot.Status.OPEN,
            closes_at__gt=timezone.now(),
            session__term_id=representative.term_id,
            region__path__in=ancestor_paths(representative.township.path),
        )
        .select_related("session__term__region", "region")
        .annotate(voted=Exists(voted))
        .order_by("closes_at", "pk")
    )


@dataclass(frozen=True)
class ItemResult:
    """One line of a ballot's result sheet."""

    project_id: int
    number: int
    title: str
    responsible_unit: str
    investment: Decimal
    position: int
    votes: int | None
    rank: int | None
    outcome: str
    outcome_label: str
    satisfied: int | None
    basic: int | None
    dissatisfied: int | None
    grade: str
    grade_label: str


def ballot_results(ballot: Ballot) -> list[ItemResult]:
    """The result sheet: by rank once counted, by ballot position before. Never live tallies:
    counts are shown only after the ballot closes."""
    items = BallotItem.objects.filter(ballot=ballot).select_related("project__responsible_unit")
    ordered = sorted(items, key=lambda i: (i.rank is None, i.rank or 0, i.position))
    return [
        ItemResult(
            project_id=i.project_id,
            number=i.project.number,
            title=i.project.title,
            responsible_unit=str(i.project.responsible_unit),
            investment=i.project.investment,
            position=i.position,
            votes=i.votes,
            rank=i.rank,
            outcome=i.outcome,
            outcome_label=str(i.get_outcome_display()) if i.outcome else "",
            satisfied=i.satisfied,
            basic=i.basic,
            dissatisfied=i.dissatisfied,
            grade=i.grade,
            grade_label=str(i.get_grade_display()) if i.grade else "",
        )
        for i in ordered
    ]


def ballot_voters(ballot: Ballot) -> QuerySet[BallotVoter]:
    """Who voted on a ballot (never what). By township and name, never by row id: the order of
    insertion would tell who voted when."""
    return (
        BallotVoter.objects.filter(ballot=ballot)
        .select_related("representative__township")
        .order_by("representative__township__path", "representative__name", "representative_id")
    )


def ballots_due_to_close() -> QuerySet[Ballot]:
    return Ballot.objects.filter(status=Ballot.Status.OPEN, closes_at__lte=timezone.now()).order_by("closes_at", "pk")


# --- projects and progress ---------------------------------------------------------------------


def _closed_items(kind: str):
    """The project's item on its latest closed ballot of a kind (a re-vote supersedes a tie)."""
    return BallotItem.objects.filter(
        project=OuterRef("pk"), ballot__kind=kind, ballot__status=Ballot.Status.CLOSED
    ).order_by("-ballot__closed_at", "-pk")


def public_projects(region, year: int) -> QuerySet[Project]:
    """The year's projects of a congress (its sessions opened that year), with the votes and rank
    of their selection ballot, the poll's counts, and the milestones. Two queries."""
    chosen = _closed_items(Ballot.Kind.SELECTION)
    rated = _closed_items(Ballot.Kind.SATISFACTION)
    milestones = Milestone.objects.order_by("sort_order", "due_on", "pk")
    return (
        Project.objects.filter(region=region, session__opened_on__year=year)
        .select_related("responsible_unit", "session__term__region")
        .annotate(
            votes=Subquery(chosen.values("votes")[:1]),
            rank=Subquery(chosen.values("rank")[:1]),
            satisfied_votes=Subquery(rated.values("satisfied")[:1]),
            basic_votes=Subquery(rated.values("basic")[:1]),
            dissatisfied_votes=Subquery(rated.values("dissatisfied")[:1]),
        )
        .prefetch_related(Prefetch("milestones", queryset=milestones))
        .order_by("session__opened_on", "number")
    )


def project_years(region: Region) -> list[int]:
    """The years (newest first) in which a congress of `region` chose projects: the public page's tabs."""
    years = Project.objects.filter(region=region).values_list("session__opened_on__year", flat=True).distinct()
    return sorted(set(years), reverse=True)


def closed_selection_item(project: Project) -> BallotItem | None:
    """The project's line on its latest closed selection ballot, with the turnout of that ballot."""
    return (
        BallotItem.objects.filter(
            project=project, ballot__kind=Ballot.Kind.SELECTION, ballot__status=Ballot.Status.CLOSED
        )
        .select_related("ballot")
        .order_by("-ballot__closed_at", "-pk")
        .first()
    )


def rolled_up(nodes: list[dict]) -> dict[int | None, int]:
    """Progress of every node id (None = the project) from rows of pk, parent_id, weight, progress."""
    children: dict[int | None, list[dict]] = {}
    for node in nodes:
        children.setdefault(node["parent_id"], []).append(node)
    result: dict[int | None, int] = {}

    def progress_of(node_id, own: int) -> int:
        kids = children.get(node_id)
        if not kids:
            result[node_id] = own
            return own
        total = sum(k["weight"] * progress_of(k["pk"], k["progress"]) for k in kids)
        result[node_id] = total // sum(k["weight"] for k in kids)
        return result[node_id]

    progress_of(None, 0)
    return result


def unit_projects(unit_id: int | None) -> QuerySet[Project]:
    """The approved projects a unit is responsible for, with their milestones. Two queries."""
    return (
        Project.objects.approved()
        .filter(responsible_unit_id=unit_id)
        .select_related("session__term__region", "responsible_unit")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("sort_order", "due_on", "pk")))
    )


def get_project_for_unit(user: User, pk) -> Project:
    """An approved project of the user's unit, or 404."""
    try:
        return unit_projects(user.handling_unit_id).get(pk=pk)
    except Project.DoesNotExist:
        raise Http404 from None
