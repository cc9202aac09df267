"""The one way to declare a service-backed admin action (apps.core.admin_pages.service_action): the
service runs once per selected record, all or nothing; a form page comes first when the action
asks for input, and its fields are the service's keyword arguments."""

import pytest
from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.core.admin_mixins import RendaModelAdmin
from apps.core.admin_pages import only_one, service_action
from apps.core.models import HandlingUnit

CALLS: list = []


def unit_rename(*, unit, short_name, by, suffix=""):
    """Writes first and refuses after, so that only a rollback can undo the write."""
    CALLS.append((unit.pk, short_name, by.pk))
    unit.short_name = short_name + suffix
    unit.save()
    if unit.contact_person == "拒绝":
        raise ValidationError("该单位不接受改名。")
    return unit


class RenameForm(forms.Form):
    short_name = forms.CharField(max_length=30)


class UnitAdmin(RendaModelAdmin):
    tag = service_action(
        description="标记所选单位",
        service=unit_rename,
        target="unit",
        values={"short_name": "已标记"},
        done="已标记%(n)s个单位。",
    )
    rename = service_action(
        description="改名",
        service=unit_rename,
        target="unit",
        values={"suffix": "局"},
        form=RenameForm,
        title="为所选单位改简称",
        done=lambda objects: f"已为{len(objects)}个单位改名。",
    )
    rename_one = service_action(
        description="改一个单位的名",
        service=unit_rename,
        target="unit",
        refuse=only_one("请只选择一个单位。"),
        refusal_level=messages.ERROR,
        form=RenameForm,
        title="改名",
        done="已改名。",
    )
    tag_in_scope = service_action(
        description="只标记本区域的单位",
        service=unit_rename,
        target="unit",
        may=lambda model_admin, request, unit: unit.short_name != "外地",
        values={"short_name": "已标记"},
        done="已标记%(n)s个单位。",
    )
    actions = [tag, rename, rename_one, tag_in_scope]


@pytest.fixture(autouse=True)
def _fresh_calls():
    CALLS.clear()


@pytest.fixture
def unit_admin():
    return UnitAdmin(HandlingUnit, AdminSite())


@pytest.fixture
def units(county):
    return [
        HandlingUnit.objects.create(name=f"县单位{i}", region=county, category=HandlingUnit.Category.GOVERNMENT)
        for i in range(2)
    ]


def _post(user, data=None):
    request = RequestFactory().post("/admin/core/handlingunit/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    return request


def _messages(request) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in get_messages(request)]


def _selected(units):
    return HandlingUnit.objects.filter(pk__in=[unit.pk for unit in units]).order_by("pk")


def test_the_service_runs_once_per_record_with_the_record_and_the_user(unit_admin, committee_staff, units):
    request = _post(committee_staff)
    response = unit_admin.tag(request, _selected(units))
    assert response is None
    assert sorted(CALLS) == sorted((unit.pk, "已标记", committee_staff.pk) for unit in units)
    assert set(HandlingUnit.objects.values_list("short_name", flat=True)) == {"已标记"}
    assert _messages(request) == [(messages.SUCCESS, "已标记2个单位。")]


def test_one_refusal_undoes_every_record_and_names_the_refused_one(unit_admin, committee_staff, units):
    HandlingUnit.objects.filter(pk=units[1].pk).update(contact_person="拒绝")
    request = _post(committee_staff)
    unit_admin.tag(request, _selected(units))
    assert len(CALLS) == 2
    assert set(HandlingUnit.objects.values_list("short_name", flat=True)) == {""}
    assert _messages(request) == [
        (messages.ERROR, "操作未执行，没有任何改动。原因如下："),
        (messages.ERROR, "县单位1：该单位不接受改名。"),
    ]


def test_an_action_with_a_form_shows_the_form_first_and_posts_back_under_its_own_name(
    unit_admin, committee_staff, units
):
    response = unit_admin.rename(_post(committee_staff), _selected(units))
    assert CALLS == []
    assert response.template_name == "admin/renda/action_form.html"
    assert response.context_data["action"] == "rename"
    assert response.context_data["title"] == "为所选单位改简称"
    assert list(response.context_data["objects"]) == units
    assert not response.context_data["form"].is_bound


def test_an_invalid_form_is_shown_again_and_nothing_runs(unit_admin, committee_staff, units):
    response = unit_admin.rename(_post(committee_staff, {"apply": "1", "short_name": "x" * 31}), _selected(units))
    assert CALLS == []
    assert response.context_data["form"].errors["short_name"]


def test_the_form_fields_and_fixed_values_are_the_service_arguments(unit_admin, committee_staff, units):
    request = _post(committee_staff, {"apply": "1", "short_name": "农业"})
    unit_admin.rename(request, _selected(units))
    assert sorted(CALLS) == sorted((unit.pk, "农业", committee_staff.pk) for unit in units)
    assert set(HandlingUnit.objects.values_list("short_name", flat=True)) == {"农业局"}
    assert _messages(request) == [(messages.SUCCESS, "已为2个单位改名。")]


def test_a_refused_selection_changes_nothing_and_says_why(unit_admin, committee_staff, units):
    request = _post(committee_staff, {"apply": "1", "short_name": "农业"})
    response = unit_admin.rename_one(request, _selected(units))
    assert response is None
    assert CALLS == []
    assert _messages(request) == [(messages.ERROR, "请只选择一个单位。")]


def test_a_record_the_user_may_not_act_on_refuses_the_whole_action(unit_admin, committee_staff, units):
    HandlingUnit.objects.filter(pk=units[0].pk).update(short_name="外地")
    request = _post(committee_staff)
    unit_admin.tag_in_scope(request, _selected(units))
    assert [pk for pk, *_ in CALLS] == [units[1].pk]  # never for the record out of scope
    assert HandlingUnit.objects.get(pk=units[1].pk).short_name == ""  # and the other one rolled back
    assert (messages.ERROR, "县单位0：不在您的管辖范围内。") in _messages(request)


def test_the_admin_offers_the_action_under_its_name_to_those_with_the_permission(
    unit_admin, committee_staff, representative_user
):
    offered = unit_admin.get_actions(_post(committee_staff))
    assert offered["tag"][1:] == ("tag", "标记所选单位")
    assert offered["rename"][0].allowed_permissions == ["change"]
    assert unit_admin.get_actions(_post(representative_user)) == {}


def test_the_changelist_runs_the_action_it_is_posted(unit_admin, committee_staff, units):
    data = {"action": "tag", "index": "0", "_selected_action": [str(unit.pk) for unit in units]}
    response = unit_admin.changelist_view(_post(committee_staff, data))
    assert response.status_code == 302
    assert len(CALLS) == 2


def test_a_service_or_an_apply_function_not_both():
    with pytest.raises(TypeError):
        service_action(description="x", done="x", service=unit_rename, apply=lambda *args: None)
    with pytest.raises(TypeError):
        service_action(description="x", done="x")
