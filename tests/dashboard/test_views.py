"""The dashboard page: who may open it, what each persona sees, the links behind the figures,
and a query count that does not grow with the data."""

import datetime
import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from apps.core.scope import scope_for
from apps.dashboard.figures import build_dashboard, period_for_year
from apps.liaison.models import Concern, Funding, LiaisonOffice
from apps.proposals.models import Proposal
from tests.dashboard import conftest as data
from tests.dashboard import factories as f
from tests.factories import HandlingUnitFactory, RepresentativeFactory, TownshipFactory, VillageFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:index")
D = datetime.date


def figure(html: str, key: str) -> str:
    """The value shown for a figure, read by its data-figure attribute."""
    block = re.search(rf'data-figure="{re.escape(key)}">(.*?)</div>', html, re.S)
    assert block, key
    value = re.search(r"data-value>(?:<a [^>]*>)?([^<]*)", block.group(1))
    return unescape(value.group(1)).strip()


def ratio(html: str, key: str) -> str:
    block = re.search(rf'data-figure="{re.escape(key)}">(.*?)</div>', html, re.S)
    return re.search(r"data-ratio>([^<]*)", block.group(1)).group(1).strip()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee", 200),
        ("staff_a", 200),
        ("staff_b", 200),
        ("unit", 403),
        ("representative", 403),
    ],
)
def test_who_may_open_the_dashboard(login, personas, persona, status):
    assert login(personas[persona]).get(URL).status_code == status


def test_liaison_staff_are_refused(login, liaison_a):
    assert login(liaison_a).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_committee_staff_see_the_county_with_a_township_filter(login, known_year, committee_staff):
    html = login(committee_staff).get(URL, {"period": "y2022"}).content.decode()
    assert figure(html, "concerns.received") == "5"
    assert figure(html, "concerns.handling_rate") == "80.0%"
    assert ratio(html, "concerns.handling_rate") == "4 / 5"
    assert figure(html, "training.halls") == "1+2"
    assert 'name="township"' in html


def test_committee_staff_narrow_to_one_township(login, known_year, committee_staff):
    params = {"period": "y2022", "township": known_year.township_b.pk}
    html = login(committee_staff).get(URL, params).content.decode()
    assert figure(html, "concerns.received") == "1"
    assert figure(html, "proposals.count") == "1"


def test_township_staff_see_their_township_only(login, known_year, staff_a):
    response = login(staff_a).get(URL, {"period": "y2022"})
    html = response.content.decode()
    assert figure(html, "concerns.received") == "4"
    assert figure(html, "proposals.count") == "2"
    assert 'name="township"' not in html
    assert known_year.township_b.name not in html


def test_township_staff_cannot_ask_for_another_township(login, known_year, staff_a):
    response = login(staff_a).get(URL, {"period": "y2022", "township": known_year.township_b.pk})
    html = response.content.decode()
    assert figure(html, "concerns.received") == "4"  # the parameter is ignored, not obeyed
    assert known_year.township_b.name not in html


def test_a_township_outside_the_scope_is_a_form_error(login, known_year, committee_staff):
    other = TownshipFactory()  # of another county
    response = login(committee_staff).get(URL, {"period": "y2022", "township": other.pk})
    assert response.status_code == 400
    assert figure(response.content.decode(), "concerns.received") == "5"


def test_an_empty_year_renders_dashes(login, committee_staff):
    response = login(committee_staff).get(URL, {"period": "y2020"})
    html = response.content.decode()
    assert response.status_code == 200
    for key in ("concerns.handling_rate", "proposals.visit_rate", "proposals.satisfaction_rate", "posts.filled"):
        assert figure(html, key) == "—"
        assert ratio(html, key) == "0 / 0"


def test_a_term_is_offered_and_counts_every_year_of_it(login, known_year, committee_staff, county_term):
    html = login(committee_staff).get(URL, {"period": f"t{county_term.pk}"}).content.decode()
    assert figure(html, "concerns.received") == "7"


def test_the_default_is_this_year(login, known_year, committee_staff):
    with_default = login(committee_staff).get(URL)
    assert with_default.status_code == 200
    assert f'value="y{datetime.date.today().year}" selected' in with_default.content.decode()


def test_every_chart_has_its_data_and_a_table_beside_it(login, known_year, committee_staff):
    html = login(committee_staff).get(URL, {"period": "y2022"}).content.decode()
    charts = json.loads(
        re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    kinds = {c["id"]: c["kind"] for c in charts}
    for chart in ("concerns.by_township", "proposals.by_unit", "posts.by_township", "livelihood.projects"):
        assert kinds[f"chart-{chart}"] == "bar"
    assert kinds["chart-proposals.outcomes"] == "pie"
    for chart in charts:
        assert f'id="{chart["id"]}"' in html
        assert f'data-table="{chart["id"].removeprefix("chart-")}"' in html
    assert "<script>" not in html.replace('<script id="dashboard-charts"', "")  # no inline script


def test_every_figure_links_to_a_list_the_admin_accepts(login, known_year, committee_staff):
    client = login(committee_staff)
    board = build_dashboard(scope=scope_for(committee_staff), period=period_for_year(2022), scope_label="")
    urls = [fig.url for section in board.sections for fig in section.figures if fig.url]
    assert len(urls) >= 20
    for url in set(urls):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "e=1" not in response.get("Location", ""), url


def test_the_concerns_link_lists_what_the_figure_counts(login, known_year, committee_staff):
    board = build_dashboard(scope=scope_for(committee_staff), period=period_for_year(2022), scope_label="")
    response = login(committee_staff).get(board.figure("concerns.handled").url)
    assert response.context["cl"].result_count == 4
    narrowed = build_dashboard(
        scope=scope_for(committee_staff), period=period_for_year(2022), scope_label="", region=known_year.township_a
    )
    response = login(committee_staff).get(narrowed.figure("concerns.received").url)
    assert response.context["cl"].result_count == 4


def grow(county, session, unit, by, n: int):
    """n more townships, each with a representative, concerns, proposals, posts, halls and ideas."""
    for i in range(n):
        township = TownshipFactory(parent=county)
        rep = RepresentativeFactory(township=township, term=session.term)
        other = RepresentativeFactory(township=township, term=session.term)
        data.concerns(township, township)
        data.proposals(session=session, rep_a=rep, rep_b=other, unit=HandlingUnitFactory(region=county), by=by)
        lecture_a, lecture_b = data.training(county, township, TownshipFactory(parent=county))
        data.attendance(lecture_a, lecture_b, [rep, other, RepresentativeFactory(township=township, term=session.term)])
        data.posts(township, township, rep)
        data.livelihood(session, township, township)
        f.inspection(region=township, started_on=D(2022, 3, 1), by=by, batch_no=i + 1)
        f.concern(region=township, day=D(2022, 7, 1), status=Concern.Status.CLOSED, rating="satisfied")
        grow_offices_and_handling(township, session, rep, unit, by)


def grow_offices_and_handling(township, session, rep, unit, by):
    """What the figures of issue 13 read: an office, a station set up in the year and their funding;
    a recess proposal; a proposal of two separate units with an assisting one."""
    office = LiaisonOffice.objects.create(name=f"{township.name}工作室", region=township)
    village = VillageFactory(parent=township)
    station = LiaisonOffice.objects.create(
        name="联络站", region=village, level=LiaisonOffice.Level.STATION, parent=office, established_on=D(2022, 4, 1)
    )
    for place, source in ((office, "县财政专项"), (station, "乡镇财政")):
        Funding.objects.create(office=place, year=2022, amount=Decimal("20000"), source=source)
    recess = f.proposal(
        session=session, lead=rep, by=by, period=Proposal.Period.RECESS, assigned_at=f.at(D(2022, 6, 1))
    )
    f.assignment(proposal=recess, unit=unit, day=D(2022, 6, 1))
    split = f.proposal(session=session, lead=rep, by=by)
    for other, role in ((unit, "separate"), (HandlingUnitFactory(), "separate"), (HandlingUnitFactory(), "assist")):
        f.assignment(proposal=split, unit=other, day=D(2022, 1, 20), role=role)


@pytest.mark.parametrize("more", [0, 6])
def test_the_query_count_does_not_grow_with_the_data(
    login, known_year, committee_staff, county, unit, django_assert_max_num_queries, more
):
    grow(county, known_year.session, unit, committee_staff, more)
    client = login(committee_staff)
    with django_assert_max_num_queries(35):
        response = client.get(URL, {"period": "y2022"})
    assert response.status_code == 200
    assert figure(response.content.decode(), "concerns.received") == str(5 + 6 * more)
