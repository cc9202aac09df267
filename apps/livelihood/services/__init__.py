"""Every change of the livelihood app (DOMAIN.md §2): 征集 -> 初定 -> 票决 -> 监督 -> 评估, by entity:
`ideas`, `projects` (shortlist, edits, milestones, progress, supervision) and `ballots`.

Each write is one keyword-only function in one transaction; a refusal raises LivelihoodError
with a message a person can read, and nothing is written. Callers use `services.<name>`."""

from apps.livelihood.services.ballots import (
    ballot_close,
    ballot_create,
    ballot_open,
    ballot_vote,
    ballots_close_due,
    paper_batch_enter,
    selection_outcomes,
)
from apps.livelihood.services.common import LivelihoodError
from apps.livelihood.services.ideas import idea_decline, idea_merge, idea_submit
from apps.livelihood.services.projects import (
    milestone_add,
    milestone_report,
    project_shortlist,
    project_update,
    supervision_record,
)

__all__ = [
    "LivelihoodError",
    "ballot_close",
    "ballot_create",
    "ballot_open",
    "ballot_vote",
    "ballots_close_due",
    "idea_decline",
    "idea_merge",
    "idea_submit",
    "milestone_add",
    "milestone_report",
    "paper_batch_enter",
    "project_shortlist",
    "project_update",
    "selection_outcomes",
    "supervision_record",
]
