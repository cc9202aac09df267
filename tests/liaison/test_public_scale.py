"""The public concern form and the tracking lookup cost the same number of queries in a county
of one township as in a deployment of many: the form offers only the chosen township's places,
and the township list itself is one cached query."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.liaison import selectors, services
from apps.liaison.models import Concern, LiaisonOffice
from apps.representatives.models import Representative
from tests.factories import RepresentativeFactory, TownshipFactory, VillageFactory
from tests.liaison.test_public import concern_data

pytestmark = pytest.mark.django_db

NEW = reverse("liaison:concern_new")
TRACK = reverse("liaison:track")
# Per page, with the township list cached (a cold cache adds one: see below). The post's are
# mostly concern_submit's; each lookup counts against the rate limit in one upsert.
# "track personal": the lookup, and the audit row of personal data shown (apps/core/audit.py).
QUERIES = {"no township": 0, "township": 2, "representative": 3, "post": 19, "track": 3, "track personal": 5}


def add_representatives(township, term, count: int) -> None:
    Representative.objects.bulk_create(RepresentativeFactory.build_batch(count, township=township, term=term))


def grow(county, term, townships: int, reps_each: int, villages_each: int = 10) -> None:
    """Townships through the ORM (their signal forgets the cached list), the rest in bulk."""
    for n in range(townships):
        township = TownshipFactory(parent=county, code=f"{county.code}{200 + n}")
        LiaisonOffice.objects.create(name=f"{township.name}工作室", region=township)
        add_representatives(township, term, reps_each)
        for village in VillageFactory.build_batch(villages_each, parent=township):
            village.code = f"{township.code}{village.code[-3:]}"
            village.save()


def counted(client, method: str, path: str, data=dict) -> int:
    """Queries of the second of two requests: the first one has filled the cached township list."""
    getattr(client, method)(path, data())
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data())
    assert response.status_code in (200, 302), response.status_code
    return len(queries)


def page_costs(client, township, village, rep) -> dict[str, int]:
    concern, _ = services.concern_submit(
        region=township, category="roads", description="路灯坏了三个月。", phone="13812345678"
    )
    code = concern.tracking_code
    return {
        "no township": counted(client, "get", NEW),
        "township": counted(client, "get", NEW, lambda: {"township": township.pk}),
        "representative": counted(client, "get", NEW, lambda: {"representative": rep.pk}),
        "post": counted(client, "post", NEW, lambda: concern_data(township, village=village.pk, representative=rep.pk)),
        "track": counted(client, "get", TRACK, lambda: {"code": code}),
        "track personal": counted(client, "get", TRACK, lambda: {"code": code, "phone_last4": "5678"}),
    }


@pytest.fixture
def no_limits(settings):
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, "SUBMIT_PER_HOUR": 1000, "LOOKUP_PER_HOUR": 1000}


def test_the_form_and_the_lookup_cost_the_same_queries_with_1_or_41_townships(
    client, no_limits, office_a, township_a, village_a, rep_a, county, county_term
):
    add_representatives(township_a, county_term, 4)
    small = page_costs(client, township_a, village_a, rep_a)
    grow(county, county_term, townships=40, reps_each=200)
    large = page_costs(client, township_a, village_a, rep_a)
    assert large == small, (small, large)
    assert small == QUERIES
    assert Concern.objects.count() == 2 + 2 * 2  # each size: the tracked one and two posted


def test_a_cold_cache_costs_one_query_for_every_township_and_a_change_is_seen_at_once(
    client, township_a, county, django_assert_num_queries
):
    cache.delete(selectors.TOWNSHIPS_CACHE_KEY)
    with django_assert_num_queries(1):
        client.get(NEW)
    with django_assert_num_queries(0):
        assert "测试新镇" not in client.get(NEW).text
    TownshipFactory(parent=county, code="430529300", name="测试新镇")
    with django_assert_num_queries(1):
        assert "测试新镇" in client.get(NEW).text


def test_the_form_works_when_the_cache_is_down(client, settings, office_a, township_a, rep_a):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert "杨秀英" in client.get(NEW, {"representative": rep_a.pk}).text
    response = client.post(NEW, concern_data(township_a, representative=rep_a.pk))
    assert response.status_code == 302
    assert Concern.objects.get().addressed_to == rep_a
