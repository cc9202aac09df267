"""Text hygiene (issue 17, finding 7): bodies of invisible characters are refused, bidirectional
overrides are dropped on input everywhere (public forms, portal, admin, imports) and neutralised
on output (admin lists, exports) for rows stored before."""

import importlib
import io
from datetime import timedelta

import pytest
import tablib
import time_machine
from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from apps.core.exports import neutralise_formula
from apps.core.models import HandlingUnit
from apps.core.text import TextHygieneMixin, clean_body, clean_line, is_blank, without_bidi
from apps.groups.resources import ActivityImportResource
from apps.liaison.forms import ConcernForm
from apps.liaison.models import Concern, LiaisonOffice
from apps.representatives.models import Representative
from apps.representatives.resources import RepresentativeResource
from tests.factories import RepresentativeFactory

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "王\u202e大妈" is shown as 王妈大
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u2066\u0007\u3164 \u3000"


def test_what_is_dropped_and_what_is_kept():
    assert clean_line(f"王{RLO}大\u200b妈\u2066\x07") == "王大妈"
    assert clean_line("儒林镇\r\n白云村") == "儒林镇 白云村"
    assert clean_body(f"第一行\r\n\t第二行{RLO}\x00") == "第一行\r\n\t第二行"
    assert clean_body("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # an emoji sequence keeps its joiners
    assert is_blank(INVISIBLE) and not is_blank(INVISIBLE + "。")
    assert without_bidi(f"{RLO}=1+1") == "=1+1" and without_bidi(18) == 18


# --- every form cleans its text ----------------------------------------------------------------


FORM_MODULES = ("forms", "admin_forms", "admin", "views")
# Login forms compare what was typed with what is stored, and store nothing.
NOT_INPUT = {"apps.core.otp.StaffOTPLoginForm"}


def _renda_form_classes():
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        for name in FORM_MODULES:
            try:
                importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return {cls for cls in seen if cls.__module__.startswith("apps.")}


def test_every_form_of_renda_cleans_its_text():
    found = _renda_form_classes()
    assert len(found) > 60
    missing = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in found
        if not issubclass(cls, TextHygieneMixin) and f"{cls.__module__}.{cls.__name__}" not in NOT_INPUT
    )
    assert missing == []


# --- the public form ----------------------------------------------------------------------------


def _concern_post(client, township, **fields):
    with time_machine.travel(timezone.now() - timedelta(seconds=60), tick=False):
        token = ConcernForm.issue_token()
    data = {
        "township": township.pk,
        "category": "roads",
        "description": "村口的路灯坏了三个月，晚上出行很不方便。",
        "name": "王大妈",
        "consent": "on",
        "token": token,
        **fields,
    }
    return client.post(reverse("liaison:concern_new"), data)


@pytest.fixture
def office(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)


@pytest.mark.parametrize("body", ["\u200b" * 20, INVISIBLE * 2, "\u3164" * 12 + "\u200d" * 3])
def test_a_concern_of_invisible_characters_is_refused_with_the_message_and_no_row(client, township_a, office, body):
    response = _concern_post(client, township_a, description=body)
    assert response.status_code == 400
    assert "内容不能为空" in response.text
    assert not Concern.objects.exists()


def test_a_concern_padded_with_invisible_characters_to_its_minimum_length_is_refused(client, township_a, office):
    response = _concern_post(client, township_a, description="路灯坏了" + "\u200b" * 10)
    assert response.status_code == 400
    assert not Concern.objects.exists()


def test_names_and_bodies_are_stored_without_bidirectional_overrides(client, township_a, office):
    response = _concern_post(
        client, township_a, name=f"王{RLO}大妈\u200b", description=f"村口的路灯{RLO}坏了三个月，\n晚上出行很不方便。"
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.name == "王大妈"
    assert concern.description == "村口的路灯坏了三个月，\n晚上出行很不方便。"


# --- the portal and the admin -------------------------------------------------------------------


def test_a_portal_reply_of_invisible_characters_is_refused():
    from apps.liaison.forms import AnswerForm

    form = AnswerForm({"answer": "\u200b\u200b", "public_answer": "已修复。"})
    assert not form.is_valid()
    assert "内容不能为空" in str(form.errors["answer"])


def test_the_admin_stores_a_name_without_a_bidirectional_override(login, committee_staff, county):
    data = {"name": f"县交通{RLO}运输局", "short_name": "", "category": "government", "region": county.pk}
    data.update(contact_person=f"张{RLO}三", contact_phone="", is_active="on")
    response = login(committee_staff).post(reverse("admin:core_handlingunit_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit = HandlingUnit.objects.get(name__startswith="县交通")
    assert (unit.name, unit.contact_person) == ("县交通运输局", "张三")


def test_the_admin_refuses_a_required_name_of_invisible_characters(login, committee_staff, county):
    data = {"name": "\u200b\u2060", "category": "government", "region": county.pk, "is_active": "on"}
    response = login(committee_staff).post(reverse("admin:core_handlingunit_add"), data)
    assert response.status_code == 200
    assert "内容不能为空" in str(response.context["adminform"].form.errors["name"])


def test_an_admin_list_neutralises_an_override_stored_before(login, committee_staff, township_a, county_term):
    rep = RepresentativeFactory(name="杨秀英", township=township_a, term=county_term)
    Representative.objects.filter(pk=rep.pk).update(name=f"杨{RLO}秀英")  # an old row
    response = login(committee_staff).get(reverse("admin:representatives_representative_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "杨秀英" in page
    assert RLO not in page.split('id="result_list"')[1]


# --- imports and exports ------------------------------------------------------------------------


def test_a_roster_import_stores_names_without_overrides_or_zero_width_characters(staff_a, county_term, township_a):
    headers = ["编号", "姓名", "性别", "民族", "政治面貌", "代表构成", "代表层级", "届次", "所在乡镇", "代表证号"]
    dataset = tablib.Dataset(headers=headers)
    dataset.append(["", f"丁{RLO}一\u200b", "男", "苗族", "中共党员", "农民", "县人大代表", "18", "儒林镇", "A001"])
    result = RepresentativeResource(user=staff_a).import_data(dataset, dry_run=False, use_transactions=True)
    assert not result.has_validation_errors()
    assert Representative.objects.get().name == "丁一"


def test_the_service_backed_imports_read_cells_clean():
    resource = ActivityImportResource()
    content = f"活动类型,活动名称,活动日期,活动情况\n微宣讲,关于{RLO}修路的活动,2022-1-1,\u200b\u200b\n".encode()
    dataset = resource.read(content, "a.csv")
    resource.before_import(dataset)
    [row] = dataset.dict
    assert (row["活动名称"], row["活动情况"]) == ("关于修路的活动", "")


def test_an_export_cell_comes_out_without_an_override_and_a_hidden_formula_is_neutralised():
    assert neutralise_formula(f"杨{RLO}秀英") == "杨秀英"
    assert neutralise_formula(f"{RLO}=HYPERLINK(1)") == "'=HYPERLINK(1)"


def test_an_exported_file_has_no_override(login, committee_staff, township_a, county_term):
    rep = RepresentativeFactory(name="杨秀英", township=township_a, term=county_term)
    Representative.objects.filter(pk=rep.pk).update(name=f"杨{RLO}秀英")  # an old row
    url = reverse("admin:representatives_representative_export")
    response = login(committee_staff).post(url, {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "杨秀英" in text and RLO not in text
    assert io.StringIO(text).readline().startswith("编号")
