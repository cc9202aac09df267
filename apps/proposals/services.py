"""Every change of a proposal's state: one function, one transaction, one status-history row.

The admin and the portals call these and nothing else, so they cannot disagree on a rule.
Invalid transitions raise ProposalError with a message a person can read; nothing is written.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.county_settings import county_setting
from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.numerals import chinese_number
from apps.core.workdays import add_workdays, workdays_between
from apps.notifications.services import notification_queue
from apps.proposals.models import (
    Assignment,
    AssignmentBatch,
    AssistOpinion,
    ContactRecord,
    CoSigner,
    Extension,
    Feedback,
    Notice,
    Outcome,
    Proposal,
    ProposalEvent,
    Rating,
    Reply,
    ReturnRequest,
    Status,
    Supervision,
)
from apps.representatives.models import Representative

Role = Assignment.Role
Decision = ReturnRequest.Decision


class ProposalError(ValidationError):
    """A transition that the rules do not allow, with a message for the person who tried it."""


def config(key):
    return settings.RENDA_PROPOSALS[key]


def _today() -> date:
    return timezone.localdate()


def _lock(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock: two clicks must not both pass the state check."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _require(proposal: Proposal, *allowed: str, action: str) -> None:
    if proposal.status not in allowed:
        raise ProposalError(
            _("建议当前状态为“%(status)s”，不能%(action)s。")
            % {"status": proposal.get_status_display(), "action": action}
        )


def _move(proposal: Proposal, to: str, *, action: str, by: User | None, note: str = "", **fields) -> Proposal:
    event = ProposalEvent(proposal=proposal, action=action, from_status=proposal.status, to_status=to, by=by, note=note)
    proposal.status = to
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save()
    event.save()
    return proposal


def _users_of(representatives: Iterable[Representative]) -> list[User]:
    return [r.user for r in representatives if r.user_id]


def _unit_users(units: Iterable[HandlingUnit]) -> list[User]:
    return list(User.objects.filter(handling_unit__in=list(units), role=User.Role.UNIT, is_active=True))


def _committee_users(proposal: Proposal) -> list[User]:
    county_path = proposal.session.term.region.path
    return list(User.objects.filter(role=User.Role.COMMITTEE, is_active=True, regions__path=county_path).distinct())


def _notify(rule: str, target, recipients, subject: str, *, due_on: date | None = None) -> None:
    notification_queue(
        rule=rule,
        target=target,
        recipients=recipients,
        due_on=due_on or _today(),
        subject=subject,
        channels=["inbox"],
    )


def signers(proposal: Proposal) -> list[Representative]:
    """Everyone a reply must reach: the lead and every co-signer who confirmed."""
    cosigners = [
        c.representative
        for c in proposal.cosigners.select_related("representative__user")
        if c.confirmed_at and not c.declined_at
    ]
    return [proposal.lead, *cosigners]


# --- drafting and submission ------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    lead: Representative,
    session: CongressSession,
    title: str,
    content: str,
    category: str,
    by: User,
    cosigners: Iterable[Representative] = (),
    **fields,
) -> Proposal:
    cosigners = list(cosigners)
    proposal = Proposal(
        lead=lead,
        session=session,
        title=title,
        content=content,
        category=category,
        township=lead.township,
        created_by=by,
        **fields,
    )
    proposal.full_clean(exclude=["township"])
    if lead.status != "serving":
        raise ProposalError(_("只有在任代表才能提出建议。"))
    outsiders = [str(r) for r in [lead, *cosigners] if r.term_id != session.term_id or r.status != "serving"]
    if outsiders:
        raise ProposalError(
            _("领衔代表和附议代表须是本届在任代表：%(names)s不符合。") % {"names": "、".join(outsiders)}
        )
    proposal.save()
    others = {c.pk: c for c in cosigners if c.pk != lead.pk}
    CoSigner.objects.bulk_create(CoSigner(proposal=proposal, representative=r) for r in others.values())
    ProposalEvent.objects.create(proposal=proposal, action="create", to_status=Status.DRAFT, by=by)
    return proposal


EDITABLE = (
    "session",
    "period",
    "title",
    "content",
    "category",
    "publication",
    "formation",
    "wants_contact",
    "reference_only",
)


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, by: User, cosigners: Iterable[Representative] | None = None, **fields
) -> Proposal:
    """Edit a draft, or a returned proposal before it is submitted again. Co-signers who are
    kept keep their answer; new ones are asked after submission."""
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.RETURNED, action=_("修改"))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ProposalError(_("不能修改“%(field)s”。") % {"field": name})
        setattr(proposal, name, value)
    proposal.full_clean(exclude=["township"])
    proposal.save()
    if cosigners is not None:
        cosigners = list(cosigners)
        outsiders = [str(r) for r in cosigners if r.term_id != proposal.session.term_id or r.status != "serving"]
        if outsiders:
            raise ProposalError(_("附议代表须是本届在任代表：%(names)s不符合。") % {"names": "、".join(outsiders)})
        wanted = {c.pk for c in cosigners if c.pk != proposal.lead_id}
        proposal.cosigners.exclude(representative__in=wanted).delete()
        kept = set(proposal.cosigners.values_list("representative", flat=True))
        CoSigner.objects.bulk_create(CoSigner(proposal=proposal, representative_id=pk) for pk in wanted - kept)
    _log(proposal, "edit", by)
    return proposal


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User) -> Proposal:
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.RETURNED, action=_("提交"))
    # Numbers run per session; the session row lock serialises concurrent submissions.
    CongressSession.objects.select_for_update().get(pk=proposal.session_id)
    number = proposal.number or (
        (Proposal.objects.filter(session=proposal.session_id).aggregate(n=Max("number"))["n"] or 0) + 1
    )
    _move(proposal, Status.SUBMITTED, action="submit", by=by, number=number, submitted_at=timezone.now())
    pending = proposal.cosigners.filter(confirmed_at__isnull=True, declined_at__isnull=True)
    _notify(
        "proposal.cosign_request",
        proposal,
        _users_of(c.representative for c in pending.select_related("representative__user")),
        _("请确认是否附议建议：%(title)s") % {"title": proposal.title},
    )
    return proposal


@transaction.atomic
def cosign_respond(*, proposal: Proposal, representative: Representative, agree: bool, by: User) -> CoSigner:
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.SUBMITTED, action=_("确认附议"))
    try:
        cosigner = proposal.cosigners.get(representative=representative)
    except CoSigner.DoesNotExist:
        raise ProposalError(_("您不是这件建议的附议代表。")) from None
    if cosigner.confirmed_at or cosigner.declined_at:
        raise ProposalError(_("您已经答复过附议请求。"))
    now = timezone.now()
    cosigner.confirmed_at, cosigner.declined_at = (now, None) if agree else (None, now)
    cosigner.answered_via = CoSigner.Source.PORTAL
    cosigner.save()
    action = "cosign_confirm" if agree else "cosign_decline"
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=proposal.status,
        to_status=proposal.status,
        by=by,
        note=str(representative),
    )
    return cosigner


def _cosigner_of(proposal: Proposal, representative: Representative) -> CoSigner:
    try:
        return proposal.cosigners.get(representative=representative)
    except CoSigner.DoesNotExist:
        raise ProposalError(_("%(name)s不是这件建议的附议代表。") % {"name": representative}) from None


@transaction.atomic
def cosigner_record(
    *, proposal: Proposal, representative: Representative, source: str, by: User, note: str = ""
) -> CoSigner:
    """Staff record a co-signer's confirmation given on paper, by phone or in person: many
    representatives never log in, and a joint proposal cannot be accepted before they answer."""
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.SUBMITTED, action=_("登记附议确认"))
    if source not in CoSigner.STAFF_SOURCES:
        raise ProposalError(_("请选择代表确认附议的方式：纸质签名、电话或当面。"))
    cosigner = _cosigner_of(proposal, representative)
    if cosigner.confirmed_at or cosigner.declined_at:
        raise ProposalError(_("%(name)s已经答复过附议请求。") % {"name": representative})
    cosigner.confirmed_at, cosigner.declined_at = timezone.now(), None
    cosigner.answered_via, cosigner.recorded_by = source, by
    cosigner.save()
    text = f"{representative}（{CoSigner.Source(source).label}）"
    _log(proposal, "cosign_recorded", by, f"{text} {note.strip()}".strip())
    return cosigner


@transaction.atomic
def cosigner_remove(
    *, proposal: Proposal, representative: Representative, reason: str, by: User, source: str = ""
) -> Proposal:
    """Take off a co-signer who declines (or cannot be reached): the proposal goes on without
    them, and the timeline keeps who removed whom and why."""
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.SUBMITTED, action=_("移除附议代表"))
    if not reason.strip():
        raise ProposalError(_("请说明移除附议代表的原因。"))
    if source and source not in CoSigner.Source.values:
        raise ProposalError(_("请选择代表答复的方式。"))
    _cosigner_of(proposal, representative).delete()
    via = f"（{CoSigner.Source(source).label}）" if source else ""
    _log(proposal, "cosign_removed", by, f"{representative}{via}：{reason.strip()}")
    return proposal


# --- review -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_accept(*, proposal: Proposal, by: User) -> Proposal:
    proposal = _lock(proposal)
    _require(proposal, Status.SUBMITTED, action=_("受理"))
    if proposal.cosigners.filter(confirmed_at__isnull=True, declined_at__isnull=True).exists():
        raise ProposalError(_("还有附议代表没有确认，暂不能受理。"))
    return _move(proposal, Status.ACCEPTED, action="accept", by=by)


@transaction.atomic
def proposal_return(*, proposal: Proposal, exclusion: str, reason: str, by: User) -> Proposal:
    proposal = _lock(proposal)
    _require(proposal, Status.SUBMITTED, Status.ACCEPTED, action=_("退回"))
    if exclusion not in Proposal.Exclusion.values:
        raise ProposalError(_("请选择退回情形。"))
    if not reason.strip():
        raise ProposalError(_("退回必须说明理由。"))
    _move(proposal, Status.RETURNED, action="return", by=by, note=reason, exclusion=exclusion, return_reason=reason)
    _notify(
        "proposal.returned",
        proposal,
        _users_of(signers(proposal)),
        _("您的建议已退回：%(title)s") % {"title": proposal.title},
    )
    return proposal


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, by: User) -> Proposal:
    proposal = _lock(proposal)
    _require(proposal, Status.SUBMITTED, Status.ACCEPTED, action=_("并案"))
    if into.pk == proposal.pk or into.session_id != proposal.session_id:
        raise ProposalError(_("只能并入同一次会议的另一件建议。"))
    if into.status in (Status.MERGED, Status.WITHDRAWN, Status.RETURNED, Status.DRAFT):
        raise ProposalError(_("不能并入状态为“%(status)s”的建议。") % {"status": into.get_status_display()})
    return _move(proposal, Status.MERGED, action="merge", by=by, note=str(into), merged_into=into)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, representative: Representative, by: User) -> Proposal:
    """A signer agrees to withdraw; the proposal is withdrawn once the lead and every confirmed
    co-signer have agreed."""
    proposal = _lock(proposal)
    _require(proposal, Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, action=_("撤回"))
    now = timezone.now()
    if representative.pk != proposal.lead_id:
        updated = proposal.cosigners.filter(representative=representative, confirmed_at__isnull=False).update(
            agreed_to_withdraw_at=now
        )
        if not updated:
            raise ProposalError(_("只有领衔代表和附议代表才能撤回建议。"))
        ProposalEvent.objects.create(
            proposal=proposal,
            action="withdraw_agree",
            from_status=proposal.status,
            to_status=proposal.status,
            by=by,
            note=str(representative),
        )
        return proposal
    waiting = proposal.cosigners.filter(confirmed_at__isnull=False, agreed_to_withdraw_at__isnull=True)
    if waiting.exists():
        names = "、".join(str(c.representative) for c in waiting.select_related("representative"))
        raise ProposalError(_("联名建议撤回须全体附议代表同意，尚未同意：%(names)s。") % {"names": names})
    return _move(proposal, Status.WITHDRAWN, action="withdraw", by=by)


# --- assignment -------------------------------------------------------------------------------


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
    proposal = _lock(proposal)
    _require(proposal, Status.ACCEPTED, action=_("交办"))
    _check_units(units)
    now = timezone.now()
    today = timezone.localdate(now)
    due = reply_due_on(today, complex_=is_complex, region=proposal.township)
    assignments = [
        Assignment.objects.create(
            proposal=proposal,
            unit=unit,
            role=role,
            batch=batch,
            assigned_at=now,
            due_on=due,
            opinion_due_on=today + timedelta(days=config("ASSIST_OPINION_DAYS")) if role == Role.ASSIST else None,
        )
        for unit, role in units
    ]
    _move(
        proposal,
        Status.ASSIGNED,
        action="assign",
        by=by,
        assigned_at=now,
        is_complex=is_complex,
        note="、".join(f"{u}（{Assignment.Role(r).label}）" for u, r in units),
    )
    _notify(
        "proposal.assigned",
        proposal,
        _unit_users(u for u, _r in units),
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
    limit = config("RETURN_MISASSIGNED_WORKDAYS")
    if workdays_between(timezone.localdate(assignment.assigned_at), _today()) > limit:
        raise ProposalError(_("交办已超过%(n)s个工作日，不能申请退回。") % {"n": limit})
    if not reason.strip():
        raise ProposalError(_("请说明申请退回的理由。"))
    if assignment.return_requests.filter(decision=Decision.PENDING).exists():
        raise ProposalError(_("已有待决定的退回申请。"))
    request = ReturnRequest.objects.create(assignment=assignment, reason=reason, requested_by=by)
    _log(assignment.proposal, "return_request", by, f"{assignment.unit}：{reason}")
    _notify(
        "proposal.return_request",
        request,
        _committee_users(assignment.proposal),
        _("%(unit)s申请退回建议：%(title)s") % {"unit": assignment.unit, "title": assignment.proposal.title},
    )
    return request


def _log(proposal: Proposal, action: str, by: User, note: str = "") -> None:
    ProposalEvent.objects.create(
        proposal=proposal, action=action, from_status=proposal.status, to_status=proposal.status, by=by, note=note
    )


@transaction.atomic
def return_request_decide(*, request: ReturnRequest, approve: bool, by: User, note: str = "") -> ReturnRequest:
    request = ReturnRequest.objects.select_for_update().select_related("assignment__proposal").get(pk=request.pk)
    if request.decision != Decision.PENDING:
        raise ProposalError(_("这项申请已经决定过了。"))
    request.decision = Decision.APPROVED if approve else Decision.REJECTED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note
    request.save()
    assignment = request.assignment
    proposal = _lock(assignment.proposal)
    if approve:
        assignment.state = Assignment.State.RETURNED
        assignment.save()
        if not proposal.assignments.filter(state=Assignment.State.ACTIVE, role__in=[Role.LEAD, Role.SEPARATE]):
            # Nobody answers any more: back to staff to assign again.
            proposal.assignments.filter(state=Assignment.State.ACTIVE).update(state=Assignment.State.RETURNED)
            _move(proposal, Status.ACCEPTED, action="reassign_needed", by=by, note=str(assignment.unit))
            return request
    _log(proposal, "return_decided", by, f"{assignment.unit}：{request.get_decision_display()} {note}".strip())
    if approve and not _waiting_for_replies(proposal):
        # The other 分办 units have all answered: the proposal is answered now, not 办理中.
        _answered(proposal, by, note=str(assignment.unit))
    return request


# --- handling ---------------------------------------------------------------------------------

HANDLING = (Status.ASSIGNED, Status.REHANDLING, Status.FOLLOW_UP)


def _handling(assignment: Assignment) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("proposal", "unit").get(pk=assignment.pk)
    if assignment.state != Assignment.State.ACTIVE:
        raise ProposalError(_("此件已退回调整，不再由本单位办理。"))
    _require(assignment.proposal, *HANDLING, action=_("办理"))
    return assignment


@transaction.atomic
def handling_plan_save(*, assignment: Assignment, plan: str, by: User) -> Assignment:
    assignment = _handling(assignment)
    if not plan.strip():
        raise ProposalError(_("办理方案不能为空。"))
    assignment.handling_plan = plan
    assignment.save()
    _log(assignment.proposal, "plan", by, str(assignment.unit))
    return assignment


@transaction.atomic
def contact_record_add(*, assignment: Assignment, kind: str, contacted_on: date, summary: str, by: User):
    assignment = _handling(assignment)
    record = ContactRecord(assignment=assignment, kind=kind, contacted_on=contacted_on, summary=summary, recorded_by=by)
    record.full_clean()
    if contacted_on > _today():
        raise ProposalError(_("沟通日期不能晚于今天。"))
    record.save()
    _log(assignment.proposal, "contact", by, f"{assignment.unit}：{record.get_kind_display()}")
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
    _notify(
        "proposal.assist_opinion",
        opinion,
        _unit_users(lead_units),
        _("%(unit)s已发送协办意见：%(title)s") % {"unit": assignment.unit, "title": assignment.proposal.title},
    )
    _log(assignment.proposal, "assist_opinion", by, str(assignment.unit))
    return opinion


@transaction.atomic
def extension_request(*, assignment: Assignment, days: int, reason: str, by: User) -> Extension:
    assignment = _handling(assignment)
    if not 0 < days <= config("EXTENSION_MAX_DAYS"):
        raise ProposalError(_("延期天数必须在1到%(n)s天之间。") % {"n": config("EXTENSION_MAX_DAYS")})
    if not reason.strip():
        raise ProposalError(_("请说明延期理由。"))
    if assignment.extensions.filter(decision=Decision.PENDING).exists():
        raise ProposalError(_("已有待审批的延期申请。"))
    extension = Extension.objects.create(assignment=assignment, days=days, reason=reason, requested_by=by)
    _log(assignment.proposal, "extension_request", by, f"{assignment.unit}：{days}")
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
        _notify(
            "proposal.extended",
            extension,
            _users_of(signers(assignment.proposal)),
            _("建议答复期限已延长：%(title)s") % {"title": assignment.proposal.title},
        )
    _log(extension.assignment.proposal, "extension_decided", by, extension.get_decision_display())
    return extension


# --- reply, feedback, follow-up ---------------------------------------------------------------


@transaction.atomic
def reply_submit(*, assignment: Assignment, outcome: str, text: str, by: User, letter=None) -> Reply:
    assignment = _handling(assignment)
    proposal = _lock(assignment.proposal)
    _require(proposal, Status.ASSIGNED, Status.REHANDLING, Status.FOLLOW_UP, action=_("答复"))
    if not assignment.answers:
        raise ProposalError(_("协办单位不直接答复代表，请向主办单位提出协办意见。"))
    if outcome not in Outcome.values:
        raise ProposalError(_("请选择办理结果分类。"))
    if not text.strip():
        raise ProposalError(_("答复内容不能为空。"))
    if config("REQUIRE_CONTACT_BEFORE_REPLY") and not assignment.contacts.exists():
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
        _log(proposal, "reply", by, str(assignment.unit))
        return
    _answered(proposal, by, note=str(assignment.unit))


def _answered(proposal: Proposal, by: User, *, note: str) -> None:
    _move(proposal, Status.REPLIED, action="reply", by=by, note=note)
    due = add_workdays(_today(), config("FEEDBACK_WORKDAYS"))
    _notify(
        "proposal.replied",
        proposal,
        _users_of(signers(proposal)),
        _("您的建议已答复，请评价：%(title)s") % {"title": proposal.title},
        due_on=due,
    )


@transaction.atomic
def feedback_submit(
    *, proposal: Proposal, representative: Representative, attitude: str, result: str, reasons: str, by: User
) -> Feedback:
    proposal = _lock(proposal)
    _require(proposal, Status.REPLIED, action=_("评价"))
    if representative.pk != proposal.lead_id:
        raise ProposalError(_("由领衔代表填写评价。"))
    if attitude not in Rating.values or result not in Rating.values:
        raise ProposalError(_("请选择对办理态度和办理结果的评价。"))
    dissatisfied = Rating.DISSATISFIED in (attitude, result)
    if dissatisfied and not reasons.strip():
        raise ProposalError(_("不满意时请说明具体意见和理由。"))
    feedback = Feedback.objects.create(
        proposal=proposal,
        round=proposal.round,
        representative=representative,
        attitude=attitude,
        result=result,
        reasons=reasons,
    )
    if dissatisfied:
        _rehandle(proposal, by, reasons)
    elif _open_outcomes(proposal):
        _move(proposal, Status.FOLLOW_UP, action="follow_up", by=by)
    else:
        _move(proposal, Status.CLOSED, action="close", by=by, closed_at=timezone.now())
    return feedback


def _open_outcomes(proposal: Proposal) -> bool:
    """B and C answers promise later work: they stay in follow-up until resolved."""
    return Reply.objects.filter(
        assignment__proposal=proposal, round=proposal.round, outcome__in=[Outcome.B, Outcome.C]
    ).exists()


def _rehandle(proposal: Proposal, by: User, reasons: str) -> None:
    due = _today() + timedelta(days=config("REHANDLE_DAYS"))
    units = []
    for assignment in proposal.assignments.filter(state=Assignment.State.ACTIVE, role__in=[Role.LEAD, Role.SEPARATE]):
        assignment.due_on = due
        assignment.replied_at = None  # a new round is unanswered until the unit replies again
        assignment.save()
        units.append(assignment.unit)
    _move(proposal, Status.REHANDLING, action="rehandle", by=by, note=reasons, round=proposal.round + 1)
    _notify(
        "proposal.rehandle",
        proposal,
        _unit_users(units),
        _("代表对答复不满意，请重新办理：%(title)s") % {"title": proposal.title},
        due_on=due,
    )


@transaction.atomic
def follow_up_close(*, proposal: Proposal, by: User, note: str, carried_over: bool = False) -> Proposal:
    """Close a B/C proposal once its promise is kept, or carry it over to next year's work."""
    proposal = _lock(proposal)
    _require(proposal, Status.FOLLOW_UP, action=_("跟踪办结"))
    if not note.strip():
        raise ProposalError(_("请说明落实情况。"))
    return _move(
        proposal,
        Status.CLOSED,
        action="carry_over" if carried_over else "close",
        by=by,
        note=note,
        closed_at=timezone.now(),
        carried_over=carried_over,
    )


# --- supervision --------------------------------------------------------------------------------


@transaction.atomic
def supervision_record(
    *, proposal: Proposal, method: str, supervised_on: date, supervisor: str, notes: str, by: User
) -> Supervision:
    proposal = _lock(proposal)
    _require(proposal, *HANDLING, Status.REPLIED, action=_("督办"))
    supervision = Supervision(
        proposal=proposal,
        method=method,
        supervised_on=supervised_on,
        supervisor=supervisor,
        notes=notes,
        recorded_by=by,
    )
    supervision.full_clean()
    supervision.save()
    _log(proposal, "supervise", by, supervision.get_method_display())
    return supervision


@transaction.atomic
def proposal_mark_key(*, proposal: Proposal, leader: str, by: User) -> Proposal:
    proposal = _lock(proposal)
    _require(proposal, Status.ACCEPTED, *HANDLING, Status.REPLIED, action=_("列为重点督办"))
    if not leader.strip():
        raise ProposalError(_("重点督办建议须明确督办领导。"))
    proposal.is_key, proposal.supervising_leader = True, leader
    proposal.save()
    _log(proposal, "mark_key", by, leader)
    return proposal


def _notice_item_line(n: int, item) -> str:
    name = _("第%(number)s号《%(title)s》") if item.number else _("《%(title)s》")
    facts = []
    if not item.answered:
        facts.append(
            _("答复期限%(due)s，逾期未答复，已逾期%(days)s天")
            % {"due": item.due_on.isoformat(), "days": item.days_overdue}
        )
    elif item.days_overdue:
        facts.append(_("逾期%(days)s天答复") % {"days": item.days_overdue})
    if item.answered and not item.contacted:
        facts.append(_("答复前未与代表沟通"))
    return f"    {n}. {name % {'number': item.number, 'title': item.title}}：{'，'.join(facts)}。"


def _notice_unit_lines(n: int, row) -> list[str]:
    items = row.items
    counts = {
        "unit": row.unit.name,
        "overdue": sum(1 for i in items if not i.answered),
        "late": sum(1 for i in items if i.answered and i.days_overdue),
        "no_contact": sum(1 for i in items if i.answered and not i.contacted),
    }
    head = _("%(unit)s：逾期未答复%(overdue)s件，逾期答复%(late)s件，未与代表沟通即答复%(no_contact)s件。") % counts
    return [f"{chinese_number(n)}、{head}", *(_notice_item_line(k, item) for k, item in enumerate(items, 1))]


def notice_body(*, session: CongressSession, rows) -> str:
    """The notice's text: each unit named with its items (number, title) and days overdue."""
    if not rows:
        return _("%(session)s的代表建议，所有承办单位均按期答复，并在答复前与代表进行了沟通。") % {"session": session}
    lines = [_("现将%(session)s代表建议办理中逾期答复或敷衍答复的情况通报如下：") % {"session": session}, ""]
    for n, row in enumerate(rows, 1):
        lines += _notice_unit_lines(n, row)
    lines += ["", _("请以上单位高度重视，认真整改，尽快与代表当面沟通，并在规定期限内书面答复代表。")]
    return "\n".join(lines)


@transaction.atomic
def notice_draft(*, session: CongressSession, by: User) -> Notice:
    """Draft a notice naming the units with overdue, late or perfunctory (uncontacted) answers."""
    from apps.proposals.selectors import notice_items

    rows = notice_items(session=session, today=_today())
    notice = Notice.objects.create(
        session=session,
        title=_("关于%(session)s代表建议办理情况的通报") % {"session": session},
        body=notice_body(session=session, rows=rows),
        created_by=by,
    )
    notice.units.set([row.unit for row in rows])
    return notice


def _notice_channels(users: list[User]) -> list[tuple[str, list[User]]]:
    """In-app for everyone; email and SMS where the deployment sends them and the user has an address."""
    configured = settings.RENDA_NOTIFICATIONS["CHANNELS"]
    channels = [("inbox", users)]
    if "email" in configured:
        channels.append(("email", [u for u in users if u.email]))
    if "sms" in configured:
        channels.append(("sms", [u for u in users if u.phone]))
    return channels


@transaction.atomic
def notice_publish(*, notice: Notice, by: User) -> Notice:
    """Publish the notice and tell every unit it names, with a link to the notice."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at:
        raise ProposalError(_("通报已经发布。"))
    if not notice.body.strip():
        raise ProposalError(_("通报正文不能为空。"))
    notice.published_at, notice.published_by = timezone.now(), by
    notice.save()
    users = _unit_users(notice.units.all())
    for channel, recipients in _notice_channels(users):
        notification_queue(
            rule="proposal.notice",
            target=notice,
            recipients=recipients,
            due_on=_today(),
            subject=_("通报：%(title)s") % {"title": notice.title},
            body=_("人大常委会发布了通报，涉及贵单位，请登录查看并整改。"),
            channels=[channel],
        )
    return notice
