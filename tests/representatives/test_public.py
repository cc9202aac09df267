"""Public pages: the home page and the roster show public fields only, in stroke order, at a fixed cost."""

import pytest
from django.urls import reverse

from apps.representatives.choices import Status
from apps.representatives.models import Representative
from tests.collation import stroke_key
from tests.factories import RepresentativeFactory, TownshipFactory

# One surname for each stroke count from 2 to 13, shuffled.
BY_STROKES = ["丁", "马", "王", "龙", "刘", "杨", "罗", "姚", "唐", "梁", "谢", "蓝"]


def test_names_are_ordered_by_surname_strokes_in_the_database(township_a, county_term):
    for surname in reversed(BY_STROKES):
        RepresentativeFactory(name=surname + "某", township=township_a, term=county_term)
    names = [r.name[0] for r in Representative.objects.by_stroke()]
    assert names == BY_STROKES


def test_database_order_matches_the_python_collation(township_a, county_term):
    names = ["欧阳娜", "张三", "李明", "阳光", "粟裕", "龙小", "马力", "王伟"]
    for name in names:
        RepresentativeFactory(name=name, township=township_a, term=county_term)
    assert [r.name for r in Representative.objects.all()] == sorted(names, key=stroke_key)


def test_home_page_lists_townships_with_counts(client, rep_a, rep_b, township_a):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "儒林镇" in response.text
    assert response.context["townships"].get(pk=township_a.pk).serving == 1


def test_roster_shows_public_fields_and_never_private_ones(client, rep_a):
    rep_a.credential_no = "430529-18-777"
    rep_a.save()
    response = client.get(reverse("representatives:roster"))
    assert response.status_code == 200
    assert rep_a.name in response.text
    for private in ["13912345678", "430529-18-777", "5678"]:
        assert private not in response.text


def test_roster_lists_only_serving_representatives(client, rep_a, rep_b):
    rep_b.status = Status.RESIGNED
    rep_b.status_changed_on = "2023-01-01"
    rep_b.save()
    text = client.get(reverse("representatives:roster")).text
    assert rep_a.name in text
    assert rep_b.name not in text


def test_roster_filters_by_township(client, rep_a, rep_b, township_b):
    text = client.get(reverse("representatives:roster"), {"township": township_b.code}).text
    assert rep_b.name in text
    assert rep_a.name not in text


def test_roster_ignores_an_unknown_township_with_a_message(client, rep_a):
    response = client.get(reverse("representatives:roster"), {"township": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_roster_paginates(client, township_a, county_term, settings):
    settings.RENDA = {**settings.RENDA, "PUBLIC_PAGE_SIZE": 5}
    RepresentativeFactory.create_batch(12, township=township_a, term=county_term)
    response = client.get(reverse("representatives:roster"), {"page": 3})
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize("url_name", ["home", "representatives:roster"])
def test_public_pages_cost_the_same_queries_with_more_data(
    client, county, county_term, url_name, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            township = TownshipFactory(parent=county)
            RepresentativeFactory.create_batch(5, township=township, term=county_term)

    grow(2)
    with django_assert_max_num_queries(4) as small:
        client.get(reverse(url_name))
    grow(8)
    with django_assert_max_num_queries(4) as large:
        client.get(reverse(url_name))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_representative_sees_their_own_record(login, representative_user, rep_a):
    response = login(representative_user).get(reverse("representatives:mine"))
    assert response.status_code == 200
    assert rep_a.phone in response.text


def test_my_record_page_is_403_for_accounts_without_a_record(login, unit_staff):
    assert login(unit_staff).get(reverse("representatives:mine")).status_code == 403


def test_my_record_page_needs_login(client):
    response = client.get(reverse("representatives:mine"))
    assert response.status_code == 302
    assert reverse("login") in response.url
