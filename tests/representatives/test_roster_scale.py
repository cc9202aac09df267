"""The public roster at province scale: a county is chosen first when there are many, a
township's page is read from an index in stroke order, and the filter options come from a
cache that a region's change refreshes. The cost of a page never grows with the roster."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from apps.representatives.selectors import public_roster
from tests.collation import stroke_key
from tests.factories import CountyFactory, RepresentativeFactory, TownshipFactory

URL = "representatives:roster"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _grow(county, term, townships, per_township=3):
    for _ in range(townships):
        township = TownshipFactory(parent=county)
        RepresentativeFactory.create_batch(per_township, township=township, term=term)


def _names(response):
    return [rep.name for rep in response.context["page"].object_list]


def test_one_townships_page_is_read_from_the_index_in_stroke_order(township_a, county_term):
    names = ["欧阳娜", "张三", "李明", "阳光", "粟裕", "龙小", "马力", "王伟"]
    for name in names:
        RepresentativeFactory(name=name, township=township_a, term=county_term)
    qs = public_roster(township=township_a)[:20]
    assert [r.name for r in qs] == sorted(names, key=stroke_key)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: forbid the sequential scan to see whether the index serves the
        # order (no Sort node) — on a big table the planner picks it by cost.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "rep_roster_order" in plan
    assert "Sort" not in plan


def test_a_single_county_lists_its_whole_roster_by_default(client, rep_a, rep_b):
    response = client.get(reverse(URL))
    assert "county" not in response.context["form"].fields
    assert {rep_a.name, rep_b.name} <= set(_names(response))


def test_many_counties_list_nobody_until_a_county_is_chosen(client, county, rep_a, county_term):
    CountyFactory(name="绥宁县")
    response = client.get(reverse(URL))
    assert _names(response) == []
    assert "请先选择县（市、区）" in response.text
    assert [code for code, _ in response.context["form"].fields["township"].choices] == [""]
    response = client.get(reverse(URL), {"county": county.code})
    assert _names(response) == [rep_a.name]


def test_a_chosen_county_offers_only_its_own_townships(client, county, township_a, county_term):
    other = TownshipFactory(parent=CountyFactory(name="绥宁县"), name="长铺子乡")
    RepresentativeFactory(township=other, term=county_term, name="外县代表")
    response = client.get(reverse(URL), {"county": county.code})
    codes = [code for code, _ in response.context["form"].fields["township"].choices]
    assert township_a.code in codes and other.code not in codes
    response = client.get(reverse(URL), {"county": county.code, "township": other.code})
    assert response.context["form"].errors["township"]
    assert "外县代表" not in response.text


def test_a_new_township_appears_in_the_cached_options(client, county, township_a):
    client.get(reverse(URL))
    added = TownshipFactory(parent=county, name="新设乡")
    codes = [code for code, _ in client.get(reverse(URL)).context["form"].fields["township"].choices]
    assert added.code in codes
    added.delete()
    codes = [code for code, _ in client.get(reverse(URL)).context["form"].fields["township"].choices]
    assert added.code not in codes


@pytest.mark.parametrize("chosen", ["none", "county", "township"])
def test_a_province_page_costs_the_same_queries_at_two_sizes(
    client, county, township_a, county_term, chosen, django_assert_max_num_queries
):
    other_county = CountyFactory(name="绥宁县")
    RepresentativeFactory.create_batch(3, township=township_a, term=county_term)
    params = {"none": {}, "county": {"county": county.code}, "township": {"county": county.code}}[chosen]
    if chosen == "township":
        params["township"] = township_a.code

    def measure(max_queries):
        client.get(reverse(URL), params)  # fills the options cache
        with django_assert_max_num_queries(max_queries) as queries:
            response = client.get(reverse(URL), params)
        assert response.status_code == 200
        return len(queries.captured_queries)

    _grow(county, county_term, 2)
    _grow(other_county, county_term, 2)
    small = measure(5)
    _grow(county, county_term, 6)
    _grow(other_county, county_term, 10, per_township=5)
    large = measure(5)
    assert large == small


def test_a_link_to_one_township_implies_its_county(client, township_a, rep_a, rep_b):
    CountyFactory(name="绥宁县")
    response = client.get(reverse(URL), {"township": township_a.code})  # the home page's links
    assert _names(response) == [rep_a.name]
    assert response.context["form"].cleaned_data["county"] == township_a.parent
