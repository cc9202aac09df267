"""Proposal portals: handling units, representatives, and the public.

Each view gets its object through an access helper (404 outside the user's scope), validates a
form, calls one service and redirects; a refused transition is shown next to its form.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.access import representative_required, unit_staff_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.downloads import file_response
from apps.core.models import User
from apps.core.pdf import html_to_pdf
from apps.core.widgets import picker_requested, typed_so_far
from apps.core.workdays import workdays_between
from apps.proposals import forms, services
from apps.proposals.models import (
    Assignment,
    AssistOpinion,
    CoSigner,
    Proposal,
    Reply,
    ReturnRequest,
    Status,
)
from apps.proposals.selectors import (
    get_assignment_for_unit,
    get_notice_for_user,
    get_proposal_for_representative,
    public_notices,
    published_matching,
    published_proposals,
    representative_proposals,
    unit_assignments,
    unit_notices,
)
from apps.representatives.models import Representative
from apps.representatives.selectors import representative_for_user

Role = Assignment.Role
PENDING = ReturnRequest.Decision.PENDING

# ProposalEvent.action is a code written by the services; these are its words for people.
EVENT_LABELS = {
    "create": gettext_lazy("起草"),
    "edit": gettext_lazy("修改"),
    "submit": gettext_lazy("提交"),
    "cosign_confirm": gettext_lazy("确认附议"),
    "cosign_decline": gettext_lazy("不附议"),
    "cosign_recorded": gettext_lazy("工作人员登记附议确认"),
    "cosign_removed": gettext_lazy("移除附议代表"),
    "accept": gettext_lazy("受理"),
    "return": gettext_lazy("退回"),
    "merge": gettext_lazy("并案"),
    "withdraw_agree": gettext_lazy("同意撤回"),
    "withdraw": gettext_lazy("撤回"),
    "assign": gettext_lazy("交办"),
    "return_request": gettext_lazy("申请退回调整"),
    "return_decided": gettext_lazy("退回申请已决定"),
    "reassign_needed": gettext_lazy("退回后待重新交办"),
    "plan": gettext_lazy("制定办理方案"),
    "contact": gettext_lazy("与代表沟通"),
    "assist_opinion": gettext_lazy("协办意见"),
    "extension_request": gettext_lazy("申请延期"),
    "extension_decided": gettext_lazy("延期申请已决定"),
    "reply": gettext_lazy("答复"),
    "rehandle": gettext_lazy("不满意，重新办理"),
    "follow_up": gettext_lazy("跟踪办理"),
    "close": gettext_lazy("办结"),
    "carry_over": gettext_lazy("结转下年办理"),
    "supervise": gettext_lazy("督办"),
    "mark_key": gettext_lazy("列为重点督办"),
}


def _page_size() -> int:
    return settings.RENDA["PUBLIC_PAGE_SIZE"]


def _paginate(request: HttpRequest, qs):
    return Paginator(qs, _page_size()).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _run(form: Form, call: Callable[[], object]) -> bool:
    """Call a service; a refusal becomes an error on the form and nothing is saved."""
    try:
        call()
    except ValidationError as error:
        _add_errors(form, error)
        return False
    return True


def _add_errors(form: Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _timeline(proposal: Proposal) -> list:
    events = list(proposal.events.all())
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    return events


def _label_outcomes(replies):
    for reply in replies:
        reply.outcome_label = forms.outcome_label(reply.outcome)
    return replies


# --- handling-unit portal ----------------------------------------------------------------------


def _handling_q() -> Q:
    """Still to do for the unit this round: no reply yet, or, for assisting units, no opinion yet."""
    return Q(proposal__status__in=services.HANDLING, replied_this_round=False) & ~Q(role=Role.ASSIST, opinion_sent=True)


def _is_overdue(assignment: Assignment, today) -> bool:
    if assignment.proposal.status not in (Status.ASSIGNED, Status.REHANDLING):
        return False
    if assignment.answers:
        return assignment.due_on < today and not assignment.replied_this_round
    due = assignment.opinion_due_on
    return bool(due and due < today and not assignment.opinion_sent)


@unit_staff_required
def unit_list(request: HttpRequest) -> HttpResponse:
    form = forms.UnitListFilterForm(request.GET or None)
    status = (form.cleaned_data["status"] if form.is_valid() else "") or form.HANDLING
    qs = unit_assignments(request.user.handling_unit_id).annotate(
        opinion_sent=Exists(AssistOpinion.objects.filter(assignment=OuterRef("pk")))
    )
    if status != form.ALL:
        qs = qs.filter(_handling_q()) if status == form.HANDLING else qs.exclude(_handling_q())
    page = _paginate(request, qs)
    today = timezone.localdate()
    rows = list(page.object_list)
    for assignment in rows:
        assignment.overdue = _is_overdue(assignment, today)
    context = {"form": form, "status": status, "page": page, "rows": rows, "query": _query_without_page(request)}
    return render(request, "proposals/unit_list.html", context)


UNIT_FORMS = {
    "plan": forms.HandlingPlanForm,
    "contact": forms.ContactRecordForm,
    "opinion": forms.AssistOpinionForm,
    "reply": forms.ReplyForm,
    "extension": forms.ExtensionForm,
    "return": forms.ReturnRequestForm,
}


FORM_TITLES = {
    "plan": gettext_lazy("办理方案"),
    "contact": gettext_lazy("沟通记录"),
    "opinion": gettext_lazy("协办意见"),
    "reply": gettext_lazy("答复"),
    "extension": gettext_lazy("延期申请"),
    "return": gettext_lazy("退回调整申请"),
}


def _failure(key: str, form: Form) -> dict:
    """What the page says at its top when a form was refused: which form, every reason, a link to it."""
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name in form.fields:
            label = form.fields[name].label or name
            errors += [f"{label}：{e}" for e in field_errors]
    return {
        "key": key,
        "title": FORM_TITLES[key],
        "errors": errors,
        "kept_name": getattr(form, "kept_name", ""),
        "letter_lost": getattr(form, "letter_lost", False),
    }


def _unit_may(assignment: Assignment, extensions, returns) -> dict[str, bool]:
    """Which forms make sense now; the services still decide, these only spare useless forms."""
    proposal = assignment.proposal
    active = assignment.state == Assignment.State.ACTIVE
    handling = active and proposal.status in services.HANDLING
    answering = handling and assignment.answers and not assignment.replied_this_round
    window = services.config("RETURN_MISASSIGNED_WORKDAYS")
    in_window = workdays_between(timezone.localdate(assignment.assigned_at), timezone.localdate()) <= window
    return {
        "plan": handling,
        "contact": handling,
        "opinion": handling and assignment.role == Role.ASSIST and not assignment.opinion_sent,
        "reply": answering,
        "extension": answering and not any(e.decision == PENDING for e in extensions),
        "return": active
        and proposal.status == Status.ASSIGNED
        and in_window
        and not any(r.decision == PENDING for r in returns),
    }


def _unit_page(request: HttpRequest, assignment: Assignment, bound=None, status: int = 200) -> HttpResponse:
    proposal = assignment.proposal
    bound = bound or {}
    others = list(proposal.assignments.exclude(pk=assignment.pk).select_related("unit", "opinion"))
    replies = _label_outcomes(list(assignment.replies.all()))
    extensions = list(assignment.extensions.all())
    returns = list(assignment.return_requests.all())
    opinion = AssistOpinion.objects.filter(assignment=assignment).first()
    assignment.replied_this_round = any(r.round == proposal.round for r in replies)
    assignment.opinion_sent = opinion is not None
    may = _unit_may(assignment, extensions, returns)
    context = {
        "assignment": assignment,
        "proposal": proposal,
        "cosigners": proposal.cosigners.filter(confirmed_at__isnull=False, declined_at__isnull=True).select_related(
            "representative"
        ),
        "others": others,
        # The lead unit states the assisting units' opinions in its reply.
        "assist_opinions": [a.opinion for a in others if assignment.role == Role.LEAD and hasattr(a, "opinion")],
        "opinion": opinion,
        "contacts": list(assignment.contacts.all()),
        "replies": replies,
        "extensions": extensions,
        "return_requests": returns,
        "events": _timeline(proposal),
        "forms": {
            key: bound.get(key) or form_class(prefix=key, assignment=assignment)
            for key, form_class in UNIT_FORMS.items()
            if may[key] or key in bound
        },
        "overdue": _is_overdue(assignment, timezone.localdate()),
        "failed": next((_failure(key, form) for key, form in bound.items() if form.errors), None),
    }
    return render(request, "proposals/unit_detail.html", context, status=status)


@unit_staff_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_page(request, get_assignment_for_unit(request.user, pk))


def _unit_action(request: HttpRequest, pk: int, key: str, call, done: str) -> HttpResponse:
    """Validate the posted form `key` and call the service through `call(assignment, data, user)`."""
    assignment = get_assignment_for_unit(request.user, pk)
    form = UNIT_FORMS[key](request.POST, request.FILES, prefix=key, assignment=assignment)
    if form.is_valid() and _run(form, lambda: call(assignment, form.cleaned_data, request.user)):
        messages.success(request, done)
        return redirect("proposals:unit_detail", pk=assignment.pk)
    if isinstance(form, forms.ReplyForm):
        form.keep_letter()
    return _unit_page(request, assignment, {key: form}, status=400)


@unit_staff_required
@require_POST
def unit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.handling_plan_save(assignment=assignment, plan=data["plan"], by=user)

    return _unit_action(request, pk, "plan", call, _("办理方案已保存。"))


@unit_staff_required
@require_POST
def unit_contact(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.contact_record_add(assignment=assignment, by=user, **data)

    return _unit_action(request, pk, "contact", call, _("沟通记录已登记。"))


@unit_staff_required
@require_POST
def unit_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.assist_opinion_send(assignment=assignment, text=data["text"], by=user)

    return _unit_action(request, pk, "opinion", call, _("协办意见已发送给主办单位。"))


@unit_staff_required
@require_POST
def unit_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.reply_submit(
            assignment=assignment, outcome=data["outcome"], text=data["text"], letter=data["letter"], by=user
        )

    return _unit_action(request, pk, "reply", call, _("答复已提交，代表将收到通知。"))


@unit_staff_required
@require_POST
def unit_extension(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.extension_request(assignment=assignment, days=data["days"], reason=data["reason"], by=user)

    return _unit_action(request, pk, "extension", call, _("延期申请已提交，等待审批。"))


@unit_staff_required
@require_POST
def unit_return(request: HttpRequest, pk: int) -> HttpResponse:
    def call(assignment, data, user):
        return services.return_request_create(assignment=assignment, reason=data["reason"], by=user)

    return _unit_action(request, pk, "return", call, _("退回申请已提交，等待常委会决定。"))


# --- representative portal ---------------------------------------------------------------------


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
    page = _paginate(request, qs)
    rows = list(page.object_list)
    for proposal in rows:
        proposal.needs_me = _needs(representative, proposal)
    todo = list(qs.filter(waiting)[: _page_size()])
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
            _add_errors(form, error)
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
        _add_errors(form, error)
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
    replies = _label_outcomes(
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
        "events": _timeline(proposal),
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

    def call():
        services.feedback_submit(proposal=proposal, representative=representative, by=request.user, **form.cleaned_data)

    if form.is_valid() and _run(form, call):
        messages.success(request, _("评价已提交，谢谢。"))
        return redirect("proposals:mine_detail", pk=proposal.pk)
    return _mine_page(request, representative, proposal, feedback_form=form, status=400)


# --- reply letters -----------------------------------------------------------------------------


def _may_read_letter(user: User, reply: Reply) -> bool:
    assignment = reply.assignment
    if user.role == User.Role.UNIT and user.handling_unit_id == assignment.unit_id:
        return True
    representative = representative_for_user(user)
    if representative is not None:
        try:
            get_proposal_for_representative(representative, assignment.proposal_id)
            return True
        except Http404:
            pass
    # Back-office staff who may read replies, within their region.
    return user.has_perm("proposals.view_reply") and (
        Proposal.objects.visible_to(user).filter(pk=assignment.proposal_id).exists()
    )


@login_required
def reply_letter(request: HttpRequest, reply_pk: int) -> HttpResponse:
    """A reply letter, to the people it was written for; never a public media address."""
    reply = get_object_or_404(Reply.objects.select_related("assignment"), pk=reply_pk)
    if not reply.letter or not _may_read_letter(request.user, reply):
        raise Http404
    audit_event(Audit.DOWNLOAD, request=request, target=reply.assignment.proposal, file="reply letter", reply=reply.pk)
    return file_response(reply.letter)


# --- public pages ------------------------------------------------------------------------------

PUBLIC_NOTICES_SHOWN = 10


def public_list(request: HttpRequest) -> HttpResponse:
    form = forms.PublicFilterForm(request.GET or None)
    qs = published_proposals()
    if form.is_valid():
        if form.cleaned_data["session"]:
            qs = qs.filter(session=form.cleaned_data["session"])
        if form.cleaned_data["q"]:
            qs = published_matching(qs, form.cleaned_data["q"])
    context = {
        "form": form,
        "page": _paginate(request, qs),
        "query": _query_without_page(request),
        "notices": list(public_notices()[:PUBLIC_NOTICES_SHOWN]),
    }
    return render(request, "proposals/public_list.html", context)


def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(published_proposals(), pk=pk)
    full = proposal.publication == Proposal.Publication.FULL
    replies = (
        _label_outcomes(list(Reply.objects.filter(assignment__proposal=proposal).select_related("assignment__unit")))
        if full
        else []
    )
    return render(request, "proposals/public_detail.html", {"proposal": proposal, "full": full, "replies": replies})


# --- notices (通报) ----------------------------------------------------------------------------


def _organ(notice) -> str:
    region = notice.session.term.region
    if region.level == region.Level.TOWNSHIP:
        return _("%(region)s人民代表大会主席团") % {"region": region.name}
    return _("%(region)s人民代表大会常务委员会") % {"region": region.name}


def _notice_html(request: HttpRequest | None, notice, *, for_screen: bool) -> str:
    context = {
        "notice": notice,
        "organ": _organ(notice),
        "units": list(notice.units.order_by("name")),
        "paragraphs": notice.body.splitlines(),
        "for_screen": for_screen,
    }
    if for_screen:
        context["pdf_url"] = reverse("proposals:notice_pdf", args=[notice.pk])
    return render_to_string("proposals/notice_print.html", context, request=request)


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable notice, in the committee's document style; the browser prints it as it is."""
    notice = get_notice_for_user(request.user, pk)
    return HttpResponse(_notice_html(request, notice, for_screen=True))


def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice_for_user(request.user, pk)
    response = HttpResponse(html_to_pdf(_notice_html(None, notice, for_screen=False)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


@unit_staff_required
def unit_notice_list(request: HttpRequest) -> HttpResponse:
    page = _paginate(request, unit_notices(request.user.handling_unit_id))
    return render(request, "proposals/unit_notices.html", {"page": page, "query": _query_without_page(request)})
