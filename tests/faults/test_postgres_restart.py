"""PostgreSQL crashes and comes back under a running app (gunicorn, a private cluster).

While it is down every page is a clean 503 with Retry-After; once it is back the same gunicorn
workers serve again, and every tracking code a citizen was shown is still in the database, with
the broker down as well.
"""

import threading
from dataclasses import dataclass, field

import psycopg2
import pytest
from django.urls import reverse

from tests.faults.servers import PostgresCluster, gunicorn, manage
from tests.faults.web import Visitor, tracking_code
from tests.servers import RedisServer, wait_for

pytestmark = [pytest.mark.faults]

# Just enough of a county for the public pages and the concern form.
SEED = """
from apps.liaison.models import LiaisonOffice
from tests.factories import CountyFactory, TownshipFactory
county = CountyFactory(code="430529", name="城步苗族自治县", kind="autonomous_county")
township = TownshipFactory(parent=county, code="430529100", name="儒林镇")
LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township, head="张站长")
print(township.pk)
"""


@dataclass
class App:
    cluster: PostgresCluster
    server: object
    township: int

    def codes_in_database(self) -> set[str]:
        with psycopg2.connect(self.cluster.url) as db, db.cursor() as cursor:
            cursor.execute("SELECT tracking_code FROM liaison_concern")
            return {code for (code,) in cursor.fetchall()}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("pg-restart")
    cluster = PostgresCluster()
    # The app's broker is never started: every submission also meets a broker that is down.
    broker = RedisServer(tmp_path)
    try:
        cluster.create()
        env = {
            "DATABASE_URL": cluster.url,
            "REDIS_URL": broker.url,
            "DEBUG": "false",  # errors handled as in production: no debug page to hide a 500
            "RENDA_CONCERN_MIN_FILL_SECONDS": "0",
            "RENDA_CONCERN_SUBMIT_PER_HOUR": "10000",
            "RENDA_CONCERN_LOOKUP_PER_HOUR": "10000",
        }
        manage("migrate", "--noinput", env=env)
        township = int(manage("shell", "-c", SEED, env=env).split()[-1])
        cluster.durable()
        # One worker: every request below meets the same process and its kept connection.
        with gunicorn(tmp_path, env=env, workers=1) as server:
            yield App(cluster, server, township)
    finally:
        cluster.destroy()


def _pages_reading_the_database() -> list[str]:
    return [
        reverse("home"),
        reverse("liaison:concern_new"),
        reverse("representatives:roster"),
        reverse("proposals:public_list"),
    ]


def _pages() -> list[str]:
    """The public pages, and the admin's login page which must not leak a traceback either."""
    return [*_pages_reading_the_database(), reverse("liaison:track"), reverse("admin:login")]


def _assert_clean_503(page) -> None:
    assert page.status == 503, (page.url, page.status, page.text[:500])
    assert page.headers.get("Retry-After") == "30"
    assert "no-store" in page.headers.get("Cache-Control", "")
    assert "系统暂时无法使用" in page.text
    for leak in ("Traceback", "OperationalError", "psycopg2", "Server Error"):
        assert leak not in page.text


def test_pages_are_a_clean_503_while_postgres_is_down_and_serve_again_without_a_restart(app):
    visitor = Visitor(app.server.url)
    for path in _pages():
        assert visitor.get(path).status == 200, path
    form = visitor.get(reverse("liaison:concern_new"))
    workers = app.server.worker_pids()

    app.cluster.crash()
    try:
        for path in _pages():
            page = visitor.get(path)
            if page.status != 200 or path in _pages_reading_the_database():  # a page without a query may serve
                _assert_clean_503(page)
        posted = visitor.post(reverse("liaison:concern_new"), {"csrfmiddlewaretoken": visitor.csrf_token(form)})
        _assert_clean_503(posted)
    finally:
        app.cluster.start()

    for path in _pages():
        assert visitor.get(path).status == 200, path
    assert app.server.worker_pids() == workers, "gunicorn's worker was restarted"


def test_a_restart_between_two_requests_goes_unnoticed(app):
    # The worker keeps its connection (CONN_MAX_AGE); the restart cuts it. The health check
    # (CONN_HEALTH_CHECKS) finds it dead before the next request uses it and opens a new one.
    visitor = Visitor(app.server.url)
    workers = app.server.worker_pids()
    assert visitor.get(reverse("home")).status == 200
    app.cluster.crash()
    app.cluster.start()
    assert visitor.get(reverse("home")).status == 200
    assert app.server.worker_pids() == workers


@dataclass
class Citizens:
    """Citizens submitting concerns one after another, in a thread, until told to stop."""

    visitor: Visitor
    township: int
    shown: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        for n in range(400):  # bounded whatever happens
            if self.stop.is_set():
                return
            try:
                page = self.visitor.submit_concern(
                    self.township, min_fill_seconds=0, description=f"第{n}次反映：村口的路灯坏了，晚上出行不便。"
                )
            except OSError as error:  # a connection refused or reset by gunicorn: never expected
                self.errors.append(repr(error))
                continue
            self.statuses.append(page.status)
            if code := tracking_code(page):
                self.shown.append(code)

    def count(self, status: int) -> int:
        return self.statuses.count(status)


def test_every_tracking_code_shown_survives_a_crash_of_postgres(app):
    with psycopg2.connect(app.cluster.url) as db, db.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    citizens = Citizens(Visitor(app.server.url), app.township)
    thread = threading.Thread(target=citizens.run, daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: len(citizens.shown) >= 3, 60), citizens.statuses
        app.cluster.crash()  # in the middle of the traffic, with no checkpoint
        try:
            assert wait_for(lambda: citizens.count(503) >= 3, 60), citizens.statuses
        finally:
            app.cluster.start()
        shown_before = len(citizens.shown)
        assert wait_for(lambda: len(citizens.shown) >= shown_before + 3, 60), citizens.statuses
    finally:
        citizens.stop.set()
        thread.join(timeout=120)

    assert not citizens.errors
    assert set(citizens.statuses) <= {200, 503}, citizens.statuses
    missing = set(citizens.shown) - app.codes_in_database()
    assert not missing, f"tracking codes shown but not saved: {missing}"
