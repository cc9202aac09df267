"""The shape every dashboard figure takes: the contract between the figure computations
(`apps.dashboard.figures`), the pages, the charts and the annual report.

A `Dashboard` is one period (a year or a congress term) in one scope (the whole deployment,
a county, or one township). It holds `Section`s; a section holds headline `Figure`s and
`Table`s (breakdowns per township, per handling unit, per month...). The report and the
charts are drawn from these objects only, never from the database directly.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

NOT_APPLICABLE = "—"


@dataclass(frozen=True)
class Period:
    """A calendar year, or a congress term (its dates)."""

    label: str
    starts_on: "date"  # noqa: F821
    ends_on: "date"  # noqa: F821  (inclusive)
    year: int | None = None
    term_id: int | None = None


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard. A rate carries its numerator and denominator; with a zero
    denominator the rate is None and shows as "—" (never a division by zero)."""

    key: str
    label: str
    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    url: str | None = None  # the list this figure counts, already filtered
    note: str = ""
    text: str | None = None  # shown instead of the value when the count reads better so ("1+12")

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def rate(self) -> Decimal | None:
        if not self.is_rate or not self.denominator:
            return None
        return Decimal(self.numerator or 0) / Decimal(self.denominator)

    @property
    def display(self) -> str:
        if self.is_rate:
            rate = self.rate
            if rate is None:
                return NOT_APPLICABLE
            return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
        if self.text is not None:
            return self.text
        return NOT_APPLICABLE if self.value is None else f"{self.value}"


@dataclass(frozen=True)
class Table:
    """A breakdown. `rows` are lists of cells (str, int, Decimal or None for "—"); the first
    column names the row (a township, a unit, a month). `chart` says how the page may draw it
    ("bar", "pie", "line" or "" for a table only); `chart_columns` are the indexes of the
    numeric columns the chart plots."""

    key: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: str = ""
    chart_columns: tuple[int, ...] = (1,)
    totals: list | None = None
    note: str = ""  # how the table reads or adds up, printed under it


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Dashboard:
    period: Period
    scope_label: str
    sections: list[Section] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        for section in self.sections:
            for fig in section.figures:
                if fig.key == key:
                    return fig
        raise KeyError(key)


EMPTY_LABEL = _("暂无数据")
