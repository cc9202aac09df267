"""The proposal changelist at province scale: no date_hierarchy (the session is the year), a
bounded count, a county filter before townships for users whose scope spans counties, and a
query count that does not grow with proposals or townships."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.admin_filters import BoundedCountPaginator
from apps.proposals import services
from apps.proposals.admin import ProposalAdmin
from tests.factories import (
    CountyFactory,
    RepresentativeFactory,
    SessionFactory,
    TermFactory,
    TownshipFactory,
    UserFactory,
)

CHANGELIST = "admin:proposals_proposal_changelist"


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def other_session(db):
    return SessionFactory(term=TermFactory(region=CountyFactory(name="绥宁县")))


def _propose(session, township, by, n=1):
    rep = RepresentativeFactory(township=township, term=session.term)
    proposals = []
    for _ in range(n):
        proposal = services.proposal_create(
            lead=rep, session=session, title="关于改善农村道路的建议", content="道路破损。", category="transport", by=by
        )
        services.proposal_submit(proposal=proposal, by=by)
        proposals.append(proposal)
    return proposals


def _choices(response, title):
    for spec in response.context["cl"].filter_specs:
        if str(spec.title) == title:
            return [str(choice["display"]) for choice in spec.choices(response.context["cl"])][1:]
    return None


def _rows(response):
    return {p.pk for p in response.context["cl"].result_list}


def test_the_list_has_no_date_hierarchy():
    # It would read the distinct dates of every proposal in scope; the session filter is the year.
    assert ProposalAdmin.date_hierarchy is None


def test_a_province_wide_user_picks_a_county_before_its_townships(
    login, superuser, session, other_session, county, township_a, township_b
):
    mine = _propose(session, township_a, superuser, 2)
    other_township = TownshipFactory(parent=other_session.term.region, name="长铺子乡")
    theirs = _propose(other_session, other_township, superuser)
    client = login(superuser)
    response = client.get(reverse(CHANGELIST))
    assert set(_choices(response, "县（市、区）")) == {"城步苗族自治县", "绥宁县"}
    assert _choices(response, "代表所在乡镇") is None  # not offered before a county is chosen
    response = client.get(reverse(CHANGELIST), {"county": county.code})
    assert _choices(response, "代表所在乡镇") == ["儒林镇", "茅坪镇"]
    assert _rows(response) == {p.pk for p in mine}
    response = client.get(reverse(CHANGELIST), {"county": other_township.parent.code})
    assert _rows(response) == {p.pk for p in theirs}


def test_county_staff_get_no_county_filter_and_only_their_townships(
    login, committee_staff, township_a, township_b, other_session
):
    TownshipFactory(parent=other_session.term.region)
    response = login(committee_staff).get(reverse(CHANGELIST))
    assert _choices(response, "县（市、区）") is None
    assert _choices(response, "代表所在乡镇") == ["儒林镇", "茅坪镇"]


def test_the_count_stops_at_its_limit_and_says_so(login, superuser, committee_staff, session, township_a, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "LIMIT", 3)
    _propose(session, township_a, superuser, 5)
    response = login(committee_staff).get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 3
    assert "超过 3 条" in response.content.decode()


@pytest.mark.parametrize("persona", ["superuser", "committee_staff"])
def test_the_list_costs_the_same_queries_with_more_proposals_and_townships(
    request, login, superuser, persona, county, session, other_session, django_assert_max_num_queries
):
    client = login(request.getfixturevalue(persona))

    def grow(n):
        for _ in range(n):
            for each in (session, other_session):
                _propose(each, TownshipFactory(parent=each.term.region), superuser, 2)

    grow(1)
    client.get(reverse(CHANGELIST))  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(CHANGELIST), {"county": county.code}).status_code == 200
    grow(4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse(CHANGELIST), {"county": county.code})
    assert len(response.context["cl"].result_list) == 10
