"""The duty record (履职档案): what every app contributes, and how it turns into points.

Each app that records a representative's duties registers one `DutySource` in its
AppConfig.ready(), in its own `apps/<app>/duty.py`. A source answers two questions, each in a
fixed number of queries whatever the amount of data:

- `entries(representative, year)`: the rows shown on one representative's record page;
- `counts(representatives, year)`: how many *counted* records of each kind every representative
  in a queryset has, for points over a whole township at once.

A record counts once it is confirmed by staff (self-reported activities, post work logs) or
is a fact recorded by staff themselves (attendance marked present, a shift attended).
Points per kind, yearly caps and grade thresholds are settings (`RENDA_DUTY`).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.county_settings import county_setting


@dataclass(frozen=True)
class DutyEntry:
    kind: str  # a key of RENDA_DUTY["POINTS"], e.g. "lecture_attended"
    on: date
    title: str
    counts: bool  # whether it earns points (confirmed, attended ...)
    status: str = ""  # readable state, e.g. "待确认", "出席", "缺席"
    url: str = ""  # where the viewer can open it, when there is such a page


@dataclass(frozen=True)
class DutySource:
    key: str  # e.g. "training"
    label: str  # section heading on the record page
    kinds: dict[str, str]  # kind -> readable label
    entries: Callable[..., list[DutyEntry]]  # (representative, year) -> entries, newest first
    counts: Callable[..., dict[int, Counter]]  # (representatives queryset, year) -> {rep id: Counter(kind)}
    order: int = 100


_SOURCES: dict[str, DutySource] = {}


def register(source: DutySource) -> None:
    _SOURCES[source.key] = source


def sources() -> list[DutySource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def kind_labels() -> dict[str, str]:
    return {kind: label for s in sources() for kind, label in s.kinds.items()}


GRADE_LABELS = {
    "excellent": _("优秀"),
    "competent": _("称职"),
    "incompetent": _("不称职"),
}


@dataclass
class Points:
    """Points of one representative in one year, kind by kind, after caps."""

    counts: Counter = field(default_factory=Counter)
    # The representative's township path: the county's own points and grades apply (CountySettings).
    region_path: str | None = None

    def points_each(self) -> dict[str, float]:
        return county_setting(self.region_path, "DUTY_POINTS")

    def by_kind(self) -> dict[str, float]:
        rules = settings.RENDA_DUTY
        each = self.points_each()
        result = {}
        for kind, n in self.counts.items():
            raw = n * each.get(kind, 0)
            cap = rules["CAPS"].get(kind)
            result[kind] = min(raw, cap) if cap is not None else raw
        return result

    @property
    def total(self) -> float:
        return sum(self.by_kind().values())

    @property
    def grade(self) -> str:
        return grade_for(self.total, region_path=self.region_path)

    def rows(self, kinds: dict[str, str] | None = None) -> list["KindPoints"]:
        """One row per kind of every registered source (in the sources' order), zero counts included."""
        labels = kinds if kinds is not None else kind_labels()
        rules = settings.RENDA_DUTY
        each = self.points_each()
        capped = self.by_kind()
        return [
            KindPoints(
                kind=kind,
                label=str(label),
                count=self.counts.get(kind, 0),
                each=each.get(kind, 0),
                cap=rules["CAPS"].get(kind),
                points=capped.get(kind, 0),
            )
            for kind, label in labels.items()
        ]


@dataclass(frozen=True)
class KindPoints:
    """A line of the points table: how many counted records, at how many points each, up to the cap."""

    kind: str
    label: str
    count: int
    each: float
    cap: float | None
    points: float

    @property
    def raw(self) -> float:
        return self.count * self.each

    @property
    def is_capped(self) -> bool:
        return self.cap is not None and self.raw > self.cap


def grade_for(points: float, *, region_path: str | None = None) -> str:
    """The best grade whose threshold the points reach (the county's thresholds); the last is the floor."""
    grades = county_setting(region_path, "DUTY_GRADES")
    for code, threshold in grades:
        if points >= threshold:
            return code
    return grades[-1][0]


def grade_label(code: str) -> str:
    return str(GRADE_LABELS.get(code, code))


def best_grade() -> str:
    return config("DUTY", "GRADES")[0][0]


def floor_grade() -> str:
    return config("DUTY", "GRADES")[-1][0]


def points_for(representative, year: int) -> Points:
    counts: Counter = Counter()
    for source in sources():
        counts.update(source.counts(_one(representative), year).get(representative.pk, Counter()))
    return Points(counts, region_path=representative.township.path)


def points_for_many(representatives: QuerySet, year: int) -> dict[int, Points]:
    """Points of every representative in the queryset: one set of queries per source."""
    merged: dict[int, Counter] = {}
    for source in sources():
        for rep_id, counter in source.counts(representatives, year).items():
            merged.setdefault(rep_id, Counter()).update(counter)
    return {rep_id: Points(c) for rep_id, c in merged.items()}


def entries_for(representative, year: int) -> list[tuple[DutySource, list[DutyEntry]]]:
    return [(s, list(s.entries(representative, year))) for s in sources()]


def count_rows(rows: Iterable[tuple[int, str, int]]) -> dict[int, Counter]:
    """Helper for sources: (rep id, kind, n) rows from a grouped query into {rep id: Counter}."""
    result: dict[int, Counter] = {}
    for rep_id, kind, n in rows:
        result.setdefault(rep_id, Counter())[kind] += n
    return result


def count_each(representatives: QuerySet, by_kind: dict[str, tuple[QuerySet, str]]) -> dict[int, Counter]:
    """Helper for sources: the counted records of each kind of the representatives, one grouped query per
    kind, from a queryset of the kind's counted records and the path from a record to its representative:
    `count_each(representatives, {POST_LOG: (confirmed_logs, "assignment__representative")})`."""
    rows: list[tuple[int, str, int]] = []
    for kind, (records, representative) in by_kind.items():
        theirs = records.filter(**{f"{representative}__in": representatives.values("pk")})
        grouped = theirs.values_list(representative).annotate(n=Count("pk")).order_by()
        rows += [(rep, kind, n) for rep, n in grouped]
    return count_rows(rows)


def newest_first(entries: Iterable[DutyEntry]) -> list[DutyEntry]:
    return sorted(entries, key=lambda e: e.on, reverse=True)


def _one(representative):
    # The representative's own class: this module sits below the models, which read its grades.
    return type(representative).objects.filter(pk=representative.pk)
