"""Every link a staff member's admin pages show opens for them: no 403 or 404 behind a link.

Township and liaison staff were shown links to objects their role cannot open (a proposal's
representative, an office's records...). The walk starts where they land, opens every list their
index offers and the change page of each object of their township, and follows every admin link.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.security.test_cross_scope import ADMIN_OBJECTS, _attr

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/admin/[^"#]*)"')
NOT_PAGES = ("/admin/logout/", "/admin/jsi18n/")


def _links(content: str) -> set[str]:
    links = set()
    for href in HREF.findall(content):
        path = urlsplit(href.replace("&amp;", "&")).path
        if not path.startswith(NOT_PAGES):
            links.add(path)
    return links


def _start_pages(client, world) -> set[str]:
    pages = {reverse("admin:index")}
    for model in admin.site._registry:
        label = model._meta.label
        if label in ADMIN_OBJECTS:
            opts = model._meta
            obj = _attr(world, ADMIN_OBJECTS[label])
            pages.add(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return pages


@pytest.mark.parametrize("who", ["staff_a", "liaison"])
def test_every_admin_link_shown_to_township_and_liaison_staff_opens(client, world, who):
    client.raise_request_exception = False
    client.force_login(getattr(world.users, who))
    seen, broken, queue = set(), [], []
    for page in _start_pages(client, world):
        response = client.get(page)
        if response.status_code == 200:  # a page this role may open at all: its links count
            seen.add(page)
            queue.extend((link, page) for link in _links(response.content.decode()))
    opened = 0
    while queue:
        link, source = queue.pop()
        if link in seen:
            continue
        seen.add(link)
        response = client.get(link)
        opened += 1
        if response.status_code in (403, 404) or response.status_code >= 500:
            broken.append(f"{link} (linked from {source}): {response.status_code}")
        elif response.status_code == 200 and link.count("/") <= 5:
            # lists and change pages lead on to their own links; deeper pages are leaves
            queue.extend((nxt, link) for nxt in _links(response.content.decode()))
    assert opened > 20, "the walk reached nothing"
    assert not broken, f"Links {who} cannot open:\n  " + "\n  ".join(sorted(broken))
