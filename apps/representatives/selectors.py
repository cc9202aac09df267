import time
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from apps.core.collation import by_stroke
from apps.core.config import config
from apps.core.models import Region
from apps.representatives import duty
from apps.representatives.choices import Status
from apps.representatives.models import DutyActivity, Evaluation, Representative, StatusChange, VoterRating

# What anyone may read about a representative. Phone, credential number, birth date and
# the account never leave the back office through public pages.
PUBLIC_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "party",
    "education",
    "occupation",
    "category",
    "level",
    "township__name",
    "township__code",
    "township__sort_order",
)


def public_counts_by_township(*, county: Region | None = None):
    """Townships with the number of serving representatives in each, one query."""
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP)
    if county is not None:
        qs = qs.filter(parent=county)
    return qs.annotate(serving=Count("representatives", filter=Q(representatives__status=Status.SERVING))).order_by(
        "parent__sort_order", "sort_order", "code"
    )


def public_roster(*, township: Region | None = None, county: Region | None = None, level: str | None = None):
    """Serving representatives, public fields only, by township then surname strokes.

    One township is read in the order of index `rep_roster_order` (township, name by strokes,
    id; serving only), so a page costs the same at any size; a county is sorted whole, which is
    bounded by one county's roster, never by the deployment's."""
    qs = Representative.objects.filter(status=Status.SERVING)
    if level:
        qs = qs.filter(level=level)
    qs = qs.select_related("township").only(*PUBLIC_FIELDS)
    if township is not None:
        return qs.filter(township=township).order_by(by_stroke("name"), "pk")
    if county is not None:
        qs = qs.filter(township__path__startswith=county.path)
    return qs.order_by("township__sort_order", "township__code", by_stroke("name"), "pk")


# The roster's filter options: read from the cache, recomputed when any region changes. The
# version key is bumped by signals.roster_options_changed, so every process sees the change at once.
ROSTER_OPTIONS_VERSION = "representatives:roster-options:version"
ROSTER_OPTIONS_TIMEOUT = 24 * 3600


def _options_version() -> int:
    # A new version is a timestamp, not 1: entries of a lost (evicted) version are never reused.
    return int(cache.get_or_set(ROSTER_OPTIONS_VERSION, time.time_ns, timeout=None) or time.time_ns())


def _cached_options(name: str, build) -> list[tuple[str, str]]:
    key = f"representatives:roster-options:{name}:v{_options_version()}"
    options = cache.get(key)
    if options is None:
        options = build()
        cache.set(key, options, timeout=ROSTER_OPTIONS_TIMEOUT)
    return options


def roster_counties() -> list[tuple[str, str]]:
    """(code, name) of every county, in official order."""

    def build():
        counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
        return list(counties.values_list("code", "name"))

    return _cached_options("counties", build)


def county_code_of_township(code: str) -> str | None:
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP, code=code)
    return townships.values_list("parent__code", flat=True).first()


def roster_townships(county_code: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of the townships of one county (of every county when None), in official order."""

    def build():
        townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
        if county_code is not None:
            townships = townships.filter(parent__code=county_code, parent__level=Region.Level.COUNTY)
        order = ("parent__sort_order", "parent__code", "sort_order", "code")
        return list(townships.order_by(*order).values_list("code", "name"))

    return _cached_options(f"townships:{county_code or '*'}", build)


def representative_for_user(user) -> Representative | None:
    if not user.is_authenticated:
        return None
    return Representative.objects.select_related("township", "term__region", "constituency").filter(user=user).first()


# --- the duty record (履职档案) -------------------------------------------------------------------


@dataclass(frozen=True)
class DutyRecord:
    """Everything one representative did in one year, with the points and grade it earns."""

    representative: Representative
    year: int
    sections: list[tuple[duty.DutySource, list[duty.DutyEntry]]]
    kinds: list[duty.KindPoints]
    total: float
    grade: str
    voter_rating: VoterRating | None
    evaluation: Evaluation | None

    @property
    def grade_label(self) -> str:
        return duty.grade_label(self.grade)


def duty_record(representative: Representative, year: int) -> DutyRecord:
    """The record page's data in a fixed number of queries, however many records there are."""
    points = duty.points_for(representative, year)
    return DutyRecord(
        representative=representative,
        year=year,
        sections=duty.entries_for(representative, year),
        kinds=points.rows(),
        total=points.total,
        grade=points.grade,
        voter_rating=VoterRating.objects.filter(representative=representative, year=year).first(),
        evaluation=Evaluation.objects.filter(representative=representative, year=year)
        .select_related("confirmed_by")
        .first(),
    )


def status_changes_of(representative: Representative) -> list[StatusChange]:
    """When and why the representative left office (or was restored), newest first."""
    return list(representative.status_changes.select_related("recorded_by"))


def term_years(representative: Representative, today: date) -> list[int]:
    """The years of the representative's term up to this one, newest first (this year alone without a term)."""
    term = representative.term
    if term is None:
        return [today.year]
    last = min(term.ended_on.year if term.ended_on else today.year, today.year)
    first = min(term.started_on.year, last)
    return list(range(last, first - 1, -1))


def activities_of(representative: Representative):
    return (
        DutyActivity.objects.filter(representative=representative)
        .select_related("reviewed_by")
        .order_by("-date", "-pk")
    )


def activity_of(representative: Representative, pk: int) -> DutyActivity:
    """The representative's own activity; 404 for anyone else's."""
    return get_object_or_404(DutyActivity, pk=pk, representative=representative)


# --- the year's evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRow:
    representative: Representative
    points: float
    grade: str
    rating: VoterRating | None
    proposed: str  # Evaluation.Outcome
    evaluation: Evaluation | None

    @property
    def grade_label(self) -> str:
        return duty.grade_label(self.grade)

    @property
    def rate_percent(self) -> float | None:
        return None if self.rating is None else self.rating.percent

    @property
    def is_confirmed(self) -> bool:
        return self.evaluation is not None and self.evaluation.status == Evaluation.State.CONFIRMED


def proposed_outcome(grade: str, rate: float | None) -> str:
    """Commend the best grade whose voters are not below the minimum; retrain the floor grade or
    anyone whose voters are below it. A representative without a rating is judged on points."""
    minimum = config("DUTY", "VOTER_SATISFACTION_MIN")
    low_rating = rate is not None and rate < minimum
    if grade == duty.floor_grade() or low_rating:
        return Evaluation.Outcome.RETRAIN
    if grade == duty.best_grade():
        return Evaluation.Outcome.COMMEND
    return Evaluation.Outcome.NONE


def evaluation_rows(representatives, year: int) -> list[EvaluationRow]:
    """Points, grade, voter rating and the proposed outcome of every representative in the
    queryset: one set of queries per duty source plus three, whatever the number of representatives."""
    reps = list(
        representatives.select_related("township").order_by(
            "township__sort_order", "township__code", by_stroke("name"), "pk"
        )
    )
    points = duty.points_for_many(representatives, year)
    ratings = {
        r.representative_id: r for r in VoterRating.objects.filter(representative__in=representatives, year=year)
    }
    evaluations = {
        e.representative_id: e for e in Evaluation.objects.filter(representative__in=representatives, year=year)
    }
    rows = []
    for rep in reps:
        earned = points.get(rep.pk) or duty.Points()
        earned.region_path = rep.township.path
        rating = ratings.get(rep.pk)
        rows.append(
            EvaluationRow(
                representative=rep,
                points=earned.total,
                grade=earned.grade,
                rating=rating,
                proposed=proposed_outcome(earned.grade, rating.rate if rating else None),
                evaluation=evaluations.get(rep.pk),
            )
        )
    return rows
