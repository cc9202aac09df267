"""Admin list filters and a paginator whose cost does not grow with a province's rows
(bench/results): the years from one MIN/MAX, counties before townships, a bounded count."""

from datetime import datetime

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from apps.core.models import Region
from apps.core.scope import scope_for
from apps.core.selectors import townships_in_scope


class YearFilter(admin.SimpleListFilter):
    """The years that have rows, from one MIN/MAX over an index (`date_hierarchy` reads the
    distinct years of every row in scope: 1M rows for a province-wide user)."""

    title = _("年份")
    parameter_name = "year"
    date_field = "submitted_at"

    def lookups(self, request, model_admin):
        span = model_admin.get_queryset(request).aggregate(first=Min(self.date_field), last=Max(self.date_field))
        if span["first"] is None:
            return []
        first, last = (timezone.localtime(span[key]).year for key in ("first", "last"))
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        year = int(self.value())  # a hand-edited value is the admin's "invalid filter" (ValueError)
        start, end = (timezone.make_aware(datetime(y, 1, 1)) for y in (year, year + 1))
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})


def _counties_in_scope(user):
    return Region.objects.filter(level=Region.Level.COUNTY).in_scope(scope_for(user)).order_by("sort_order", "code")


class CountyFilter(admin.SimpleListFilter):
    """Shown only to users whose scope spans several counties; their township filter then lists
    the chosen county's townships instead of every township of the province."""

    title = _("县（市、区）")
    parameter_name = "county"
    path_field = "region__path"

    def lookups(self, request, model_admin):
        counties = [(r.code, r.name) for r in _counties_in_scope(request.user)]
        return counties if len(counties) > 1 else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        county = _counties_in_scope(request.user).filter(code=self.value()).first()
        return queryset.filter(**{f"{self.path_field}__startswith": county.path}) if county else queryset.none()


def township_lookups(request) -> list[tuple[int, str]]:
    """Townships of the user's scope; of the chosen county only when the scope spans several
    (none until one is chosen): never the 2,100 townships of a province at once."""
    townships = townships_in_scope(request.user)
    county = request.GET.get(CountyFilter.parameter_name)
    if county:
        townships = townships.filter(parent__code=county)
    elif _counties_in_scope(request.user)[:2].count() > 1:
        return []
    return [(r.pk, r.name) for r in townships]


class TownshipFilter(admin.SimpleListFilter):
    """The one township filter of the admin lists, safe at province scale (`township_lookups`).

    `township_field` is the path to the row's township ("representative__township"); where the
    row's region may be a township or one of its villages, set `region_field` instead and both
    match."""

    title = _("乡镇")
    parameter_name = "township"
    township_field = "township"
    region_field: str | None = None

    def lookups(self, request, model_admin):
        return township_lookups(request)

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.region_field:
            field = self.region_field
            return queryset.filter(Q(**{field: self.value()}) | Q(**{f"{field}__parent": self.value()}))
        return queryset.filter(**{self.township_field: self.value()})


class BoundedCountPaginator(Paginator):
    """Counts at most LIMIT rows (COUNT over a LIMIT subquery): counting a province's million
    concerns costs ~100 ms on every page. Beyond the limit only the first pages are offered."""

    LIMIT = 10_000

    is_bounded = False

    @cached_property
    def count(self):
        counted = self.object_list[: self.LIMIT + 1].count()
        self.is_bounded = counted > self.LIMIT
        return min(counted, self.LIMIT)


def warn_when_bounded(request, response):
    """Tell the user the list is longer than the count shown, and how to narrow it."""
    changelist = getattr(response, "context_data", {}).get("cl")
    if changelist is not None and getattr(changelist.paginator, "is_bounded", False):
        messages.info(
            request,
            _("符合条件的记录超过 %(limit)s 条，只列出前 %(limit)s 条；请用右侧筛选缩小范围。")
            % {"limit": BoundedCountPaginator.LIMIT},
        )
    return response
