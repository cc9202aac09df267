"""The cache must never be why a page fails: with Redis down or frozen, reads miss and writes are
dropped (a logged warning), and callers fall back to the database (tests/faults/test_redis_down.py)."""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def _forgiving(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            log.warning("cache %s skipped: %s", name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _default(key, default=None, version=None):
    return default


class ForgivingRedisCache(RedisCache):
    get = _forgiving("get", _default)
    get_many = _forgiving("get_many", {})
    has_key = _forgiving("has_key", False)
    add = _forgiving("add", False)
    set = _forgiving("set", None)
    set_many = _forgiving("set_many", lambda data, *a, **k: list(data))
    touch = _forgiving("touch", False)
    delete = _forgiving("delete", False)
    delete_many = _forgiving("delete_many", None)
    clear = _forgiving("clear", None)
