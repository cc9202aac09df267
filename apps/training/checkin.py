"""The lecture's 活动码: representatives check in during the lecture, as staff would mark them."""

from datetime import timedelta

from django.utils.translation import gettext_lazy

from apps.core.checkin import EventKind, at, early, whole_day
from apps.core.config import config
from apps.training import services
from apps.training.models import Lecture


def _find(key: str) -> Lecture | None:
    if not key.isdecimal():
        return None
    return Lecture.objects.select_related("hall__region").filter(pk=int(key)).first()


def _window(lecture: Lecture):
    if lecture.starts_at is None:
        return whole_day(lecture.date)
    starts = at(lecture.date, lecture.starts_at)
    return early(starts), starts + timedelta(hours=config("CHECKIN", "LECTURE_HOURS"))


KIND = EventKind(
    name="lecture",
    label=gettext_lazy("授课"),
    find=_find,
    key=lambda lecture: str(lecture.pk),
    window=_window,
    title=lambda lecture: f"{lecture.date:%Y-%m-%d} {lecture.hall.name} {lecture.topic}",
    concerns=lambda lecture, rep: rep.township.path.startswith(lecture.hall.region.path),
    check_in=lambda *, event, representative, by: services.attendance_check_in(
        lecture=event, representative=representative, by=by
    ),
)
