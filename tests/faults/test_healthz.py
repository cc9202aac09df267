"""/healthz under gunicorn while PostgreSQL or Redis stops: 503 with what is down, 200 again once
it is back, with the same workers (a load balancer takes the app out of rotation and back)."""

import json

import pytest

from tests.faults.servers import PostgresCluster, gunicorn
from tests.faults.web import Visitor
from tests.servers import RedisServer, wait_for

pytestmark = [pytest.mark.faults]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The app on a private cluster and a private Redis. /healthz runs no model query, so the
    cluster needs no schema."""
    tmp_path = tmp_path_factory.mktemp("healthz")
    cluster, redis = PostgresCluster(), RedisServer(tmp_path)
    try:
        cluster.create()
        redis.start()
        env = {"DATABASE_URL": cluster.url, "REDIS_URL": redis.url, "DEBUG": "false"}
        with gunicorn(tmp_path, env=env, workers=1) as server:
            yield server, cluster, redis
    finally:
        redis.stop()
        cluster.destroy()


def _health(server) -> tuple[int, dict]:
    page = Visitor(server.url, timeout=30).get("/healthz")
    return page.status, json.loads(page.text)


def test_healthz_answers_ok_while_both_are_up(app):
    server, _cluster, _redis = app
    assert _health(server) == (200, {"status": "ok", "database": "ok", "cache": "ok"})


def test_healthz_is_503_while_the_database_is_stopped_and_200_once_it_is_back(app):
    server, cluster, _redis = app
    workers = server.worker_pids()
    cluster.crash()
    try:
        status, body = _health(server)
        assert status == 503
        assert body == {"status": "unavailable", "database": "down", "cache": "ok"}
    finally:
        cluster.start()
    assert wait_for(lambda: _health(server)[0] == 200, 30)
    assert server.worker_pids() == workers  # recovered without a restart


def test_healthz_is_503_while_redis_is_stopped_and_200_once_it_is_back(app):
    server, _cluster, redis = app
    redis.stop()
    try:
        status, body = _health(server)
        assert status == 503
        assert body == {"status": "unavailable", "database": "ok", "cache": "down"}
    finally:
        redis.start()
    assert wait_for(lambda: _health(server)[0] == 200, 30)


def test_healthz_says_nothing_personal_and_needs_no_login(app):
    server, _cluster, _redis = app
    page = Visitor(server.url).get("/healthz")
    assert page.url.endswith("/healthz")  # no redirect to a login page
    assert set(json.loads(page.text)) == {"status", "database", "cache"}
    assert "no-cache" in page.headers.get("Cache-Control", "") or "max-age=0" in page.headers.get("Cache-Control", "")
