"""Personas and shared fixtures: one county with townships A and B, a unit, a representative."""

import pytest

from apps.core import services
from apps.core.models import User
from apps.core.workdays import calendar_cache_clear
from tests.factories import CountyFactory, HandlingUnitFactory, RepresentativeFactory, TermFactory, TownshipFactory


@pytest.fixture(autouse=True)
def _fresh_holiday_calendar():
    """A year's calendar is cached; a test's rows roll back without telling the cache."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def county(db):
    return CountyFactory(code="430529", name="城步苗族自治县", kind="autonomous_county")


@pytest.fixture
def township_a(county):
    return TownshipFactory(parent=county, code="430529100", name="儒林镇")


@pytest.fixture
def township_b(county):
    return TownshipFactory(parent=county, code="430529101", name="茅坪镇")


@pytest.fixture
def county_term(county):
    return TermFactory(region=county, number=18)


@pytest.fixture
def unit(county):
    return HandlingUnitFactory(region=county, name="县教育局")


def _persona(username, role, **kwargs):
    return services.user_create(username=username, password=None, role=role, full_name=username, **kwargs)


@pytest.fixture
def committee_staff(county):
    return _persona("committee", User.Role.COMMITTEE, regions=[county])


@pytest.fixture
def staff_a(township_a):
    return _persona("staff_a", User.Role.TOWNSHIP, regions=[township_a])


@pytest.fixture
def recipient(staff_a):
    """Township staff of A with a phone, so reminders to them go out by SMS as well."""
    staff_a.phone = "13900001111"
    staff_a.save()
    return staff_a


@pytest.fixture
def staff_b(township_b):
    return _persona("staff_b", User.Role.TOWNSHIP, regions=[township_b])


@pytest.fixture
def liaison_a(township_a):
    return _persona("liaison_a", User.Role.LIAISON, regions=[township_a])


@pytest.fixture
def unit_staff(unit):
    return _persona("unit_staff", User.Role.UNIT, handling_unit=unit)


@pytest.fixture
def rep_a(township_a, county_term):
    return RepresentativeFactory(name="杨秀英", township=township_a, term=county_term, phone="13912345678")


@pytest.fixture
def rep_b(township_b, county_term):
    return RepresentativeFactory(name="蓝春花", township=township_b, term=county_term, phone="13887654321")


@pytest.fixture
def representative_user(rep_a):
    user = _persona("rep_user", User.Role.REPRESENTATIVE)
    rep_a.user = user
    rep_a.save()
    return user


@pytest.fixture
def rep_b_user(rep_b):
    """rep_b's portal account (township B): the outsider of township A's representative pages."""
    rep_b.user = services.user_create(username="rep_b_user", password=None, role=User.Role.REPRESENTATIVE)
    rep_b.save()
    return rep_b.user


@pytest.fixture
def personas(committee_staff, staff_a, staff_b, unit_staff, representative_user):
    return {
        "committee": committee_staff,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "unit": unit_staff,
        "representative": representative_user,
        "anonymous": None,
    }


@pytest.fixture
def login(client):
    def _login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login
