"""Who may see the dashboard, and over which regions (the report shares this rule)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.core.models import User
from apps.core.services import user_create
from apps.dashboard.access import dashboard_scope

pytestmark = pytest.mark.django_db


def test_committee_staff_see_their_regions(committee_staff, county):
    assert dashboard_scope(committee_staff).region_paths == (county.path,)


def test_township_staff_see_their_township(staff_a, township_a):
    assert dashboard_scope(staff_a).region_paths == (township_a.path,)


def test_superusers_see_everything():
    admin = User.objects.create_superuser("root", password=None)
    assert dashboard_scope(admin).unrestricted


@pytest.mark.parametrize("persona", ["unit", "representative", "anonymous"])
def test_others_are_refused(personas, persona):
    user = personas[persona] or AnonymousUser()
    with pytest.raises(PermissionDenied):
        dashboard_scope(user)


def test_liaison_staff_are_refused(liaison_a):
    with pytest.raises(PermissionDenied):
        dashboard_scope(liaison_a)


def test_staff_without_a_region_are_refused(login):
    nowhere = user_create(username="nowhere", password=None, role=User.Role.COMMITTEE, full_name="无区域")
    with pytest.raises(PermissionDenied):
        dashboard_scope(nowhere)
    assert login(nowhere).get(reverse("dashboard:index")).status_code == 403


def test_a_deactivated_account_is_refused(committee_staff):
    committee_staff.is_active = False
    with pytest.raises(PermissionDenied):
        dashboard_scope(committee_staff)
