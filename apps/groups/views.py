"""The representatives' group pages: their groups, activities and problems solved, and the forms
to report them. Anything not theirs is not found (404)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.access import representative_required
from apps.core.forms import run_service
from apps.core.paging import page_of
from apps.groups import forms, selectors, services
from apps.representatives.models import Representative

PAGE_SIZE = 20


@representative_required
def mine(request: HttpRequest, representative: Representative) -> HttpResponse:
    activities = page_of(request, selectors.my_activities(representative), PAGE_SIZE)
    problems = page_of(request, selectors.my_problems(representative), PAGE_SIZE, param="ppage")
    context = {
        "representative": representative,
        "groups": list(selectors.my_groups(representative)),
        "activities": activities,
        "problems": problems,
        "can_log_problems": selectors.open_campaigns(representative).exists(),
    }
    return render(request, "groups/mine.html", context)


@representative_required
def group_detail(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    group = selectors.get_group_for_member(representative, pk)
    page = page_of(request, selectors.group_activities(group), PAGE_SIZE)
    context = {"group": group, "members": list(selectors.group_members(group)), "activities": page}
    return render(request, "groups/group_detail.html", context)


@representative_required
def activity_new(request: HttpRequest, representative: Representative) -> HttpResponse:
    initial = {}
    if "group" in request.GET:
        initial["group"] = selectors.get_group_for_member(representative, _int(request.GET["group"]))
    form = forms.ActivityReportForm(request.POST or None, representative=representative, initial=initial)
    if form.is_valid() and run_service(
        form, services.activity_report, representative=representative, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("活动已提交，工作人员确认后计入履职档案。"))
        return redirect("groups:mine")
    return render(request, "groups/activity_new.html", {"form": form}, status=400 if form.errors else 200)


def _int(value: str) -> int:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(value) if value.isdecimal() else 0


@representative_required
def problem_new(request: HttpRequest, representative: Representative) -> HttpResponse:
    form = forms.ProblemReportForm(request.POST or None, representative=representative)
    if form.is_valid() and run_service(
        form, services.problem_report, representative=representative, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("办实事记录已提交，工作人员确认后计入履职档案。"))
        return redirect("groups:mine")
    has_campaigns = form.fields["campaign"].queryset.exists()
    context = {"form": form, "has_campaigns": has_campaigns}
    return render(request, "groups/problem_new.html", context, status=400 if form.errors else 200)
