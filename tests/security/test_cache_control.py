"""Private pages are not stored (issue 17, finding 9): every response to a logged-in user says
`Cache-Control: private, no-store`; anonymous pages and static files keep their own."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from apps.core.middleware import PrivateNoStoreMiddleware
from tests.security import url_inventory as inv

pytestmark = pytest.mark.django_db


def _not_stored(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def _portal_pages(world, role):
    for url in inv.walk():
        audience = inv.audience(url)
        if url.route.startswith("admin/") or audience is None or inv.ANONYMOUS in audience:
            continue
        if role in audience or inv.LOGIN in audience:
            yield url.key, inv.path_of(url, inv.arguments(url, world))


@pytest.mark.parametrize(("role", "who"), [(inv.REPRESENTATIVE, "representative"), (inv.UNIT, "unit")])
def test_every_portal_page_of_representatives_and_units_is_not_stored(client, world, role, who):
    client.raise_request_exception = False
    client.force_login(getattr(world.users, who))
    stored, checked = [], 0
    for key, path in _portal_pages(world, role):
        response = client.get(path)  # POST-only pages answer 405, which must not be stored either
        checked += 1
        if not _not_stored(response):
            stored.append(f"{key} {path}: {response.status_code} {response.get('Cache-Control')!r}")
    assert checked >= (30 if role == inv.REPRESENTATIVE else 15)
    assert not stored, "Pages a cache may keep:\n  " + "\n  ".join(stored)


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/liaison/concern/", "/dashboard/", "/exports/", "/", "/proposals/public/", "/no-such-page/"],
)
def test_staff_pages_and_even_public_ones_seen_logged_in_are_not_stored(client, world, path):
    client.force_login(world.users.committee)
    assert _not_stored(client.get(path))


def test_public_pages_keep_their_own_header_for_anonymous_visitors(client, world):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- the rule itself -------------------------------------------------------------------------


class _User:
    def __init__(self, authenticated):
        self.is_authenticated = authenticated


def _through(path, *, authenticated=True, cache_control=None):
    def view(request):
        response = HttpResponse("page")
        if cache_control:
            response["Cache-Control"] = cache_control
        return response

    request = RequestFactory().get(path)
    request.user = _User(authenticated)
    return PrivateNoStoreMiddleware(view)(request)


def test_a_logged_in_users_cacheable_response_is_made_private_no_store():
    assert _through("/page/", cache_control="public, max-age=3600")["Cache-Control"] == "private, no-store"
    assert _through("/page/")["Cache-Control"] == "private, no-store"


def test_a_response_that_already_says_no_store_keeps_its_header():
    own = "max-age=0, no-cache, no-store, must-revalidate, private"
    assert _through("/page/", cache_control=own)["Cache-Control"] == own


def test_anonymous_responses_and_static_files_are_left_alone():
    assert not _through("/page/", authenticated=False).has_header("Cache-Control")
    assert _through("/static/css/site.css", cache_control="max-age=60")["Cache-Control"] == "max-age=60"


def test_a_request_answered_before_authentication_is_left_alone():
    request = RequestFactory().get("/page/")  # no request.user: a middleware before auth answered
    assert not PrivateNoStoreMiddleware(lambda r: HttpResponse("x"))(request).has_header("Cache-Control")
