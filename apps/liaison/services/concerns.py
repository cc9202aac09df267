"""Citizens' concerns through their states.

Every transition is one function in one transaction with a status-history row; ConcernError
carries a message for the person who tried.
"""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.county_settings import county_setting
from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.uploads import reencoded_image
from apps.core.workdays import add_workdays
from apps.liaison.codes import new_tracking_code
from apps.liaison.models import Concern, ConcernEvent, ConcernPhoto, ConcernReturnRequest, Revisit
from apps.liaison.selectors import concern_handler_users, concern_township_staff, office_for_region
from apps.liaison.services.errors import ConcernError
from apps.notifications.services import notification_queue
from apps.proposals import services as proposal_services
from apps.proposals.models import Proposal
from apps.representatives.models import Representative

Status = Concern.Status


def _log(concern: Concern, action: str, by: User | None, *, to: str | None = None, note: str = "") -> None:
    ConcernEvent.objects.create(
        concern=concern, action=action, from_status=concern.status, to_status=to or concern.status, by=by, note=note
    )


def _notify(
    rule: str, concern: Concern, recipients: Iterable[User], subject: str, *, due_on: date | None = None
) -> None:
    notification_queue(
        rule=rule,
        target=concern,
        recipients=recipients,
        due_on=due_on or timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


@transaction.atomic
def concern_submit(
    *,
    region: Region,
    category: str,
    description: str,
    is_urgent: bool = False,
    addressed_to: Representative | None = None,
    name: str = "",
    phone: str = "",
    photos: Iterable = (),
    submission_key: str | None = None,
    channel: str = Concern.Channel.ONLINE,
    by: User | None = None,
) -> tuple[Concern, bool]:
    """Save a citizen's concern first, then tell the staff. Posting the same form twice
    (same submission key) returns the first concern. Returns (concern, created)."""
    if submission_key:
        existing = Concern.objects.filter(submission_key=submission_key).first()
        if existing:
            return existing, False
    concern = Concern(
        region=region,
        office=office_for_region(region),
        addressed_to=addressed_to,
        category=category,
        description=description,
        is_urgent=is_urgent,
        name=name,
        phone=phone,
        consented_at=timezone.now(),
        submission_key=submission_key,
        channel=channel,
        tracking_code=new_tracking_code(),
        accept_due_on=add_workdays(timezone.localdate(), county_setting(region, "CONCERN_ACCEPT_WORKDAYS")),
    )
    concern.full_clean(exclude=["tracking_code", "submission_key", "consented_at", "accept_due_on"])
    try:
        with transaction.atomic():
            concern.save()
    except IntegrityError:
        if submission_key and (existing := Concern.objects.filter(submission_key=submission_key).first()):
            return existing, False  # a double click that raced the first one
        raise
    for photo in photos:
        # Only the pixels are kept: no EXIF (where it was taken), nothing appended to the image.
        ConcernPhoto.objects.create(concern=concern, image=reencoded_image(photo))
    ConcernEvent.objects.create(concern=concern, action="submit", to_status=Status.SUBMITTED, by=by)
    recipients = concern_township_staff(concern)
    if addressed_to is not None and addressed_to.user is not None:
        recipients.append(addressed_to.user)
    _notify("concern.submitted", concern, recipients, _("新的群众意见：%(code)s") % {"code": concern.display_code})
    return concern, True


def _lock(concern: Concern) -> Concern:
    return Concern.objects.select_for_update().get(pk=concern.pk)


def _require_status(concern: Concern, *allowed: str, action: str) -> None:
    if concern.status not in allowed:
        raise ConcernError(
            _("群众意见当前状态为“%(status)s”，不能%(action)s。")
            % {"status": concern.get_status_display(), "action": action}
        )


def _move(concern: Concern, to: str, *, action: str, by: User | None, note: str = "", **fields) -> Concern:
    _log(concern, action, by, to=to, note=note)
    concern.status = to
    for name, value in fields.items():
        setattr(concern, name, value)
    concern.save()
    return concern


@transaction.atomic
def concern_accept(*, concern: Concern, by: User) -> Concern:
    concern = _lock(concern)
    _require_status(concern, Status.SUBMITTED, action=_("受理"))
    due = add_workdays(timezone.localdate(), county_setting(concern.region, "CONCERN_RESOLVE_WORKDAYS"))
    return _move(concern, Status.ACCEPTED, action="accept", by=by, accepted_at=timezone.now(), resolve_due_on=due)


@transaction.atomic
def concern_deadline_recount(*, concern_id: int, field: str, due: date, by: User) -> Concern:
    """A deadline counted again after the holiday calendar changed (apps/core/deadlines.py):
    staff confirmed it; the change goes to the concern's record and its history."""
    if field not in ("accept_due_on", "resolve_due_on"):
        raise ConcernError(_("无法重新计算该期限。"))
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    old = getattr(concern, field)
    label = getattr(Concern._meta.get_field(field), "verbose_name", field)
    _log(
        concern,
        "recount_due",
        by,
        note=_("节假日安排变更，%(field)s由 %(old)s 改为 %(new)s") % {"field": label, "old": old, "new": due},
    )
    setattr(concern, field, due)
    concern._change_reason = _("节假日安排变更后重新计算期限")
    concern.save(update_fields=[field])
    return concern


@transaction.atomic
def concern_refer_out(*, concern: Concern, reason: str, note: str, by: User) -> Concern:
    """Litigation, arbitration and petitions go to their own channels; the citizen sees why."""
    concern = _lock(concern)
    _require_status(concern, Status.SUBMITTED, Status.ACCEPTED, action=_("引导至其他渠道"))
    if reason not in Concern.ReferralReason.values:
        raise ConcernError(_("请选择引导理由。"))
    if not note.strip():
        raise ConcernError(_("请写明给群众的说明。"))
    return _move(
        concern,
        Status.REFERRED_OUT,
        action="refer_out",
        by=by,
        note=note,
        referral_reason=reason,
        referral_note=note,
        closed_at=timezone.now(),
    )


def resolve_due_default(start: date | None = None) -> date:
    """The handling deadline a routed concern gets unless staff set another: working days, from settings."""
    return add_workdays(start or timezone.localdate(), config("LIAISON", "RESOLVE_WORKDAYS"))


def _check_due(due_on: date) -> None:
    if due_on < timezone.localdate():
        raise ConcernError(_("办理期限不能早于今天。"))


@transaction.atomic
def concern_route(
    *,
    concern: Concern,
    route: str,
    by: User,
    unit: HandlingUnit | None = None,
    representative: Representative | None = None,
    due_on: date | None = None,
    instructions: str = "",
) -> Concern:
    """Send the concern to whoever handles it, with a deadline (by default the settings' working
    days from today) and the office's instructions, both shown to the handler."""
    concern = _lock(concern)
    _require_status(concern, Status.ACCEPTED, Status.ROUTED, action=_("转办"))
    if route == Concern.Route.UNIT and unit is None:
        raise ConcernError(_("请选择承办单位。"))
    if route == Concern.Route.REPRESENTATIVE and representative is None:
        raise ConcernError(_("请选择办理代表。"))
    if route not in Concern.Route.values:
        raise ConcernError(_("请选择转办对象。"))
    due = due_on or resolve_due_default()
    _check_due(due)
    unit = unit if route == Concern.Route.UNIT else None
    representative = representative if route == Concern.Route.REPRESENTATIVE else None
    # A unit that asked to hand the concern back no longer has it once it goes elsewhere.
    concern.return_requests.filter(decision=ConcernReturnRequest.Decision.PENDING).exclude(unit=unit).update(
        decision=ConcernReturnRequest.Decision.APPROVED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_note=_("已改派"),
    )
    handler = str(unit or representative or Concern.Route(route).label)
    _move(
        concern,
        Status.ROUTED,
        action="route",
        by=by,
        route=route,
        unit=unit,
        representative=representative,
        resolve_due_on=due,
        instructions=instructions.strip(),
        note=handler,
    )
    _notify(
        "concern.routed",
        concern,
        concern_handler_users(concern),
        _("转来的群众意见：%(code)s") % {"code": concern.display_code},
        due_on=due,
    )
    return concern


@transaction.atomic
def concern_deadline_change(*, concern: Concern, due_on: date, reason: str, by: User) -> Concern:
    """Staff move the handling deadline; the old and new dates and the reason stay in the history."""
    concern = _lock(concern)
    _require_status(concern, Status.ACCEPTED, Status.ROUTED, action=_("调整办理期限"))
    if not reason.strip():
        raise ConcernError(_("请说明调整办理期限的原因。"))
    _check_due(due_on)
    if due_on == concern.resolve_due_on:
        raise ConcernError(_("新的办理期限与原期限相同。"))
    old = concern.resolve_due_on.isoformat() if concern.resolve_due_on else "—"
    _log(concern, "deadline_change", by, note=f"{old} → {due_on.isoformat()}：{reason.strip()}")
    concern.resolve_due_on = due_on
    concern.save()
    _notify(
        "concern.deadline_changed",
        concern,
        concern_handler_users(concern),
        _("群众意见%(code)s的办理期限调整为%(due)s") % {"code": concern.display_code, "due": due_on.isoformat()},
        due_on=due_on,
    )
    return concern


@transaction.atomic
def concern_return_request(*, concern: Concern, reason: str, by: User) -> ConcernReturnRequest:
    """A unit asks to send back a concern routed to it by mistake; staff decide."""
    concern = _lock(concern)
    _require_status(concern, Status.ROUTED, action=_("申请退回"))
    if by.role != User.Role.UNIT or not by.handling_unit_id or concern.unit_id != by.handling_unit_id:
        raise ConcernError(_("这条群众意见不是转给本单位办理的。"))
    if not reason.strip():
        raise ConcernError(_("请说明申请退回的理由。"))
    if concern.return_requests.filter(decision=ConcernReturnRequest.Decision.PENDING).exists():
        raise ConcernError(_("已有待决定的退回申请。"))
    request = ConcernReturnRequest.objects.create(
        concern=concern, unit_id=concern.unit_id, reason=reason.strip(), requested_by=by
    )
    _log(concern, "return_request", by, note=f"{concern.unit}：{reason.strip()}")
    notification_queue(
        rule="concern.return_request",
        target=request,
        recipients=concern_township_staff(concern),
        due_on=timezone.localdate(),
        subject=_("%(unit)s申请退回群众意见%(code)s") % {"unit": concern.unit, "code": concern.display_code},
        channels=["inbox"],
    )
    return request


@transaction.atomic
def concern_return_decide(
    *, request: ConcernReturnRequest, approve: bool, by: User, note: str = ""
) -> ConcernReturnRequest:
    """Approved: the concern goes back to the office to be routed again. Refused: the unit keeps it."""
    request = ConcernReturnRequest.objects.select_for_update().select_related("unit").get(pk=request.pk)
    if request.decision != ConcernReturnRequest.Decision.PENDING:
        raise ConcernError(_("这项申请已经决定过了。"))
    Decision = ConcernReturnRequest.Decision
    request.decision = Decision.APPROVED if approve else Decision.REJECTED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note.strip()
    request.save()
    concern = _lock(request.concern)
    text = f"{request.unit}：{request.get_decision_display()} {note.strip()}".strip()
    if approve and concern.status == Status.ROUTED and concern.unit_id == request.unit_id:
        _move(concern, Status.ACCEPTED, action="return_approved", by=by, note=text, route="", unit=None)
    else:
        _log(concern, "return_decided", by, note=text)
    notification_queue(
        rule="concern.return_decided",
        target=request,
        recipients=User.objects.filter(handling_unit=request.unit_id, role=User.Role.UNIT, is_active=True),
        due_on=timezone.localdate(),
        subject=_("群众意见%(code)s的退回申请：%(decision)s")
        % {"code": concern.display_code, "decision": request.get_decision_display()},
        channels=["inbox"],
    )
    return request


@transaction.atomic
def concern_resolve(*, concern: Concern, answer: str, public_answer: str, by: User) -> Concern:
    concern = _lock(concern)
    _require_status(concern, Status.ACCEPTED, Status.ROUTED, action=_("办结答复"))
    if not answer.strip() or not public_answer.strip():
        raise ConcernError(_("请填写办理情况和给群众的公开答复。"))
    return _move(
        concern,
        Status.RESOLVED,
        action="resolve",
        by=by,
        answer=answer,
        public_answer=public_answer,
        resolved_at=timezone.now(),
    )


@transaction.atomic
def concern_answer_on_spot(*, concern: Concern, answer: str, by: User) -> Concern:
    """Answered at the reception itself (当场答复): accepted and resolved in one step."""
    concern = _lock(concern)
    _require_status(concern, Status.SUBMITTED, action=_("当场答复"))
    if not answer.strip():
        raise ConcernError(_("请填写答复内容。"))
    now = timezone.now()
    return _move(
        concern,
        Status.RESOLVED,
        action="answer_on_spot",
        by=by,
        answer=answer,
        public_answer=answer,
        answered_on_spot=True,
        accepted_at=now,
        resolved_at=now,
    )


@transaction.atomic
def concern_rate(*, concern: Concern, rating: str) -> Concern:
    concern = _lock(concern)
    _require_status(concern, Status.RESOLVED, Status.CLOSED, action=_("评价"))
    if concern.rating:
        raise ConcernError(_("您已经评价过了，谢谢。"))
    if rating not in Concern.Rating.values:
        raise ConcernError(_("请选择满意、基本满意或不满意。"))
    concern.rating, concern.rated_at = rating, timezone.now()
    concern.save()
    _log(concern, "rate", None, note=concern.get_rating_display())
    return concern


@transaction.atomic
def concern_revisit(*, concern: Concern, revisited_on: date, notes: str, by: User) -> Revisit:
    concern = _lock(concern)
    _require_status(concern, Status.RESOLVED, action=_("回访"))
    if not notes.strip():
        raise ConcernError(_("请填写回访情况。"))
    if revisited_on > timezone.localdate():
        raise ConcernError(_("回访日期不能晚于今天。"))
    revisit = Revisit.objects.create(concern=concern, revisited_on=revisited_on, notes=notes, recorded_by=by)
    _log(concern, "revisit", by, note=notes)
    return revisit


@transaction.atomic
def concern_close(*, concern: Concern, by: User) -> Concern:
    concern = _lock(concern)
    _require_status(concern, Status.RESOLVED, action=_("办结"))
    return _move(concern, Status.CLOSED, action="close", by=by, closed_at=timezone.now())


@transaction.atomic
def concern_to_proposal(
    *, concern: Concern, representative: Representative, session: CongressSession, by: User
) -> Proposal:
    """Turn a concern into a draft proposal of a representative; the two are linked both ways."""
    concern = _lock(concern)
    _require_status(concern, Status.ACCEPTED, Status.ROUTED, action=_("转为代表建议"))
    if concern.proposal_id:
        raise ConcernError(_("这条群众意见已经转为代表建议。"))
    proposal = proposal_services.proposal_create(
        lead=representative,
        session=session,
        by=by,
        category="other",
        formation="liaison",
        title=_("关于%(category)s问题的建议（群众意见%(code)s）")
        % {"category": concern.get_category_display(), "code": concern.display_code},
        content=concern.description,
    )
    concern.proposal = proposal
    concern.save()
    _log(concern, "to_proposal", by, note=str(proposal.pk))
    return proposal
