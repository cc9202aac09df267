"""The representative's rating of the answers, re-handling, and closing what follow-up promised."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import User
from apps.proposals.models import (
    Assignment,
    Feedback,
    Outcome,
    Proposal,
    Rating,
    Reply,
    Status,
)
from apps.proposals.services._common import (
    ProposalError,
    Role,
    local_today,
    lock,
    move,
    notify,
    require_status,
    unit_users,
)
from apps.representatives.models import Representative


@transaction.atomic
def feedback_submit(
    *, proposal: Proposal, representative: Representative, attitude: str, result: str, reasons: str, by: User
) -> Feedback:
    proposal = lock(proposal)
    require_status(proposal, Status.REPLIED, action=_("评价"))
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
        move(proposal, Status.FOLLOW_UP, action="follow_up", by=by)
    else:
        move(proposal, Status.CLOSED, action="close", by=by, closed_at=timezone.now())
    return feedback


def _open_outcomes(proposal: Proposal) -> bool:
    """B and C answers promise later work: they stay in follow-up until resolved."""
    return Reply.objects.filter(
        assignment__proposal=proposal, round=proposal.round, outcome__in=[Outcome.B, Outcome.C]
    ).exists()


def _rehandle(proposal: Proposal, by: User, reasons: str) -> None:
    due = local_today() + timedelta(days=config("PROPOSALS", "REHANDLE_DAYS"))
    units = []
    for assignment in proposal.assignments.filter(state=Assignment.State.ACTIVE, role__in=[Role.LEAD, Role.SEPARATE]):
        assignment.due_on = due
        assignment.replied_at = None  # a new round is unanswered until the unit replies again
        assignment.save()
        units.append(assignment.unit)
    move(proposal, Status.REHANDLING, action="rehandle", by=by, note=reasons, round=proposal.round + 1)
    notify(
        "proposal.rehandle",
        proposal,
        unit_users(units),
        _("代表对答复不满意，请重新办理：%(title)s") % {"title": proposal.title},
        due_on=due,
    )


@transaction.atomic
def follow_up_close(*, proposal: Proposal, by: User, note: str, carried_over: bool = False) -> Proposal:
    """Close a B/C proposal once its promise is kept, or carry it over to next year's work."""
    proposal = lock(proposal)
    require_status(proposal, Status.FOLLOW_UP, action=_("跟踪办结"))
    if not note.strip():
        raise ProposalError(_("请说明落实情况。"))
    return move(
        proposal,
        Status.CLOSED,
        action="carry_over" if carried_over else "close",
        by=by,
        note=note,
        closed_at=timezone.now(),
        carried_over=carried_over,
    )
