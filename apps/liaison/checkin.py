"""The 活动码 of an office's duty day: the representatives on duty there that day check in with
it, each into their own shift (DutyShift is one row per representative)."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext_lazy

from apps.core.checkin import EventKind, at, early, whole_day
from apps.liaison import services
from apps.liaison.models import LiaisonOffice, ReceptionDay

KEY = re.compile(r"(\d+)-(\d{8})")


@dataclass(frozen=True)
class DutyDay:
    office: LiaisonOffice
    date: date
    reception_day: ReceptionDay | None

    @property
    def key(self) -> str:
        return f"{self.office.pk}-{self.date:%Y%m%d}"


def duty_day_of(reception_day: ReceptionDay) -> DutyDay:
    return DutyDay(office=reception_day.office, date=reception_day.date, reception_day=reception_day)


def _find(key: str) -> DutyDay | None:
    match = KEY.fullmatch(key)
    if match is None:
        return None
    try:
        day = datetime.strptime(match[2], "%Y%m%d").date()
    except ValueError:
        return None
    office = LiaisonOffice.objects.select_related("region").filter(pk=int(match[1])).first()
    if office is None:
        return None
    return DutyDay(office=office, date=day, reception_day=ReceptionDay.objects.filter(office=office, date=day).first())


def _window(duty_day: DutyDay):
    reception = duty_day.reception_day
    if reception is None:
        return whole_day(duty_day.date)
    return early(at(reception.date, reception.starts_at)), at(reception.date, reception.ends_at)


def _check_in(*, event: DutyDay, representative, by) -> bool:
    return services.shift_check_in_by_code(office=event.office, day=event.date, representative=representative, by=by)


KIND = EventKind(
    name="shift",
    label=gettext_lazy("驻室值班"),
    find=_find,
    key=lambda duty_day: duty_day.key,
    window=_window,
    title=lambda duty_day: f"{duty_day.date:%Y-%m-%d} {duty_day.office.name}",
    concerns=lambda duty_day, rep: duty_day.office.region.path.startswith(rep.township.path),
    check_in=_check_in,
)
