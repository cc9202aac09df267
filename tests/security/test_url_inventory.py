"""Every URL is declared with who may reach it, and a request from anyone else is refused."""

import pytest
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import resolve_url
from django.urls import resolve, reverse

from apps.core.models import User
from tests.security import url_inventory as inv

pytestmark = pytest.mark.django_db


def _urls() -> list[inv.Url]:
    return list(inv.walk())


def _listing(urls) -> str:
    return "\n  ".join(sorted(urls))


def test_every_url_has_an_entry():
    undeclared = [f"{u.key}  ({u.route})" for u in _urls() if inv.audience(u) is None]
    assert not undeclared, "URLs without an entry in tests/security/url_inventory.py:\n  " + _listing(undeclared)


def test_every_entry_names_an_existing_url():
    keys = {u.key for u in _urls()}
    stale = [key for key in inv.INVENTORY if key not in keys]
    assert not stale, "Entries of url_inventory.py naming no URL:\n  " + _listing(stale)
    assert not [key for key in inv.SAMPLES if key not in keys], "SAMPLES name a URL that no longer exists"


def test_every_parameterised_portal_url_has_sample_arguments():
    missing = [u.key for u in _urls() if not inv.has_arguments(u)]
    assert not missing, "Give sample arguments in url_inventory.SAMPLES for:\n  " + _listing(missing)


def test_the_inventory_walk_sees_the_admin_and_the_portals():
    keys = {u.key for u in _urls()}
    # The walk must reach nested namespaces and the admin's own patterns, or it checks nothing.
    assert {"admin:index", "admin:proposals_proposal_change", "liaison:concern_new", "home"} <= keys
    assert len(keys) > 200


# --- requests -------------------------------------------------------------------------------------


@pytest.fixture
def role_users(world):
    """One account per role (and one with no role), all in township A's scope."""
    nobody = User.objects.create(username="nobody")
    return {
        inv.REPRESENTATIVE: world.users.representative,
        inv.UNIT: world.users.unit,
        inv.STAFF: world.users.committee,
        None: nobody,
    }


def _requests(world):
    """(url, path) for every URL whose arguments are known, each path checked to resolve back."""
    for url in _urls():
        values = inv.arguments(url, world)
        if values is None or inv.audience(url) is None:
            continue  # reported by the tests above
        path = inv.path_of(url, values)
        match = resolve(path)
        assert (match.view_name or match.route) == url.key or match.func == url.pattern.callback, path
        yield url, path


def _login_urls() -> tuple[str, ...]:
    return (resolve_url(settings.LOGIN_URL), reverse("admin:login"))


def _sent_to_login(response) -> bool:
    if response.status_code != 302:
        return False
    location = response.headers["Location"]
    return location.startswith(_login_urls()) and f"{REDIRECT_FIELD_NAME}=" in location


def refused(response) -> bool:
    return response.status_code in (403, 404) or _sent_to_login(response)


def _get_then_post(client, path):
    """A GET, or for a POST-only view (405 to GET) an empty POST: what the view really does."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, {})
    return response


def _writes_or_sends_files(url) -> bool:
    """History versions (a POST reverts) and downloads: refused to GET and to POST alike."""
    return url.key.endswith("_simple_history") or "download" in url.key


def test_anonymous_visitors_reach_only_the_allowlist(client, world):
    client.raise_request_exception = False  # list every failing URL, not the first traceback
    wrong, checked = [], 0
    for url, path in _requests(world):
        checked += 1
        if inv.ANONYMOUS in inv.audience(url):
            status = client.get(path).status_code
            if status >= 500:
                wrong.append(f"{url.key} {path}: {status}")
            continue
        for response in (client.get(path), client.post(path, {})):
            if not (refused(response) or response.status_code == 405):
                wrong.append(f"{url.key} {path}: {response.request['REQUEST_METHOD']} {response.status_code}")
    assert checked > 200
    assert not wrong, "Anonymous requests not refused (or failing):\n  " + "\n  ".join(wrong)


def _refusing(audience) -> frozenset:
    """The roles (None: an account with no role) that must be refused `audience`'s URLs."""
    if inv.LOGIN in audience or inv.ANONYMOUS in audience:
        return frozenset()
    return frozenset({None, *inv.ROLES}) - audience


def _plan(requests) -> dict:
    """Which role asks for which URL: every wrong role for the portals; for the hundreds of
    admin URLs, which all pass the same staff check, one wrong role each in turn."""
    plan = {}
    for i, (url, path) in enumerate(requests):
        roles = sorted(_refusing(inv.audience(url)), key=str)
        if roles and url.route.startswith("admin/") and not _writes_or_sends_files(url):
            roles = [roles[i % len(roles)]]
        for role in roles:
            plan.setdefault(role, []).append((url, path))
    return plan


def test_accounts_of_another_role_are_refused(client, world, role_users):
    client.raise_request_exception = False
    wrong, checked = [], 0
    for role, requests in _plan(list(_requests(world))).items():
        client.force_login(role_users[role])
        for url, path in requests:
            responses = [_get_then_post(client, path)]
            if _writes_or_sends_files(url):
                responses.append(client.post(path, {}))
            checked += 1
            for response in responses:
                if not (refused(response) or response.status_code == 405):
                    method = response.request["REQUEST_METHOD"]
                    wrong.append(f"{url.key} {path} as {role or 'no role'}: {method} {response.status_code}")
    assert checked > 300
    assert not wrong, "Requests of a wrong role not refused:\n  " + "\n  ".join(wrong)


def test_the_declared_audience_reaches_its_portal_pages(client, world, role_users):
    """The samples are real: each portal page opens for an account of its audience."""
    client.raise_request_exception = False
    wrong = []
    for url, path in _requests(world):
        audience = inv.audience(url)
        if url.route.startswith("admin/") or inv.ANONYMOUS in audience:
            continue
        role = next((r for r in inv.ROLES if r in audience), inv.REPRESENTATIVE)
        client.force_login(role_users[role])
        status = client.get(path).status_code
        # 400: the page answered a bare request by asking for its parameters.
        if status not in (200, 302, 400, 405):
            wrong.append(f"{url.key} {path} as {role}: {status}")
    assert not wrong, "Pages their own audience cannot open (bad sample or bad entry):\n  " + "\n  ".join(wrong)
