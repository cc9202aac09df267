"""The runtime promises: migrations match models, the production profile passes check --deploy,
logins lock out, each role lands somewhere sensible, Chinese by default with English selectable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_production_profile_passes_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x9!k2#pL0@qR7$vW4^zT1&mN8*bC5(dF3)hJ6_sY0+eG2-uI9=oA",
            "ALLOWED_HOSTS": "renda.example.gov.cn",
            "DEBUG": "false",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_pages_send_a_content_security_policy_without_inline_scripts(client, db):
    policy = client.get(reverse("home")).headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src


def test_login_locks_out_after_repeated_failures(client, staff_a, settings):
    staff_a.set_password("correct horse battery staple")
    staff_a.save()
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "staff_a", "password": "wrong"})
    response = client.post(url, {"username": "staff_a", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "锁定" in response.text


def test_a_failed_login_says_so_next_to_the_form(client, staff_a):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


@pytest.mark.parametrize(
    ("persona", "lands_on"),
    [
        ("committee", "/workbench/"),
        ("staff_a", "/workbench/"),
        ("unit", "/unit/"),
        ("representative", "/representatives/mine/"),
    ],
)
def test_each_role_lands_somewhere_sensible(client, personas, persona, lands_on):
    user = personas[persona]
    user.set_password("correct horse battery staple")
    user.save()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0] == lands_on
    assert response.status_code == 200


def test_logout_ends_the_session(login, staff_a):
    client = login(staff_a)
    client.post(reverse("logout"))
    assert client.get(reverse("admin:index")).status_code == 302


def test_unit_page_shows_the_unit_and_refuses_others(login, unit_staff, staff_a):
    assert "县教育局" in login(unit_staff).get(reverse("unit_home")).text
    assert login(staff_a).get(reverse("unit_home")).status_code == 403


def test_pages_are_in_chinese_by_default_and_english_on_request(client, db):
    assert "代表名单" in client.get(reverse("home")).text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("home")).text
    assert "Representatives" in text
    assert "代表名单" not in text


def test_admin_is_in_chinese_for_committee_staff(login, committee_staff):
    text = login(committee_staff).get(reverse("admin:index")).text
    assert "人大代表" in text
    assert "站点管理" in text or "后台管理" in text


def test_changes_are_recorded_with_who_made_them(login, staff_a, rep_a):
    url = reverse("admin:representatives_representative_change", args=[rep_a.pk])
    client = login(staff_a)
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["occupation"] = "儒林镇中心小学教师"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = rep_a.history.latest()
    assert latest.history_user == staff_a
    assert latest.occupation == "儒林镇中心小学教师"
    assert client.get(reverse("admin:representatives_representative_history", args=[rep_a.pk])).status_code == 200


def test_a_browser_set_to_english_still_gets_chinese_until_english_is_chosen(client, db):
    assert "代表名单" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").text
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Representatives" in response.text
    assert response.headers["Content-Language"] == "en"
