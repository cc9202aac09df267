"""Abuse limits of the public pages, kept in the database so they hold with Redis down."""

import hashlib
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from apps.liaison.models import RateLimitHit

# The table of RateLimitHit and its unique (key, window_start) constraint.
RATE_LIMIT_UPSERT = """
    INSERT INTO "liaison_ratelimithit" ("key", "window_start", "count") VALUES (%s, %s, 1)
    ON CONFLICT ("key", "window_start") DO UPDATE SET "count" = "liaison_ratelimithit"."count" + 1
    RETURNING "count"
"""


def rate_limit_allows(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one request against `key` in the current window; False once over `limit`.

    On a database error it fails open rather than turning a citizen away with an error page."""
    now = timezone.now()
    start = now - timedelta(seconds=now.timestamp() % window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:64]
    # One statement instead of get_or_create + update + re-read in a savepoint (five round trips
    # on every public request): the upsert counts atomically, so concurrent hits cannot race.
    with connection.cursor() as cursor:
        cursor.execute(RATE_LIMIT_UPSERT, [digest, start])
        (count,) = cursor.fetchone()
    return count <= limit


def rate_limit_purge(*, older_than: timedelta = timedelta(days=1)) -> int:
    return RateLimitHit.objects.filter(window_start__lt=timezone.now() - older_than).delete()[0]
