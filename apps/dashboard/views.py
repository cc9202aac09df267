"""The statistics dashboard: the figures of a year or a congress term, in the admin's frame."""

from django import forms
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from apps.core.models import CongressTerm, Region
from apps.core.scope import Scope
from apps.core.text import TextHygieneMixin

from .access import dashboard_scope
from .figures import build_dashboard, period_for_term, period_for_year
from .figures_types import Dashboard, Period

YEARS_OFFERED = 10


class DashboardForm(TextHygieneMixin, forms.Form):
    """A year or a congress term, and for staff over several townships, one township."""

    period = forms.ChoiceField(label=gettext_lazy("统计期间"))
    township = forms.ModelChoiceField(
        label=gettext_lazy("乡镇"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部（本人管辖范围）"),
    )

    def __init__(self, data, *, scope: Scope, initial: dict | None = None):
        super().__init__(data, initial=initial)
        self.terms = {str(t.pk): t for t in CongressTerm.objects.in_scope(scope).select_related("region")}
        this_year = timezone.localdate().year
        years = [(f"y{y}", _("%(year)s年") % {"year": y}) for y in range(this_year, this_year - YEARS_OFFERED, -1)]
        terms = [(f"t{pk}", str(term)) for pk, term in self.terms.items()]
        self.fields["period"].choices = [(_("年度"), years)] + ([(_("届次"), terms)] if terms else [])
        self.fields["period"].initial = f"y{this_year}"
        townships = Region.objects.filter(level=Region.Level.TOWNSHIP).in_scope(scope, strict=True)
        self.townships = list(townships.order_by("parent__sort_order", "sort_order", "code"))
        if len(self.townships) > 1:
            self.fields["township"].queryset = townships
        else:
            del self.fields["township"]  # one township's staff see their own township only

    def selection(self) -> tuple[Period, Region | None]:
        """The chosen period and township. A field left empty or refused falls back to this year,
        or to everywhere in scope, while the other field is still obeyed."""
        data = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the fields that passed
            data = self.cleaned_data
        value = data.get("period") or self.fields["period"].initial
        period = period_for_term(self.terms[value[1:]]) if value.startswith("t") else period_for_year(int(value[1:]))
        return period, data.get("township")


def scope_label(scope: Scope, township: Region | None) -> str:
    if township is not None:
        return township.name
    if scope.unrestricted:
        return _("全部区域")
    names = Region.objects.filter(path__in=scope.region_paths).order_by("path").values_list("name", flat=True)
    return "、".join(names)


def chart_specs(dashboard: Dashboard) -> list[dict]:
    """What static/js/dashboard.js draws: one entry per table that has a chart."""
    specs = []
    for section in dashboard.sections:
        for table in section.tables:
            if not table.chart:
                continue
            specs.append(
                {
                    "id": f"chart-{table.key}",
                    "kind": table.chart,
                    "title": table.title,
                    "categories": [str(row[0]) for row in table.rows],
                    "series": [
                        {"name": str(table.columns[i]), "data": [row[i] or 0 for row in table.rows]}
                        for i in table.chart_columns
                    ],
                }
            )
    return specs


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request.user)
    form = DashboardForm(request.GET or None, scope=scope)
    period, township = form.selection()
    dashboard = build_dashboard(scope=scope, period=period, scope_label=scope_label(scope, township), region=township)
    context = {
        **admin.site.each_context(request),
        "title": _("统计分析"),
        "form": form,
        "dashboard": dashboard,
        "charts": chart_specs(dashboard),
    }
    return TemplateResponse(request, "dashboard/index.html", context, status=400 if form.errors else 200)
