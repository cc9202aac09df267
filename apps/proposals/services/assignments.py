"""Assignment to handling units and their work: plans, contacts, assist opinions, extensions, returns, replies."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.county_settings import county_setting
from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.workdays import add_workdays, workdays_between
from apps.proposals.models import (
    HANDLING,
    Assignment,
    AssignmentBatch,
    AssistOpinion,
    ContactRecord,
    Extension,
    Outcome,
    Proposal,
    Reply,
    ReturnRequest,
    Status,
)
from apps.proposals.selectors import signers
from apps.proposals.services._common import (
    Decision,
    ProposalError,
    Role,
    committee_users,
    local_today,
    lock,
    log_event,
    move,
    notify,
    require_status,
    unit_users,
    users_of,
)


def reply_due_on(assigned: date, *, complex_: bool, region: Region | None = None) -> date:
    """Three months from assignment, six for complex ones (代表法 Art 51), unless the county sets others."""
    months = county_setting(region, "REPLY_MONTHS_COMPLEX" if complex_ else "REPLY_MONTHS")
    return assigned + relativedelta(months=months)


@transaction.atomic
def proposal_assign(
    *,
    proposal: Proposal,
    units: list[tuple[HandlingUnit, str]],
    by: User,
    is_complex: bool = False,
    batch: AssignmentBatch | None = None,
) -> list[Assignment]:
    proposal = lock(proposal)
    require_status(proposal, Status.ACCEPTED, action=_("交办"))
    _check_units(units)
    now = timezone.now()
    today = timezone.localdate(now)
    due = reply_due_on(today, complex_=is_complex, region=proposal.township)
    opinion_due = today + timedelta(days=config("PROPOSALS", "ASSIST_OPINION_DAYS"))
    assignments = [
        Assignment.objects.create(
            proposal=proposal,
            unit=unit,
            role=role,
            batch=batch,
            assigned_at=now,
            due_on=due,
            opinion_due_on=opinion_due if role == Role.ASSIST else None,
        )
        for unit, role in units
    ]
    move(
        proposal,
        Status.ASSIGNED,
        action="assign",
        by=by,
        assigned_at=now,
        is_complex=is_complex,
        note="、".join(f"{u}（{Assignment.Role(r).label}）" for u, r in units),
    )
    notify(
        "proposal.assigned",
        proposal,
        unit_users(u for u, _r in units),
        _("新交办建议：%(title)s") % {"title": proposal.title},
        due_on=due,
    )
    return assignments


def _check_units(units: list[tuple[HandlingUnit, str]]) -> None:
    if not units:
        raise ProposalError(_("请至少选择一个承办单位。"))
    roles = [r for _u, r in units]
    if len({u.pk for u, _r in units}) != len(units):
        raise ProposalError(_("同一个单位不能重复交办。"))
    if Role.LEAD in roles and Role.SEPARATE in roles:
        raise ProposalError(_("主办和分办不能同时使用：分办时每个单位各自答复。"))
    if roles.count(Role.LEAD) > 1:
        raise ProposalError(_("只能有一个主办单位；多个单位分别答复时请选择分办。"))
    if Role.LEAD not in roles and Role.SEPARATE not in roles:
        raise ProposalError(_("必须有主办或分办单位负责答复。"))
    if any(not u.is_active for u, _r in units):
        raise ProposalError(_("不能交办给已停用的单位。"))


@transaction.atomic
def assign_on_site(
    *,
    session: CongressSession,
    title: str,
    held_on: date,
    place: str = "",
    plan: list[tuple[Proposal, list[tuple[HandlingUnit, str]], bool]],
    by: User,
) -> AssignmentBatch:
    """On-site assignment (现场交办): the meeting and every proposal of its plan, or nothing.
    A refusal names each proposal that failed (keyed by its pk) so all can be corrected at once."""
    batch = AssignmentBatch(session=session, title=title, held_on=held_on, place=place, created_by=by)
    batch.full_clean()
    batch.save()
    errors: dict[str, list[str]] = {}
    for proposal, units, is_complex in plan:
        try:
            proposal_assign(proposal=proposal, units=units, by=by, is_complex=is_complex, batch=batch)
        except ValidationError as error:
            errors[str(proposal.pk)] = error.messages
    if errors:
        raise ProposalError(errors)
    return batch


@transaction.atomic
def return_request_create(*, assignment: Assignment, reason: str, by: User) -> ReturnRequest:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.state != Assignment.State.ACTIVE or assignment.proposal.status != Status.ASSIGNED:
        raise ProposalError(_("此件已不在办理中，不能申请退回。"))
    limit = config("PROPOSALS", "RETURN_MISASSIGNED_WORKDAYS")
    if workdays_between(timezone.localdate(assignment.assigned_at), local_today()) > limit:
        raise ProposalError(_("交办已超过%(n)s个工作日，不能申请退回。") % {"n": limit})
    if not reason.strip():
        raise ProposalError(_("请说明申请退回的理由。"))
    if assignment.return_requests.filter(decision=Decision.PENDING).exists():
        raise ProposalError(_("已有待决定的退回申请。"))
    request = ReturnRequest.objects.create(assignment=assignment, reason=reason, requested_by=by)
    log_event(assignment.proposal, "return_request", by, f"{assignment.unit}：{reason}")
    notify(
        "proposal.return_request",
        request,
        committee_users(assignment.proposal),
        _("%(unit)s申请退回建议：%(title)s") % {"unit": assignment.unit, "title": assignment.proposal.title},
    )
    return request


@transaction.atomic
def return_request_decide(*, request: ReturnRequest, approve: bool, by: User, note: str = "") -> ReturnRequest:
    request = ReturnRequest.objects.select_for_update().select_related("assignment__proposal").get(pk=request.pk)
    if request.decision != Decision.PENDING:
        raise ProposalError(_("这项申请已经决定过了。"))
    request.decision = Decision.APPROVED if approve else Decision.REJECTED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    request.save()
    assignment = request.assignment
    proposal = lock(assignment.proposal)
    if approve:
        assignment.state = Assignment.State.RETURNED
        assignment.save()
        if not proposal.assignments.filter(state=Assignment.State.ACTIVE, role__in=[Role.LEAD, Role.SEPARATE]):
            # Nobody answers any more: back to staff to assign again.
            proposal.assignments.filter(state=Assignment.State.ACTIVE).update(state=Assignment.State.RETURNED)
            move(proposal, Status.ACCEPTED, action="reassign_needed", by=by, note=str(assignment.unit))
            return request
    log_event(proposal, "return_decided", by, f"{assignment.unit}：{request.get_decision_display()} {note}".strip())
    if approve and not _waiting_for_replies(proposal):
        # The other 分办 units have all answered: the proposal is answered now, not 办理中.
        _answered(proposal, by, note=str(assignment.unit))
    return request


def _handling(assignment: Assignment) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("proposal", "unit").get(pk=assignment.pk)
    if assignment.state != Assignment.State.ACTIVE:
        raise ProposalError(_("此件已退回调整，不再由本单位办理。"))
    require_status(assignment.proposal, *HANDLING, action=_("办理"))
    return assignment


@transaction.atomic
def handling_plan_save(*, assignment: Assignment, plan: str, by: User) -> Assignment:
    assignment = _handling(assignment)
    if not plan.strip():
        raise ProposalError(_("办理方案不能为空。"))
    assignment.handling_plan = plan
    assignment.save()
    log_event(assignment.proposal, "plan", by, str(assignment.unit))
    return assignment


@transaction.atomic
def contact_record_add(*, assignment: Assignment, kind: str, contacted_on: date, summary: str, by: User):
    assignment = _handling(assignment)
    record = ContactRecord(assignment=assignment, kind=kind, contacted_on=contacted_on, summary=summary, recorded_by=by)
    record.full_clean()
    if contacted_on > local_today():
        raise ProposalError(_("沟通日期不能晚于今天。"))
    record.save()
    log_event(assignment.proposal, "contact", by, f"{assignment.unit}：{record.get_kind_display()}")
    return record


@transaction.atomic
def assist_opinion_send(*, assignment: Assignment, text: str, by: User) -> AssistOpinion:
    assignment = _handling(assignment)
    if assignment.role != Role.ASSIST:
        raise ProposalError(_("只有协办单位需要向主办单位提出协办意见。"))
    if hasattr(assignment, "opinion"):
        raise ProposalError(_("协办意见已经发送过了。"))
    if not text.strip():
        raise ProposalError(_("协办意见不能为空。"))
    opinion = AssistOpinion.objects.create(assignment=assignment, text=text, sent_by=by)
    lead_units = [a.unit for a in assignment.proposal.assignments.filter(role=Role.LEAD, state="active")]
    notify(
        "proposal.assist_opinion",
        opinion,
        unit_users(lead_units),
        _("%(unit)s已发送协办意见：%(title)s") % {"unit": assignment.unit, "title": assignment.proposal.title},
    )
    log_event(assignment.proposal, "assist_opinion", by, str(assignment.unit))
    return opinion


@transaction.atomic
def extension_request(*, assignment: Assignment, days: int, reason: str, by: User) -> Extension:
    assignment = _handling(assignment)
    longest = config("PROPOSALS", "EXTENSION_MAX_DAYS")
    if not 0 < days <= longest:
        raise ProposalError(_("延期天数必须在1到%(n)s天之间。") % {"n": longest})
    if not reason.strip():
        raise ProposalError(_("请说明延期理由。"))
    if assignment.extensions.filter(decision=Decision.PENDING).exists():
        raise ProposalError(_("已有待审批的延期申请。"))
    extension = Extension.objects.create(assignment=assignment, days=days, reason=reason, requested_by=by)
    log_event(assignment.proposal, "extension_request", by, f"{assignment.unit}：{days}")
    return extension


@transaction.atomic
def extension_decide(*, extension: Extension, approve: bool, by: User) -> Extension:
    extension = Extension.objects.select_for_update().select_related("assignment__proposal").get(pk=extension.pk)
    if extension.decision != Decision.PENDING:
        raise ProposalError(_("这项申请已经决定过了。"))
    extension.decision = Decision.APPROVED if approve else Decision.REJECTED
    extension.approver, extension.decided_at = by, timezone.now()
    extension.save()
    if approve:
        assignment = extension.assignment
        assignment.due_on += timedelta(days=extension.days)
        assignment.save()
        notify(
            "proposal.extended",
            extension,
            users_of(signers(assignment.proposal)),
            _("建议答复期限已延长：%(title)s") % {"title": assignment.proposal.title},
        )
    log_event(extension.assignment.proposal, "extension_decided", by, extension.get_decision_display())
    return extension


@transaction.atomic
def reply_submit(*, assignment: Assignment, outcome: str, text: str, by: User, letter=None) -> Reply:
    assignment = _handling(assignment)
    proposal = lock(assignment.proposal)
    require_status(proposal, Status.ASSIGNED, Status.REHANDLING, Status.FOLLOW_UP, action=_("答复"))
    if not assignment.answers:
        raise ProposalError(_("协办单位不直接答复代表，请向主办单位提出协办意见。"))
    if outcome not in Outcome.values:
        raise ProposalError(_("请选择办理结果分类。"))
    if not text.strip():
        raise ProposalError(_("答复内容不能为空。"))
    if config("PROPOSALS", "REQUIRE_CONTACT_BEFORE_REPLY") and not assignment.contacts.exists():
        raise ProposalError(_("答复前须先与代表沟通，并登记沟通记录。"))
    if assignment.replies.filter(round=proposal.round).exists():
        raise ProposalError(_("本轮办理已经答复过了。"))
    now = timezone.now()
    reply = Reply.objects.create(
        assignment=assignment,
        round=proposal.round,
        outcome=outcome,
        text=text,
        letter=letter or "",
        replied_by=by,
        replied_at=now,
        on_time=timezone.localdate(now) <= assignment.due_on,
    )
    assignment.replied_at = now
    assignment.save()
    _after_reply(proposal, assignment, by)
    return reply


def _waiting_for_replies(proposal: Proposal) -> bool:
    """Some unit still answering the proposal (主办, or one of its 分办 units) has not replied this round."""
    answering = proposal.assignments.filter(state=Assignment.State.ACTIVE, role__in=[Role.LEAD, Role.SEPARATE])
    return answering.exclude(replies__round=proposal.round).exists()


def _after_reply(proposal: Proposal, assignment: Assignment, by: User) -> None:
    if _waiting_for_replies(proposal):
        log_event(proposal, "reply", by, str(assignment.unit))
        return
    _answered(proposal, by, note=str(assignment.unit))


def _answered(proposal: Proposal, by: User, *, note: str) -> None:
    move(proposal, Status.REPLIED, action="reply", by=by, note=note)
    due = add_workdays(local_today(), config("PROPOSALS", "FEEDBACK_WORKDAYS"))
    notify(
        "proposal.replied",
        proposal,
        users_of(signers(proposal)),
        _("您的建议已答复，请评价：%(title)s") % {"title": proposal.title},
        due_on=due,
    )
