"""The one write-permission helper (apps.core.permissions), over the persona matrix."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.permissions import in_write_scope, may_write, require_staff_writer
from apps.core.scope import scope_for
from tests.factories import RepresentativeFactory, VillageFactory

# Who may write what lies in township A: (persona, the township itself, its representative, the county).
MATRIX = [
    ("committee", True, True, True),
    ("staff_a", True, True, False),
    ("staff_b", False, False, False),
    ("liaison", False, False, False),  # reads township A, writes nothing through this helper
    ("unit", False, False, False),
    ("representative", False, False, False),
]


@pytest.fixture
def everyone(personas, liaison_a):
    return {**personas, "liaison": liaison_a}


@pytest.mark.parametrize(("persona", "township", "representative", "county_ok"), MATRIX)
def test_it_lets_only_staff_writers_write_inside_their_own_scope(
    everyone, county, township_a, rep_a, persona, township, representative, county_ok
):
    user = everyone[persona]
    assert may_write(user, township_a) is township
    assert may_write(user, township_a.path) is township
    assert may_write(user, rep_a) is representative
    assert may_write(user, county) is county_ok


@pytest.mark.parametrize(("persona", "township", "representative", "county_ok"), MATRIX)
def test_require_staff_writer_raises_exactly_where_may_write_says_no(
    everyone, rep_a, persona, township, representative, county_ok
):
    user = everyone[persona]
    if representative:
        require_staff_writer(user, rep_a)
    else:
        with pytest.raises(PermissionDenied):
            require_staff_writer(user, rep_a)


def test_a_village_lies_inside_its_townships_scope_but_not_the_neighbours(staff_a, staff_b, township_a):
    village = VillageFactory(parent=township_a)
    assert in_write_scope(staff_a, village)
    assert not in_write_scope(staff_b, village)
    assert scope_for(staff_a).contains_path(village.path)
    assert not scope_for(staff_b).contains_path(village.path)


def test_a_named_permission_is_required_as_well(staff_a, rep_a):
    assert may_write(staff_a, rep_a, "representatives.change_representative")
    assert not may_write(staff_a, rep_a, "core.delete_region")
    with pytest.raises(PermissionDenied):
        require_staff_writer(staff_a, rep_a, permission="core.delete_region")


def test_the_system_itself_may_write_and_a_role_alone_is_enough_without_a_target(staff_b, unit_staff, rep_a):
    assert may_write(None, rep_a)
    assert may_write(staff_b)
    assert not may_write(unit_staff)


def test_a_superuser_writes_everywhere(django_user_model, township_b):
    root = django_user_model.objects.create_superuser("root", password=None)
    assert may_write(root, RepresentativeFactory(township=township_b))


def test_a_deactivated_staff_account_writes_nothing_in_its_old_scope(staff_a, township_a):
    staff_a.is_active = False
    staff_a.save()
    assert not may_write(staff_a, township_a)
