"""Sessions end: after the idle limit, after the absolute limit from login, at logout and at deactivation."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.sessions import sessions_end_for

PASSWORD = "correct horse battery staple"
LOGIN_TIME = datetime.datetime(2022, 6, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def limits(settings):
    settings.RENDA_SESSION_IDLE_MINUTES = 30
    settings.RENDA_SESSION_MAX_HOURS = 2


@pytest.fixture
def clock():
    with time_machine.travel(LOGIN_TIME, tick=False) as traveller:
        yield traveller


def log_in(user) -> Client:
    """Through the login form, as a person does (the login signal stamps the session)."""
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the login form refused the persona"
    return client


def is_logged_in(client: Client) -> bool:
    """`landing` sends a logged-in person to their home and anyone else to the login page."""
    response = client.get(reverse("landing"))
    return not response["Location"].startswith(reverse("login"))


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def at(clock, minutes: int):
    clock.move_to(LOGIN_TIME + datetime.timedelta(minutes=minutes))


def test_a_session_idle_past_the_limit_is_logged_out_and_its_row_is_gone(limits, clock, representative_user):
    client = log_in(representative_user)
    key = session_key(client)
    at(clock, 29)
    assert is_logged_in(client)
    at(clock, 29 + 29)  # activity at minute 29 restarted the idle clock
    assert is_logged_in(client)
    at(clock, 29 + 29 + 31)
    assert not is_logged_in(client)
    assert not Session.objects.filter(session_key=key).exists()


def test_the_login_page_says_why_the_session_ended(limits, clock, representative_user):
    client = log_in(representative_user)
    at(clock, 45)
    response = client.get(reverse("landing"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "请重新登录" in response.content.decode()


def test_an_active_session_past_the_absolute_limit_is_logged_out(limits, clock, committee_staff):
    client = log_in(committee_staff)
    for minute in (25, 50, 75, 100, 119):
        at(clock, minute)
        assert client.get(reverse("admin:index")).status_code == 200, minute
    at(clock, 121)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_new_login_restarts_the_absolute_limit(limits, clock, representative_user):
    log_in(representative_user)
    at(clock, 100)
    client = log_in(representative_user)
    at(clock, 125)
    assert is_logged_in(client)


def test_after_logout_the_old_session_cookie_no_longer_works(representative_user):
    client = log_in(representative_user)
    key = session_key(client)
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_logged_in(replay)


def test_deactivating_a_user_ends_all_their_sessions(representative_user, unit_staff):
    office, phone = log_in(representative_user), log_in(representative_user)
    bystander = log_in(unit_staff)
    representative_user.is_active = False
    representative_user.save()
    assert not Session.objects.filter(session_key__in=[session_key(office), session_key(phone)]).exists()
    assert not is_logged_in(office)
    assert not is_logged_in(phone)
    assert is_logged_in(bystander)


def test_deactivating_a_user_in_the_admin_ends_their_sessions(committee_staff, staff_a):
    victim = log_in(staff_a)
    admin = log_in(committee_staff)
    url = reverse("admin:core_user_change", args=[staff_a.pk])
    form = admin.get(url).context["adminform"].form
    data = {**admin_form_data(form), "is_active": ""}
    response = admin.post(url, data)
    assert response.status_code == 302, getattr(response.context.get("adminform"), "form", {}).errors
    assert not is_logged_in(victim)
    assert is_logged_in(admin)


def admin_form_data(form) -> dict:
    """The change form as the browser would post it, unchanged."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def test_saving_an_active_user_leaves_their_sessions_alone(representative_user):
    client = log_in(representative_user)
    representative_user.full_name = "杨秀英（改）"
    representative_user.save()
    assert is_logged_in(client)


def test_ending_sessions_leaves_other_users_sessions(representative_user, unit_staff):
    log_in(representative_user)
    other = log_in(unit_staff)
    assert sessions_end_for(representative_user.pk) == 1
    assert is_logged_in(other)


def session_writes(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_a_busy_session_is_written_at_most_once_a_minute(limits, clock, representative_user):
    client = log_in(representative_user)
    path = reverse("notifications:inbox")
    at(clock, 2)
    assert session_writes(client, path) == 1  # the last-seen time moves on
    assert session_writes(client, path) == 0
    clock.shift(50)
    assert session_writes(client, path) == 0
    clock.shift(20)
    assert session_writes(client, path) == 1
