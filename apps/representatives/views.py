from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.access import representative_required
from apps.core.forms import run_service
from apps.core.paging import page_of, query_without_page
from apps.representatives import forms, selectors, services
from apps.representatives.forms import RosterFilterForm
from apps.representatives.models import DutyActivity, Representative
from apps.representatives.selectors import public_roster


def roster(request: HttpRequest) -> HttpResponse:
    """The public list of serving representatives, by township (a county first when there are many)."""
    form = RosterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if form.needs_county:
        qs = Representative.objects.none()
    else:
        qs = public_roster(
            township=filters.get("township"), county=filters.get("county"), level=filters.get("level") or None
        )
    return render(
        request,
        "representatives/roster.html",
        {"form": form, "page": page_of(request, qs), "query": query_without_page(request)},
    )


def requested_year(request: HttpRequest, years: list[int]) -> int:
    """`?year=` when it is one of the offered years; this year otherwise."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    return year if year in years else timezone.localdate().year


@never_cache
@representative_required
def duty_record(request: HttpRequest, representative: Representative) -> HttpResponse:
    """The representative's own duty record (履职档案) of one year."""
    years = selectors.term_years(representative, timezone.localdate())
    year = requested_year(request, years)
    record = selectors.duty_record(representative, year)
    return render(request, "representatives/duty_record.html", {"record": record, "years": years, "portal": True})


@never_cache
@representative_required
def activities(request: HttpRequest, representative: Representative) -> HttpResponse:
    """The activities the representative reported, with their review state."""
    page = page_of(request, selectors.activities_of(representative), 20)
    return render(request, "representatives/activities.html", {"rep": representative, "page": page})


def _activity_form(request, representative, form, *, title, save, done) -> HttpResponse:
    if form.is_valid() and run_service(form, save, data=form.cleaned_data):
        messages.success(request, done)
        return redirect("representatives:activities")
    context = {"rep": representative, "form": form, "title": title}
    return render(request, "representatives/activity_form.html", context, status=400 if form.is_bound else 200)


@representative_required
def activity_new(request: HttpRequest, representative: Representative) -> HttpResponse:
    form = forms.DutyActivityForm(request.POST or None, initial={"date": timezone.localdate()})

    def save(data):
        services.duty_activity_report(representative=representative, by=request.user, **data)

    done = _("履职记录已提交，等待工作人员确认后计入履职积分。")
    return _activity_form(request, representative, form, title=_("填报履职记录"), save=save, done=done)


def _pending(request: HttpRequest, activity: DutyActivity) -> bool:
    if activity.review_status == DutyActivity.Review.PENDING:
        return True
    messages.error(request, _("这条履职记录已审核，不能再修改或删除。"))
    return False


@representative_required
def activity_edit(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    activity = selectors.activity_of(representative, pk)
    if not _pending(request, activity):
        return redirect("representatives:activities")
    initial = {f: getattr(activity, f) for f in ("kind", "date", "place", "description")}
    form = forms.DutyActivityForm(request.POST or None, initial=initial)

    def save(data):
        services.duty_activity_update(activity=activity, by=request.user, **data)

    return _activity_form(request, representative, form, title=_("修改履职记录"), save=save, done=_("履职记录已修改。"))


@representative_required
@require_POST
def activity_delete(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    activity = selectors.activity_of(representative, pk)
    if _pending(request, activity):
        try:
            services.duty_activity_delete(activity=activity, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("履职记录已删除。"))
    return redirect("representatives:activities")
