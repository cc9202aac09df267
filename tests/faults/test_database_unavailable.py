"""The 503 page itself: what a visitor sees while the database is away, wherever the error rose.

The full outage is in test_postgres_restart.py; here the database connection points at a port
where nothing listens, to reach each path on purpose, including an error inside another
middleware (a session saved after the view) that a real outage hits only by chance."""

import socket
import threading

import pytest
from django.db import connection
from django.test import Client

from tests.servers import free_port

pytestmark = [pytest.mark.faults, pytest.mark.urls("tests.faults.urls")]


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


class Outage:
    """The next connection goes to a closed port (psycopg2's own "connection refused"), or to
    `port`: a host that takes the connection and never answers."""

    def __init__(self):
        self.where = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}

    def begin(self, port: int | None = None):
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port or free_port()))

    def end(self):
        connection.close()
        connection.settings_dict.update(self.where)


@pytest.fixture
def database_down(transactional_db):
    outage = Outage()
    outage.begin()
    yield outage
    outage.end()  # before the test database is flushed


def _assert_clean_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "系统暂时无法使用" in content
    for leak in ("Connection refused", "connection already closed", "Traceback", "psycopg2"):
        assert leak not in content


def test_a_view_that_cannot_reach_the_database_gives_the_503_page(visitor, database_down):
    _assert_clean_503(visitor.get("/reads/"))


def test_a_connection_cut_under_a_view_gives_the_503_page(visitor):
    _assert_clean_503(visitor.get("/closed/"))


def test_a_database_error_in_another_middleware_is_a_503_too(visitor, database_down):
    response = visitor.get("/session/")
    _assert_clean_503(response)
    # The other middleware's headers are kept on the 503 page.
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def test_the_503_page_is_in_the_chosen_language(visitor, database_down):
    visitor.cookies["django_language"] = "en"
    response = visitor.get("/reads/")
    assert response.status_code == 503
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_a_database_host_that_never_answers_gives_the_503_page_not_a_hung_worker(visitor, database_down):
    # The kernel completes the handshake for the listening socket; nothing ever replies, as with a
    # host that froze. Without connect_timeout (DATABASES) the request would wait for ever.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        database_down.begin(port=silent.getsockname()[1])
        responses = []
        request = threading.Thread(target=lambda: responses.append(visitor.get("/reads/")), daemon=True)
        request.start()
        request.join(timeout=120)  # a guard against a hung test run, far beyond connect_timeout
    assert responses, "the request hung on a database that never answers"
    _assert_clean_503(responses[0])


def test_other_errors_stay_errors(visitor):
    assert visitor.get("/bug/").status_code == 500


def test_the_page_serves_again_once_the_database_answers(visitor, database_down):
    _assert_clean_503(visitor.get("/reads/"))
    database_down.end()
    assert visitor.get("/reads/").status_code == 200
