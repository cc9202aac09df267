"""With Redis unreachable the cache misses and drops writes instead of failing the request."""

import pytest

from apps.core.cache import ForgivingRedisCache
from tests.servers import free_port


def unreachable_cache() -> ForgivingRedisCache:
    url = f"redis://127.0.0.1:{free_port()}/0"
    return ForgivingRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})


def test_reads_miss_and_writes_are_dropped_when_redis_is_unreachable():
    cache = unreachable_cache()
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.delete("k") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]


def test_get_or_set_computes_the_value_when_redis_is_unreachable():
    assert unreachable_cache().get_or_set("k", lambda: 42) == 42


def test_a_reachable_redis_still_caches(settings):
    from django.core.cache import cache

    if not settings.REDIS_URL:
        pytest.skip("no Redis configured: the local-memory cache is in use")
    cache.set("renda-test-key", "v", 5)
    assert cache.get("renda-test-key") == "v"
