"""`manage.py load_demo`: the Chengbu demo is complete, its accounts work, and loading twice changes nothing."""

import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse

from apps.core.models import CongressSession, CongressTerm, HandlingUnit, Region, User
from apps.representatives.choices import Category, Level, Status
from apps.representatives.models import Representative

PASSWORD = "renda-demo-2022"
CHENGBU_TOWNSHIPS = [
    "儒林镇", "茅坪镇", "西岩镇", "丹口镇", "五团镇", "长安营镇", "白毛坪镇",
    "威溪乡", "兰蓉乡", "汀坪乡", "蒋坊乡", "金紫乡",
]  # fmt: skip

# username -> (role, region codes, handling unit, where the landing page sends it)
ACCOUNTS = {
    "committee": ("committee", ["430529"], None, "workbench"),
    "township_rulin": ("township", ["430529100"], None, "workbench"),
    "township_maoping": ("township", ["430529101"], None, "workbench"),
    "liaison_rulin": ("liaison", ["430529100"], None, "workbench"),
    "auditor": ("auditor", ["430529"], None, "workbench"),
    "unit_edu": ("unit", [], "县教育局", "unit_home"),
    "rep_demo": ("representative", [], None, "representatives:mine"),
    "admin": ("", [], None, "workbench"),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # the module's shared load used the default
    ]


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction rolled back at its end; each test runs
    in a savepoint of it, so what one test changes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    return None


def _row_counts() -> dict[str, int]:
    models = [Region, CongressTerm, CongressSession, HandlingUnit, Representative, User]
    models += [m.history.model for m in (Region, CongressTerm, HandlingUnit, Representative, User)]
    return {m._meta.label: m._default_manager.count() for m in models}


def _representative_rows() -> list[tuple]:
    return list(
        Representative.objects.order_by("term_id", "credential_no").values_list(
            "term_id", "credential_no", "name", "township__code", "phone", "status", "user__username"
        )
    )


@pytest.mark.django_db
def test_loading_twice_creates_and_changes_nothing(demo):
    counts, rows = _row_counts(), _representative_rows()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert _row_counts() == counts
    assert _representative_rows() == rows
    assert "本次新建 0 条记录" in out.getvalue()
    assert PASSWORD in out.getvalue()


@pytest.mark.django_db
def test_it_loads_the_twelve_townships_of_chengbu_with_their_villages(demo):
    county = Region.objects.get(code="430529")
    townships = Region.objects.filter(parent=county).order_by("sort_order")

    assert (county.name, county.kind, county.level) == ("城步苗族自治县", "autonomous_county", "county")
    assert [t.name for t in townships] == CHENGBU_TOWNSHIPS
    assert all(t.code.startswith("430529") and t.level == Region.Level.TOWNSHIP for t in townships)
    assert sorted(t.kind for t in townships) == ["town"] * 7 + ["township"] * 5
    assert all(3 <= t.children.count() <= 8 for t in townships)
    assert Region.objects.filter(parent__code="430529205", name="铺头村").exists()


@pytest.mark.django_db
def test_it_loads_the_terms_sessions_and_handling_units(demo):
    county_term = CongressTerm.objects.get(region__code="430529", number=18)

    assert county_term.sessions.get(number=1).opened_on.isoformat() == "2022-01-05"
    assert CongressTerm.objects.filter(region__parent__code="430529", number=18).count() == 12
    assert CongressSession.objects.filter(term__region__parent__code="430529", number=1).count() == 12
    assert HandlingUnit.objects.filter(region=county_term.region).count() >= 25
    assert HandlingUnit.objects.get(name="县人民法院").category == HandlingUnit.Category.COURT


@pytest.mark.django_db
def test_every_township_has_county_and_township_representatives(demo):
    townships = Region.objects.filter(parent__code="430529")
    county_reps = dict(
        Representative.objects.filter(level=Level.COUNTY).values_list("township__name").annotate(n=Count("pk"))
    )
    township_reps = dict(
        Representative.objects.filter(level=Level.TOWNSHIP).values_list("township__name").annotate(n=Count("pk"))
    )

    assert set(county_reps) == set(township_reps) == {t.name for t in townships}
    assert max(county_reps, key=county_reps.get) == "儒林镇"
    assert 180 <= sum(county_reps.values()) <= 200
    assert all(40 <= n <= 60 for n in township_reps.values())
    assert not Representative.objects.filter(level=Level.TOWNSHIP).exclude(term__region=F("township")).exists()
    assert Representative.objects.filter(level__in=[Level.CITY, Level.PROVINCIAL], term=None).count() >= 5


@pytest.mark.django_db
def test_county_representatives_look_like_a_real_delegation(demo):
    reps = Representative.objects.filter(level=Level.COUNTY)
    total = reps.count()

    assert reps.filter(category=Category.OFFICIAL).count() <= 0.3 * total
    assert 0.5 <= reps.filter(ethnicity="06").count() / total <= 0.7
    assert 0.2 <= reps.filter(gender="F").count() / total <= 0.4
    assert reps.values("credential_no").distinct().count() == total
    assert reps.get(credential_no="430529-18-001").elected_on.isoformat() == "2021-12-28"
    assert not reps.exclude(status=Status.SERVING).filter(status_changed_on=None).exists()
    assert reps.exclude(status=Status.SERVING).exists()


@pytest.mark.django_db
def test_each_demo_account_has_its_role_scope_and_password(demo):
    for username, (role, region_codes, unit, _landing) in ACCOUNTS.items():
        user = User.objects.get(username=username)

        assert user.role == role, username
        assert sorted(user.regions.values_list("code", flat=True)) == region_codes, username
        assert (user.handling_unit.name if user.handling_unit else None) == unit, username
        assert user.check_password(PASSWORD), username
        assert user.is_staff == (role in User.STAFF_ROLES or user.is_superuser), username
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_each_demo_account_lands_on_a_page_it_may_open(demo, client):
    for username, (*_scope, landing) in ACCOUNTS.items():
        client.force_login(User.objects.get(username=username))

        response = client.get(reverse("landing"))

        assert response.url == reverse(landing), username
        assert client.get(response.url).status_code == 200, username
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["committee", "township_rulin", "township_maoping", "liaison_rulin"])
def test_every_demo_staff_account_has_work_waiting_on_its_workbench(demo, client, username):
    client.force_login(User.objects.get(username=username))

    agenda = client.get(reverse("workbench")).context["agenda"]

    assert agenda.total > 0 and agenda.items, username


def _links(html: str) -> set[str]:
    hrefs = set(re.findall(r'href="([^"#]+)"', html))
    return {unescape(h) for h in hrefs if h.startswith("/") and not h.startswith("/static/")}


@pytest.mark.django_db
@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_every_link_on_a_demo_accounts_landing_page_opens(demo, client, username):
    """Pages show only what their reader may open: no link on a home or workbench answers 403 or 404."""
    client.force_login(User.objects.get(username=username))
    landing = client.get(reverse("landing"), follow=True)

    broken = {}
    for url in sorted(_links(landing.text)):
        status = client.get(url, follow=True).status_code
        if status != 200:
            broken[url] = status

    assert broken == {}, username


@pytest.mark.django_db
def test_township_staff_see_only_their_own_townships_representatives(demo):
    rulin = User.objects.get(username="township_rulin")
    committee = User.objects.get(username="committee")

    visible = Representative.objects.visible_to(rulin)

    assert visible.exists()
    assert set(visible.values_list("township__name", flat=True)) == {"儒林镇"}
    assert Representative.objects.visible_to(committee).count() == Representative.objects.count()


@pytest.mark.django_db
def test_rep_demo_is_linked_to_a_serving_county_representative_of_rulin(demo):
    rep = Representative.objects.select_related("user", "township").get(user__username="rep_demo")

    assert (rep.level, rep.township.name, rep.status) == (Level.COUNTY, "儒林镇", Status.SERVING)
    assert rep.user.full_name == rep.name


@pytest.mark.django_db
def test_passwords_are_reset_only_when_asked(demo):
    user = User.objects.get(username="committee")
    user.set_password("changed-by-the-demo-user")
    user.save()

    call_command("load_demo", stdout=StringIO())
    assert User.objects.get(pk=user.pk).check_password("changed-by-the-demo-user")

    call_command("load_demo", "--reset-passwords", stdout=StringIO())
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


@pytest.mark.django_db
def test_the_demo_holds_2026_and_2027_with_2027_marked_as_demo_data(demo):
    from datetime import date

    from apps.core.models import HolidayYear
    from apps.core.workdays import Source, add_workdays, calendar_warning, year_calendar

    years = {y.year: y for y in HolidayYear.objects.all()}
    assert set(years) >= {2026, 2027}
    assert "演示数据" in years[2027].source and "核对" in years[2027].note
    assert year_calendar(2027).source == Source.ADMIN
    assert add_workdays(date(2027, 2, 4), 2) == date(2027, 2, 16)  # across the demo's Spring Festival
    assert date(2026, 10, 1) in year_calendar(2026).holidays
    assert calendar_warning(date(2026, 12, 7)) is None
