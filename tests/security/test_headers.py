"""Security headers on the HTML pages of every audience, and the production profile's HSTS and cookies."""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.servers import ROOT

PAGES = [
    # (persona, URL name or callable(world) -> path, expected status)
    ("anonymous", "home", 200),
    ("anonymous", "representatives:roster", 200),
    ("anonymous", "liaison:concern_new", 200),
    ("anonymous", "liaison:track", 200),
    ("anonymous", "liaison:reception_days", 200),
    ("anonymous", "proposals:public_list", 200),
    ("anonymous", "livelihood:public", 200),
    ("anonymous", "livelihood:idea_new", 200),
    ("anonymous", "login", 200),
    ("anonymous", "admin:login", 200),
    ("anonymous", lambda w: "/no-such-page/", 404),
    ("representative", "representatives:mine", 200),
    ("representative", "representatives:duty_record", 200),
    ("representative", "proposals:mine", 200),
    ("representative", lambda w: reverse("proposals:mine_detail", args=[w.proposal.pk]), 200),
    ("representative", "notifications:inbox", 200),
    ("representative", "liaison:my_shifts", 200),
    ("representative", "training:my_lectures", 200),
    ("representative", "posts:mine", 200),
    ("representative", "groups:mine", 200),
    ("representative", "livelihood:my", 200),
    ("representative", "unit_home", 403),
    ("representative", lambda w: reverse("proposals:unit_detail", args=[w.assignment.pk]), 403),
    ("unit", "unit_home", 200),
    ("unit", "proposals:unit_list", 200),
    ("unit", lambda w: reverse("proposals:unit_detail", args=[w.assignment.pk]), 200),
    ("unit", "liaison:unit_concerns", 200),
    ("unit", "livelihood:unit_list", 200),
    ("committee", "admin:index", 200),
    ("committee", "admin:core_user_changelist", 200),
    ("committee", lambda w: reverse("admin:core_user_change", args=[w.users.staff_a.pk]), 200),
    ("committee", "admin:representatives_representative_changelist", 200),
    ("committee", lambda w: reverse("admin:representatives_representative_change", args=[w.rep.pk]), 200),
    ("committee", "admin:proposals_proposal_changelist", 200),
    ("committee", lambda w: reverse("admin:proposals_proposal_change", args=[w.proposal.pk]), 200),
    ("committee", "admin:liaison_concern_changelist", 200),
    ("committee", lambda w: reverse("admin:liaison_concern_change", args=[w.concern.pk]), 200),
    ("committee", "admin:training_lecture_add", 200),
    ("staff_a", "admin:index", 200),
    ("staff_a", lambda w: reverse("admin:core_user_change", args=[w.users.committee.pk]), 404),
]


def page_id(page):
    persona, target, _status = page
    return f"{persona}-{target if isinstance(target, str) else 'object'}"


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture(autouse=True)
def _debug_off(settings):
    # Error pages as a deployment serves them, not the debug views.
    settings.DEBUG = False


@pytest.mark.parametrize("page", PAGES, ids=[page_id(p) for p in PAGES])
def test_every_audience_gets_the_csp_and_the_security_headers(page, world, login):
    persona, target, status = page
    path = target(world) if callable(target) else reverse(target)
    user = getattr(world.users, persona) if persona != "anonymous" else None
    response = login(user).get(path)
    assert response.status_code == status, path
    assert response["Content-Type"].startswith("text/html")
    csp = csp_directives(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_csrf_failure_page_keeps_the_headers(db):
    response = Client(enforce_csrf_checks=True).post(reverse("liaison:concern_new"), {})
    assert response.status_code == 403
    assert csp_directives(response)["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The security settings as `DJANGO_ENV=production` computes them, read in a fresh process."""
    names = [
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "DEBUG",
    ]
    code = f"import json; from renda import settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    # A key the production profile accepts (at least 50 characters, not all alike).
    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50 + "Zx9!-q7#Lm2@"}
    env.pop("DEBUG", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_production_profile_passes_djangos_deploy_checks():
    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "k" * 50 + "Zx9!-q7#Lm2@"}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_sends_hsts_and_secure_httponly_cookies(production_settings, settings, rep_a, representative_user):
    assert production_settings["DEBUG"] is False
    for name, value in production_settings.items():
        setattr(settings, name, value)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    representative_user.set_password("correct horse battery staple")
    representative_user.save()
    client = Client()
    form = client.get(reverse("login"), secure=True)
    assert form["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    response = client.post(
        reverse("login"), {"username": "rep_user", "password": "correct horse battery staple"}, secure=True
    )
    assert response.status_code == 302
    for cookie in (form.cookies[settings.CSRF_COOKIE_NAME], response.cookies[settings.SESSION_COOKIE_NAME]):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
    assert client.get(reverse("login")).status_code == 301  # plain http goes to https


# Third-party templates copied into templates/ without their inline styles and handlers: the
# installed originals must still be the ones copied, or the copies hide the package's changes.
COPIED_TEMPLATES = {
    "import_export/templates/admin/import_export/export.html": (
        "cb62034e5ac6a50108a7d1a325348e08aacaabc9835960ce03baabcd48c005e8"
    ),
    "simple_history/templates/simple_history/object_history_list.html": (
        "e2c3e5d3462c5fd6c8e21456be75ac0de33bdad065004e0f1d4c2b7db5920337"
    ),
}


@pytest.mark.parametrize("original", COPIED_TEMPLATES)
def test_the_copied_third_party_templates_match_the_installed_packages(original):
    package, _, inner = original.partition("/")
    path = Path(importlib.util.find_spec(package).origin).parent / inner
    assert hashlib.sha256(path.read_bytes()).hexdigest() == COPIED_TEMPLATES[original], (
        f"{package} changed {inner}: copy it again into templates/ without inline styles or handlers"
    )
