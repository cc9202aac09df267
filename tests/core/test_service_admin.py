"""The one service-backed admin (apps.core.admin_mixins.ServiceAdminMixin): the page calls the
service once, and a refusal keeps what the person typed and shows why on the form."""

import pytest
from django.contrib.admin import AdminSite
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from apps.core.admin_mixins import RendaModelAdmin, ServiceAdminMixin
from apps.core.models import HandlingUnit


class UnitAdmin(ServiceAdminMixin, RendaModelAdmin):
    fields = ["name", "region", "category"]
    refusal: Exception | None = None
    calls: list

    def service_create(self, request, form):
        self.calls.append("create")
        unit = HandlingUnit.objects.create(**form.cleaned_data)
        if self.refusal is not None:
            raise self.refusal  # after a write: the savepoint must take it back
        return unit

    def service_update(self, request, obj, form):
        self.calls.append("update")
        obj.save()
        if self.refusal is not None:
            raise self.refusal
        return HandlingUnit.objects.get(pk=obj.pk)


@pytest.fixture
def unit_admin():
    model_admin = UnitAdmin(HandlingUnit, AdminSite())
    model_admin.calls = []
    return model_admin


def _post(user, data, path="/admin/core/handlingunit/add/"):
    request = RequestFactory().post(path, data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request._dont_enforce_csrf_checks = True
    return request


def _data(county, name="县农业农村局"):
    return {"name": name, "region": county.pk, "category": HandlingUnit.Category.GOVERNMENT}


def test_a_valid_form_calls_the_create_service_once(unit_admin, committee_staff, county):
    response = unit_admin.changeform_view(_post(committee_staff, _data(county)))
    assert response.status_code == 302
    assert unit_admin.calls == ["create"]
    assert HandlingUnit.objects.filter(name="县农业农村局").count() == 1


def test_a_refusal_naming_a_field_shows_under_it_with_the_input_kept_and_nothing_saved(
    unit_admin, committee_staff, county
):
    unit_admin.refusal = ValidationError({"name": "同名单位已存在。"})
    response = unit_admin.changeform_view(_post(committee_staff, _data(county)))
    assert response.status_code == 200
    form = response.context_data["adminform"].form
    assert form.errors["name"] == ["同名单位已存在。"]
    assert form["name"].value() == "县农业农村局"
    assert not HandlingUnit.objects.filter(name="县农业农村局").exists()


def test_a_refusal_of_the_whole_record_shows_at_the_top(unit_admin, committee_staff, county):
    unit_admin.refusal = ValidationError("该会议已闭幕，不能再登记。")
    response = unit_admin.changeform_view(_post(committee_staff, _data(county)))
    form = response.context_data["adminform"].form
    assert form.non_field_errors() == ["该会议已闭幕，不能再登记。"]
    assert not HandlingUnit.objects.filter(name="县农业农村局").exists()


def test_a_permission_refusal_is_said_on_the_form_not_as_an_error_page(unit_admin, committee_staff, county):
    unit_admin.refusal = PermissionDenied()
    response = unit_admin.changeform_view(_post(committee_staff, _data(county)))
    assert response.status_code == 200
    assert "无权" in " ".join(response.context_data["adminform"].form.non_field_errors())


def test_an_update_refused_keeps_the_saved_row_as_it_was(unit_admin, committee_staff, county, unit):
    unit_admin.refusal = ValidationError({"name": "名称不能修改。"})
    path = f"/admin/core/handlingunit/{unit.pk}/change/"
    response = unit_admin.changeform_view(_post(committee_staff, _data(county, "改名"), path), str(unit.pk))
    assert response.status_code == 200
    assert unit_admin.calls == ["update"]
    unit.refresh_from_db()
    assert unit.name == "县教育局"


def test_without_an_update_service_a_saved_record_is_read_only_and_never_deleted(committee_staff, unit):
    class CreateOnly(ServiceAdminMixin, RendaModelAdmin):
        pass

    model_admin = CreateOnly(HandlingUnit, AdminSite())
    request = RequestFactory().get("/")
    request.user = committee_staff
    assert model_admin.has_change_permission(request) is True  # the list's actions
    assert model_admin.has_change_permission(request, unit) is False
    assert model_admin.may_act(request, unit) is True
    assert model_admin.has_delete_permission(request, unit) is False
