"""Staff workbenches (待办): what waits on a committee, township or liaison-office member, by due date.

`apps/core` knows no feature app, so each app that gives staff something to act on registers a
`WorkSource` in its AppConfig.ready() (as duty-record sources and reminder rules are declared).
A source names the permission that lets a user act on its rows, the rows the user may act on
(already inside their scope) and the column holding each row's due date. The workbench asks each
source the user may act on for its earliest rows, counted and limited in one query (window
aggregates ride along with the rows), then merges them: one query per source however many rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, DateField, F, IntegerField, Model, QuerySet, Sum, Value, When, Window
from django.urls import reverse
from django.utils.functional import Promise

from apps.core.config import config


@dataclass(frozen=True)
class WorkSource:
    key: str  # e.g. "concern_accept"
    label: str  # what the user is asked to do, e.g. "待受理群众意见"
    permission: str  # "app_label.codename" the user needs to act on the rows
    rows: Callable[..., QuerySet]  # (user) -> the open rows the user may act on, inside their scope
    describe: Callable[[Model], tuple[str, str]]  # row -> (title, detail)
    due: str | None = None  # the field holding a row's due date; None: undated rows, listed after dated ones
    url: Callable[[Model], str] | None = None  # where to act; by default the row's admin change page
    order: int = 100


@dataclass(frozen=True)
class WorkItem:
    """One line of a to-do list, the same shape on every home and workbench."""

    kind: str
    kind_label: str | Promise  # a lazy label is translated when the page is drawn
    title: str
    detail: str
    url: str
    due_on: date | None
    overdue: bool


@dataclass(frozen=True)
class SourceCount:
    label: str
    total: int
    overdue: int
    url: str  # the admin list of the source's model


@dataclass(frozen=True)
class Workbench:
    items: list[WorkItem]
    total: int
    overdue: int
    counts: list[SourceCount]  # one per source that has open rows

    @property
    def more(self) -> int:
        return self.total - len(self.items)


_SOURCES: dict[str, WorkSource] = {}


def register(source: WorkSource) -> None:
    _SOURCES[source.key] = source


def sources() -> list[WorkSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def sources_for(user) -> list[WorkSource]:
    return [s for s in sources() if user.has_perm(s.permission)]


def admin_change_url(obj: Model) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def _counted(source: WorkSource, rows: QuerySet, today: date, size: int) -> list[Model]:
    """The source's earliest rows, each carrying the source's total and overdue counts."""
    if source.due:
        due = F(source.due)
        late = Case(When(**{f"{source.due}__lt": today}, then=Value(1)), default=Value(0), output_field=IntegerField())
    else:
        due, late = Value(None, output_field=DateField()), Value(0, output_field=IntegerField())
    qs = rows.annotate(
        workbench_due=due,
        workbench_total=Window(Count("pk")),
        workbench_overdue=Window(Sum(late)),
    )
    return list(qs.order_by(F("workbench_due").asc(nulls_last=True), "pk")[:size])


def _item(source: WorkSource, row: Model, today: date) -> WorkItem:
    title, detail = source.describe(row)
    due = row.workbench_due
    return WorkItem(
        kind=source.key,
        kind_label=source.label,
        title=title,
        detail=detail,
        url=(source.url or admin_change_url)(row),
        due_on=due,
        overdue=bool(due and due < today),
    )


def workbench_for(user, today: date) -> Workbench:
    """What waits on the user, earliest due first (overdue therefore first, undated last)."""
    size = config("PORTAL", "HOME_LIST_SIZE")
    items, counts = [], []
    for source in sources_for(user):
        queryset = source.rows(user)
        rows = _counted(source, queryset, today, size)
        if rows:
            meta = queryset.model._meta
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
            counts.append(SourceCount(source.label, rows[0].workbench_total, rows[0].workbench_overdue or 0, url))
            items += [_item(source, row, today) for row in rows]
    items.sort(key=lambda i: (i.due_on is None, i.due_on or today, i.kind))
    return Workbench(
        items=items[:size],
        total=sum(c.total for c in counts),
        overdue=sum(c.overdue for c in counts),
        counts=counts,
    )
