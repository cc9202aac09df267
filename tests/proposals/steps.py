"""Steps of a proposal's life that many tests take on the way to what they check, through the
same services the portal and the admin call."""

from django.utils import timezone

from apps.proposals import services
from apps.proposals.models import Assignment, Proposal, Reply


def proposal_assigned(*, session, lead, units, by, lead_user=None, title="建议", **fields) -> Proposal:
    """A proposal of `lead` created and submitted (by `lead_user`, else `by`), accepted and assigned by
    `by` to `units`, (unit, role) pairs."""
    author = lead_user or by
    proposal = services.proposal_create(
        lead=lead, session=session, title=title, content="内容", category="other", by=author, **fields
    )
    services.proposal_submit(proposal=proposal, by=author)
    services.proposal_accept(proposal=proposal, by=by)
    services.proposal_assign(proposal=proposal, units=units, by=by)
    proposal.refresh_from_db()
    return proposal


def reply_after_contact(assignment: Assignment, by, *, outcome="A", kind="visit") -> Reply:
    """The unit talks with the representative first (a reply needs it), then replies."""
    services.contact_record_add(
        assignment=assignment, kind=kind, contacted_on=timezone.localdate(), summary="上门走访代表", by=by
    )
    return services.reply_submit(assignment=assignment, outcome=outcome, text="已拨付资金维修。", by=by)


def rate(proposal: Proposal, representative, by, *, result: str, reasons: str = "", attitude: str = "satisfied"):
    """The representative rates the units' reply: `result` of the handling, `attitude` of the unit."""
    return services.feedback_submit(
        proposal=proposal, representative=representative, attitude=attitude, result=result, reasons=reasons, by=by
    )
