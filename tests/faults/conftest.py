"""Fault tests need the real PostgreSQL and Redis (bin/test starts them) and a PostgreSQL install
to make a private cluster of; without them they skip on a developer's machine and fail in CI."""

import os

import pytest
from django.conf import settings
from django.db import connection

from apps.liaison.models import LiaisonOffice
from tests.faults.servers import postgres_bin
from tests.servers import RedisServer


def _missing() -> str:
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        return "needs PostgreSQL and Redis: run the suite through bin/test"
    if postgres_bin() is None:
        return "needs the PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
    return ""


@pytest.fixture(autouse=True)
def _needs_servers():
    reason = _missing()
    if reason and os.environ.get("CI"):
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)


@pytest.fixture
def redis(tmp_path):
    """A private Redis, started: the test may stop it and start it again on the same port."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def office_a(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a, head="张站长")
