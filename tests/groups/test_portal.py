"""The representatives' group pages: their own groups, activities and problems; reporting them;
404 for what is not theirs; and page cost that does not grow with the data."""

import datetime

import pytest
from django.urls import reverse

from apps.groups.models import Activity, ProblemSolved
from tests.groups.factories import ActivityFactory, ProblemFactory

DAY = "2022-11-08"
Review = Activity.Review


def _activity_form(group, **extra):
    data = {"group": group.pk if group else "", "kind": "talk", "title": "党的二十大精神微宣讲", "date": DAY}
    data |= {"people_reached": 50, "wishes_fulfilled": 0, "problems_solved": 0}
    return data | extra


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("representative", 200), ("committee", 403), ("staff_a", 403), ("unit", 403), ("anonymous", 302)],
)
@pytest.mark.parametrize("name", ["groups:mine", "groups:activity_new", "groups:problem_new"])
def test_only_representatives_use_the_portal(personas, login, persona, expected, name):
    assert login(personas[persona]).get(reverse(name)).status_code == expected


def test_my_page_lists_my_groups_activities_and_problems(
    login, representative_user, county_group, township_group, campaign, rep_a
):
    ActivityFactory(group=county_group, title="微心愿认领", participants=[rep_a], recorded_by=representative_user)
    ProblemFactory(
        campaign=campaign,
        representative=rep_a,
        problem="大竹村路灯不亮",
        review_status=Review.REJECTED,
        review_note="请补充结果",
        recorded_by=representative_user,
    )
    page = login(representative_user).get(reverse("groups:mine")).content.decode()
    assert "农业农村组" in page and "儒林镇教育卫生组" not in page
    assert "微心愿认领" in page
    assert "大竹村路灯不亮" in page and "请补充结果" in page


def test_a_group_page_is_only_for_its_members(login, representative_user, county_group, township_group):
    client = login(representative_user)
    assert client.get(reverse("groups:group_detail", args=[county_group.pk])).status_code == 200
    assert client.get(reverse("groups:group_detail", args=[township_group.pk])).status_code == 404
    assert client.get(reverse("groups:activity_new") + f"?group={township_group.pk}").status_code == 404


def test_reporting_a_group_activity_leaves_it_pending(login, representative_user, county_group, rep_a, rep_b):
    response = login(representative_user).post(
        reverse("groups:activity_new"), _activity_form(county_group, participants=[rep_b.pk])
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.review_status == Review.PENDING
    assert set(activity.participants.all()) == {rep_a, rep_b}


def test_a_participant_outside_my_groups_is_refused(login, representative_user, county_group, rep_a2):
    response = login(representative_user).post(
        reverse("groups:activity_new"), _activity_form(county_group, participants=[rep_a2.pk])
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_a_participant_of_another_of_my_groups_is_refused_with_a_reason(
    login, representative_user, county_group, township_group, rep_a, rep_a2, staff_a
):
    from apps.groups import services

    services.group_member_add(
        group=township_group, representative=rep_a, joined_on=datetime.date(2022, 1, 10), by=staff_a
    )
    response = login(representative_user).post(
        reverse("groups:activity_new"), _activity_form(county_group, participants=[rep_a2.pk])
    )
    assert response.status_code == 400
    assert "以下代表在活动当天不是本小组成员：刘建国" in response.content.decode()
    assert not Activity.objects.exists()


def test_an_activity_of_my_own_has_no_group(login, representative_user, county_group, rep_a):
    response = login(representative_user).post(reverse("groups:activity_new"), _activity_form(None, kind="voter_visit"))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.group is None and activity.region == rep_a.township


def test_logging_a_problem_solved(login, representative_user, campaign, rep_a):
    data = {"campaign": campaign.pk, "date": DAY, "problem": "水渠堵塞", "action_taken": "组织清淤", "is_solved": "on"}
    response = login(representative_user).post(reverse("groups:problem_new"), data)
    assert response.status_code == 302
    problem = ProblemSolved.objects.get()
    assert (problem.review_status, problem.township) == (Review.PENDING, rep_a.township)


def test_a_problem_dated_in_the_future_is_refused(login, representative_user, campaign):
    data = {"campaign": campaign.pk, "date": "2022-12-20", "problem": "水渠堵塞"}
    response = login(representative_user).post(reverse("groups:problem_new"), data)
    assert response.status_code == 400
    assert "日期不能晚于今天" in response.content.decode()
    assert not ProblemSolved.objects.exists()


@pytest.mark.parametrize("size", [2, 40])
def test_my_page_costs_the_same_whatever_the_data(
    size, login, representative_user, county_group, campaign, rep_a, django_assert_max_num_queries
):
    for _ in range(size):
        ActivityFactory(group=county_group, participants=[rep_a], recorded_by=representative_user)
        ProblemFactory(campaign=campaign, representative=rep_a, recorded_by=representative_user)
    client = login(representative_user)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("groups:mine")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("groups:group_detail", args=[county_group.pk])).status_code == 200
