"""Reception days (接待日) from the offices' schedules, and the representatives' duty shifts on them."""

import calendar
from collections.abc import Iterator
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import User
from apps.liaison.models import DutyShift, LiaisonOffice, ReceptionDay, ReceptionSchedule
from apps.liaison.selectors import township_of
from apps.liaison.services.errors import ConcernError
from apps.representatives.models import Representative


@transaction.atomic
def reception_days_generate(*, schedule: ReceptionSchedule, start: date, end: date) -> int:
    """Create the schedule's reception days between start and end; existing dates are kept
    as staff left them (moved or cancelled days are not brought back)."""
    wanted = []
    for year, month in _months(start, end):
        last = calendar.monthrange(year, month)[1]
        wanted += [date(year, month, d) for d in schedule.days if d <= last]
    rows = [
        ReceptionDay(office=schedule.office, date=d, starts_at=schedule.starts_at, ends_at=schedule.ends_at)
        for d in wanted
        if start <= d <= end
    ]
    existing = set(
        ReceptionDay.objects.filter(office=schedule.office, date__range=(start, end)).values_list("date", flat=True)
    )
    existing |= set(
        ReceptionDay.objects.filter(office=schedule.office, moved_from__range=(start, end)).values_list(
            "moved_from", flat=True
        )
    )
    new = [r for r in rows if r.date not in existing]
    ReceptionDay.objects.bulk_create(new)
    return len(new)


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@transaction.atomic
def reception_day_move(*, day: ReceptionDay, to: date, by: User, note: str = "") -> ReceptionDay:
    day = ReceptionDay.objects.select_for_update().get(pk=day.pk)
    if day.status == ReceptionDay.Status.CANCELLED:
        raise ConcernError(_("已取消的接待日不能调整。"))
    if ReceptionDay.objects.filter(office=day.office, date=to).exclude(pk=day.pk).exists():
        raise ConcernError(_("该日期已有接待日。"))
    day.moved_from = day.moved_from or day.date
    day.date, day.status, day.note = to, ReceptionDay.Status.MOVED, note
    day.save()
    day.shifts.update(date=to)
    return day


@transaction.atomic
def reception_day_cancel(*, day: ReceptionDay, by: User, note: str) -> ReceptionDay:
    day = ReceptionDay.objects.select_for_update().get(pk=day.pk)
    if not note.strip():
        raise ConcernError(_("取消接待日须说明原因。"))
    day.status, day.note = ReceptionDay.Status.CANCELLED, note
    day.save()
    day.shifts.filter(attendance=DutyShift.Attendance.PENDING).update(attendance=DutyShift.Attendance.EXCUSED)
    return day


@transaction.atomic
def shift_assign(*, day: ReceptionDay, representatives: list[Representative], by: User) -> list[DutyShift]:
    day = ReceptionDay.objects.select_for_update(of=("self",)).select_related("office__region").get(pk=day.pk)
    if day.status == ReceptionDay.Status.CANCELLED:
        raise ConcernError(_("已取消的接待日不能安排值班。"))
    township = township_of(day.office.region)
    strangers = [str(r) for r in representatives if r.status != "serving" or r.township_id != township.pk]
    if strangers:
        raise ConcernError(_("只能安排本乡镇的在任代表值班：%(names)s不符合。") % {"names": "、".join(strangers)})
    shifts = []
    for rep in representatives:
        shift, _created = DutyShift.objects.get_or_create(
            office=day.office, representative=rep, date=day.date, defaults={"reception_day": day}
        )
        shifts.append(shift)
    return shifts


@transaction.atomic
def shift_check_in(*, shift: DutyShift, by: User) -> DutyShift:
    shift = DutyShift.objects.select_for_update(of=("self",)).select_related("reception_day").get(pk=shift.pk)
    if shift.checked_in_at:
        raise ConcernError(_("已经签到。"))
    cancelled = shift.reception_day and shift.reception_day.status == ReceptionDay.Status.CANCELLED
    if shift.attendance == DutyShift.Attendance.EXCUSED or cancelled:
        raise ConcernError(_("这次值班已取消或已请假，不能签到。"))
    if shift.date != timezone.localdate() and by.role == User.Role.REPRESENTATIVE:
        raise ConcernError(_("只能在值班当天签到。"))
    shift.checked_in_at, shift.attendance, shift.checked_by = timezone.now(), DutyShift.Attendance.ATTENDED, by
    shift.save()
    return shift


@transaction.atomic
def shift_check_out(*, shift: DutyShift, by: User) -> DutyShift:
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    if not shift.checked_in_at:
        raise ConcernError(_("请先签到。"))
    if shift.checked_out_at:
        raise ConcernError(_("已经签退。"))
    shift.checked_out_at = timezone.now()
    shift.save()
    return shift


@transaction.atomic
def shift_mark(*, shift: DutyShift, attendance: str, by: User) -> DutyShift:
    """Staff record attendance afterwards: attended, absent or excused."""
    if attendance not in DutyShift.Attendance.values or attendance == DutyShift.Attendance.PENDING:
        raise ConcernError(_("请选择出勤情况。"))
    shift = DutyShift.objects.select_for_update().get(pk=shift.pk)
    shift.attendance, shift.checked_by = attendance, by
    shift.save()
    return shift


@transaction.atomic
def shift_check_in_by_code(*, office: LiaisonOffice, day: date, representative: Representative, by: User) -> bool:
    """A representative checks in with the 活动码 of an office's day: their own shift there that
    day, through shift_check_in as in the portal. False when they had already checked in."""
    shift = DutyShift.objects.filter(office=office, date=day, representative=representative).first()
    if shift is None:
        raise ConcernError(
            _("您%(date)s在%(office)s没有值班安排，不能签到；如临时顶班，请联系工作人员登记。")
            % {"date": day.strftime("%Y-%m-%d"), "office": office.name}
        )
    if shift.checked_in_at:
        return False
    shift_check_in(shift=shift, by=by)
    return True
