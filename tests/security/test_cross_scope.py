"""Another scope's object: 404 in the portals, never a 200 in the admin.

The objects are township A's (tests/security/conftest.py `world`); the outsiders hold the same
roles in township B, in another county, or at another unit. Each check also opens the object as
an insider of the same role, so a sample that reaches nothing cannot pass for a refusal.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.security import url_inventory as inv

pytestmark = pytest.mark.django_db


# --- portals ----------------------------------------------------------------------------------

# Where the inventory's sample is legitimately shared across scopes, an object that is not:
# the county's ballot is every county representative's, the township's ballot is township A's.
OBJECTS = {
    "livelihood:ballot_vote": lambda w: {"pk": w.ballot.pk},
    "livelihood:ballot_done": lambda w: {"pk": w.ballot.pk},
}


def _portal_object_urls():
    for url in inv.walk():
        audience = inv.audience(url)
        if url.route.startswith("admin/") or not url.params or audience is None or inv.ANONYMOUS in audience:
            continue
        yield url, audience


def _portal_requests(world):
    for url, audience in _portal_object_urls():
        sample = OBJECTS.get(url.key) or inv.SAMPLES[url.key]
        yield url, audience, inv.path_of(url, {k: str(v) for k, v in sample(world).items()})


def _insiders(world):
    u = world.users
    return {inv.REPRESENTATIVE: [u.representative], inv.UNIT: [u.unit], inv.STAFF: [u.committee, u.staff_a]}


def _outsiders(outsiders):
    o = outsiders
    return {inv.REPRESENTATIVE: [o.representative], inv.UNIT: [o.unit], inv.STAFF: [o.committee, o.staff_b]}


def _ask(client, user, path):
    """GET, or for a POST-only view an empty POST (the object is looked up either way)."""
    client.force_login(user)
    response = client.get(path)
    return client.post(path, {}) if response.status_code == 405 else response


def test_portal_objects_of_another_scope_are_404(client, world, outsiders):
    client.raise_request_exception = False  # list every failing URL, not the first traceback
    leaks, checked = [], 0
    for url, audience, path in _portal_requests(world):
        for role in audience & set(inv.ROLES):
            for user in _outsiders(outsiders)[role]:
                response = _ask(client, user, path)
                checked += 1
                if response.status_code != 404:
                    leaks.append(f"{url.key} {path} as {user.username}: {response.status_code}")
    assert checked >= 30
    assert not leaks, "Another scope's object not answered with 404:\n  " + "\n  ".join(leaks)


def test_portal_objects_open_for_their_own_scope(client, world, outsiders):
    """The control: the same paths are not 404 for the insiders of the same roles."""
    client.raise_request_exception = False
    missing = []
    for url, audience, path in _portal_requests(world):
        role = next(r for r in inv.ROLES if r in audience)
        user = _insiders(world)[role][0]
        client.force_login(user)
        status = client.get(path).status_code
        if status == 404 or status >= 500:
            missing.append(f"{url.key} {path} as {user.username}: {status}")
    assert not missing, "Objects their own scope cannot open:\n  " + "\n  ".join(missing)


# --- admin ------------------------------------------------------------------------------------

# One object of township A per registered model (attribute of `world`).
ADMIN_OBJECTS = {
    "core.Region": "township",
    "core.CongressTerm": "township_term",
    "core.CongressSession": "township_session",
    "core.HandlingUnit": "township_unit",
    "core.CountySettings": "county_settings",
    "core.User": "users.staff_a",
    "representatives.Constituency": "constituency",
    "representatives.Representative": "rep",
    "representatives.DutyActivity": "duty_activity",
    "representatives.VoterRating": "voter_rating",
    "representatives.Evaluation": "evaluation",
    "notifications.Notification": "notification",
    "proposals.Proposal": "proposal",
    "proposals.Assignment": "assignment",
    "proposals.ReturnRequest": "return_request",
    "proposals.Extension": "extension",
    "proposals.Supervision": "supervision",
    "proposals.AssignmentBatch": "batch",
    "proposals.Notice": "notice",
    "liaison.LiaisonOffice": "office",
    "liaison.Funding": "funding",
    "liaison.ReceptionSchedule": "schedule",
    "liaison.ReceptionDay": "reception_day",
    "liaison.DutyShift": "shift",
    "liaison.ReceptionRecord": "reception_record",
    "liaison.Concern": "concern",
    "liaison.ConcernReturnRequest": "concern_return_request",
    "training.LectureHall": "hall",
    "training.Instructor": "instructor",
    "training.Lecture": "lecture",
    "training.Attendance": "attendance",
    "training.Retraining": "retraining",
    "posts.DutyPost": "post",
    "posts.PostAssignment": "post_assignment",
    "posts.PostLog": "post_log",
    "groups.ActivityGroup": "group",
    "groups.Activity": "activity",
    "groups.Campaign": "campaign",
    "groups.ProblemSolved": "problem",
    "groups.Inspection": "inspection",
    "livelihood.Idea": "idea",
    "livelihood.Project": "project",
    "livelihood.Ballot": "ballot",
    "dashboard.ReportJob": "report_job",
    "otp_totp.TOTPDevice": "totp_device",
}
# Photos shown by an object's admin page (the `photo_id` of its photo URL).
ADMIN_PHOTOS = {"liaison.Concern": "concern_photo", "posts.PostLog": "post_log_photo"}

# Registered models with no region: global reference data or the superuser's own tools.
UNSCOPED = {
    "auth.Group": "role groups, superusers only",
    "axes.AccessAttempt": "login lockouts, superusers only",
    "axes.AccessLog": "login log, superusers only",
    "axes.AccessFailureLog": "login failures, superusers only",
    "core.TaskHeartbeat": "background task heartbeats, global",
    "core.HolidayYear": "the national holiday calendar, global reference data",
    "core.AuditEvent": "the audit log: the auditor role and superusers only (tests/security/test_audit_log.py)",
    "posts.PostRole": "the list of post roles, global reference data",
}


def _attr(world, dotted):
    value = world
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def test_every_registered_model_is_in_the_cross_scope_check():
    registered = {m._meta.label for m in admin.site._registry}
    missing = registered - set(ADMIN_OBJECTS) - set(UNSCOPED)
    assert not missing, f"Add an object of these models to ADMIN_OBJECTS (and `world`): {sorted(missing)}"
    assert not (set(ADMIN_OBJECTS) | set(UNSCOPED)) - registered, "entries for models no longer registered"


def _object_urls(model) -> list[inv.Url]:
    """The model's admin URLs that name one object: change, history, delete and custom pages."""
    prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
    # Unnamed: the old "<id>/" address, a redirect to the change page.
    return [u for u in inv.walk() if u.route.startswith(prefix) and u.params and u.key != u.route]


def _values(url, obj, world, label) -> dict[str, str]:
    values = {}
    for param in url.params:
        if param == "photo_id":
            values[param] = str(_attr(world, ADMIN_PHOTOS[label]).pk)
        elif param == "1":  # simple_history's second group: a version of this object, if kept
            history = getattr(obj, "history", None)
            values[param] = str(history.latest("history_id").history_id) if history is not None else "1"
        else:  # object_id, id, pk, or simple_history's first group
            values[param] = str(obj.pk)
    return values


def _admin_cases(world):
    for model in admin.site._registry:
        label = model._meta.label
        if label in ADMIN_OBJECTS:
            obj = _attr(world, ADMIN_OBJECTS[label])
            paths = {u.key: inv.path_of(u, _values(u, obj, world, label)) for u in _object_urls(model)}
            yield label, model, paths


def _keeps_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _pairs(world, outsiders):
    """(insider, outsider) of the same role: the outsider has the insider's permissions."""
    u, o = world.users, outsiders
    return [(u.committee, o.committee), (u.staff_a, o.staff_b), (u.liaison, o.liaison_b)]


def test_admin_never_shows_another_scope_object(client, world, outsiders):
    client.raise_request_exception = False
    leaks, tested = [], set()
    for label, model, paths in _admin_cases(world):
        # The history page needs the same view permission and scope as the change page, and
        # renders faster; models without kept versions crash there (see the test below).
        page = "history" if _keeps_history(model) else "change"
        seen = paths[f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"]
        for insider, outsider in _pairs(world, outsiders):
            client.force_login(insider)
            if client.get(seen).status_code != 200:
                continue  # this role may not see the model at all: nothing to leak
            tested.add(label)
            client.force_login(outsider)
            for key, path in paths.items():
                status = client.get(path).status_code
                if status == 200 or status >= 500:
                    leaks.append(f"{key} {path} as {outsider.username}: {status}")
    assert not leaks, "Admin pages showing another scope's object:\n  " + "\n  ".join(leaks)
    superuser_only = set(ADMIN_OBJECTS) - tested
    assert superuser_only == SUPERUSER_ONLY, f"No staff role opens these in its own scope: {superuser_only}"


# Scoped models no staff role may open (only superusers): their outsiders are refused anyway.
SUPERUSER_ONLY = {"otp_totp.TOTPDevice"}


def test_admin_object_pages_of_superuser_only_models_refuse_staff(client, world, outsiders):
    client.raise_request_exception = False
    wrong = []
    for label, _model, paths in _admin_cases(world):
        if label not in SUPERUSER_ONLY:
            continue
        for insider, outsider in _pairs(world, outsiders):
            for user in (insider, outsider):
                client.force_login(user)
                for key, path in paths.items():
                    if client.get(path).status_code == 200:
                        wrong.append(f"{key} {path} as {user.username}")
    assert not wrong, "\n  ".join(wrong)


def test_admin_history_page_of_a_model_without_kept_versions_opens(client, world):
    """ReturnRequest, Extension, Supervision, AssignmentBatch, ReceptionSchedule and Attendance
    keep no versions; their "history" link must still open (Django's admin log), not crash."""
    client.raise_request_exception = False
    client.force_login(world.users.committee)
    crashed = []
    for label, model, paths in _admin_cases(world):
        if not _keeps_history(model):
            path = paths[f"admin:{model._meta.app_label}_{model._meta.model_name}_history"]
            if client.get(path).status_code >= 500:
                crashed.append(label)
    assert not crashed, f"history pages answering 500: {crashed}"


# Admin pages that take their objects as "?ids=" (from the list's checkboxes), not in the path.
ADMIN_ID_PAGES = {
    "admin:proposals_proposal_assign_on_site": lambda w: w.proposal,
    "admin:livelihood_idea_shortlist": lambda w: w.idea,
}


def test_admin_pages_taking_ids_ignore_another_scope_objects(client, world, outsiders):
    client.raise_request_exception = False
    leaks, opened = [], []
    for name, pick in ADMIN_ID_PAGES.items():
        obj = pick(world)
        path = f"{reverse(name)}?ids={obj.pk}"
        for insider, outsider in _pairs(world, outsiders):
            client.force_login(insider)
            if client.get(path).status_code == 200:
                opened.append(name)
            client.force_login(outsider)
            response = client.get(path)
            if response.status_code == 200 or str(obj) in response.content.decode():
                leaks.append(f"{name} {path} as {outsider.username}: {response.status_code}")
    assert not leaks, "\n".join(leaks)
    assert set(opened) == set(ADMIN_ID_PAGES), "the pages do not open for their own scope: nothing was tested"


# --- downloads, by GET and by POST ----------------------------------------------------------------

# The files of background exports and annual reports, named by token (tests/security/test_downloads.py
# has the rules in detail): outside the job's scope, or without the export permission, a GET is
# 404 and a POST never gets the file either.
DOWNLOAD_URLS = ("export_download", "dashboard:report_download", "dashboard:report_status")


def _download_paths(world):
    urls = {u.key: u for u in inv.walk() if u.key in DOWNLOAD_URLS}
    assert set(urls) == set(DOWNLOAD_URLS)
    return {key: inv.path_of(url, inv.arguments(url, world)) for key, url in urls.items()}


def test_downloads_of_another_scope_are_404_to_get_and_refused_to_post(client, world, outsiders):
    client.raise_request_exception = False
    o = outsiders
    refused = {404, 405}
    leaks = []
    for key, path in _download_paths(world).items():
        # Liaison staff of the same township hold no export permission and see no dashboard.
        for user in (o.committee, o.staff_b, o.liaison_b, world.users.liaison, o.unit, o.representative):
            client.force_login(user)
            get, post = client.get(path), client.post(path, {})
            if get.status_code != 404 or post.status_code not in refused:
                leaks.append(f"{key} {path} as {user.username}: GET {get.status_code} POST {post.status_code}")
    assert not leaks, "Downloads reachable outside their scope:\n  " + "\n  ".join(leaks)


def test_downloads_open_for_the_requester_and_the_county_by_get_only(client, world):
    client.raise_request_exception = False
    wrong = []
    for key, path in _download_paths(world).items():
        for user in (world.users.staff_a, world.users.committee):
            client.force_login(user)
            get, post = client.get(path), client.post(path, {})
            if get.status_code != 200 or post.status_code != 405:
                wrong.append(f"{key} {path} as {user.username}: GET {get.status_code} POST {post.status_code}")
    assert not wrong, "\n  ".join(wrong)
