"""Writes of the groups app, by entity: groups and members, activities, campaigns and their
problems solved, inspections and their suggestions.

Every function is one transaction; GroupError carries a message for the person who tried, and a
refusal leaves nothing behind. What staff enter is confirmed at once; what representatives report
in the portal waits for staff to confirm it, and only then counts toward the duty record.
"""

from apps.groups.services.activities import (
    ACTIVITY_FIELDS,
    activity_check_in,
    activity_record,
    activity_report,
    activity_review,
    activity_update,
)
from apps.groups.services.campaigns import (
    CAMPAIGN_FIELDS,
    campaign_create,
    campaign_update,
    problem_record,
    problem_report,
    problem_review,
)
from apps.groups.services.common import GroupError
from apps.groups.services.groups import (
    GROUP_FIELDS,
    group_create,
    group_member_add,
    group_member_remove,
    group_update,
)
from apps.groups.services.inspections import (
    INSPECTION_FIELDS,
    inspection_create,
    inspection_set_participants,
    inspection_suggestion_add,
    inspection_suggestion_link_proposal,
    inspection_suggestion_update,
    inspection_update,
    report_file_errors,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "CAMPAIGN_FIELDS",
    "GROUP_FIELDS",
    "INSPECTION_FIELDS",
    "GroupError",
    "activity_check_in",
    "activity_record",
    "activity_report",
    "activity_review",
    "activity_update",
    "campaign_create",
    "campaign_update",
    "group_create",
    "group_member_add",
    "group_member_remove",
    "group_update",
    "inspection_create",
    "inspection_set_participants",
    "inspection_suggestion_add",
    "inspection_suggestion_link_proposal",
    "inspection_suggestion_update",
    "inspection_update",
    "problem_record",
    "problem_report",
    "problem_review",
    "report_file_errors",
]
