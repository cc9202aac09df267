"""The training demo: "1+12" halls, instructors, a year of lectures with attendance, retraining."""

import datetime

import pytest

from apps.core.models import User
from apps.demo.core import demo_load
from apps.demo.training import training_demo_load
from apps.training.models import Attendance, Instructor, Lecture, LectureHall, Retraining
from apps.training.selectors import instructors_behind_quota


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction rolled back at its end."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        line = training_demo_load(today=datetime.date(2026, 3, 2))
        yield line
        transaction.set_rollback(True)


@pytest.fixture
def line(_loaded, db):
    return _loaded


def _counts() -> dict[str, int]:
    models = [LectureHall, Instructor, Lecture, Attendance, Retraining, Lecture.history.model]
    return {m._meta.label: m._default_manager.count() for m in models}


def test_one_county_hall_and_one_per_township(line):
    assert LectureHall.objects.filter(level="county").count() == 1
    townships = LectureHall.objects.filter(level="township")
    assert townships.count() == 12
    assert len({h.region_id for h in townships}) == 12
    assert "“1+12”" in line


def test_instructors_of_every_kind(line):
    full = Instructor.objects.filter(kind="full_time")
    assert full.count() == 24
    assert {i.position[1:] for i in full} == {"党委书记", "人大主席"}
    county_part = Instructor.objects.filter(kind="part_time", hall__level="county")
    assert county_part.count() >= 4
    assert Instructor.objects.filter(representative__isnull=False, position="优秀代表").count() == 3
    assert Instructor.objects.filter(user__username="township_maoping").exists()


def test_most_instructors_reach_their_quota_and_a_few_do_not(line):
    admin = User.objects.get(username="admin")
    behind = list(instructors_behind_quota(user=admin, year=2022))
    assert 1 <= len(behind) <= 5
    assert any(i.user and i.user.username == "township_maoping" for i in behind)


def test_every_held_lecture_has_its_audience_mostly_present(line):
    held = Lecture.objects.filter(date__year=2022, status="held")
    assert held.count() >= 40
    assert not held.filter(attendance__isnull=True).exists()
    present = Attendance.objects.filter(status="present").count()
    assert present / Attendance.objects.count() > 0.75
    assert Attendance.objects.filter(status="absent").exists() and Attendance.objects.filter(status="excused").exists()


def test_county_instructors_also_teach_in_the_townships(line):
    assert Lecture.objects.filter(instructor__hall__level="county", hall__level="township").exists()


def test_retraining_assignments_some_completed(line):
    assert Retraining.objects.count() >= 3
    done = Retraining.objects.filter(completed_on__isnull=False)
    assert done.exists() and Retraining.objects.filter(completed_on__isnull=True).exists()
    for retraining in done:
        assert retraining.lecture.attendance.filter(representative=retraining.representative, status="present")


def test_rep_demo_sees_an_upcoming_lecture(line):
    assert Lecture.objects.filter(status="planned", date=datetime.date(2026, 3, 16), hall__region__code="430529100")


def test_loading_twice_creates_nothing(line):
    before = _counts()
    assert training_demo_load(today=datetime.date(2026, 3, 2)) == line
    assert _counts() == before
