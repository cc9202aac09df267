"""Who may read what of a proposal beyond the scoped lists: predicates the views ask."""

from django.http import Http404

from apps.core.models import User
from apps.proposals.models import Proposal, Reply
from apps.proposals.selectors import get_proposal_for_representative
from apps.representatives.selectors import representative_for_user


def may_read_letter(user: User, reply: Reply) -> bool:
    """The unit that wrote it, the representatives who signed the proposal, and back-office staff
    who may read replies within their region."""
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
    return user.has_perm("proposals.view_reply") and (
        Proposal.objects.visible_to(user).filter(pk=assignment.proposal_id).exists()
    )
