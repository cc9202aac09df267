"""The back office's own pages for livelihood projects: shortlisting, milestones, supervision,
paper ballots, results, re-votes, the voter list and the candidates' import.

Each page reads its input, calls the services and says what happened; a refusal by a service
rolls back everything the page was doing and is shown to the person who asked.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import admin_url, page, workbook, xlsx_response
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.forms import add_service_errors
from apps.core.paging import page_of
from apps.livelihood import resources, services
from apps.livelihood.admin_forms import (
    MilestoneAddForm,
    PaperBatchForm,
    RevoteForm,
    ShortlistForm,
    SupervisionForm,
)
from apps.livelihood.models import Ballot, BallotItem, Idea, Project
from apps.livelihood.selectors import ballot_results, ballot_voters

EXPORT_PERMISSION = "livelihood.export_project"


def _require(request, *perms: str) -> None:
    if not all(request.user.has_perm(p) for p in perms):
        raise PermissionDenied


def _call(form: Form, call) -> object | None:
    """Call a service; a refusal becomes an error on the form and nothing is saved."""
    try:
        return call()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _form_page(model_admin, request, title, form, *, original=None, intro="", submit_label="", **context):
    return page(
        model_admin,
        request,
        "admin/renda/form_page.html",
        title,
        form=form,
        original=original,
        intro=intro,
        submit_label=submit_label or _("保存"),
        media=model_admin.media + form.media,
        **context,
    )


# --- ideas into candidate projects ---------------------------------------------------------------


def shortlist_view(model_admin, request):
    """Screen the selected ideas into one candidate project (初定)."""
    _require(request, "livelihood.add_project")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdecimal()]
    ideas = list(model_admin.get_queryset(request).filter(pk__in=ids).order_by("pk"))
    if not ideas:
        messages.error(request, _("请先在项目建议列表中勾选要列入候选项目的建议。"))
        return HttpResponseRedirect(admin_url(Idea, "changelist"))
    initial = ShortlistForm.initial_from(ideas, request.user)
    form = ShortlistForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = _call(form, lambda: services.project_shortlist(ideas=ideas, by=request.user, **form.cleaned_data))
        if project is not None:
            messages.success(
                request, _("已列入候选项目：第%(n)s号 %(title)s。") % {"n": project.number, "title": project}
            )
            return HttpResponseRedirect(admin_url(Project, "change", project.pk))
    intro = _("所选建议：%(titles)s。") % {"titles": "、".join(str(i) for i in ideas)}
    return _form_page(model_admin, request, _("列入候选项目"), form, intro=intro, submit_label=_("列入候选项目"))


def project_add_view(model_admin, request, *, form):
    """A candidate proposed directly by the government: a shortlist of no idea."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    bound = form(request.POST or None, user=request.user)
    if request.method == "POST" and bound.is_valid():
        project = _call(bound, lambda: services.project_shortlist(ideas=[], by=request.user, **bound.cleaned_data))
        if project is not None:
            messages.success(
                request, _("已添加候选项目：第%(n)s号 %(title)s。") % {"n": project.number, "title": project}
            )
            return HttpResponseRedirect(admin_url(Project, "change", project.pk))
    return _form_page(model_admin, request, _("添加候选项目"), bound)


# --- implementation ------------------------------------------------------------------------------


def _project(model_admin, request, object_id, perm: str) -> Project:
    project = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not (model_admin.may_act(request, project) and request.user.has_perm(perm)):
        raise PermissionDenied
    return project


def milestone_view(model_admin, request, object_id):
    project = _project(model_admin, request, object_id, "livelihood.add_milestone")
    form = MilestoneAddForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(form, lambda: services.milestone_add(project=project, by=request.user, **data)) is not None:
            messages.success(request, _("已添加实施节点：%(title)s。") % {"title": data["title"]})
            return HttpResponseRedirect(admin_url(Project, "change", project.pk))
    return _form_page(model_admin, request, _("添加实施节点"), form, original=project)


def supervision_view(model_admin, request, object_id):
    project = _project(model_admin, request, object_id, "livelihood.add_supervision")
    form = SupervisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _call(form, lambda: services.supervision_record(project=project, by=request.user, **data)) is not None:
            messages.success(request, _("已登记监督情况，责任单位将收到通知。"))
            return HttpResponseRedirect(admin_url(Project, "change", project.pk))
    return _form_page(model_admin, request, _("登记监督情况"), form, original=project)


# --- ballots -------------------------------------------------------------------------------------


def _ballot(model_admin, request, object_id) -> Ballot:
    ballot = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, ballot):
        raise PermissionDenied
    return ballot


def _items(ballot: Ballot):
    return list(ballot.items.select_related("project").order_by("position"))


def paper_batch_view(model_admin, request, object_id):
    """A batch of paper sheets counted by the secretariat, added to the online tallies."""
    ballot = _ballot(model_admin, request, object_id)
    if not (model_admin.may_act(request, ballot) and request.user.has_perm("livelihood.add_paperbatch")):
        raise PermissionDenied
    if ballot.status != Ballot.Status.OPEN:
        messages.error(request, _("只能在投票进行中录入纸质选票。"))
        return HttpResponseRedirect(admin_url(Ballot, "change", ballot.pk))
    form = PaperBatchForm(request.POST or None, ballot=ballot, items=_items(ballot))
    if request.method == "POST" and form.is_valid():
        sheets = form.cleaned_data["sheets"]

        def enter():
            return services.paper_batch_enter(ballot=ballot, sheets=sheets, counts=form.counts(), by=request.user)

        if (batch := _call(form, enter)) is not None:
            done = _("已录入第%(n)s批纸质选票 %(sheets)s 张。") % {"n": batch.number, "sheets": sheets}
            messages.success(request, done)
            return HttpResponseRedirect(admin_url(Ballot, "change", ballot.pk))
    ballot.refresh_from_db()
    template = "admin/livelihood/ballot/paper.html"
    return page(model_admin, request, template, _("录入纸质选票"), form=form, original=ballot)


def results_view(model_admin, request, object_id):
    ballot = _ballot(model_admin, request, object_id)
    if ballot.status != Ballot.Status.CLOSED:
        messages.info(request, _("投票结束后才生成计票结果。"))
        return HttpResponseRedirect(admin_url(Ballot, "change", ballot.pk))
    results = ballot_results(ballot)
    tied = [r for r in results if r.outcome == BallotItem.Outcome.TIE]
    return page(
        model_admin,
        request,
        "admin/livelihood/ballot/results.html",
        _("计票结果"),
        original=ballot,
        results=results,
        tied=tied,
        revotes=list(ballot.revotes.all()),
        can_revote=bool(tied) and request.user.has_perm("livelihood.add_ballot"),
        can_export=request.user.has_perm(EXPORT_PERMISSION),
    )


def results_xlsx_view(model_admin, request, object_id):
    ballot = _ballot(model_admin, request, object_id)
    _require(request, EXPORT_PERMISSION)
    if ballot.status != Ballot.Status.CLOSED:
        raise PermissionDenied
    audit_event(Audit.EXPORT, request=request, target=ballot, register="ballot results")
    return xlsx_response(workbook(resources.results_dataset(ballot)), f"livelihood-results-{ballot.pk}.xlsx")


def revote_view(model_admin, request, object_id):
    """A new selection ballot of the projects tied at the cut, for the slots still open."""
    ballot = _ballot(model_admin, request, object_id)
    _require(request, "livelihood.add_ballot")
    tied = [i.project for i in ballot.items.filter(outcome=BallotItem.Outcome.TIE).select_related("project")]
    if ballot.status != Ballot.Status.CLOSED or not tied:
        messages.error(request, _("只能对已结束、有得票相同项目的票决再次票决。"))
        return HttpResponseRedirect(admin_url(Ballot, "change", ballot.pk))
    approved = ballot.items.filter(outcome=BallotItem.Outcome.APPROVED).count()
    initial = {
        "title": _("%(title)s（再次票决）") % {"title": ballot.title},
        "slots": (ballot.slots or 0) - approved,
        "closes_at": (timezone.localtime() + timedelta(hours=2)).replace(second=0, microsecond=0),
    }
    form = RevoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revote = _call(form, lambda: _revote_create(request, ballot, tied, form.cleaned_data))
        if revote is not None:
            messages.success(request, _("已创建再次票决，请核对后开始投票。"))
            return HttpResponseRedirect(admin_url(Ballot, "change", revote.pk))
    intro = _("得票相同的项目：%(titles)s。") % {"titles": "、".join(str(p) for p in tied)}
    return _form_page(model_admin, request, _("再次票决"), form, original=ballot, intro=intro, submit_label=_("创建"))


def _revote_create(request, ballot: Ballot, tied: list[Project], data: dict) -> Ballot:
    return services.ballot_create(
        session=ballot.session,
        kind=Ballot.Kind.SELECTION,
        title=data["title"],
        projects=tied,
        closes_at=data["closes_at"],
        slots=data["slots"],
        min_vote_ratio=ballot.min_vote_ratio,
        base=ballot.base,
        revote_of=ballot,
        by=request.user,
    )


def voters_view(model_admin, request, object_id):
    """Who has voted (never what): committee staff check the turnout against the roll."""
    ballot = _ballot(model_admin, request, object_id)
    _require(request, "livelihood.view_ballotvoter")
    page_obj = page_of(request, ballot_voters(ballot), 200)
    return page(
        model_admin,
        request,
        "admin/livelihood/ballot/voters.html",
        _("已投票代表"),
        original=ballot,
        page_obj=page_obj,
    )
