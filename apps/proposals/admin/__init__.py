"""The committee's back office for proposals, by entity. Every change of state goes through
apps.proposals.services; the admin only gathers input, shows what the services refuse, and lists
what they wrote. Importing the modules registers their pages."""

from apps.proposals.admin.assignment import AssignmentAdmin, ExtensionAdmin, ReturnRequestAdmin
from apps.proposals.admin.proposal import ProposalAdmin
from apps.proposals.admin.supervision import AssignmentBatchAdmin, NoticeAdmin, SupervisionAdmin

__all__ = [
    "AssignmentAdmin",
    "AssignmentBatchAdmin",
    "ExtensionAdmin",
    "NoticeAdmin",
    "ProposalAdmin",
    "ReturnRequestAdmin",
    "SupervisionAdmin",
]
