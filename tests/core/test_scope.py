"""One scope mechanism, seen from the admin and the portal alike."""

import pytest
from django.urls import reverse

from apps.core.models import CongressTerm, Region
from apps.core.scope import scope_for
from apps.representatives.models import Representative
from tests.factories import VillageFactory


def test_township_staff_see_only_their_township(staff_a, rep_a, rep_b):
    visible = Representative.objects.visible_to(staff_a)
    assert list(visible) == [rep_a]


def test_committee_staff_see_the_whole_county(committee_staff, rep_a, rep_b):
    assert set(Representative.objects.visible_to(committee_staff)) == {rep_a, rep_b}


def test_unit_staff_and_representatives_see_no_roster_rows(unit_staff, representative_user, rep_a, rep_b):
    assert not Representative.objects.visible_to(unit_staff).exists()
    assert not Representative.objects.visible_to(representative_user).exists()


def test_anonymous_sees_nothing_scoped(rep_a, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not Representative.objects.visible_to(AnonymousUser()).exists()


def test_reference_data_above_the_scope_is_readable_but_not_writable(staff_a, county, county_term, township_a):
    village = VillageFactory(parent=township_a)
    assert set(Region.objects.visible_to(staff_a)) == {county, township_a, village}
    assert list(CongressTerm.objects.visible_to(staff_a)) == [county_term]
    scope = scope_for(staff_a)
    assert scope.covers(village)
    assert not scope.covers(county)


def test_a_region_in_another_county_is_out_of_scope(staff_a):
    from tests.factories import TownshipFactory

    other = TownshipFactory()
    assert not Region.objects.visible_to(staff_a).filter(pk=other.pk).exists()


def test_inactive_user_has_no_scope(staff_a, rep_a):
    staff_a.is_active = False
    assert not Representative.objects.visible_to(staff_a).exists()


# --- the admin ------------------------------------------------------------------------------


def test_admin_changelist_lists_only_rows_in_scope(login, staff_a, rep_a, rep_b):
    response = login(staff_a).get(reverse("admin:representatives_representative_changelist"))
    assert response.status_code == 200
    assert rep_a.name in response.text
    assert rep_b.name not in response.text


def test_admin_change_view_is_404_outside_scope(login, staff_a, rep_b):
    url = reverse("admin:representatives_representative_change", args=[rep_b.pk])
    assert login(staff_a).get(url).status_code == 404


def test_admin_history_and_delete_are_404_outside_scope(login, committee_staff, staff_a, rep_b):
    client = login(staff_a)
    assert client.get(reverse("admin:representatives_representative_history", args=[rep_b.pk])).status_code == 404
    assert client.get(reverse("admin:representatives_representative_delete", args=[rep_b.pk])).status_code == 404


def test_admin_change_view_opens_inside_scope(login, staff_a, rep_a):
    url = reverse("admin:representatives_representative_change", args=[rep_a.pk])
    assert login(staff_a).get(url).status_code == 200


def test_admin_autocomplete_offers_only_regions_in_scope(login, staff_a, township_a, township_b):
    url = reverse("admin:autocomplete")
    params = {
        "app_label": "representatives",
        "model_name": "representative",
        "field_name": "township",
        "term": "",
    }
    response = login(staff_a).get(url, params)
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert township_a.pk in ids
    assert township_b.pk not in ids


def test_admin_refuses_to_save_a_representative_into_another_township(login, staff_a, rep_a, township_b):
    url = reverse("admin:representatives_representative_change", args=[rep_a.pk])
    data = {
        "name": rep_a.name,
        "gender": rep_a.gender,
        "ethnicity": rep_a.ethnicity,
        "party": rep_a.party,
        "category": rep_a.category,
        "level": rep_a.level,
        "term": rep_a.term_id,
        "township": township_b.pk,
        "phone": rep_a.phone,
        "status": rep_a.status,
    }
    response = login(staff_a).post(url, data)
    assert response.status_code == 200  # the form comes back with an error
    rep_a.refresh_from_db()
    assert rep_a.township_id != township_b.pk


def test_township_staff_cannot_add_a_township_next_to_theirs(login, staff_a, county):
    response = login(staff_a).post(
        reverse("admin:core_region_add"),
        {
            "code": "430529999",
            "name": "新镇",
            "level": "township",
            "kind": "town",
            "parent": county.pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert not Region.objects.filter(code="430529999").exists()


def test_township_staff_can_add_a_village_to_their_township(login, staff_a, township_a):
    response = login(staff_a).post(
        reverse("admin:core_region_add"),
        {
            "code": "430529100201",
            "name": "新村",
            "level": "village",
            "kind": "village",
            "parent": township_a.pk,
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    assert Region.objects.get(code="430529100201").path == "/430529/430529100/430529100201/"


def test_reference_data_above_the_scope_is_read_only_in_the_admin(login, staff_a, county):
    url = reverse("admin:core_region_change", args=[county.pk])
    client = login(staff_a)
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": county.code, "name": "改名", "level": "county", "kind": county.kind})
    assert response.status_code == 403
    county.refresh_from_db()
    assert county.name != "改名"


# --- permission matrix ------------------------------------------------------------------------

ADMIN_PAGES = [
    "admin:representatives_representative_changelist",
    "admin:representatives_representative_add",
    "admin:core_handlingunit_changelist",
    "admin:core_user_changelist",
]

EXPECTED = {
    # persona: status per page above
    "committee": [200, 200, 200, 200],
    "staff_a": [200, 200, 200, 403],
    "liaison": [200, 403, 403, 403],
    "unit": [302, 302, 302, 302],
    "representative": [302, 302, 302, 302],
    "anonymous": [302, 302, 302, 302],
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_admin_permission_matrix(persona, personas, liaison_a, login):
    user = liaison_a if persona == "liaison" else personas[persona]
    client = login(user)
    statuses = [client.get(reverse(name)).status_code for name in ADMIN_PAGES]
    assert statuses == EXPECTED[persona]
