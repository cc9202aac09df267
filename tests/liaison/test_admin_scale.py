"""The concern changelist at province scale: years from MIN/MAX instead of date_hierarchy, a
bounded count, a county filter before townships for users whose scope spans counties, and a
query count that does not grow with concerns or townships."""

from datetime import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.admin_filters import BoundedCountPaginator
from apps.liaison import services
from apps.liaison.admin import ConcernAdmin
from apps.liaison.models import LiaisonOffice
from tests.factories import CountyFactory, TownshipFactory, UserFactory

CHANGELIST = "admin:liaison_concern_changelist"


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def other_township(db):
    township = TownshipFactory(parent=CountyFactory(name="绥宁县"), name="长铺子乡")
    LiaisonOffice.objects.create(name="长铺子乡代表联系群众工作室", region=township)
    return township


def _submit(township, n=1, on=None):
    def submit():
        return [
            services.concern_submit(region=township, category="roads", description="村道塌方。", name="王某", phone="")[
                0
            ]
            for _ in range(n)
        ]

    if on is None:
        return submit()
    with time_machine.travel(datetime(*on, 10), tick=False):
        return submit()


def _choices(response, title):
    for spec in response.context["cl"].filter_specs:
        if str(spec.title) == title:
            return [str(choice["display"]) for choice in spec.choices(response.context["cl"])][1:]
    return None


def _rows(response):
    return {c.pk for c in response.context["cl"].result_list}


def test_years_come_from_the_first_and_last_concern(login, committee_staff, office_a, township_a):
    old = _submit(township_a, on=(2021, 6, 1))
    new = _submit(township_a, on=(2023, 2, 1))
    client = login(committee_staff)
    response = client.get(reverse(CHANGELIST))
    assert ConcernAdmin.date_hierarchy is None
    assert _choices(response, "年份") == ["2023", "2022", "2021"]
    assert _rows(client.get(reverse(CHANGELIST), {"year": "2021"})) == {c.pk for c in old}
    assert _rows(client.get(reverse(CHANGELIST), {"year": "2023"})) == {c.pk for c in new}


def test_a_hand_edited_year_is_the_admins_invalid_filter(login, committee_staff, concern_a):
    response = login(committee_staff).get(reverse(CHANGELIST), {"year": "abc"})
    assert response.status_code == 302
    assert "e=1" in response.url


def test_a_province_wide_user_picks_a_county_before_its_townships(
    login, superuser, township_a, township_b, office_a, other_township, county
):
    mine = _submit(township_a, 2)
    theirs = _submit(other_township)
    client = login(superuser)
    response = client.get(reverse(CHANGELIST))
    assert set(_choices(response, "县（市、区）")) == {"城步苗族自治县", "绥宁县"}
    assert _choices(response, "乡镇") is None  # not offered before a county is chosen
    response = client.get(reverse(CHANGELIST), {"county": county.code})
    assert _choices(response, "乡镇") == ["儒林镇", "茅坪镇"]
    assert _rows(response) == {c.pk for c in mine}
    assert _rows(client.get(reverse(CHANGELIST), {"county": other_township.parent.code})) == {c.pk for c in theirs}


def test_county_staff_get_no_county_filter_and_only_their_townships(
    login, committee_staff, township_a, township_b, other_township
):
    response = login(committee_staff).get(reverse(CHANGELIST))
    assert _choices(response, "县（市、区）") is None
    assert _choices(response, "乡镇") == ["儒林镇", "茅坪镇"]


def test_the_count_stops_at_its_limit_and_says_so(login, committee_staff, office_a, township_a, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "LIMIT", 3)
    _submit(township_a, 5)
    client = login(committee_staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 3
    assert "超过 3 条" in response.content.decode()
    counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "liaison_concern" in q["sql"]
    ]
    assert counts and all("LIMIT 4" in sql for sql in counts)
    monkeypatch.setattr(BoundedCountPaginator, "LIMIT", 10)
    response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 5
    assert "超过" not in response.content.decode()


@pytest.mark.parametrize("persona", ["superuser", "committee_staff"])
def test_the_list_costs_the_same_queries_with_more_concerns_and_townships(
    request, login, persona, county, office_a, township_a, other_township, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(persona))

    def grow(n):
        for _ in range(n):
            for parent in (county, other_township.parent):
                township = TownshipFactory(parent=parent)
                LiaisonOffice.objects.create(name=f"{township.name}工作室", region=township)
                _submit(township, 2)

    grow(1)
    client.get(reverse(CHANGELIST))  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(CHANGELIST), {"county": county.code}).status_code == 200
    grow(4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(CHANGELIST), {"county": county.code})
    assert len(response.context["cl"].result_list) == 10
