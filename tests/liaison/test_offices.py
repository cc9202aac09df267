"""The public directory of liaison offices and stations (/liaison/offices/)."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.liaison.models import LiaisonOffice, ReceptionDay, ReceptionSchedule
from apps.representatives.choices import Status
from tests.factories import RepresentativeFactory, TownshipFactory, VillageFactory

URL = reverse("liaison:offices")


@pytest.fixture
def furnished(office_a, station_a):
    office_a.address = "儒林镇政府二楼"
    office_a.phone = "0739-7321234"
    office_a.opening_hours = "工作日 8:30–17:30"
    office_a.latitude, office_a.longitude = Decimal("26.361234"), Decimal("110.362345")
    office_a.save()
    station_a.address = "白云村村部"
    station_a.head = "刘支书"
    station_a.save()
    return office_a


def test_it_shows_address_phone_head_hours_map_and_stations_to_anyone(client, furnished, station_a):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.text
    for shown in ["儒林镇代表联系群众工作室", "儒林镇政府二楼", "tel:0739-7321234", "张站长", "工作日 8:30–17:30"]:
        assert shown in text
    assert "https://uri.amap.com/marker?position=110.362345%2C26.361234" in text
    assert "白云村代表联络站" in text and "白云村村部" in text and "刘支书" in text


def test_it_offers_no_map_link_without_coordinates(client, office_a):
    assert "uri.amap.com" not in client.get(URL).text


def test_it_lists_the_townships_serving_representatives_but_not_their_phones(client, office_a, rep_a, township_a):
    gone = RepresentativeFactory(name="已离任", township=township_a, term=rep_a.term, status=Status.RESIGNED)
    text = client.get(URL).text
    assert "杨秀英" in text and f"?representative={rep_a.pk}" in text
    assert gone.name not in text and rep_a.phone not in text


def test_it_shows_regular_and_published_reception_days_only(client, office_a, station_a, settings):
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, "RECEPTION_NOTICE_DAYS": 3}
    today = timezone.localdate()
    ReceptionSchedule.objects.create(office=office_a, days_of_month="9,19", starts_at=time(9), ends_at=time(11))
    soon = ReceptionDay.objects.create(
        office=station_a, date=today + timedelta(days=1), starts_at=time(14), ends_at=time(16)
    )
    ReceptionDay.objects.create(office=office_a, date=today + timedelta(days=9), starts_at=time(9), ends_at=time(11))
    ReceptionDay.objects.create(office=office_a, date=today, starts_at=time(9), ends_at=time(11), status="cancelled")
    response = client.get(URL)
    text = response.text
    assert "每月9,19日 09:00–11:00" in text
    assert soon.date.isoformat() in text and "14:00–16:00" in text
    assert (today + timedelta(days=9)).isoformat() not in text
    assert [d.pk for d in response.context["rows"][0].upcoming] == []


def test_inactive_offices_and_stations_are_left_out(client, office_a, office_b, station_a):
    office_b.is_active = False
    office_b.save()
    station_a.is_active = False
    station_a.save()
    text = client.get(URL).text
    assert "儒林镇代表联系群众工作室" in text
    assert "茅坪镇代表联系群众工作室" not in text and "白云村代表联络站" not in text


@pytest.mark.parametrize(
    "search",
    ["白云", "村部", "杨秀", "儒林"],
    ids=["station name", "station address", "representative", "township"],
)
def test_a_search_finds_the_office_by_station_place_or_representative(client, furnished, office_b, rep_a, search):
    rows = client.get(URL, {"q": search}).context["rows"]
    assert [o.pk for o in rows] == [furnished.pk]


def test_a_search_that_matches_nothing_says_so(client, office_a):
    response = client.get(URL, {"q": "不存在的地方"})
    assert response.context["rows"] == [] and "没有找到" in response.text


def test_filter_by_township(client, office_a, office_b, township_b):
    assert [o.pk for o in client.get(URL, {"township": township_b.code}).context["rows"]] == [office_b.pk]


def test_it_aims_the_concern_form_at_the_office_township(client, office_a, township_a):
    assert f"{reverse('liaison:concern_new')}?township={township_a.pk}" in client.get(URL).text


@pytest.mark.parametrize("name", ["home", "liaison:concern_new", "liaison:track"])
def test_the_directory_is_linked_from_the_home_page_and_the_concern_pages(client, db, name):
    assert f'href="{URL}"' in client.get(reverse(name)).text


def test_coordinates_come_in_pairs(office_a):
    office_a.latitude = Decimal("26.3")
    with pytest.raises(ValidationError):
        office_a.full_clean()


def test_the_directory_costs_the_same_queries_with_more_offices(
    client, township_a, county_term, django_assert_max_num_queries
):
    today = timezone.localdate()

    def grow(n):
        for _ in range(n):
            township = TownshipFactory(parent=township_a.parent)
            office = LiaisonOffice.objects.create(name=f"{township.name}工作室", region=township, head="站长")
            for i in range(2):
                village = VillageFactory(parent=township)
                station = LiaisonOffice.objects.create(
                    name=f"{village.name}联络站{i}", region=village, level="station", parent=office
                )
                ReceptionDay.objects.create(office=station, date=today, starts_at=time(9), ends_at=time(11))
            ReceptionSchedule.objects.create(office=office, days_of_month="9", starts_at=time(9), ends_at=time(11))
            ReceptionDay.objects.create(office=office, date=today, starts_at=time(9), ends_at=time(11))
            for _ in range(3):
                RepresentativeFactory(township=township, term=county_term)

    grow(1)
    with django_assert_max_num_queries(10) as small:
        assert client.get(URL).status_code == 200
    grow(6)
    with django_assert_max_num_queries(10) as large:
        response = client.get(URL, {"q": "工作室"})
    assert len(response.context["rows"]) == 7
    assert all(len(o.representatives) == 3 and len(o.open_stations) == 2 for o in response.context["rows"])
    assert len(large.captured_queries) == len(small.captured_queries)
