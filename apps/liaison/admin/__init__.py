"""The back office of liaison offices and citizens' concerns.

Offices, their funding and reception schedules are reference data edited here directly (plain admin
pages). Reception days, duty shifts, reception records, concerns and return requests change only
through apps.liaison.services (apps.core.admin_mixins.ServiceAdminMixin): a reception record is
added through its service, the other pages are read-only, and the actions (or the buttons on a
page) gather input and call the services.
Citizens' names and phones are masked in every list; the change page shows them only to staff
with `liaison.view_concern_personal`, and each such view is logged.
"""

from apps.liaison.admin.concerns import ConcernAdmin, ConcernReturnRequestAdmin
from apps.liaison.admin.offices import FundingAdmin, LiaisonOfficeAdmin
from apps.liaison.admin.reception import DutyShiftAdmin, ReceptionDayAdmin, ReceptionRecordAdmin, ReceptionScheduleAdmin

__all__ = [
    "ConcernAdmin",
    "ConcernReturnRequestAdmin",
    "DutyShiftAdmin",
    "FundingAdmin",
    "LiaisonOfficeAdmin",
    "ReceptionDayAdmin",
    "ReceptionRecordAdmin",
    "ReceptionScheduleAdmin",
]
