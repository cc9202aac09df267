"""Reminder rules of the liaison app, run by the notifications scan."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import Region, User
from apps.liaison.models import Concern, DutyShift, ReceptionDay
from apps.notifications.rules import Reminder, rule


@rule("liaison.reception_notice")
def reception_notice(today: date):
    """Representatives on duty hear of their reception day as soon as it is published."""
    horizon = today + timedelta(days=config("LIAISON", "RECEPTION_NOTICE_DAYS"))
    shifts = _shifts_to_serve(date__gte=today, date__lte=horizon)
    yield from _remind_on_duty(shifts, _("%(date)s请到%(office)s接待选民"))


@rule("liaison.shift_tomorrow")
def shift_tomorrow(today: date):
    """The day before: a second word to the representative on duty."""
    tomorrow = today + timedelta(days=1)
    yield from _remind_on_duty(_shifts_to_serve(date=tomorrow), _("明天（%(date)s）请到%(office)s驻室值班"))


def _shifts_to_serve(**on):
    """Shifts still to serve, on the days `on` selects, by a representative with an account; a
    cancelled reception day needs no one."""
    return (
        DutyShift.objects.filter(representative__user__isnull=False, attendance=DutyShift.Attendance.PENDING, **on)
        .exclude(reception_day__status=ReceptionDay.Status.CANCELLED)
        .select_related("office", "representative__user")
    )


def _remind_on_duty(shifts, subject: str):
    """One reminder to each shift's representative; `subject` names the shift's %(date)s and %(office)s."""
    for shift in shifts:
        yield Reminder(
            target=shift,
            recipients=[shift.representative.user],
            due_on=shift.date,
            subject=subject % {"date": shift.date, "office": shift.office},
        )


def _township_id(concern: Concern) -> int | None:
    return concern.region_id if concern.region.level == Region.Level.TOWNSHIP else concern.region.parent_id


def _recipients(concerns: list[Concern]):
    """Who hears of each concern: the staff of its township and whoever handles it (the unit's
    accounts or the representative). Two queries for any number of concerns."""
    staff = _staff_by_township(concerns)
    unit_staff = _unit_staff({c.unit_id for c in concerns if c.unit_id})

    def of(concern: Concern) -> list[User]:
        return [*staff.get(_township_id(concern), []), *_handlers(concern, unit_staff)]

    return of


def _staff_by_township(concerns) -> dict[int, list[User]]:
    townships = {_township_id(c) for c in concerns}
    staff: dict[int, list[User]] = {}
    users = (
        User.objects.filter(role__in=[User.Role.TOWNSHIP, User.Role.LIAISON], is_active=True, regions__in=townships)
        .prefetch_related("regions")
        .distinct()
    )
    for user in users:
        for region in user.regions.all():
            staff.setdefault(region.pk, []).append(user)
    return staff


def _handlers(concern: Concern, unit_staff: dict[int, list[User]]) -> list[User]:
    if concern.unit_id:
        return unit_staff.get(concern.unit_id, [])
    if concern.representative_id and concern.representative.user_id:
        return [concern.representative.user]
    return []


@rule("liaison.concern_due_soon")
def concern_due_soon(today: date):
    """Once, when a concern's resolution deadline is within the configured days."""
    horizon = today + timedelta(days=config("LIAISON", "DUE_SOON_DAYS"))
    soon = list(
        Concern.objects.filter(
            status__in=[Concern.Status.ACCEPTED, Concern.Status.ROUTED],
            resolve_due_on__gte=today,
            resolve_due_on__lte=horizon,
        ).select_related("region", "representative__user")
    )
    recipients = _recipients(soon)
    for concern in soon:
        yield Reminder(
            target=concern,
            recipients=recipients(concern),
            due_on=concern.resolve_due_on,
            subject=_("群众意见%(code)s将于%(due)s到期")
            % {"code": concern.display_code, "due": concern.resolve_due_on},
        )


def _unit_staff(unit_ids) -> dict[int, list[User]]:
    staff: dict[int, list[User]] = {}
    for user in User.objects.filter(role=User.Role.UNIT, is_active=True, handling_unit__in=unit_ids):
        staff.setdefault(user.handling_unit_id, []).append(user)
    return staff


@rule("liaison.concern_overdue")
def concern_overdue(today: date):
    """Daily, to the office staff and whoever handles it, for concerns past either deadline."""
    late = list(
        Concern.objects.filter(status=Concern.Status.SUBMITTED, accept_due_on__lt=today).select_related("region")
    ) + list(
        Concern.objects.filter(
            status__in=[Concern.Status.ACCEPTED, Concern.Status.ROUTED], resolve_due_on__lt=today
        ).select_related("region", "representative__user")
    )
    recipients = _recipients(late)
    for concern in late:
        yield Reminder(
            target=concern,
            recipients=recipients(concern),
            due_on=today,
            subject=_("群众意见%(code)s已逾期，请尽快办理") % {"code": concern.display_code},
        )
