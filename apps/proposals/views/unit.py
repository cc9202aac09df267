"""The handling units' portal: their assignments, the forms of their work, and the notices that name them."""

from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.access import unit_staff_required
from apps.core.config import config
from apps.core.forms import run_service
from apps.core.paging import page_of, query_without_page
from apps.core.workdays import workdays_between
from apps.proposals import forms, services
from apps.proposals.models import HANDLING, REPLY_OWED, Assignment, AssistOpinion, ReturnRequest, Status
from apps.proposals.selectors import (
    get_assignment_for_unit,
    unit_assignments,
    unit_notices,
)
from apps.proposals.views._common import label_outcomes, timeline

Role = Assignment.Role
PENDING = ReturnRequest.Decision.PENDING


def _handling_q() -> Q:
    """Still to do for the unit this round: no reply yet, or, for assisting units, no opinion yet."""
    return Q(proposal__status__in=HANDLING, replied_this_round=False) & ~Q(role=Role.ASSIST, opinion_sent=True)


def _is_overdue(assignment: Assignment, today) -> bool:
    if assignment.proposal.status not in REPLY_OWED:
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
    page = page_of(request, qs)
    today = timezone.localdate()
    rows = list(page.object_list)
    for assignment in rows:
        assignment.overdue = _is_overdue(assignment, today)
    context = {"form": form, "status": status, "page": page, "rows": rows, "query": query_without_page(request)}
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
    handling = active and proposal.status in HANDLING
    answering = handling and assignment.answers and not assignment.replied_this_round
    window = config("PROPOSALS", "RETURN_MISASSIGNED_WORKDAYS")
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
    replies = label_outcomes(list(assignment.replies.all()))
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
        "events": timeline(proposal),
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
    if form.is_valid() and run_service(form, lambda: call(assignment, form.cleaned_data, request.user)):
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


@unit_staff_required
def unit_notice_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, unit_notices(request.user.handling_unit_id))
    return render(request, "proposals/unit_notices.html", {"page": page, "query": query_without_page(request)})
