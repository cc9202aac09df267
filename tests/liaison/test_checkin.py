"""活动码 of an office's duty day: each representative on duty checks into their own shift."""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.liaison import services
from apps.liaison.models import DutyShift, ReceptionDay
from apps.representatives.duty import points_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2022, 9, 9)


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2022, 9, 9, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def reception_day(office_a):
    return ReceptionDay.objects.create(
        office=office_a, date=DAY, starts_at=datetime.time(9), ends_at=datetime.time(11, 30)
    )


@pytest.fixture
def shift(reception_day, rep_a):
    [shift] = services.shift_assign(day=reception_day, representatives=[rep_a], by=None)
    return shift


def code_path(client, staff, reception_day) -> str:
    client.force_login(staff)
    response = client.get(reverse("admin:liaison_receptionday_checkin_code", args=[reception_day.pk]))
    assert response.status_code == 200
    return urlsplit(response.context["url"]).path


def test_the_representative_on_duty_checks_in_and_the_shift_counts(
    client, staff_a, representative_user, rep_a, reception_day, shift
):
    with time_machine.travel(at(9, 5), tick=False):
        path = code_path(client, staff_a, reception_day)
        client.force_login(representative_user)
        response = client.post(path)
        again = client.post(path)
    assert "签到成功" in response.content.decode()
    assert "已签到" in again.content.decode()
    shift.refresh_from_db()
    assert shift.attendance == DutyShift.Attendance.ATTENDED
    assert shift.checked_by == representative_user and shift.checked_in_at is not None
    assert points_for(rep_a, 2022).counts["shift_attended"] == 1


def test_someone_not_on_duty_that_day_is_told_so(client, staff_a, neighbour, reception_day, shift, django_user_model):
    neighbour.user = django_user_model.objects.create(username="neighbour", role="representative")
    neighbour.save()
    with time_machine.travel(at(9, 5), tick=False):
        path = code_path(client, staff_a, reception_day)
        client.force_login(neighbour.user)
        response = client.post(path)
    assert response.status_code == 400
    assert "没有值班安排" in response.content.decode()
    assert not DutyShift.objects.filter(representative=neighbour).exists()


def test_the_window_is_the_reception_hours(client, staff_a, representative_user, reception_day, shift):
    with time_machine.travel(at(7, 0), tick=False):
        path = code_path(client, staff_a, reception_day)
        client.force_login(representative_user)
        early = client.post(path)
    with time_machine.travel(at(11, 30), tick=False):
        client.force_login(representative_user)  # a new session: the first one has idled out
        late = client.post(path)
    assert "签到还没有开始，2022-09-09 08:00起可以签到" in early.content.decode()
    assert "签到已于2022-09-09 11:30结束" in late.content.decode()
    shift.refresh_from_db()
    assert shift.checked_in_at is None and shift.attendance == DutyShift.Attendance.PENDING


def test_the_code_of_another_office_does_not_open_this_day(
    client, staff_a, representative_user, reception_day, shift, station_a
):
    other = ReceptionDay.objects.create(
        office=station_a, date=DAY, starts_at=datetime.time(9), ends_at=datetime.time(11, 30)
    )
    with time_machine.travel(at(9, 5), tick=False):
        token = code_path(client, staff_a, other).split("/")[-2]
        client.force_login(representative_user)
        response = client.post(reverse("checkin", args=["shift", f"{reception_day.office_id}-20220909", token]))
    assert response.status_code == 400
    shift.refresh_from_db()
    assert shift.checked_in_at is None


def test_the_duty_code_page_is_404_to_staff_of_another_township(client, staff_b, reception_day):
    client.force_login(staff_b)
    assert client.get(reverse("admin:liaison_receptionday_checkin_code", args=[reception_day.pk])).status_code == 404
