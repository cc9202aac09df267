"""活动码 of a group activity: a representative who came checks in and joins its participants."""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from apps.groups.models import Activity
from apps.representatives.duty import points_for
from tests.groups.factories import ActivityFactory, ActivityGroupFactory

NOON = datetime.datetime(2022, 6, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def activity(township_a, staff_a):
    return ActivityFactory(group=ActivityGroupFactory(region=township_a), date=NOON.date(), recorded_by=staff_a)


def code_path(client, staff, activity) -> str:
    client.force_login(staff)
    response = client.get(reverse("admin:groups_activity_checkin_code", args=[activity.pk]))
    assert response.status_code == 200
    return urlsplit(response.context["url"]).path


def test_a_representative_checks_in_and_the_activity_counts_on_their_record(
    client, staff_a, representative_user, rep_a, activity
):
    with time_machine.travel(NOON, tick=False):
        path = code_path(client, staff_a, activity)
        client.force_login(representative_user)
        first, second = client.post(path), client.post(path)
    assert "签到成功" in first.content.decode() and "已签到" in second.content.decode()
    assert list(activity.participants.all()) == [rep_a]
    assert points_for(rep_a, 2022).counts["group_activity"] == 1


def test_the_next_day_the_code_is_refused(client, staff_a, representative_user, activity):
    with time_machine.travel(NOON, tick=False):
        path = code_path(client, staff_a, activity)
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        client.force_login(representative_user)
        response = client.post(path)
    assert response.status_code == 400
    assert not activity.participants.exists()


def test_a_rejected_activity_takes_no_check_in(client, staff_a, representative_user, activity):
    with time_machine.travel(NOON, tick=False):
        path = code_path(client, staff_a, activity)
        Activity.objects.filter(pk=activity.pk).update(review_status=Activity.Review.REJECTED)
        client.force_login(representative_user)
        response = client.post(path)
    assert response.status_code == 400
    assert "已被退回" in response.content.decode()


def test_the_code_page_is_404_to_staff_of_another_township(client, staff_b, activity):
    client.force_login(staff_b)
    assert client.get(reverse("admin:groups_activity_checkin_code", args=[activity.pk])).status_code == 404
