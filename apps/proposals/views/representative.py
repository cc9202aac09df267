"""The representatives' portal: their proposals, from draft to rating; each view calls one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.access import representative_required
from apps.core.config import config
from apps.core.forms import add_service_errors, run_service
from apps.core.models import User
from apps.core.paging import page_of
from apps.core.widgets import picker_requested, typed_so_far
from apps.proposals import forms, services
from apps.proposals.models import CoSigner, Proposal, Reply, Status
from apps.proposals.selectors import (
    get_proposal_for_representative,
    representative_proposals,
)
from apps.proposals.views._common import label_outcomes, timeline
from apps.representatives.models import Representative


@representative_required
def mine(request: HttpRequest, representative: Representative) -> HttpResponse:
    awaiting_me = CoSigner.objects.filter(
        proposal=OuterRef("pk"), representative=representative, confirmed_at__isnull=True, declined_at__isnull=True
    )
    qs = representative_proposals(representative).annotate(cosign_pending=Exists(awaiting_me))
    # The same rule as _needs, in SQL: what waits for this representative, across all pages.
    waiting = Q(cosign_pending=True, status__in=[Status.DRAFT, Status.SUBMITTED]) | Q(
        lead=representative, status=Status.REPLIED
    )
    page = page_of(request, qs)
    rows = list(page.object_list)
    for proposal in rows:
        proposal.needs_me = _needs(representative, proposal)
    todo = list(qs.filter(waiting)[: config("", "PUBLIC_PAGE_SIZE")])
    context = {"representative": representative, "todo": todo, "page": page, "rows": rows}
    return render(request, "proposals/mine_list.html", context)


def _needs(representative: Representative, proposal: Proposal) -> bool:
    """Whether the proposal waits for this representative: a co-signature or a rating."""
    if proposal.cosign_pending and proposal.status in (Status.DRAFT, Status.SUBMITTED):
        return True
    return proposal.lead_id == representative.pk and proposal.status == Status.REPLIED


@representative_required
def new(request: HttpRequest, representative: Representative) -> HttpResponse:
    if representative.term_id is None:
        return render(request, "proposals/new.html", {"no_term": True})
    if picker_requested(request.POST):
        form = forms.ProposalForm(initial=typed_so_far(forms.ProposalForm, request.POST), representative=representative)
        return render(request, "proposals/new.html", {"form": form, "has_sessions": True})
    form = forms.ProposalForm(request.POST or None, representative=representative)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        proposal = _create(form, representative, request.user, submit=submit)
        if proposal is not None:
            messages.success(request, _("建议已提交。") if submit else _("建议草稿已保存。"))
            return redirect("proposals:mine_detail", pk=proposal.pk)
    context = {"form": form, "has_sessions": form.fields["session"].queryset.exists()}
    return render(request, "proposals/new.html", context, status=400 if form.errors else 200)


@representative_required
def mine_edit(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    """The lead edits a draft, or a returned proposal before submitting it again."""
    proposal = get_proposal_for_representative(representative, pk)
    if proposal.lead_id != representative.pk or proposal.status not in (Status.DRAFT, Status.RETURNED):
        return render(request, "core/no_role.html", status=403)
    initial = {"cosigners": [c.representative_id for c in proposal.cosigners.all()]}
    if picker_requested(request.POST):
        initial = typed_so_far(forms.ProposalForm, request.POST)
        form = forms.ProposalForm(instance=proposal, initial=initial, representative=representative)
        return render(request, "proposals/new.html", {"form": form, "has_sessions": True, "proposal": proposal})
    form = forms.ProposalForm(request.POST or None, instance=proposal, initial=initial, representative=representative)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cosigners = data.pop("cosigners")
        try:
            with transaction.atomic():
                services.proposal_update(proposal=proposal, by=request.user, cosigners=cosigners, **data)
                if request.POST.get("action") == "submit":
                    services.proposal_submit(proposal=proposal, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("建议已保存。"))
            return redirect("proposals:mine_detail", pk=proposal.pk)
    context = {"form": form, "has_sessions": True, "proposal": proposal}
    return render(request, "proposals/new.html", context, status=400 if form.errors else 200)


def _create(form: forms.ProposalForm, lead: Representative, user: User, *, submit: bool) -> Proposal | None:
    data = dict(form.cleaned_data)
    cosigners = data.pop("cosigners")
    try:
        # Saving and submitting are one step for the person: both or neither.
        with transaction.atomic():
            proposal = services.proposal_create(lead=lead, by=user, cosigners=cosigners, **data)
            if submit:
                services.proposal_submit(proposal=proposal, by=user)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return proposal


def _mine_page(
    request: HttpRequest,
    representative: Representative,
    proposal: Proposal,
    *,
    feedback_form: Form | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_lead = proposal.lead_id == representative.pk
    cosigners = list(proposal.cosigners.select_related("representative"))
    me = next((c for c in cosigners if c.representative_id == representative.pk), None)
    replies = label_outcomes(
        list(Reply.objects.filter(assignment__proposal=proposal).select_related("assignment__unit"))
    )
    withdrawable = proposal.status in (Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED)
    context = {
        "representative": representative,
        "proposal": proposal,
        "is_lead": is_lead,
        "me": me,
        "cosigners": cosigners,
        "assignments": proposal.assignments.select_related("unit"),
        "replies": replies,
        "feedback": proposal.feedback.all(),
        "events": timeline(proposal),
        "errors": errors or {},
        "can_submit": is_lead and proposal.status in (Status.DRAFT, Status.RETURNED),
        "can_cosign": me is not None
        and not (me.confirmed_at or me.declined_at)
        and proposal.status in (Status.DRAFT, Status.SUBMITTED),
        "can_withdraw": withdrawable
        and (is_lead or (me is not None and me.confirmed_at and not me.agreed_to_withdraw_at)),
        "feedback_form": feedback_form
        or (forms.FeedbackForm(prefix="feedback") if is_lead and proposal.status == Status.REPLIED else None),
    }
    return render(request, "proposals/mine_detail.html", context, status=status)


@representative_required
def mine_detail(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    return _mine_page(request, representative, get_proposal_for_representative(representative, pk))


def _mine_action(request, representative, proposal, key: str, call, done: str) -> HttpResponse:
    try:
        call()
    except ValidationError as error:
        return _mine_page(request, representative, proposal, errors={key: error.messages}, status=400)
    messages.success(request, done)
    return redirect("proposals:mine_detail", pk=proposal.pk)


@representative_required
@require_POST
def mine_submit(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    proposal = get_proposal_for_representative(representative, pk)
    if proposal.lead_id != representative.pk:
        return render(request, "core/no_role.html", status=403)

    def call():
        services.proposal_submit(proposal=proposal, by=request.user)

    return _mine_action(request, representative, proposal, "submit", call, _("建议已提交。"))


@representative_required
@require_POST
def mine_cosign(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    proposal = get_proposal_for_representative(representative, pk)
    form = forms.CosignForm(request.POST)
    if not form.is_valid():
        return _mine_page(request, representative, proposal, errors={"cosign": [_("请选择是否附议。")]}, status=400)
    agree = form.cleaned_data["agree"]

    def call():
        services.cosign_respond(proposal=proposal, representative=representative, agree=agree, by=request.user)

    done = _("您已确认附议。") if agree else _("您已拒绝附议。")
    return _mine_action(request, representative, proposal, "cosign", call, done)


@representative_required
@require_POST
def mine_withdraw(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    proposal = get_proposal_for_representative(representative, pk)

    def call():
        services.proposal_withdraw(proposal=proposal, representative=representative, by=request.user)

    done = _("建议已撤回。") if proposal.lead_id == representative.pk else _("您已同意撤回这件建议。")
    return _mine_action(request, representative, proposal, "withdraw", call, done)


@representative_required
@require_POST
def mine_feedback(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    proposal = get_proposal_for_representative(representative, pk)
    if proposal.lead_id != representative.pk:
        return render(request, "core/no_role.html", status=403)
    form = forms.FeedbackForm(request.POST, prefix="feedback")

    if form.is_valid() and run_service(
        form,
        services.feedback_submit,
        proposal=proposal,
        representative=representative,
        by=request.user,
        **form.cleaned_data,
    ):
        messages.success(request, _("评价已提交，谢谢。"))
        return redirect("proposals:mine_detail", pk=proposal.pk)
    return _mine_page(request, representative, proposal, feedback_form=form, status=400)
