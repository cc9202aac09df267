"""活动码 at a lecture: staff show the code, a representative who is logged in checks in with it.

The code is what the staff page shows (the URL inside its QR code); the clock is moved with
time_machine into, before and after the lecture's window (from an hour before its start to four
hours after, by the default settings).
"""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.core import checkin
from apps.representatives.duty import points_for
from apps.training import services
from apps.training.models import Attendance, Lecture
from tests.groups.factories import ActivityFactory, ActivityGroupFactory
from tests.training.factories import LectureFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2022, 9, 1)


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2022, 9, 1, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def lecture(instructor_a):
    return LectureFactory(
        instructor=instructor_a, date=DAY, starts_at=datetime.time(14, 0), status=Lecture.Status.PLANNED
    )


def code_path(client, staff, lecture) -> str:
    """The path in the QR code the staff page shows."""
    client.force_login(staff)
    response = client.get(reverse("admin:training_lecture_checkin_code", args=[lecture.pk]))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
    return urlsplit(response.context["url"]).path


def scan(client, user, path):
    client.force_login(user)
    return client.post(path)


def present(lecture) -> list[int]:
    return list(lecture.attendance.filter(status=Attendance.Status.PRESENT).values_list("representative", flat=True))


def test_a_representative_checks_in_during_the_lecture_and_it_counts_as_staff_marking_would(
    client, staff_a, representative_user, rep_a, lecture
):
    with time_machine.travel(at(14, 10), tick=False):
        path = code_path(client, staff_a, lecture)
        response = scan(client, representative_user, path)
    assert response.status_code == 200
    assert "签到成功" in response.content.decode()
    row = lecture.attendance.get()
    assert (row.representative, row.status, row.marked_by) == (rep_a, Attendance.Status.PRESENT, representative_user)
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.HELD  # as when staff take attendance
    assert points_for(rep_a, 2022).counts["lecture_attended"] == 1


def test_opening_the_code_shows_a_button_and_checks_nobody_in(client, staff_a, representative_user, lecture):
    with time_machine.travel(at(14, 10), tick=False):
        path = code_path(client, staff_a, lecture)
        client.force_login(representative_user)
        response = client.get(path)
    assert response.status_code == 200
    assert "确认签到" in response.content.decode()
    assert not lecture.attendance.exists()


def test_a_second_scan_says_already_checked_in_without_a_second_record(
    client, staff_a, representative_user, rep_a, lecture
):
    with time_machine.travel(at(14, 10), tick=False):
        path = code_path(client, staff_a, lecture)
        scan(client, representative_user, path)
        response = scan(client, representative_user, path)
    assert response.status_code == 200
    assert "已签到" in response.content.decode()
    assert lecture.attendance.count() == 1
    assert points_for(rep_a, 2022).counts["lecture_attended"] == 1


@pytest.mark.parametrize(
    ("moment", "message"),
    [(at(12, 59), "签到还没有开始，2022-09-01 13:00起可以签到"), (at(18, 0), "签到已于2022-09-01 18:00结束")],
)
def test_a_check_in_outside_the_window_is_refused_in_plain_words(
    client, staff_a, representative_user, lecture, moment, message
):
    with time_machine.travel(at(13, 30), tick=False):
        path = code_path(client, staff_a, lecture)
    with time_machine.travel(moment, tick=False):
        response = scan(client, representative_user, path)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not lecture.attendance.exists()


def test_a_code_from_the_day_before_has_expired(client, staff_a, representative_user, instructor_a, lecture):
    yesterday = LectureFactory(instructor=instructor_a, date=DAY - datetime.timedelta(days=1))
    with time_machine.travel(at(9), tick=False):
        token = urlsplit(checkin.code_url(checkin.KINDS["lecture"], yesterday)).path.split("/")[-2]
    with time_machine.travel(at(14, 10), tick=False):
        # Moved to today afterwards: the old code still names its window, which has closed.
        Lecture.objects.filter(pk=yesterday.pk).update(date=DAY, starts_at=datetime.time(14, 0))
        response = scan(client, representative_user, reverse("checkin", args=["lecture", yesterday.pk, token]))
    assert response.status_code == 400
    assert "活动码已过期" in response.content.decode()


def test_the_code_of_another_lecture_does_not_check_in_here(
    client, staff_a, representative_user, instructor_a, lecture
):
    other = LectureFactory(instructor=instructor_a, date=DAY, starts_at=datetime.time(14, 0))
    with time_machine.travel(at(14, 10), tick=False):
        token = code_path(client, staff_a, other).split("/")[-2]
        response = scan(client, representative_user, reverse("checkin", args=["lecture", lecture.pk, token]))
    assert response.status_code == 400
    assert "不是本次活动的" in response.content.decode()
    assert not lecture.attendance.exists() and not other.attendance.exists()


def test_a_lecture_code_does_not_open_another_kind_of_event(
    client, staff_a, representative_user, township_a, instructor_a, lecture
):
    activity = ActivityFactory(group=ActivityGroupFactory(region=township_a), date=DAY, recorded_by=staff_a)
    with time_machine.travel(at(14, 10), tick=False):
        token = code_path(client, staff_a, lecture).split("/")[-2]
        response = scan(client, representative_user, reverse("checkin", args=["activity", activity.pk, token]))
    assert response.status_code == 400
    assert "活动码无效" in response.content.decode()  # salted per kind: the signature does not hold
    assert not activity.participants.exists()


def test_a_tampered_code_is_refused(client, staff_a, representative_user, lecture):
    with time_machine.travel(at(14, 10), tick=False):
        path = code_path(client, staff_a, lecture)
        response = scan(client, representative_user, path[:-3] + "xx/")
    assert response.status_code == 400
    assert not lecture.attendance.exists()


def test_only_a_serving_representative_checks_in(client, staff_a, unit_staff, lecture):
    with time_machine.travel(at(14, 10), tick=False):
        path = code_path(client, staff_a, lecture)
        for user in (staff_a, unit_staff):
            response = scan(client, user, path)
            assert response.status_code == 403
            assert "只有在任的人大代表可以扫码签到" in response.content.decode()
        client.logout()
        response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("login"))
    assert not lecture.attendance.exists()


def test_a_representative_of_another_township_finds_no_such_event(client, staff_a, rep_b, lecture, django_user_model):
    rep_b.user = django_user_model.objects.create(username="rep_b_user", role="representative")
    rep_b.save()
    with time_machine.travel(at(14, 10), tick=False):
        response = scan(client, rep_b.user, code_path(client, staff_a, lecture))
    assert response.status_code == 404  # township A's lecture, as any object of another scope
    assert not lecture.attendance.exists()


def test_a_county_lecture_takes_the_check_in_of_a_township_representative(
    client, committee_staff, representative_user, rep_a, county_instructor
):
    lecture = LectureFactory(instructor=county_instructor, date=DAY, starts_at=datetime.time(14, 0))
    with time_machine.travel(at(14, 10), tick=False):
        response = scan(client, representative_user, code_path(client, committee_staff, lecture))
    assert "签到成功" in response.content.decode()
    assert present(lecture) == [rep_a.pk]


def test_staff_still_mark_by_hand_after_a_check_in(client, staff_a, representative_user, rep_a, lecture):
    with time_machine.travel(at(14, 10), tick=False):
        scan(client, representative_user, code_path(client, staff_a, lecture))
        services.attendance_mark(lecture=lecture, marks={rep_a.pk: Attendance.Status.EXCUSED}, by=staff_a)
    assert lecture.attendance.get().status == Attendance.Status.EXCUSED


def test_the_code_page_is_404_outside_the_scope_and_403_read_only(client, staff_b, liaison_a, lecture):
    url = reverse("admin:training_lecture_checkin_code", args=[lecture.pk])
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(liaison_a)  # reads the township's lectures, marks nothing
    assert client.get(url).status_code == 403


def test_the_printable_code_is_a_pdf_with_the_lecture_on_it(client, staff_a, lecture):
    from io import BytesIO

    from pypdf import PdfReader

    client.force_login(staff_a)
    with time_machine.travel(at(9), tick=False):
        response = client.get(reverse("admin:training_lecture_checkin_code", args=[lecture.pk]) + "?pdf=1")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text().replace("\n", "")
    assert lecture.topic in text and "代表扫码签到" in text
