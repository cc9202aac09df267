"""Writes of the liaison app, by entity: concerns, reception records, reception days and duty
shifts, offices, and the public pages' abuse limits. Callers use `from apps.liaison import
services; services.concern_accept(...)`; the names below are the public ones."""

from apps.liaison.codes import CODE_ALPHABET, CODE_LENGTH, new_tracking_code, normalise_code
from apps.liaison.services.concerns import (
    concern_accept,
    concern_answer_on_spot,
    concern_close,
    concern_deadline_change,
    concern_deadline_recount,
    concern_rate,
    concern_refer_out,
    concern_resolve,
    concern_return_decide,
    concern_return_request,
    concern_revisit,
    concern_route,
    concern_submit,
    concern_to_proposal,
    resolve_due_default,
)
from apps.liaison.services.errors import ConcernError
from apps.liaison.services.offices import office_contact_code_issue
from apps.liaison.services.rate_limits import rate_limit_allows, rate_limit_purge
from apps.liaison.services.reception import (
    reception_day_cancel,
    reception_day_move,
    reception_days_generate,
    shift_assign,
    shift_check_in,
    shift_check_in_by_code,
    shift_check_out,
    shift_mark,
)
from apps.liaison.services.records import reception_record_add

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "ConcernError",
    "concern_accept",
    "concern_answer_on_spot",
    "concern_close",
    "concern_deadline_change",
    "concern_deadline_recount",
    "concern_rate",
    "concern_refer_out",
    "concern_resolve",
    "concern_return_decide",
    "concern_return_request",
    "concern_revisit",
    "concern_route",
    "concern_submit",
    "concern_to_proposal",
    "new_tracking_code",
    "normalise_code",
    "office_contact_code_issue",
    "rate_limit_allows",
    "rate_limit_purge",
    "reception_day_cancel",
    "reception_day_move",
    "reception_days_generate",
    "reception_record_add",
    "resolve_due_default",
    "shift_assign",
    "shift_check_in",
    "shift_check_in_by_code",
    "shift_check_out",
    "shift_mark",
]
