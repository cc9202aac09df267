"""A browser crawl of every page each audience can reach, with the CSP enforced: no violation,
no console error, no script error and no server error anywhere.

Anonymous visitors, a representative, a handling unit's staff and a committee superuser each
start from their home and follow every same-origin link (GET only; logout, language switch and
file downloads skipped) up to a bound; the superuser also opens every model's changelist and
the change form of one row (the add form of a model without rows). The objects come from the security sweep's world
(tests/security/conftest.py): one of every kind, so every change form has a row to show.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from tests.security import conftest as security

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = security.world
_media = security._media

# Kept in window.__violations by every document the browser loads, before any of its scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`));
"""
# Links the crawl does not follow: they end the session, change state by GET, or are files.
SKIP = ("/logout/", "/i18n/", "/static/", "/media/", "/photos/", "/materials/", "/download", "/letters/")
SKIP_ADMIN: tuple[str, ...] = ()
MAX_PAGES = 400


class Crawl:
    def __init__(self, page, origin):
        self.page, self.origin = page, origin
        self.problems: list[str] = []  # CSP violations, console and script errors
        self.server_errors: list[str] = []
        self.seen: set[str] = set()
        self.shapes: set[str] = set()
        page.add_init_script(LISTEN)
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))

    def on_console(self, msg):
        # A page's own 4xx status is logged as a console error too; statuses are checked in visit.
        own_status = msg.text.startswith("Failed to load resource") and msg.location.get("url") == self.page.url
        if msg.type == "error" and not own_status:
            self.problems.append(f"{self.page.url}: {msg.text}")

    def run(self, starts):
        queue = deque(starts)
        while queue and len(self.seen) < MAX_PAGES:
            path = queue.popleft()
            if shape(path) in self.shapes:
                continue
            self.shapes.add(shape(path))
            self.seen.add(path)
            queue.extend(self.visit(path))

    def visit(self, path) -> list[str]:
        try:
            response = self.page.goto(self.origin + path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return []  # a file behind a plain link (an import template, an export)
            raise
        if response is not None and response.status >= 500:
            self.server_errors.append(f"{path}: HTTP {response.status}")
        # Violation events are queued tasks: let them run before reading the list.
        self.page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")
        self.problems += [f"{path}: {v}" for v in self.page.evaluate("window.__violations || []")]
        hrefs = self.page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)")
        return [link for link in map(self.local_path, hrefs) if link]

    def local_path(self, href) -> str | None:
        url = urlsplit(urldefrag(href)[0])
        if f"{url.scheme}://{url.netloc}" != self.origin or url.query:
            return None  # other sites, and filter/sort/page variants of a page already crawled
        if any(part in url.path for part in SKIP) or shape(url.path) in SKIP_ADMIN:
            return None
        return url.path


def shape(path: str) -> str:
    """Pages that differ only by an object's id share a template: one of them is enough."""
    return re.sub(r"/\d+/", "/<id>/", path)


def admin_pages(user) -> list[str]:
    """Every registered model's changelist, and the change form of its first row (else its add form)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        try:
            pages.append(reverse(f"{name}_changelist"))
            first = model._default_manager.order_by("pk").first()
            if first is not None:
                pages.append(reverse(f"{name}_change", args=[first.pk]))
            elif model_admin.has_add_permission(request):
                pages.append(reverse(f"{name}_add"))
        except NoReverseMatch:
            continue
    return pages


def crawl(page, live_server, starts) -> Crawl:
    walker = Crawl(page, live_server.url)
    walker.run(starts)
    return walker


def test_anonymous_visitors_see_no_csp_violation(live_server, page, world):
    starts = ["/", "/liaison/concerns/new/", "/liaison/track/", "/livelihood/ideas/new/", "/accounts/login/"]
    walker = crawl(page, live_server, [*starts, "/admin/login/", "/no-such-page/"])
    assert walker.problems == []
    assert walker.server_errors == []
    assert {"/", "/representatives/", "/liaison/concerns/new/", "/admin/login/"} <= walker.seen


def test_a_representative_sees_no_csp_violation(live_server, log_in, world):
    page = log_in(world.users.representative)
    walker = crawl(page, live_server, [reverse("landing"), reverse("representatives:mine")])
    assert walker.problems == []
    assert walker.server_errors == []
    assert {reverse("representatives:mine"), reverse("proposals:mine"), reverse("notifications:inbox")} <= walker.seen


def test_handling_unit_staff_see_no_csp_violation(live_server, log_in, world):
    page = log_in(world.users.unit)
    walker = crawl(page, live_server, [reverse("unit_home"), reverse("proposals:unit_list")])
    assert walker.problems == []
    assert walker.server_errors == []
    assert reverse("liaison:concern_detail", args=[world.concern.pk]) in walker.seen
    assert reverse("livelihood:unit_project", args=[world.project.pk]) in walker.seen


def test_a_committee_superuser_sees_no_csp_violation_in_the_admin(live_server, log_in, world):
    boss = world.users.committee
    boss.is_superuser = True
    boss.save()
    TOTPDevice.objects.create(user=boss, name="手机", confirmed=True)
    page = log_in(boss)
    pages = admin_pages(boss)
    walker = crawl(page, live_server, [reverse("admin:index"), *pages, reverse("dashboard:index")])
    assert walker.problems == []
    assert walker.server_errors == []
    assert len(pages) > 80
    assert reverse("admin:proposals_proposal_change", args=[world.proposal.pk]) in walker.seen
