"""The proposal list's filters: by session, congress, township, handling and the dashboard's counting period."""

from datetime import date

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import CountyFilter, TownshipFilter
from apps.core.models import Region
from apps.proposals import selectors
from apps.proposals.admin_forms import session_choices


class SessionFilter(admin.SimpleListFilter):
    title = _("会议")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        return session_choices(request.user)

    def queryset(self, request, queryset):
        return queryset.filter(session=self.value()) if self.value() else queryset


class LeadTownshipFilter(TownshipFilter):
    title = _("代表所在乡镇")


class CongressFilter(admin.SimpleListFilter):
    """Whose congress the proposal was made to: the county's, or a township's (乡镇人大)."""

    title = _("人民代表大会")
    parameter_name = "congress"

    def lookups(self, request, model_admin):
        return [(Region.Level.COUNTY, _("县级人民代表大会")), (Region.Level.TOWNSHIP, _("乡镇人民代表大会"))]

    def queryset(self, request, queryset):
        return queryset.filter(session__term__region__level=self.value()) if self.value() else queryset


class HandlingFilter(admin.SimpleListFilter):
    """What the statistics count: answered means every 主办 or 分办 unit has answered (first round)."""

    title = _("办理情况")
    parameter_name = "handling"

    def lookups(self, request, model_admin):
        return [
            ("visited", _("已见面走访")),
            ("answered", _("已全部答复")),
            ("unanswered", _("尚未全部答复")),
            ("on_time", _("按期答复")),
            ("rated", _("已收回首轮评价")),
            ("satisfied", _("满意或基本满意")),
            ("fully_satisfied", _("满意")),
        ]

    def queryset(self, request, queryset):
        found = selectors.handling_conditions()
        conditions = {
            **found,
            "unanswered": ~found["answered"],
            "satisfied": found["satisfied"] | found["basic"],
            "fully_satisfied": found["satisfied"],
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class CountedInFilter(admin.SimpleListFilter):
    """A period's proposals as the dashboard's whole-year figures count them ("2022-01-01..2022-12-31"):
    those of the county congress's sessions opened in it and those of its recess assigned in it."""

    title = _("统计期间")
    parameter_name = "counted_in"
    YEARS_OFFERED = 5

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        years = range(this_year, this_year - self.YEARS_OFFERED, -1)
        return [(f"{y}-01-01..{y}-12-31", _("%(year)s年") % {"year": y}) for y in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        starts_on, ends_on = (date.fromisoformat(day) for day in self.value().split(".."))  # else invalid filter
        return queryset.filter(selectors.counted_in(starts_on, ends_on))


class ProposalCountyFilter(CountyFilter):
    path_field = "township__path"
