"""Every change of a proposal's state: one function, one transaction, one status-history row.

The admin and the portals call these and nothing else, so they cannot disagree on a rule.
Invalid transitions raise ProposalError with a message a person can read; nothing is written.
The functions live by entity in this package's modules; `services.proposal_submit(...)` keeps
working for every caller.
"""

from apps.proposals.services._common import ProposalError
from apps.proposals.services.assignments import (
    assign_on_site,
    assist_opinion_send,
    contact_record_add,
    extension_decide,
    extension_request,
    handling_plan_save,
    proposal_assign,
    reply_due_on,
    reply_submit,
    return_request_create,
    return_request_decide,
)
from apps.proposals.services.feedback import feedback_submit, follow_up_close
from apps.proposals.services.proposals import (
    cosign_respond,
    cosigner_record,
    cosigner_remove,
    proposal_accept,
    proposal_correct,
    proposal_create,
    proposal_merge,
    proposal_return,
    proposal_submit,
    proposal_update,
    proposal_withdraw,
)
from apps.proposals.services.supervision import (
    notice_body,
    notice_draft,
    notice_publish,
    notice_update,
    proposal_mark_key,
    supervision_record,
)

__all__ = [
    "ProposalError",
    "assign_on_site",
    "assist_opinion_send",
    "contact_record_add",
    "cosign_respond",
    "cosigner_record",
    "cosigner_remove",
    "extension_decide",
    "extension_request",
    "feedback_submit",
    "follow_up_close",
    "handling_plan_save",
    "notice_body",
    "notice_draft",
    "notice_publish",
    "notice_update",
    "proposal_accept",
    "proposal_assign",
    "proposal_correct",
    "proposal_create",
    "proposal_mark_key",
    "proposal_merge",
    "proposal_return",
    "proposal_submit",
    "proposal_update",
    "proposal_withdraw",
    "reply_due_on",
    "reply_submit",
    "return_request_create",
    "return_request_decide",
    "supervision_record",
]
