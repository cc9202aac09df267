"""Phones: whatever digits and separators were typed, one stored form; the tracking page shows
the number masked even to whoever proved its last four digits (issue 17, finding 6)."""

from datetime import timedelta

import pytest
import tablib
import time_machine
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from apps.core.masking import mask_phone
from apps.core.phones import normalize_phone
from apps.liaison import forms as liaison_forms
from apps.liaison import services as liaison_services
from apps.liaison.models import Concern, LiaisonOffice
from apps.livelihood import forms as livelihood_forms
from apps.livelihood.models import Idea
from apps.representatives.models import Representative
from apps.representatives.resources import RepresentativeResource
from tests.factories import RepresentativeFactory

FULL_WIDTH = "１３８１２３４５６７８"
ARABIC_INDIC = "١٣٨١٢٣٤٥٦٧٨"
DEVANAGARI = "१३८१२३४५६७८"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        (FULL_WIDTH, "13812345678"),
        (ARABIC_INDIC, "13812345678"),
        (DEVANAGARI, "13812345678"),
        ("138１２３４5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８－１２３４－５６７８", "13812345678"),
        ("（138）1234\u30005678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("＋８６１３８１２３４５６７８", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("\u200b13812345678\u202e", "13812345678"),
        ("0739-7322001", "0739-7322001"),
        ("(0739) 732 2001", "0739-7322001"),
        ("０７３９－７３２２００１", "0739-7322001"),
        ("010 12345678", "010-12345678"),
        ("+86 739 7322001", "0739-7322001"),
        ("", ""),
    ],
)
def test_every_digit_form_and_separator_gives_one_stored_form(typed, stored):
    assert normalize_phone(typed) == stored


def test_a_phone_saved_by_any_door_is_stored_normalised(township_a, county_term):
    rep = RepresentativeFactory(township=township_a, term=county_term, phone=FULL_WIDTH)
    rep.refresh_from_db()
    assert rep.phone == "13812345678"


@pytest.mark.parametrize("bad", ["12812345678", "1381234567", "138123456789", "7322001", "电话13812345678", "²³"])
def test_what_is_not_a_phone_is_refused_with_a_chinese_message(township_a, county_term, bad):
    rep = RepresentativeFactory.build(township=township_a, term=county_term, phone=bad)
    with pytest.raises(ValidationError) as refused:
        rep.full_clean()
    assert "手机号码" in str(refused.value.message_dict["phone"]) and "区号" in str(refused.value.message_dict["phone"])


def test_a_mobile_only_field_refuses_a_landline(staff_a):
    staff_a.phone = "0739-7322001"  # an account's phone receives the SMS reminders
    with pytest.raises(ValidationError) as refused:
        staff_a.full_clean()
    assert "11 位手机号码" in str(refused.value.message_dict["phone"])


def test_the_public_concern_form_takes_only_a_mobile_but_a_reception_record_may_keep_a_landline(township_a, staff_a):
    form = liaison_forms.ConcernForm({"phone": "0739-7322001"})
    assert "11 位手机号码" in str(form.errors["phone"])
    office = LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    record = liaison_services.reception_record_add(
        office=office,
        received_on=timezone.localdate(),
        matter="反映村道塌方。",
        by=staff_a,
        visitor_phone="(0739)7322001",
    )
    assert record.visitor_phone == record.concern.phone == "0739-7322001"


# --- the public forms ------------------------------------------------------------------------------


def _token(form_class):
    with time_machine.travel(timezone.now() - timedelta(seconds=60), tick=False):
        return form_class.issue_token()


def test_the_concern_form_stores_a_full_width_phone_in_ascii(client, township_a):
    LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    data = {
        "township": township_a.pk,
        "category": "roads",
        "description": "村口的路灯坏了三个月，晚上出行很不方便。",
        "name": "王大妈",
        "phone": "＋８６ １３８－１２３４－５６７８",
        "consent": "on",
        "token": _token(liaison_forms.ConcernForm),
    }
    assert client.post(reverse("liaison:concern_new"), data).status_code == 302
    assert Concern.objects.get().phone == "13812345678"


def test_the_idea_form_stores_an_arabic_indic_phone_in_ascii(client, township_a):
    data = {
        "township": township_a.pk,
        "title": "白云村饮水管网改造",
        "description": "村里的自来水管网老化，夏天经常停水，建议改造管网。",
        "name": "王大妈",
        "phone": ARABIC_INDIC,
        "consent": "on",
        "token": _token(livelihood_forms.IdeaForm),
    }
    assert client.post(reverse("livelihood:idea_new"), data).status_code == 302
    assert Idea.objects.get().proposer_phone == "13812345678"


def test_the_roster_import_stores_phones_normalised(staff_a, county_term, township_a):
    headers = [
        "编号",
        "姓名",
        "性别",
        "民族",
        "政治面貌",
        "代表构成",
        "代表层级",
        "届次",
        "所在乡镇",
        "代表证号",
        "联系电话",
    ]
    dataset = tablib.Dataset(headers=headers)
    row = ["", "丁一", "男", "苗族", "中共党员", "农民", "县人大代表", "18", "儒林镇", "A001"]
    dataset.append([*row, "+86 139-0000-0001"])
    result = RepresentativeResource(user=staff_a).import_data(dataset, dry_run=False, use_transactions=True)
    assert not result.has_validation_errors()
    assert Representative.objects.get().phone == "13900000001"


def test_the_forms_built_from_the_models_store_phones_normalised(rep_a):
    """The admin's forms are built from the model fields, so they take the phone field's cleaning."""
    form_class = modelform_factory(Representative, fields=["phone"])
    form = form_class({"phone": "１３９ ８８８８ ７７７７"}, instance=rep_a)
    assert form.is_valid(), form.errors
    form.save()
    rep_a.refresh_from_db()
    assert rep_a.phone == "13988887777"
    assert not form_class({"phone": "电话"}, instance=rep_a).is_valid()


# --- the tracking page -----------------------------------------------------------------------------


@pytest.fixture
def tracked(township_a):
    LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)
    concern, _ = liaison_services.concern_submit(
        region=township_a, category="roads", description="桥面裂缝越来越大。", name="赵大姐", phone="13700001234"
    )
    return concern


@pytest.mark.parametrize("digits", ["1234", "１２３４", "١٢٣٤", " 12 34 "])
def test_the_right_last_four_in_any_digit_form_show_the_concern_with_the_phone_masked(client, tracked, digits):
    response = client.get(reverse("liaison:track"), {"code": tracked.tracking_code, "phone_last4": digits})
    assert response.context["personal"]
    assert "桥面裂缝" in response.text
    assert "137****1234" in response.text
    assert "13700001234" not in response.text


@pytest.mark.parametrize("digits", ["1235", "²³⁴⁵", "123", "abcd"])
def test_wrong_or_unreadable_last_four_show_nothing_personal(client, tracked, digits):
    response = client.get(reverse("liaison:track"), {"code": tracked.tracking_code, "phone_last4": digits})
    assert not response.context["personal"]
    assert "桥面裂缝" not in response.text and "1234" not in response.text


def test_a_phone_stored_before_normalisation_still_matches(client, tracked):
    Concern.objects.filter(pk=tracked.pk).update(phone="137 0000 １２３４")  # an old row, written around save()
    response = client.get(reverse("liaison:track"), {"code": tracked.tracking_code, "phone_last4": "1234"})
    assert response.context["personal"]
    assert mask_phone("13700001234") in response.text


def test_the_migration_rewrites_phones_stored_before_normalisation(tracked, township_a, county_term):
    from apps.core.phones import normalise_stored_phones

    rep = RepresentativeFactory(township=township_a, term=county_term)
    Concern.objects.filter(pk=tracked.pk).update(phone="+86 137 0000 １２３４")
    Representative.objects.filter(pk=rep.pk).update(phone="07397322001")
    normalise_stored_phones(Concern, "phone")
    normalise_stored_phones(Representative, "phone")
    assert Concern.objects.get(pk=tracked.pk).phone == "13700001234"
    assert Representative.objects.get(pk=rep.pk).phone == "0739-7322001"
