"""County settings in the admin: defaults from renda/settings.py, a county's own values where it
sets them (deadlines, grades, names), cached and refreshed on save, with history."""

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.county_settings import county_setting
from apps.core.models import CountySettings
from apps.core.workdays import add_workdays
from apps.liaison import services as liaison_services
from apps.proposals import services as proposal_services
from apps.representatives.duty import Points, grade_for
from tests.factories import CountyFactory, SessionFactory, TownshipFactory, county_settings_form


@pytest.fixture
def xinning(db):
    return CountyFactory(code="430528", name="新宁县")


@pytest.fixture
def jinshi(xinning):
    return TownshipFactory(parent=xinning, code="430528100", name="金石镇")


def test_without_settings_a_county_reads_the_deployments_defaults(township_a):
    assert county_setting(township_a, "REPLY_MONTHS") == settings.RENDA_PROPOSALS["REPLY_MONTHS"]
    assert county_setting(township_a, "DUTY_GRADES") == settings.RENDA_DUTY["GRADES"]
    assert county_setting(township_a, "SITE_NAME") == settings.RENDA["SITE_NAME"]
    assert county_setting(None, "CONCERN_RESOLVE_WORKDAYS") == settings.RENDA_LIAISON["RESOLVE_WORKDAYS"]


def test_a_countys_own_values_apply_to_its_regions_only(county, township_a, jinshi):
    CountySettings.objects.create(county=county, reply_months=2, due_soon_days="7, 1", site_name="城步代表之家")
    assert county_setting(township_a, "REPLY_MONTHS") == 2
    assert county_setting(township_a.path, "DUE_SOON_DAYS") == [7, 1]
    assert county_setting(township_a, "SITE_NAME") == "城步代表之家"
    assert county_setting(jinshi, "REPLY_MONTHS") == settings.RENDA_PROPOSALS["REPLY_MONTHS"]
    assert county_setting(township_a, "REPLY_MONTHS_COMPLEX") == settings.RENDA_PROPOSALS["REPLY_MONTHS_COMPLEX"]


def test_a_change_is_read_at_once_after_saving(county, township_a):
    row = CountySettings.objects.create(county=county, reply_months=2)
    assert county_setting(township_a, "REPLY_MONTHS") == 2
    row.reply_months = 4
    row.save()
    assert county_setting(township_a, "REPLY_MONTHS") == 4
    row.delete()
    assert county_setting(township_a, "REPLY_MONTHS") == settings.RENDA_PROPOSALS["REPLY_MONTHS"]


def test_reading_a_setting_costs_no_query_once_cached(county, township_a, django_assert_num_queries):
    CountySettings.objects.create(county=county, reply_months=2)
    with django_assert_num_queries(0):
        assert county_setting(township_a, "REPLY_MONTHS") == 2


def test_the_reply_deadline_follows_the_proposals_county(
    county, county_term, rep_a, representative_user, committee_staff, unit
):
    CountySettings.objects.create(county=county, reply_months=2)
    proposal = proposal_services.proposal_create(
        lead=rep_a,
        session=SessionFactory(term=county_term, number=1),
        title="关于修缮校舍的建议",
        content="校舍年久失修。",
        category="education",
        by=representative_user,
    )
    proposal_services.proposal_submit(proposal=proposal, by=representative_user)
    proposal_services.proposal_accept(proposal=proposal, by=committee_staff)
    proposal_services.proposal_assign(proposal=proposal, units=[(unit, "lead")], by=committee_staff)
    assignment = proposal.assignments.get()
    assert assignment.due_on == timezone.localdate(assignment.assigned_at) + relativedelta(months=2)


def test_the_concern_deadlines_follow_the_countys_working_days(county, township_a, committee_staff):
    CountySettings.objects.create(county=county, concern_accept_workdays=5, concern_resolve_workdays=30)
    concern, _created = liaison_services.concern_submit(region=township_a, category="roads", description="路灯坏了。")
    concern = liaison_services.concern_accept(concern=concern, by=committee_staff)
    today = timezone.localdate()
    assert concern.accept_due_on == add_workdays(today, 5)
    assert concern.resolve_due_on == add_workdays(today, 30)


def test_the_grade_thresholds_are_the_countys(county, township_a, jinshi):
    CountySettings.objects.create(county=county, grade_excellent_min=40, duty_points={"post_held": 10})
    assert grade_for(45, region_path=township_a.path) == "excellent"
    assert grade_for(45, region_path=jinshi.path) == "competent"
    assert Points({"post_held": 2}, region_path=township_a.path).total == 20
    assert Points({"post_held": 2}, region_path=jinshi.path).total == 2 * settings.RENDA_DUTY["POINTS"]["post_held"]


def test_invalid_settings_are_refused_with_a_reason(county):
    row = CountySettings(county=county, due_soon_days="14, soon", grade_excellent_min=10, grade_competent_min=20)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert set(error.value.message_dict) == {"due_soon_days", "grade_competent_min"}


def test_the_site_name_is_the_countys_on_public_and_admin_pages(client, county, committee_staff):
    CountySettings.objects.create(county=county, site_name="城步县代表之家", public_contact="电话 0739-7322000")
    page = client.get(reverse("home")).text
    assert "城步县代表之家" in page and "0739-7322000" in page
    client.force_login(committee_staff)
    assert "城步县代表之家" in client.get(reverse("admin:index")).text


def test_saving_in_the_admin_keeps_a_version(client, county, committee_staff):
    row = CountySettings.objects.create(county=county)
    client.force_login(committee_staff)
    url = reverse("admin:core_countysettings_change", args=[row.pk])
    response = client.post(url, {**county_settings_form(), "reply_months": "4"})
    assert response.status_code == 302, response.text[:2000]
    assert row.history.count() == 2
    assert county_setting(county, "REPLY_MONTHS") == 4
