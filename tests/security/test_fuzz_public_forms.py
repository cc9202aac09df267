"""The public forms and filters under hostile input: never a 500, and whatever is saved is whole.

Bodies and query strings are built from bytes, so what a browser would never send arrives too:
NUL, lone surrogates (as WTF-8), invalid UTF-8, right-to-left marks, markup, huge strings, numbers
out of range, fields missing or repeated. Each field is either a valid value or a hostile one, so
some examples get through validation and reach the services.
"""

import datetime
import os
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.public_forms import PublicFormMixin
from apps.liaison import services as liaison_services
from apps.liaison.forms import ConcernForm
from apps.liaison.models import Concern
from apps.livelihood.forms import IdeaForm
from apps.livelihood.models import Idea
from apps.proposals.models import Proposal
from tests.factories import SessionFactory, VillageFactory
from tests.images import JPEG

pytestmark = pytest.mark.django_db

# Function-scoped fixtures (the database, the client) are shared by the examples on purpose: rows
# pile up across examples, which the properties allow.
# RENDA_FUZZ_EXAMPLES=500 hunts longer; the default keeps the file well under a minute.
EXAMPLES = int(os.environ.get("RENDA_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "\udfff\ud800",
        "\u202e\u05e9\u05dc\u05d5\u05dd",  # right-to-left override, Hebrew
        "مرحبا بالعالم",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7|add:7 }}{% debug %}",
        "%(name)s %s {0}",
        "' OR '1'='1' --",
        "\r\n\r\nSet-Cookie: x=y",
        "../../etc/passwd",
        "-1",
        "0",
        "1.5",
        "99999999999999999999999999",
        "-9223372036854775809",
        "1e309",
        "NaN",
        "Infinity",
        "0x1F",
        "١٢٣",  # Arabic-Indic digits
        "１２３",  # full-width digits
        "²",  # a digit by str.isdigit that int() refuses
        "①",
        "true",
        "on",
        "[]",
        "{}",
        "null",
        "A" * 5000,
        "长" * 70000,
        "😀" * 2000,
    ]
)
RAW_BYTES = st.binary(max_size=40)  # invalid UTF-8 and all
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)  # surrogates included
HOSTILE_VALUE = st.one_of(HOSTILE, ANY_TEXT, RAW_BYTES)
# Spliced into valid values: what gets past a check that looks only at part of the value.
SPLICE = st.sampled_from(["\x00", "\ud800", "\u202e", "²", "'", "<", "%", "9" * 30, " " * 3, "\n"])


def _encode(value: str | bytes) -> str:
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote(raw, safe="")


def _body(pairs) -> str:
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


@st.composite
def fields(draw, valid: dict):
    """(name, value) pairs: each field valid or hostile, missing, or repeated; plus stray ones.
    Some examples are wholly valid, so the services behind the form are reached too."""
    if draw(st.sampled_from([True, False, False, False])):
        return [(name, draw(good)) for name, good in valid.items()]
    pairs = []
    for name, good in valid.items():
        count = draw(st.sampled_from([1, 1, 1, 0, 2]))
        spliced = st.tuples(good, SPLICE, st.booleans()).map(lambda t: t[1] + t[0] if t[2] else t[0] + t[1])
        for _ in range(count):
            pairs.append((name, draw(st.one_of(good, HOSTILE_VALUE, spliced))))
    pairs += draw(st.lists(st.tuples(st.one_of(HOSTILE, RAW_BYTES), HOSTILE_VALUE), max_size=2))
    return pairs


def _post(client, path, pairs):
    return client.post(path, _body(pairs), content_type="application/x-www-form-urlencoded")


def _get(client, path, pairs):
    return client.get(f"{path}?{_body(pairs)}")


def _token(form_class: type[PublicFormMixin]) -> str:
    return form_class.issue_token()


@pytest.fixture(autouse=True)
def _generous_limits(settings):
    # Hundreds of posts from one address at machine speed: the per-IP limits and the minimum
    # fill time would refuse all but the first few, and the services would never be reached.
    limits = {"SUBMIT_PER_HOUR": 100_000, "LOOKUP_PER_HOUR": 100_000, "MIN_FILL_SECONDS": 0}
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, **limits}


@pytest.fixture
def places(township_a, rep_a):
    return {"township": township_a, "village": VillageFactory(parent=township_a, name="白云村"), "rep": rep_a}


def _saved_rows_are_whole(model, before: int, *required: str) -> None:
    for row in model.objects.order_by("-pk")[: model.objects.count() - before]:
        row.full_clean()
        assert all(getattr(row, field) for field in required), row.pk


# --- the concern form -----------------------------------------------------------------------------


def _concern_fields(places):
    return {
        "township": st.just(str(places["township"].pk)),
        "village": st.sampled_from(["", str(places["village"].pk)]),
        "representative": st.sampled_from(["", str(places["rep"].pk)]),
        "category": st.sampled_from([c for c, _ in Concern.Category.choices]),
        "is_urgent": st.sampled_from(["on", ""]),
        "description": st.text(min_size=10, max_size=300).filter(lambda s: len(s.strip()) >= 10),
        "name": st.text(max_size=30),
        "phone": st.sampled_from(["", "13812345678", "138-1234-5678"]),
        "consent": st.just("on"),
        "website": st.just(""),
        "token": st.builds(lambda: _token(ConcernForm)),
    }


def test_concern_form_never_fails(client, places):
    path = reverse("liaison:concern_new")

    @FUZZ
    @given(pairs=fields(_concern_fields(places)))
    def check(pairs):
        before = Concern.objects.count()
        response = _post(client, path, pairs)
        assert response.status_code in (200, 302, 400, 413), response.status_code
        _saved_rows_are_whole(Concern, before, "tracking_code", "region", "description", "consented_at")

    check()
    assert Concern.objects.exists(), "no example got through: the valid values are not valid"


def _file_name(name: str) -> str:
    # A name with no last part ("/", "..") cannot even be put in a test upload.
    return name if name.rsplit("/", 1)[-1] not in ("", ".", "..") else f"{name}x"


def test_concern_form_photos_never_fail(client, places):
    """Multipart posts with odd files and file names (text only: multipart is built by the client)."""
    path = reverse("liaison:concern_new")
    names = st.one_of(HOSTILE.filter(lambda s: "\ud800" not in s and "\udfff" not in s), st.text(max_size=80))
    contents = st.one_of(st.just(JPEG), st.binary(max_size=200), st.just(b"<svg onload=alert(1)>"))

    @FUZZ
    @given(files=st.lists(st.tuples(names, contents), max_size=4), description=st.text(min_size=10, max_size=50))
    def check(files, description):
        data = {
            "township": places["township"].pk,
            "category": "roads",
            "description": description,
            "consent": "on",
            "token": _token(ConcernForm),
            "photos": [SimpleUploadedFile(_file_name(name), content) for name, content in files],
        }
        before = Concern.objects.count()
        response = client.post(path, data)
        assert response.status_code in (200, 302, 400, 413), response.status_code
        _saved_rows_are_whole(Concern, before, "tracking_code", "region", "description")

    check()


def test_concern_form_without_a_token_saves_nothing(client, places):
    path = reverse("liaison:concern_new")

    @FUZZ
    @given(pairs=fields({k: v for k, v in _concern_fields(places).items() if k != "token"}))
    def check(pairs):
        response = _post(client, path, pairs)
        assert response.status_code in (200, 400, 413), response.status_code

    check()
    assert not Concern.objects.exists()


# --- tracking and rating --------------------------------------------------------------------------


@pytest.fixture
def resolved(township_a, staff_a):
    concern, _ = liaison_services.concern_submit(
        region=township_a, category="roads", description="村道塌方，影响出行。", phone="13812345678"
    )
    Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.RESOLVED, public_answer="已修复。")
    return concern


def test_tracking_lookup_never_fails(client, resolved):
    path = reverse("liaison:track")
    valid = {
        "code": st.sampled_from([resolved.tracking_code, resolved.tracking_code.lower(), "ZZZZ-0000-0000"]),
        "phone_last4": st.sampled_from(["", "5678", "0000"]),
    }

    @FUZZ
    @given(pairs=fields(valid))
    def check(pairs):
        assert _get(client, path, pairs).status_code in (200, 400, 404)

    check()


def test_rating_never_fails(client, resolved):
    valid = {
        "rate-rating": st.sampled_from(["satisfied", "basic", "dissatisfied"]),
        "rate-phone_last4": st.just("5678"),
    }
    codes = st.one_of(st.just(resolved.tracking_code), HOSTILE.filter(lambda s: s.strip() and "/" not in s))

    @FUZZ
    @given(code=codes, pairs=fields(valid))
    def check(code, pairs):
        path = "/liaison/track/" + _encode(code) + "/rate/"
        assert _post(client, path, pairs).status_code in (302, 400, 404)

    check()
    resolved.refresh_from_db()
    resolved.full_clean()
    assert resolved.rating in ("", "satisfied", "basic", "dissatisfied")


PATH_ROUTES = ["/liaison/concerns/submitted/{}/", "/liaison/track/photos/{}/", "/livelihood/ideas/thanks/{}/"]


def test_codes_and_tokens_in_paths_never_fail(client, resolved):
    """The tracking code and the signed links of the follow-up pages, forged or mangled."""
    forged = st.one_of(HOSTILE, ANY_TEXT, RAW_BYTES, st.just(resolved.tracking_code + "\x00"))

    @FUZZ
    @given(route=st.sampled_from(PATH_ROUTES), value=forged.filter(lambda v: v and v not in (".", "..")))
    def check(route, value):
        # Encoded, a "/" stays inside the one path segment, as a crafted link would carry it.
        assert client.get(route.format(_encode(value))).status_code in (200, 404)

    check()


# --- the livelihood idea form ---------------------------------------------------------------------


def test_idea_form_never_fails(client, places):
    path = reverse("livelihood:idea_new")
    valid = {
        "township": st.just(str(places["township"].pk)),
        "title": st.text(min_size=1, max_size=100).filter(str.strip),
        "description": st.text(min_size=10, max_size=300).filter(lambda s: len(s.strip()) >= 10),
        "estimated_cost": st.sampled_from(["", "35.5", "0", "9999999999.99"]),
        "name": st.text(min_size=1, max_size=30).filter(str.strip),
        "phone": st.just("13812345678"),
        "consent": st.just("on"),
        "website": st.just(""),
        "token": st.builds(lambda: _token(IdeaForm)),
    }

    @FUZZ
    @given(pairs=fields(valid))
    def check(pairs):
        before = Idea.objects.count()
        assert _post(client, path, pairs).status_code in (200, 302, 400)
        _saved_rows_are_whole(Idea, before, "region", "title", "description", "proposer_name", "consented_at")

    check()
    assert Idea.objects.exists(), "no example got through: the valid values are not valid"


# --- public filters -------------------------------------------------------------------------------


@pytest.fixture
def public_data(township_a, county_term, rep_a):
    session = SessionFactory(term=county_term, number=1, opened_on=datetime.date(2022, 1, 5))
    return {"township": township_a, "session": session, "rep": rep_a}


FILTERS = {
    "representatives:roster": lambda d: {
        "township": st.just(d["township"].code),
        "level": st.sampled_from(["", "county", "township"]),
        "page": st.sampled_from(["1", "2", "last"]),
    },
    "proposals:public_list": lambda d: {
        "session": st.just(str(d["session"].pk)),
        "page": st.sampled_from(["1", "last"]),
    },
    "livelihood:public": lambda d: {"county": st.just("430529"), "year": st.sampled_from(["2022", "2023"])},
    "liaison:reception_days": lambda d: {"township": st.just(d["township"].code), "page": st.just("1")},
    "liaison:concern_new": lambda d: {"representative": st.just(str(d["rep"].pk))},
    "liaison:offices": lambda d: {
        "q": st.sampled_from(["儒林", "杨", "%", "_"]),
        "township": st.just(d["township"].code),
        "page": st.sampled_from(["1", "last"]),
    },
}


@pytest.mark.parametrize("name", FILTERS)
def test_public_filters_never_fail(client, public_data, name):
    path = reverse(name)

    @FUZZ
    @given(pairs=fields(FILTERS[name](public_data)))
    def check(pairs):
        assert _get(client, path, pairs).status_code in (200, 400)

    check()
    assert Proposal.objects.count() == 0  # the filters only read


# --- every page's query string --------------------------------------------------------------------

# The names pages read from their query strings (filters, pages, years, preselections).
QUERY_NAMES = [
    "page", "ppage", "year", "county", "township", "level", "session", "status", "group",
    "representative", "code", "phone_last4", "q", "period", "term", "region", "kind",
]  # fmt: skip
QUERY_VALUES = ["\x00", "²", "9" * 25, b"\xff\xfe", "2022\x00"]


def test_every_page_survives_hostile_query_strings(client, world):
    """Not hypothesis: the same few poisons in every parameter name, on every page that answers a
    GET, as an account of the page's audience (its own pages, with real objects)."""
    from tests.security import url_inventory as inv

    client.raise_request_exception = False
    users = {inv.REPRESENTATIVE: world.users.representative, inv.UNIT: world.users.unit, inv.STAFF: world.users.staff_a}
    failures = []
    for url in inv.walk():
        audience, values = inv.audience(url), inv.arguments(url, world)
        if url.route.startswith("admin/") or audience is None or values is None:
            continue
        role = next((r for r in inv.ROLES if r in audience), None)
        client.logout()
        if role is not None or inv.LOGIN in audience:
            client.force_login(users[role or inv.REPRESENTATIVE])
        path = inv.path_of(url, values)
        for value in QUERY_VALUES:
            status = _get(client, path, [(name, value) for name in QUERY_NAMES]).status_code
            if status >= 500:
                failures.append(f"{url.key} {path} ?…={value!r}: {status}")
    assert not failures, "\n".join(failures)


# --- the admin's lists ----------------------------------------------------------------------------

# Values a hand-edited admin URL may carry into the list filters and the search box.
ADMIN_QUERY = {"q": "²", "session": "\x00", "township": "\x00", "region": "1\x00", "status__exact": "\x00", "year": "²"}


def _admin_list_failures(client, user) -> list[str]:
    from tests.security import url_inventory as inv

    client.raise_request_exception = False
    client.force_login(user)
    failures = []
    for url in inv.walk():
        if url.key.startswith("admin:") and url.key.endswith("_changelist"):
            for name, value in ADMIN_QUERY.items():
                status = _get(client, inv.path_of(url, {}), [(name, value)]).status_code
                if status >= 500:
                    failures.append(f"{url.key} ?{name}={value!r}: {status}")
    return failures


def test_admin_lists_survive_hand_edited_filters(client, committee_staff):
    """A filter value that is not a key (?session=abc, a NUL byte) gives the admin's "invalid
    filter" redirect, not a 500."""
    failures = _admin_list_failures(client, committee_staff)
    assert not failures, "\n".join(failures)


def test_admin_pages_taking_ids_survive_digit_lookalikes(client, committee_staff):
    """ "²" passes str.isdigit() and fails int(): the ?ids= of the list actions, the reminder's choices."""
    client.raise_request_exception = False
    client.force_login(committee_staff)
    for name in ("admin:proposals_proposal_assign_on_site", "admin:livelihood_idea_shortlist"):
        assert client.get(reverse(name), {"ids": "1,²,①"}).status_code < 500, name
    behind = reverse("admin:training_instructor_behind_quota")
    assert client.post(behind, {"remind_selected": "1", "instructor": ["²", "1"]}).status_code < 500
    # The proposal list's search by number, the activity list's year filter, the inbox's "read".
    assert client.get(reverse("admin:proposals_proposal_changelist"), {"q": "第²号"}).status_code < 500
    assert client.get(reverse("admin:groups_activity_changelist"), {"year": "²"}).status_code < 500
    assert client.post(reverse("notifications:mark_read"), {"id": ["²", "1"]}).status_code < 500


def test_reception_schedule_days_refuse_digit_lookalikes(township_a):
    from django.core.exceptions import ValidationError

    from apps.liaison.models import LiaisonOffice, ReceptionSchedule

    office = LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    hours = {"starts_at": datetime.time(9), "ends_at": datetime.time(11)}
    schedule = ReceptionSchedule(office=office, days_of_month="9,²", **hours)
    assert schedule.days == [9]
    schedule.days_of_month = "²"
    with pytest.raises(ValidationError):  # the admin form's message, not a 500
        schedule.full_clean()
