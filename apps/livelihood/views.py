"""Livelihood pages: the citizens' idea form, the representatives' ballot, the handling units'
progress reports and the public page of the year's projects.

The ballot page never shows what a representative chose: after a vote only that it was counted.
Each view gets its object through an access check (404 outside the user's reach), validates a
form, calls one service and redirects; a refusal is shown next to the form and nothing is saved.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from apps.core.access import representative_required, unit_staff_required
from apps.core.config import config
from apps.core.forms import add_service_errors, run_service
from apps.core.masking import mask_name
from apps.core.models import Region
from apps.core.network import client_ip
from apps.core.paging import page_of
from apps.core.scope import ancestor_paths
from apps.liaison.services import rate_limit_allows
from apps.livelihood import forms, services
from apps.livelihood.models import Ballot, Idea, ProgressReport, Project
from apps.livelihood.selectors import (
    closed_selection_item,
    get_project_for_unit,
    has_voted,
    is_eligible,
    open_ballots_for,
    project_years,
    public_projects,
    unit_projects,
)
from apps.representatives.models import Representative

THANKS_SALT = "livelihood.idea-thanks"
THANKS_MAX_AGE = 24 * 3600


def _refused(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "livelihood/refused.html", {"title": title, "message": message}, status=status)


# --- the public idea form ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = forms.IdeaForm(initial={"token": forms.IdeaForm.issue_token()})
        return render(request, "livelihood/idea_new.html", {"form": form})
    form = forms.IdeaForm(request.POST)
    if not form.is_valid():
        return render(request, "livelihood/idea_new.html", {"form": form}, status=400)
    key = form.cleaned_data["submission_key"]
    # A double click or a reload: the first post's idea, without counting against the limit.
    earlier = Idea.objects.filter(submission_key=key).only("pk").first()
    if earlier is not None:
        return _thanks_redirect(earlier)
    limit = config("LIAISON", "SUBMIT_PER_HOUR")
    if not rate_limit_allows(key=f"idea-submit:{client_ip(request)}", limit=limit, window_seconds=3600):
        return _refused(
            request,
            _("请求过于频繁"),
            _("同一网络在一小时内的提交次数已达上限，请一小时后再试，或到乡镇人大反映。"),
            429,
        )
    idea = _submit_idea(form, key)
    if idea is None:
        return render(request, "livelihood/idea_new.html", {"form": form}, status=400)
    return _thanks_redirect(idea)


def _submit_idea(form: forms.IdeaForm, key: str) -> Idea | None:
    data = form.cleaned_data
    try:
        idea, _created = services.idea_submit(
            source=Idea.Source.CITIZEN,
            proposer_name=data["name"],
            proposer_phone=data["phone"],
            consent=data["consent"],
            submission_key=key,
            **form.idea_fields(),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return idea


def _thanks_redirect(idea: Idea) -> HttpResponse:
    return redirect("livelihood:idea_thanks", token=signing.dumps(idea.pk, salt=THANKS_SALT))


@require_safe
def idea_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    idea = get_object_or_404(Idea.objects.select_related("region"), pk=pk)
    return render(request, "livelihood/idea_thanks.html", {"idea": idea, "masked_name": mask_name(idea.proposer_name)})


# --- the representatives' portal -----------------------------------------------------------------


@never_cache
@representative_required
def my(request: HttpRequest, representative: Representative) -> HttpResponse:
    ideas = Idea.objects.filter(representative=representative).select_related("region", "project")
    context = {
        "representative": representative,
        "ballots": list(open_ballots_for(representative)),
        "page": page_of(request, ideas.order_by("-submitted_at", "-pk")),
    }
    return render(request, "livelihood/my.html", context)


@representative_required
def idea_propose(request: HttpRequest, representative: Representative) -> HttpResponse:
    initial = {"township": representative.township_id}
    form = forms.RepresentativeIdeaForm(request.POST or None, initial=initial)
    if form.is_valid() and run_service(
        form,
        services.idea_submit,
        source=Idea.Source.REPRESENTATIVE,
        representative=representative,
        by=request.user,
        **form.idea_fields(),
    ):
        messages.success(request, _("项目建议已提交，人大常委会将在筛选候选项目时研究。"))
        return redirect("livelihood:my")
    status = 400 if form.errors else 200
    return render(request, "livelihood/idea_propose.html", {"form": form}, status=status)


def _ballot_for(representative: Representative, pk: int) -> Ballot:
    """A published ballot of the representative's own county (or township), else 404."""
    reachable = Ballot.objects.exclude(status=Ballot.Status.DRAFT).filter(
        region__path__in=ancestor_paths(representative.township.path)
    )
    return get_object_or_404(reachable.select_related("session__term__region", "region"), pk=pk)


def _ballot_page(request, ballot: Ballot, representative, form=None, status: int = 200) -> HttpResponse:
    items = list(ballot.items.select_related("project__responsible_unit").order_by("position"))
    voted = has_voted(ballot, representative)
    is_open = ballot.status == Ballot.Status.OPEN and ballot.closes_at > timezone.now()
    if form is None and is_open and not voted:
        form = forms.BallotForm(ballot=ballot, items=items)
    context = {
        "ballot": ballot,
        "items": items,
        "voted": voted,
        "is_open": is_open,
        "form": form if not voted else None,
    }
    return render(request, "livelihood/ballot_vote.html", context, status=status)


@never_cache
@representative_required
def ballot_vote(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    ballot = _ballot_for(representative, pk)
    if not is_eligible(ballot, representative):
        return _refused(
            request, _("不能参加这次投票"), _("您不是本次会议所属人民代表大会的在任代表，不能参加这次投票。"), 403
        )
    if request.method != "POST":
        return _ballot_page(request, ballot, representative)
    items = ballot.items.select_related("project__responsible_unit").order_by("position")
    form = forms.BallotForm(request.POST, ballot=ballot, items=items)
    if form.is_valid() and run_service(
        form, services.ballot_vote, ballot=ballot, representative=representative, choices=form.choices()
    ):
        return redirect("livelihood:ballot_done", pk=ballot.pk)
    ballot.refresh_from_db()
    return _ballot_page(request, ballot, representative, form, status=400)


@never_cache
@representative_required
def ballot_done(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    ballot = _ballot_for(representative, pk)
    if not has_voted(ballot, representative):
        return redirect("livelihood:ballot_vote", pk=ballot.pk)
    return render(request, "livelihood/ballot_done.html", {"ballot": ballot})


# --- handling units ------------------------------------------------------------------------------


@unit_staff_required
def unit_list(request: HttpRequest) -> HttpResponse:
    projects = unit_projects(request.user.handling_unit_id).order_by("-session__opened_on", "number")
    page = page_of(request, projects)
    rows = list(page.object_list)
    today = timezone.localdate()
    for project in rows:
        _mark_milestones(project, today)
    return render(
        request, "livelihood/unit_list.html", {"page": page, "rows": rows, "unit": request.user.handling_unit}
    )


def _mark_milestones(project: Project, today) -> None:
    """Leaf and overdue flags on the prefetched milestones; the counts on the project."""
    milestones = list(project.milestones.all())
    parents = {m.parent_id for m in milestones}
    for m in milestones:
        m.is_leaf = m.pk not in parents
        m.overdue = m.completed_on is None and m.due_on < today
    project.milestone_list = milestones
    project.implementing = project.status in Project.IMPLEMENTING
    project.overdue_count = sum(1 for m in milestones if m.overdue and m.is_leaf)


def _unit_page(request: HttpRequest, project: Project, form=None, status: int = 200) -> HttpResponse:
    _mark_milestones(project, timezone.localdate())
    leaves = [m for m in project.milestone_list if m.is_leaf]
    reports = ProgressReport.objects.filter(milestone__project=project).select_related("milestone", "reported_by")
    context = {
        "project": project,
        "milestones": project.milestone_list,
        "form": form or forms.ProgressReportForm(leaves=leaves),
        "reports": list(reports[:100]),
        "supervisions": list(project.supervisions.all()[:100]),
    }
    return render(request, "livelihood/unit_project.html", context, status=status)


@unit_staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_project(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_unit(request.user, pk)
    if request.method != "POST":
        return _unit_page(request, project)
    _mark_milestones(project, timezone.localdate())
    form = forms.ProgressReportForm(request.POST, leaves=[m for m in project.milestone_list if m.is_leaf])
    if form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            services.milestone_report,
            milestone=form.chosen_milestone(),
            progress=data["progress"],
            note=data["note"],
            reported_on=data["reported_on"],
            by=request.user,
        ):
            messages.success(request, _("进度已填报。"))
            return redirect("livelihood:unit_project", pk=project.pk)
    return _unit_page(request, get_project_for_unit(request.user, pk), form, status=400)


# --- the public page -----------------------------------------------------------------------------


def _county(request: HttpRequest) -> Region | None:
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
    code = request.GET.get("county", "")
    # Region codes are digits; anything else (a NUL byte, which PostgreSQL refuses) finds none.
    return (counties.filter(code=code).first() if code.isdecimal() else None) or counties.first()


def _year(request: HttpRequest, years: list[int]) -> int:
    """The year asked for; else this year, or the latest year with projects when this one has none."""
    form = forms.YearForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else None
    if year:
        return year
    this_year = timezone.localdate().year
    earlier = [y for y in years if y <= this_year]
    if this_year in years or not earlier:
        return this_year
    return max(earlier)


@require_safe
def public(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    years = project_years(county) if county else []
    year = _year(request, years)
    projects = list(public_projects(county, year)) if county else []
    today = timezone.localdate()
    for project in projects:
        _mark_milestones(project, today)
    context = {
        "county": county,
        "year": year,
        "years": years,
        "projects": projects,
        "approved": sum(1 for p in projects if p.status in Project.IMPLEMENTING),
    }
    return render(request, "livelihood/public.html", context)


@require_safe
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project.objects.select_related("session").only("region", "session__opened_on"), pk=pk)
    project = public_projects(found.region_id, found.session.opened_on.year).get(pk=pk)
    _mark_milestones(project, timezone.localdate())
    reports = ProgressReport.objects.filter(milestone__project=project).select_related("milestone")
    context = {
        "project": project,
        "milestones": project.milestone_list,
        "reports": list(reports.only("progress", "note", "reported_on", "milestone__title")[:200]),
        "supervisions": list(project.supervisions.only("kind", "held_on", "findings", "project_id")[:100]),
        "ballot_item": closed_selection_item(project),
    }
    return render(request, "livelihood/public_detail.html", context)
