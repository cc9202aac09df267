"""The training part of the duty record (学习培训): lectures attended and lectures taught.

An attendance counts when the representative was present at a lecture that was held; absent or
excused rows are shown on the record but earn nothing. A lecture counts as taught when an
instructor linked to the representative (an outstanding representative sharing experience)
gave it and it was held.
"""

from collections import Counter

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.representatives.duty import DutyEntry, DutySource, count_each, newest_first
from apps.training.models import Attendance, Lecture

LECTURE_ATTENDED = "lecture_attended"
LECTURE_TAUGHT = "lecture_taught"


def entries(representative, year: int) -> list[DutyEntry]:
    """Two queries: the attendance of the year, and the lectures the representative gave."""
    url = reverse("training:my_lectures")
    attended = (
        Attendance.objects.filter(representative=representative, lecture__date__year=year)
        .exclude(lecture__status=Lecture.Status.CANCELLED)
        .select_related("lecture__hall")
        .order_by("-lecture__date", "-pk")
    )
    taught = (
        Lecture.objects.filter(instructor__representative=representative, date__year=year)
        .exclude(status=Lecture.Status.CANCELLED)
        .select_related("hall")
        .order_by("-date", "-pk")
    )
    found = [_attended_entry(row, url) for row in attended] + [_taught_entry(lecture, url) for lecture in taught]
    return newest_first(found)


def _attended_entry(row: Attendance, url: str) -> DutyEntry:
    lecture = row.lecture
    return DutyEntry(
        kind=LECTURE_ATTENDED,
        on=lecture.date,
        title=_("%(hall)s：%(topic)s") % {"hall": lecture.hall.name, "topic": lecture.topic},
        counts=row.status == Attendance.Status.PRESENT and lecture.status == Lecture.Status.HELD,
        status=row.get_status_display(),
        url=url,
    )


def _taught_entry(lecture: Lecture, url: str) -> DutyEntry:
    return DutyEntry(
        kind=LECTURE_TAUGHT,
        on=lecture.date,
        title=_("在%(hall)s主讲：%(topic)s") % {"hall": lecture.hall.name, "topic": lecture.topic},
        counts=lecture.status == Lecture.Status.HELD,
        status=lecture.get_status_display(),
        url=url,
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """Two grouped queries for the whole queryset of representatives."""
    attended = Attendance.objects.filter(
        status=Attendance.Status.PRESENT, lecture__status=Lecture.Status.HELD, lecture__date__year=year
    )
    taught = Lecture.objects.filter(status=Lecture.Status.HELD, date__year=year)
    return count_each(
        representatives,
        {LECTURE_ATTENDED: (attended, "representative"), LECTURE_TAUGHT: (taught, "instructor__representative")},
    )


SOURCE = DutySource(
    key="training",
    label=gettext_lazy("学习培训"),
    kinds={LECTURE_ATTENDED: gettext_lazy("参加培训讲堂"), LECTURE_TAUGHT: gettext_lazy("在培训讲堂授课")},
    entries=entries,
    counts=counts,
    order=10,
)
