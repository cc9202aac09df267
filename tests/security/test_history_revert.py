"""Reverting to an old version in the admin's history is a write.

django-simple-history saves whatever a POST to `/admin/<app>/<model>/<id>/history/<version>/`
carries, whether or not its page offered a "Revert" button: liaison staff renamed their own
township that way, and township staff rewrote a proposal and published its replies. A revert
needs the model's change permission and the live object's write scope, and exists only for
records saved plainly; records written by services change through their services' actions.
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from apps.core.models import Region
from apps.proposals.models import Proposal
from tests.security.test_cross_scope import ADMIN_OBJECTS, _attr

pytestmark = pytest.mark.django_db

# Reference records whose admin page saves the row as it is (no service behind it): a revert is
# an ordinary edit there. Every other versioned model must refuse a revert to everybody.
PLAIN_SAVE = {
    "core.Region",
    "core.CongressTerm",
    "core.CongressSession",
    "core.HandlingUnit",
    "core.CountySettings",
    "representatives.Constituency",
    "representatives.Representative",
    "liaison.LiaisonOffice",
    "liaison.Funding",
    "liaison.ReceptionSchedule",
    "training.LectureHall",
    "training.Instructor",
    "training.Attendance",
    "posts.PostRole",
}


def _versioned_cases(world):
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        versioned = hasattr(model._meta, "simple_history_manager_attribute")
        if label in ADMIN_OBJECTS and versioned and isinstance(model_admin, SimpleHistoryAdmin):
            yield label, model, _attr(world, ADMIN_OBJECTS[label])


def _version_path(model, obj) -> str:
    version = obj.history.latest("history_id")
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=[obj.pk, version.pk])


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's form, as they stand."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea":
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def _form_data(response) -> dict:
    """What the version's form sends back unchanged: the revert a user would click."""
    parser = _FormFields()
    parser.feed(response.content.decode())
    return {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}


def _staff(world):
    u = world.users
    return [u.committee, u.staff_a, u.liaison]


def test_a_revert_is_refused_to_staff_who_may_not_change_the_record(client, world):
    client.raise_request_exception = False
    wrong, refused = [], 0
    for label, model, obj in _versioned_cases(world):
        path = _version_path(model, obj)
        for user in _staff(world):
            client.force_login(user)
            page = client.get(path)
            if page.status_code != 200:
                continue
            before = obj.history.count()
            response = client.post(path, _form_data(page))
            may_change = user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
            if response.status_code == 302:
                if not may_change or label not in PLAIN_SAVE:
                    wrong.append(f"{label} reverted by {user.username}")
            elif response.status_code == 403:
                refused += 1
                if obj.history.count() != before:
                    wrong.append(f"{label} changed by {user.username} although refused")
            else:
                wrong.append(f"{label} as {user.username}: {response.status_code}")
    assert refused >= 40, "too few refusals: the walk reached nothing"
    assert not wrong, "\n  ".join(wrong)


def test_liaison_staff_cannot_rename_their_township_through_its_history(client, world):
    township = world.township
    name = township.name
    path = _version_path(Region, township)
    client.force_login(world.users.liaison)
    page = client.get(path)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no revert button either

    response = client.post(path, {**_form_data(page), "name": "被改名镇"})

    assert response.status_code == 403
    township.refresh_from_db()
    assert township.name == name


def test_township_staff_cannot_rewrite_a_proposal_or_publish_its_replies(client, world):
    proposal = world.proposal
    path = _version_path(Proposal, proposal)
    client.force_login(world.users.staff_a)
    page = client.get(path)
    assert page.status_code == 200

    response = client.post(path, {**_form_data(page), "title": "改写的标题", "consent_to_publish": "on"})

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.title != "改写的标题"


def test_committee_staff_revert_a_lecture_hall_to_its_old_name(client, world):
    hall = world.hall
    old_name = hall.name
    first = hall.history.latest("history_id")
    hall.name = "新名称讲堂"
    hall.save()
    path = reverse("admin:training_lecturehall_simple_history", args=[hall.pk, first.pk])
    client.force_login(world.users.committee)
    page = client.get(path)
    assert b'name="_save"' in page.content

    response = client.post(path, _form_data(page))

    assert response.status_code == 302
    hall.refresh_from_db()
    assert hall.name == old_name
    assert hall.history.latest("history_id").history_user == world.users.committee


def test_a_service_written_record_offers_no_revert_even_to_committee_staff(client, world):
    path = _version_path(Proposal, world.proposal)
    client.force_login(world.users.committee)
    page = client.get(path)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(path, _form_data(page)).status_code == 403


def test_outsiders_cannot_post_to_another_scope_version(client, world, outsiders):
    client.raise_request_exception = False
    leaks = []
    for label, model, obj in _versioned_cases(world):
        path = _version_path(model, obj)
        for user in (outsiders.committee, outsiders.staff_b, outsiders.liaison_b):
            client.force_login(user)
            before = obj.history.count()
            status = client.post(path, {"name": "x", "title": "x"}).status_code
            if status not in (403, 404) or obj.history.count() != before:
                leaks.append(f"{label} as {user.username}: {status}")
    assert not leaks, "\n  ".join(leaks)
