"""Accounts: roles decide groups and admin access; staff manage only accounts in their scope."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.core import services
from apps.core.models import User
from tests.factories import CountyFactory, TownshipFactory


def test_a_role_gives_its_group_and_admin_access(township_a):
    user = services.user_create(username="t", password=None, role=User.Role.TOWNSHIP, regions=[township_a])
    assert user.is_staff
    assert [g.name for g in user.groups.all()] == ["role:township"]
    assert user.has_perm("representatives.change_representative")
    assert not user.has_perm("representatives.delete_representative")


def test_changing_the_role_swaps_the_group_and_drops_admin_access(staff_a):
    staff_a.role = User.Role.REPRESENTATIVE
    staff_a.save()
    services.user_apply_role(user=staff_a)
    staff_a = User.objects.get(pk=staff_a.pk)
    assert not staff_a.is_staff
    assert [g.name for g in staff_a.groups.all()] == ["role:representative"]
    assert not staff_a.has_perm("representatives.view_representative")


def test_unit_staff_need_a_unit(db):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.user_create(username="u", password=None, role=User.Role.UNIT)
    assert "handling_unit" in error.value.message_dict
    assert not User.objects.filter(username="u").exists()


def test_committee_staff_list_only_accounts_of_their_county(login, committee_staff, staff_a, unit_staff):
    other_county = CountyFactory()
    outsider = services.user_create(
        username="outsider", password=None, role=User.Role.TOWNSHIP, regions=[TownshipFactory(parent=other_county)]
    )
    response = login(committee_staff).get(reverse("admin:core_user_changelist"))
    listed = {u.username for u in response.context["cl"].result_list}
    assert {"staff_a", "unit_staff"} <= listed
    assert outsider.username not in listed
    assert login(committee_staff).get(reverse("admin:core_user_change", args=[outsider.pk])).status_code == 404


def test_committee_staff_cannot_make_anyone_a_superuser(login, committee_staff, staff_a):
    url = reverse("admin:core_user_change", args=[staff_a.pk])
    client = login(committee_staff)
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_admin_masks_phones_for_roles_without_the_contact_permission(login, liaison_a, staff_a, rep_a):
    url = reverse("admin:representatives_representative_changelist")
    assert "13912345678" in login(staff_a).get(url).text
    text = login(liaison_a).get(url).text
    assert "13912345678" not in text
    assert "139****5678" in text
    assert not liaison_a.has_perm("representatives.view_representative_contact")


def test_township_staff_lose_access_when_the_permission_is_withdrawn(login, staff_a, rep_a):
    group = staff_a.groups.get()
    group.permissions.remove(
        Permission.objects.get(codename="view_representative"), Permission.objects.get(codename="change_representative")
    )
    url = reverse("admin:representatives_representative_change", args=[rep_a.pk])
    assert login(staff_a).get(url).status_code == 403


def test_committee_staff_create_a_township_account_in_one_step(login, committee_staff, township_a):
    response = login(committee_staff).post(
        reverse("admin:core_user_add"),
        {
            "username": "new_staff",
            "full_name": "新人",
            "role": "township",
            "regions": [township_a.pk],
            "password1": "Lx9-renda-strong-pass",
            "password2": "Lx9-renda-strong-pass",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_staff")
    assert user.is_staff and user.groups.get().name == "role:township"


def test_a_staff_account_without_regions_is_refused_with_a_message(login, committee_staff):
    response = login(committee_staff).post(
        reverse("admin:core_user_add"),
        {
            "username": "nowhere",
            "role": "township",
            "password1": "Lx9-renda-strong-pass",
            "password2": "Lx9-renda-strong-pass",
        },
    )
    assert response.status_code == 200
    assert "regions" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="nowhere").exists()


def test_a_weak_password_is_refused(login, committee_staff, township_a):
    response = login(committee_staff).post(
        reverse("admin:core_user_add"),
        {
            "username": "weak",
            "role": "township",
            "regions": [township_a.pk],
            "password1": "12345678",
            "password2": "12345678",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()
