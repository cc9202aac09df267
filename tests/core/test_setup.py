"""A new county goes live: a clean production start with one superuser, the first-run page (开通向导),
and a province deployment where each county's committee staff see and change only their own."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.core import services
from apps.core.models import CountySettings, HandlingUnit, Region, User
from tests.factories import TermFactory, county_settings_form

XINNING = Path(__file__).parent / "data" / "xinning_divisions.csv"
STRONG = "county-goes-live-2026"


# --- the clean start ----------------------------------------------------------------------------


def test_the_clean_start_makes_one_superuser_and_no_demo_data(db, monkeypatch):
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", STRONG)
    out = StringIO()
    call_command("init_deployment", "--no-input", username="root", stdout=out)
    root = User.objects.get()
    assert (root.username, root.is_superuser, root.is_staff) == ("root", True, True)
    assert root.check_password(STRONG)
    assert STRONG not in out.getvalue()
    assert not Region.objects.exists() and not HandlingUnit.objects.exists()


def test_the_clean_start_leaves_an_existing_account_alone(db, monkeypatch):
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", STRONG)
    call_command("init_deployment", "--no-input", username="root", stdout=StringIO())
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", "another-password-2026")
    call_command("init_deployment", "--no-input", username="root", stdout=StringIO())
    assert User.objects.get().check_password(STRONG)


def test_the_clean_start_refuses_a_weak_password_without_showing_it(db, monkeypatch):
    monkeypatch.setenv("RENDA_ADMIN_PASSWORD", "123456")
    with pytest.raises(CommandError) as error:
        call_command("init_deployment", "--no-input", username="root", stdout=StringIO())
    assert "123456" not in str(error.value)
    assert not User.objects.exists()


def test_the_clean_start_without_a_password_asks_for_the_variable(db, monkeypatch):
    monkeypatch.delenv("RENDA_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="RENDA_ADMIN_PASSWORD"):
        call_command("init_deployment", "--no-input", stdout=StringIO())


# --- the first-run page -----------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", password=None)


def _wizard(client, **query):
    return client.get(reverse("admin:core_setup_wizard"), query)


def _steps(response) -> dict[str, tuple]:
    return {step.title: (step.done, dict(step.counts)) for step in response.context["steps"]}


def test_an_empty_deployment_offers_the_county_code_first(client, superuser):
    client.force_login(superuser)
    response = _wizard(client)
    assert response.status_code == 200
    assert 'name="code"' in response.text and response.context["county"] is None


def test_the_first_run_page_counts_what_each_step_has_done_and_resumes(client, superuser):
    client.force_login(superuser)
    with XINNING.open("rb") as upload:
        client.post(reverse("admin:core_region_import"), {"code": "430528", "file": upload})
    steps = _steps(_wizard(client, county="430528"))
    assert steps["行政区域"] == (True, {"乡镇（街道）": 4, "村（社区）": 10})
    assert steps["届次与会议"][0] is False and steps["承办单位"][0] is False

    xinning = Region.objects.get(code="430528")
    TermFactory(region=xinning, number=17)
    HandlingUnit.objects.create(region=xinning, name="新宁县教育局")
    services.user_create(username="xn", password=None, role=User.Role.COMMITTEE, regions=[xinning])
    steps = _steps(_wizard(client, county="430528"))
    assert steps["届次与会议"] == (True, {"届次": 1, "会议": 0})
    assert steps["承办单位"] == (True, {"承办单位": 1})
    assert steps["工作人员账号"] == (True, {"账号": 1})
    assert steps["代表名册"][0] is False


def test_committee_staff_see_their_own_countys_progress(client, committee_staff, county, township_a):
    client.force_login(committee_staff)
    response = _wizard(client)
    assert response.status_code == 200 and response.context["county"] == county
    assert _steps(response)["行政区域"][1]["乡镇（街道）"] == 1


def test_other_staff_and_the_anonymous_do_not_open_the_first_run_page(client, staff_a, unit_staff):
    assert _wizard(client).status_code == 302  # to the login page
    for user in (staff_a, unit_staff):
        client.force_login(user)
        assert _wizard(client).status_code in (302, 403)


# --- a province deployment ----------------------------------------------------------------------


@pytest.fixture
def province(db):
    """Chengbu and Xinning set up side by side from their codes, each with its own administrator."""
    services.regions_import(county_code="430529")
    services.regions_import(county_code="430528", content=XINNING.read_bytes())
    counties = {code: Region.objects.get(code=code) for code in ("430529", "430528")}
    admins = {
        code: services.user_create(username=f"admin{code}", password=None, role=User.Role.COMMITTEE, regions=[c])
        for code, c in counties.items()
    }
    rows = {
        code: CountySettings.objects.create(county=c, site_name=f"{c.name}代表工作平台") for code, c in counties.items()
    }
    return counties, admins, rows


def test_each_county_administrator_lists_only_their_countys_settings_and_data(client, province):
    counties, admins, rows = province
    TermFactory(region=counties["430528"], number=17)
    client.force_login(admins["430529"])
    listed = client.get(reverse("admin:core_countysettings_changelist")).context["cl"].result_list
    assert list(listed) == [rows["430529"]]
    regions = client.get(reverse("admin:core_region_changelist")).context["cl"].result_list
    assert {r.code[:6] for r in regions} == {"430529"}
    terms = client.get(reverse("admin:core_congressterm_changelist")).context["cl"].result_list
    assert not terms
    assert "城步苗族自治县代表工作平台" in client.get(reverse("admin:index")).text


def test_a_county_administrator_changes_their_settings_but_not_the_neighbours(client, province):
    _counties, admins, rows = province
    client.force_login(admins["430528"])
    own = reverse("admin:core_countysettings_change", args=[rows["430528"].pk])
    other = reverse("admin:core_countysettings_change", args=[rows["430529"].pk])
    assert client.get(other).status_code == 404
    assert client.post(other, county_settings_form(reply_months="1")).status_code == 404
    assert client.post(own, county_settings_form(reply_months="4")).status_code == 302
    rows["430528"].refresh_from_db()
    rows["430529"].refresh_from_db()
    assert (rows["430528"].reply_months, rows["430529"].reply_months) == (4, None)


def test_a_county_administrator_cannot_add_settings_for_another_county(client, province):
    counties, admins, rows = province
    rows["430529"].delete()
    client.force_login(admins["430528"])
    response = client.post(reverse("admin:core_countysettings_add"), county_settings_form(county=counties["430529"].pk))
    assert response.status_code == 200  # the form again, with the error
    assert not CountySettings.objects.filter(county=counties["430529"]).exists()


def test_a_county_administrator_cannot_refresh_the_neighbours_regions(client, province):
    _counties, admins, _rows = province
    client.force_login(admins["430529"])
    with XINNING.open("rb") as upload:
        response = client.post(reverse("admin:core_region_import"), {"code": "430528", "file": upload})
    assert response.status_code == 403
