"""The liaison part of the duty record: duty shifts at an office, concerns the representative handled.

A shift counts when staff (or the representative's own check-in) marked it attended; a concern
counts when it was routed to the representative and resolved or closed in the year. Shifts
missed or excused, and concerns still being handled, are shown on the record but earn nothing.
"""

from collections import Counter

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.liaison.models import Concern, DutyShift
from apps.representatives.duty import DutyEntry, DutySource, count_each, newest_first

SHIFT_ATTENDED = "shift_attended"
CONCERN_HANDLED = "concern_handled"
DONE = [Concern.Status.RESOLVED, Concern.Status.CLOSED]


def _handled_in(year: int) -> Q:
    return Q(status__in=DONE, resolved_at__year=year)


def entries(representative, year: int) -> list[DutyEntry]:
    """Two queries: the year's shifts, and the concerns routed to the representative."""
    shifts = (
        DutyShift.objects.filter(representative=representative, date__year=year)
        .select_related("office")
        .order_by("-date", "-pk")
    )
    concerns = (
        Concern.objects.filter(representative=representative)
        .filter(_handled_in(year) | Q(status=Concern.Status.ROUTED, submitted_at__year=year))
        .order_by("-submitted_at", "-pk")
    )
    shifts_url, concerns_url = reverse("liaison:my_shifts"), reverse("liaison:my_concerns")
    found = [_shift_entry(s, shifts_url) for s in shifts] + [_concern_entry(c, concerns_url) for c in concerns]
    return newest_first(found)


def _shift_entry(shift: DutyShift, url: str) -> DutyEntry:
    return DutyEntry(
        kind=SHIFT_ATTENDED,
        on=shift.date,
        title=_("%(office)s驻室值班") % {"office": shift.office.name},
        counts=shift.attendance == DutyShift.Attendance.ATTENDED,
        status=shift.get_attendance_display(),
        url=url,
    )


def _concern_entry(concern: Concern, url: str) -> DutyEntry:
    done = concern.status in DONE
    when = concern.resolved_at if done and concern.resolved_at else concern.submitted_at
    return DutyEntry(
        kind=CONCERN_HANDLED,
        on=timezone.localdate(when),
        title=_("群众意见%(code)s（%(category)s）")
        % {"code": concern.display_code, "category": concern.get_category_display()},
        counts=done,
        status=concern.get_status_display(),
        url=url,
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """Two grouped queries for the whole queryset of representatives."""
    shifts = DutyShift.objects.filter(date__year=year, attendance=DutyShift.Attendance.ATTENDED)
    handled = Concern.objects.filter(_handled_in(year))
    return count_each(
        representatives, {SHIFT_ATTENDED: (shifts, "representative"), CONCERN_HANDLED: (handled, "representative")}
    )


SOURCE = DutySource(
    key="liaison",
    label=gettext_lazy("联系群众"),
    kinds={SHIFT_ATTENDED: gettext_lazy("驻室值班"), CONCERN_HANDLED: gettext_lazy("办理群众意见")},
    entries=entries,
    counts=counts,
    order=20,
)
