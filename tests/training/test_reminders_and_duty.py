"""The quarterly reminder to instructors behind their quota, and the duty-record source."""

import datetime

import pytest

from apps.notifications.models import Notification
from apps.notifications.rules import run_scans
from apps.representatives.duty import entries_for, points_for, points_for_many, sources
from apps.representatives.models import Representative
from apps.training import duty, services
from apps.training.models import Attendance, Lecture
from tests.factories import RepresentativeFactory
from tests.training.factories import InstructorFactory, LectureFactory

RULE = services.QUOTA_REMINDER_RULE


def _inbox():
    return Notification.objects.filter(rule=RULE, channel="inbox")


def test_no_reminder_before_the_configured_month(instructor_a):
    run_scans(today=datetime.date(2022, 6, 30))
    assert not _inbox().exists()


def test_one_reminder_per_instructor_per_quarter_however_often_the_scan_runs(
    instructor_a, instructor_b, instructor_user
):
    run_scans(today=datetime.date(2022, 7, 1))
    run_scans(today=datetime.date(2022, 7, 1))
    run_scans(today=datetime.date(2022, 8, 15))
    rows = list(_inbox())
    # instructor_b has no account: nobody to remind.
    assert [(n.recipient, n.due_on) for n in rows] == [(instructor_user, datetime.date(2022, 7, 1))]
    run_scans(today=datetime.date(2022, 10, 2))
    run_scans(today=datetime.date(2022, 11, 2))
    assert sorted(_inbox().values_list("due_on", flat=True)) == [datetime.date(2022, 7, 1), datetime.date(2022, 10, 1)]


def test_the_month_is_a_setting(settings, instructor_a):
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "REMIND_FROM_MONTH": 10}
    run_scans(today=datetime.date(2022, 9, 30))
    assert not _inbox().exists()
    run_scans(today=datetime.date(2022, 10, 1))
    assert _inbox().count() == 1


def test_instructors_who_reached_their_quota_are_not_reminded(instructor_a):
    LectureFactory(instructor=instructor_a, date=datetime.date(2022, 3, 1))
    LectureFactory(instructor=instructor_a, date=datetime.date(2022, 5, 1))
    run_scans(today=datetime.date(2022, 7, 1))
    assert not _inbox().exists()


def test_the_reminder_says_how_far_behind(instructor_a, lecture_a):
    run_scans(today=datetime.date(2022, 7, 1))
    assert _inbox().get().subject == "2022年授课任务2次，已完成1次，请尽快安排授课"


# --- duty record ---------------------------------------------------------------------------------


def test_the_source_is_registered():
    source = next(s for s in sources() if s.key == "training")
    assert source.order == 10 and set(source.kinds) == {"lecture_attended", "lecture_taught"}


def test_present_at_a_held_lecture_counts_absent_and_excused_do_not(rep_a, instructor_a):
    held = [LectureFactory(instructor=instructor_a) for _i in range(3)]
    statuses = ["present", "absent", "excused"]
    for lecture, status in zip(held, statuses, strict=True):
        Attendance.objects.create(lecture=lecture, representative=rep_a, status=status)
    Attendance.objects.create(
        lecture=LectureFactory(instructor=instructor_a, date=datetime.date(2021, 5, 1)),
        representative=rep_a,
        status="present",
    )
    entries = duty.entries(rep_a, 2022)
    assert sorted((e.status, e.counts) for e in entries) == [("出席", True), ("缺席", False), ("请假", False)]
    assert duty.counts(Representative.objects.filter(pk=rep_a.pk), 2022) == {rep_a.pk: {"lecture_attended": 1}}
    assert points_for(rep_a, 2022).by_kind()["lecture_attended"] == 2


def test_an_outstanding_representative_who_taught_earns_lecture_taught(rep_a, hall_a):
    sharing = InstructorFactory(hall=hall_a, name=rep_a.name, position="优秀代表", representative=rep_a)
    LectureFactory(instructor=sharing)
    LectureFactory(instructor=sharing, status=Lecture.Status.PLANNED)
    counts = duty.counts(Representative.objects.all(), 2022)
    assert counts == {rep_a.pk: {"lecture_taught": 1}}
    assert sorted((e.status, e.counts) for e in duty.entries(rep_a, 2022)) == [("已举办", True), ("计划", False)]


@pytest.fixture
def many(rep_a, hall_a, instructor_a):
    def build(n: int):
        lectures = Lecture.objects.bulk_create(
            [
                Lecture(
                    hall=hall_a,
                    instructor=instructor_a,
                    date=datetime.date(2022, 1, 1) + datetime.timedelta(days=i % 365),
                    topic=f"第{i}讲",
                    status="held",
                )
                for i in range(n)
            ]
        )
        Attendance.objects.bulk_create(
            [Attendance(lecture=lecture, representative=rep_a, status="present") for lecture in lectures]
        )

    return build


@pytest.mark.parametrize("n", [5, 500])
def test_entries_and_counts_take_fixed_queries(rep_a, many, n, django_assert_num_queries):
    many(n)
    with django_assert_num_queries(2):
        entries = duty.entries(rep_a, 2022)
    assert len(entries) == n
    with django_assert_num_queries(2):
        counts = duty.counts(Representative.objects.filter(pk=rep_a.pk), 2022)
    assert counts[rep_a.pk]["lecture_attended"] == n


def test_points_of_many_representatives_in_one_go(rep_a, rep_b, township_a, instructor_a, lecture_a):
    others = [RepresentativeFactory(township=township_a, term=rep_a.term) for _i in range(3)]
    for rep in [rep_a, *others]:
        Attendance.objects.create(lecture=lecture_a, representative=rep, status="present")
    points = points_for_many(Representative.objects.all(), 2022)
    assert all(points[rep.pk].counts["lecture_attended"] == 1 for rep in [rep_a, *others])
    assert rep_b.pk not in points or not points[rep_b.pk].counts["lecture_attended"]
    assert any(source.key == "training" for source, _rows in entries_for(rep_a, 2022))
