"""The public liaison pages: the concern form, tracking and rating, reception days."""

import re
from datetime import time, timedelta
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.core.models import AuditEvent
from apps.liaison import forms, services
from apps.liaison.models import Concern, ConcernPhoto, DutyShift, RateLimitHit, ReceptionDay
from tests.factories import CountyFactory, RepresentativeFactory, TownshipFactory, VillageFactory
from tests.images import JPEG, PNG, WEBP, decoded_format

DESCRIPTION = "村口的路灯坏了三个月，晚上出行很不方便。"


def url(name, *args):
    return reverse(f"liaison:{name}", args=args)


def old_token(seconds=60):
    """A form token issued `seconds` ago, so the minimum fill time has passed."""
    with time_machine.travel(timezone.now() - timedelta(seconds=seconds), tick=False):
        return forms.issue_form_token()


def photo(content=JPEG, name="路灯.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def concern_data(place, **overrides):
    data = {
        "township": place.pk,
        "village": "",
        "representative": "",
        "category": "roads",
        "description": DESCRIPTION,
        "name": "王大妈",
        "phone": "13812345678",
        "consent": "on",
        "website": "",
        "token": old_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def error_next_to(response, field: str) -> str:
    """The text of the error list rendered with the field (Django ties it by id to the input)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.text, re.S)
    assert match, f"no error rendered next to {field}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def non_field_errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


@pytest.fixture
def limits(settings):
    def _set(**values):
        settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, **values}

    return _set


@pytest.fixture
def with_photos(office_a, township_a):
    concern, _ = services.concern_submit(
        region=township_a,
        category="roads",
        description="桥面裂缝越来越大，附上照片。",
        name="赵大姐",
        phone="13700001234",
        photos=[photo()],
    )
    return concern


@pytest.fixture
def clerk(staff_a):
    staff_a.full_name = "张干事"
    staff_a.save()
    return staff_a


# --- the concern form -----------------------------------------------------------------------------


def test_the_form_offers_townships_villages_and_serving_representatives_with_a_privacy_notice(
    client, township_a, village_a, rep_a
):
    response = client.get(url("concern_new"), {"township": township_a.pk})
    assert response.status_code == 200
    text = response.text
    assert "儒林镇" in text and "白云村" in text and "杨秀英" in text
    assert "个人信息处理说明" in text and "保存多久" in text
    assert 'name="consent"' in text and 'name="website"' in text and "请勿填写" in text
    assert 'type="file"' in text and "multiple" in text
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "an inline script (CSP forbids it)"


def test_without_a_township_villages_and_representatives_wait_for_one(client, township_a, village_a, rep_a):
    response = client.get(url("concern_new"))
    text = response.text
    assert response.status_code == 200
    assert f'<option value="{township_a.pk}">儒林镇</option>' in text
    assert "白云村" not in text and "杨秀英" not in text and text.count("请先选择乡镇") == 2
    assert 'name="choose_township"' in text and "js/concern_form.js" in text
    assert 'name="token"' in text and 'name="description"' in text  # the whole form, ready to post


def test_choosing_the_township_without_javascript_keeps_what_was_typed_and_saves_nothing(
    client, office_a, township_a, village_a, rep_a
):
    token = old_token()
    data = concern_data(township_a, token=token, category="roads", is_urgent="on", choose_township="1")
    response = client.post(url("concern_new"), data)
    assert response.status_code == 200 and not Concern.objects.exists()
    form = response.context["form"]
    assert not form.is_bound and form.township_id == township_a.pk
    assert "白云村" in response.text and "杨秀英" in response.text and "errorlist" not in response.text
    assert form.initial["description"] == DESCRIPTION and form.initial["phone"] == "13812345678"
    assert form.initial["is_urgent"] is True and form.initial["consent"] is True
    assert form.initial["token"] == token  # the fill time counts from the first page
    assert f'<option value="{township_a.pk}" selected>儒林镇</option>' in response.text


def test_only_the_chosen_townships_villages_and_representatives_are_offered(
    client, township_a, village_a, rep_a, township_b, rep_b
):
    VillageFactory(parent=township_b, name="茅坪村")
    form = client.get(url("concern_new"), {"township": township_b.pk}).context["form"]
    assert [label for pk, label in form.fields["village"].choices if pk] == ["茅坪村"]
    assert [pk for pk, label in form.fields["representative"].choices if pk] == [rep_b.pk]


@pytest.mark.parametrize("township", ["", "abc", "²", "999999", "-1"])
def test_an_unknown_township_in_the_address_asks_for_one(client, township_a, township):
    response = client.get(url("concern_new"), {"township": township})
    assert response.status_code == 200
    assert response.context["form"].township_id is None and "请先选择乡镇" in response.text


def test_townships_of_several_counties_are_grouped_by_county(client, township_a, township_b):
    TownshipFactory(parent=CountyFactory(code="430527", name="绥宁县"), name="长铺子苗族侗族乡")
    text = client.get(url("concern_new")).text
    assert '<optgroup label="绥宁县">' in text and "长铺子苗族侗族乡" in text
    assert f'<optgroup label="{township_a.parent.name}">' in text


def test_a_renamed_township_is_shown_at_once(client, township_a):
    client.get(url("concern_new"))  # now cached
    township_a.name = "儒林新镇"
    township_a.save()
    assert "儒林新镇" in client.get(url("concern_new")).text


def test_coming_from_the_roster_preselects_the_representative_and_the_township(client, rep_a):
    response = client.get(url("concern_new"), {"representative": rep_a.pk})
    form = response.context["form"]
    assert form.initial["representative"] == rep_a.pk
    assert form.initial["township"] == rep_a.township_id
    assert form.township_id == rep_a.township_id
    assert f'<option value="{rep_a.pk}" selected>' in response.text


def test_a_concern_is_saved_and_the_citizen_sees_the_tracking_code_in_groups_of_four(
    client, office_a, township_a, village_a, rep_a
):
    data = concern_data(township_a, village=village_a.pk, representative=rep_a.pk, is_urgent="on")
    data["photos"] = [photo(), photo(PNG, "b.png", "image/png"), photo(WEBP, "c.webp", "image/webp")]
    response = client.post(url("concern_new"), data)
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response.url == url("concern_submitted", concern.tracking_code)
    assert concern.region == village_a and concern.office == office_a and concern.addressed_to == rep_a
    assert concern.is_urgent and concern.name == "王大妈" and concern.phone == "13812345678"
    assert concern.consented_at is not None
    names = sorted(p.image.name.rsplit(".", 1)[1] for p in concern.photos.all())
    assert names == ["jpg", "png", "webp"]
    assert all("路灯" not in p.image.name for p in concern.photos.all())  # stored under a random name
    page = client.get(response.url)
    assert page.status_code == 200
    assert concern.display_code in page.text
    assert re.fullmatch(r"(\w{4}-){3}\w{2}", concern.display_code)


def test_name_and_phone_may_be_left_empty_and_the_phone_may_carry_spaces(client, office_a, township_a):
    client.post(url("concern_new"), concern_data(township_a, name="", phone=""))
    client.post(url("concern_new"), concern_data(township_a, phone="138 1234-5678"))
    assert sorted(Concern.objects.values_list("phone", flat=True)) == ["", "13812345678"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"township": ""}, "township", "请选择问题所在的乡镇"),
        ({"township": "999999"}, "township", "请从列表中选择乡镇"),
        ({"category": ""}, "category", "请选择问题类别"),
        ({"description": ""}, "description", "请填写反映内容"),
        ({"description": "路灯坏了"}, "description", "至少 10 个字"),
        ({"description": "长" * 2001}, "description", "不能超过 2000 个字"),
        ({"phone": "12345"}, "phone", "11 位手机号码"),
        ({"phone": "12812345678"}, "phone", "11 位手机号码"),
        ({"name": "名" * 31}, "name", "31"),
        ({"consent": None}, "consent", "勾选同意"),
        ({"village": "999999"}, "village", "请从列表中选择"),
        ({"representative": "999999"}, "representative", "请从列表中选择在任代表"),
    ],
)
def test_invalid_input_is_explained_next_to_its_field_and_nothing_is_saved(
    client, office_a, township_a, overrides, field, message
):
    response = client.post(url("concern_new"), concern_data(township_a, **overrides))
    assert response.status_code == 400
    assert message in error_next_to(response, field)
    assert not Concern.objects.exists()


def test_a_village_of_another_township_is_refused(client, office_a, township_a, township_b):
    other = VillageFactory(parent=township_b, name="茅坪村")
    response = client.post(url("concern_new"), concern_data(township_a, village=other.pk))
    assert response.status_code == 400
    assert "不属于所选乡镇" in error_next_to(response, "village")
    assert not Concern.objects.exists()


def test_a_representative_of_another_township_is_refused(client, office_a, township_a, rep_b):
    response = client.post(url("concern_new"), concern_data(township_a, representative=rep_b.pk))
    assert response.status_code == 400
    assert "不在所选乡镇" in error_next_to(response, "representative")
    assert not Concern.objects.exists()


def test_a_representative_who_no_longer_serves_is_not_offered(client, office_a, township_a, rep_a):
    rep_a.status, rep_a.status_changed_on = "resigned", timezone.localdate()
    rep_a.save()
    response = client.post(url("concern_new"), concern_data(township_a, representative=rep_a.pk))
    assert "请从列表中选择在任代表" in error_next_to(response, "representative")
    assert not Concern.objects.exists()


def test_a_text_file_renamed_to_jpg_is_refused_by_its_content(client, office_a, township_a):
    data = concern_data(township_a, photos=[photo(b"just some text, not an image", "照片.jpg")])
    response = client.post(url("concern_new"), data)
    assert response.status_code == 400
    assert "不是 JPG、PNG 或 WebP 格式" in error_next_to(response, "photos")
    assert not Concern.objects.exists() and not ConcernPhoto.objects.exists()


def test_an_oversized_photo_is_refused(client, office_a, township_a, limits):
    limits(PHOTO_MAX_BYTES=1024)
    response = client.post(url("concern_new"), concern_data(township_a, photos=[photo(JPEG + b"\x00" * 2048)]))
    assert response.status_code == 400
    assert "照片“路灯.jpg”超过 1 KB，请压缩后再上传" in error_next_to(response, "photos")
    assert not Concern.objects.exists()


def test_too_many_photos_are_refused(client, office_a, township_a, limits):
    limits(PHOTO_MAX_COUNT=2)
    response = client.post(url("concern_new"), concern_data(township_a, photos=[photo(), photo(), photo()]))
    assert response.status_code == 400
    assert "最多上传 2 张照片" in error_next_to(response, "photos")
    assert not Concern.objects.exists() and not ConcernPhoto.objects.exists()


def test_a_filled_honeypot_is_refused_with_a_message(client, office_a, township_a):
    response = client.post(url("concern_new"), concern_data(township_a, website="http://spam.example"))
    assert response.status_code == 400
    assert "请勿填写" in non_field_errors(response)
    assert not Concern.objects.exists()


def test_a_form_posted_faster_than_the_minimum_fill_time_is_refused(client, office_a, township_a, limits):
    limits(MIN_FILL_SECONDS=4)
    response = client.post(url("concern_new"), concern_data(township_a, token=old_token(seconds=1)))
    assert response.status_code == 400
    assert "提交太快了" in non_field_errors(response)
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "表单校验未通过"),
        ("forged:token", "表单校验未通过"),
        ("tampered", "表单校验未通过"),
        ("expired", "超过一天"),
    ],
)
def test_a_missing_forged_or_day_old_form_token_is_refused_and_a_fresh_one_issued(
    client, office_a, township_a, token, message
):
    if token == "tampered":
        token = old_token()[:-2] + "xx"
    elif token == "expired":
        token = old_token(seconds=25 * 3600)
    response = client.post(url("concern_new"), concern_data(township_a, token=token))
    assert response.status_code == 400
    assert message in non_field_errors(response)
    assert not Concern.objects.exists()
    fresh = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    assert fresh != token
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        # The re-issued token works once the minimum fill time has passed.
        again = client.post(url("concern_new"), concern_data(township_a, token=fresh))
    assert again.status_code == 302
    assert Concern.objects.count() == 1


def test_the_form_keeps_what_was_typed_after_an_error(client, office_a, township_a):
    response = client.post(url("concern_new"), concern_data(township_a, consent=None))
    assert DESCRIPTION in response.text and "13812345678" in response.text


def test_posting_the_same_form_twice_makes_one_concern_and_shows_the_same_code(client, office_a, township_a):
    data = concern_data(township_a)
    first = client.post(url("concern_new"), data)
    second = client.post(url("concern_new"), data)
    assert Concern.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == url("concern_submitted", Concern.objects.get().tracking_code)


def test_submissions_over_the_hourly_limit_get_429_and_save_nothing(client, office_a, township_a, limits):
    limits(SUBMIT_PER_HOUR=2)
    first = concern_data(township_a)
    assert client.post(url("concern_new"), first).status_code == 302
    assert client.post(url("concern_new"), concern_data(township_a)).status_code == 302
    response = client.post(url("concern_new"), concern_data(township_a))
    assert response.status_code == 429
    assert "一小时后再试" in response.text
    assert Concern.objects.count() == 2
    # A reload of a saved form still shows its code; another network is not affected.
    assert client.post(url("concern_new"), first).status_code == 302
    other = client.post(url("concern_new"), concern_data(township_a), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302
    assert Concern.objects.count() == 3


def test_the_limit_is_counted_in_the_database_without_the_address_itself(client, office_a, township_a):
    client.post(url("concern_new"), concern_data(township_a), REMOTE_ADDR="10.9.8.7")
    assert RateLimitHit.objects.count() == 1
    assert "10.9.8.7" not in RateLimitHit.objects.get().key


def test_an_oversized_request_is_refused_before_it_is_read(client, office_a, township_a, limits, settings):
    limits(PHOTO_MAX_COUNT=1, PHOTO_MAX_BYTES=1024)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = JPEG + b"\x00" * (400 * 1024)
    response = client.post(url("concern_new"), concern_data(township_a, photos=[photo(big)]))
    assert response.status_code == 413
    assert "照片总大小超过了上限" in response.text
    assert not Concern.objects.exists()


def test_a_broker_that_is_down_does_not_stop_the_submission(
    client, office_a, township_a, liaison_a, monkeypatch, django_capture_on_commit_callbacks
):
    from apps.notifications import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis. Connection refused.")

    monkeypatch.setattr(tasks.send_notification, "delay", down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url("concern_new"), concern_data(township_a))
    assert response.status_code == 302
    assert callbacks  # the dispatch was attempted after the commit
    concern = Concern.objects.get()
    from apps.notifications.models import Notification

    assert Notification.objects.filter(object_id=concern.pk, recipient=liaison_a).exists()


def test_an_unknown_code_has_no_confirmation_page(client, db):
    assert client.get(url("concern_submitted", "ACDEFGHJKMNPQR")).status_code == 404


# --- tracking -------------------------------------------------------------------------------------

PERSONAL = ["村道塌方", "王大妈", "13812345678", "138****5678"]


def test_the_code_alone_shows_the_public_part_and_nothing_personal(client, concern_a):
    response = client.get(url("track"), {"code": concern_a.tracking_code})
    assert response.status_code == 200
    text = response.text
    assert concern_a.display_code in text
    assert "待受理" in text and "道路交通" in text and "儒林镇" in text
    assert concern_a.submitted_at.strftime("%Y-%m-%d") in text
    for private in PERSONAL:
        assert private not in text
    assert not response.context["personal"]


@pytest.mark.parametrize("typed", ["{code}", "{code_lower}", "{display}", " {display_spaced} "])
def test_the_code_may_be_typed_in_lowercase_with_dashes_or_spaces(client, concern_a, typed):
    code = concern_a.tracking_code
    typed = typed.format(
        code=code,
        code_lower=code.lower(),
        display=concern_a.display_code,
        display_spaced=concern_a.display_code.replace("-", " "),
    )
    response = client.get(url("track"), {"code": typed})
    assert response.context["concern"] == concern_a


def test_an_unknown_code_says_so_next_to_the_field(client, concern_a):
    response = client.get(url("track"), {"code": "ACDE-FGHJ-KMNP-QR"})
    assert response.status_code == 404
    assert "查询码不存在" in error_next_to(response, "code")
    assert response.context["concern"] is None


def test_an_empty_code_asks_for_one(client, concern_a):
    response = client.get(url("track"), {"code": " - "})
    assert response.status_code == 400
    assert "请输入查询码" in error_next_to(response, "code")


def test_the_form_alone_is_not_a_lookup(client, db, limits):
    limits(LOOKUP_PER_HOUR=0)
    assert client.get(url("track")).status_code == 200


def test_wrong_last_four_digits_show_a_message_and_nothing_personal(client, with_photos):
    response = client.get(url("track"), {"code": with_photos.tracking_code, "phone_last4": "9999"})
    assert response.status_code == 200
    assert "不符" in error_next_to(response, "phone_last4")
    text = response.text
    for private in ["桥面裂缝", "赵大姐", "13700001234"]:
        assert private not in text
    assert "/liaison/track/photos/" not in text


def test_the_right_last_four_digits_show_the_description_name_masked_phone_and_photos(client, with_photos):
    response = client.get(url("track"), {"code": with_photos.tracking_code, "phone_last4": "1234"})
    text = response.text
    assert "桥面裂缝" in text and "赵大姐" in text and "137****1234" in text and "13700001234" not in text
    [link] = response.context["photo_links"]
    image = client.get(link)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert decoded_format(b"".join(image.streaming_content)) == "JPEG"  # re-encoded when stored
    shown = AuditEvent.objects.filter(kind="personal_view", actor=None, target_id=str(with_photos.pk))
    assert shown.get().detail == {"via": "tracking code"}


def test_a_photo_link_stops_working_after_an_hour_and_cannot_be_forged(client, with_photos):
    response = client.get(url("track"), {"code": with_photos.tracking_code, "phone_last4": "1234"})
    [link] = response.context["photo_links"]
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.get(link).status_code == 404
    assert client.get(url("track_photo", "1")).status_code == 404
    photo_pk = with_photos.photos.get().pk
    assert client.get(url("track_photo", f"{photo_pk}:forged")).status_code == 404


def test_a_concern_without_a_phone_never_shows_its_description(client, office_a, township_a):
    concern, _ = services.concern_submit(region=township_a, category="roads", description="匿名反映：垃圾没人清运。")
    response = client.get(url("track"), {"code": concern.tracking_code, "phone_last4": "0000"})
    assert "垃圾没人清运" not in response.text
    assert not response.context["personal"]


def test_lookups_over_the_hourly_limit_get_429(client, concern_a, limits):
    limits(LOOKUP_PER_HOUR=2)
    for _ in range(2):
        assert client.get(url("track"), {"code": concern_a.tracking_code}).status_code == 200
    response = client.get(url("track"), {"code": concern_a.tracking_code})
    assert response.status_code == 429
    assert concern_a.display_code not in response.text
    # Guessing the phone digits through the rating form is limited by the same count.
    assert client.post(url("track_rate", concern_a.tracking_code), {"rate-rating": "satisfied"}).status_code == 429


def test_the_timeline_shows_status_changes_without_staff_names_or_notes(client, concern_a, clerk, rep_a):
    services.concern_accept(concern=concern_a, by=clerk)
    services.concern_route(concern=concern_a, route="representative", representative=rep_a, by=clerk)
    services.concern_resolve(
        concern=concern_a,
        answer="已联系交通站，张干事跟进，王大妈家门口已修好。",
        public_answer="塌方路段已修复通车。",
        by=clerk,
    )
    response = client.get(url("track"), {"code": concern_a.tracking_code})
    text = response.text
    labels = [e.label for e in response.context["events"]]
    assert labels == ["提交", "受理", "转办", "办理答复"]
    assert "塌方路段已修复通车" in text
    for hidden in ["张干事", "staff_a", "已联系交通站", "杨秀英"]:
        assert hidden not in text


def test_a_referral_shows_its_reason_to_the_citizen(client, concern_a, clerk):
    services.concern_refer_out(
        concern=concern_a, reason="petition", note="请到县信访局反映，地址：县政府一楼。", by=clerk
    )
    text = client.get(url("track"), {"code": concern_a.tracking_code}).text
    assert "属于信访事项，请向信访部门反映" in text and "请到县信访局反映" in text
    assert "rating_form" not in client.get(url("track"), {"code": concern_a.tracking_code}).context


# --- rating ---------------------------------------------------------------------------------------


@pytest.fixture
def resolved(concern_a, clerk):
    services.concern_accept(concern=concern_a, by=clerk)
    services.concern_route(concern=concern_a, route="township", by=clerk)
    services.concern_resolve(concern=concern_a, answer="已修复。", public_answer="已修复。", by=clerk)
    concern_a.refresh_from_db()
    return concern_a


def test_an_unresolved_concern_offers_no_rating(client, concern_a):
    response = client.get(url("track"), {"code": concern_a.tracking_code})
    assert "rating_form" not in response.context
    rate = client.post(
        url("track_rate", concern_a.tracking_code), {"rate-rating": "satisfied", "rate-phone_last4": "5678"}
    )
    assert rate.status_code == 400
    assert "不能评价" in " ".join(rate.context["rating_form"].non_field_errors())
    concern_a.refresh_from_db()
    assert concern_a.rating == ""


def test_a_resolved_concern_is_rated_once_with_the_phone_digits(client, resolved):
    target = url("track_rate", resolved.tracking_code)
    page = client.get(url("track"), {"code": resolved.tracking_code})
    assert "满意" in page.text and "基本满意" in page.text and "不满意" in page.text
    assert "rate-phone_last4" in page.text

    wrong = client.post(target, {"rate-rating": "satisfied", "rate-phone_last4": "0000"})
    assert wrong.status_code == 400
    assert "后四位" in error_next_to(wrong, "rate-phone_last4")
    resolved.refresh_from_db()
    assert resolved.rating == ""

    done = client.post(target, {"rate-rating": "basic", "rate-phone_last4": "5678"})
    assert done.status_code == 302
    resolved.refresh_from_db()
    assert resolved.rating == "basic" and resolved.rated_at is not None

    after = client.get(done.url)
    assert "感谢您的评价" in after.text and "您的评价：基本满意" in after.text
    assert "rating_form" not in after.context
    again = client.post(target, {"rate-rating": "dissatisfied", "rate-phone_last4": "5678"})
    assert again.status_code == 400
    resolved.refresh_from_db()
    assert resolved.rating == "basic"


def test_a_rating_must_be_chosen(client, resolved):
    response = client.post(url("track_rate", resolved.tracking_code), {"rate-phone_last4": "5678"})
    assert response.status_code == 400
    assert "请选择满意、基本满意或不满意" in error_next_to(response, "rate-rating")


def test_a_concern_without_a_phone_is_rated_with_the_code_alone(client, office_a, township_a, clerk):
    concern, _ = services.concern_submit(region=township_a, category="roads", description="路灯坏了好几个月了。")
    services.concern_answer_on_spot(concern=concern, answer="已当场联系维修。", by=clerk)
    page = client.get(url("track"), {"code": concern.tracking_code})
    assert "rate-phone_last4" not in page.text
    assert client.post(url("track_rate", concern.tracking_code), {"rate-rating": "satisfied"}).status_code == 302
    concern.refresh_from_db()
    assert concern.rating == "satisfied"


def test_rating_an_unknown_code_is_404(client, db):
    assert client.post(url("track_rate", "ACDEFGHJKMNPQR"), {"rate-rating": "satisfied"}).status_code == 404


# --- reception days -------------------------------------------------------------------------------


def test_published_reception_days_show_date_time_place_and_the_representatives_on_duty(
    client, office_a, office_b, rep_a, rep_b, township_a, county_term
):
    office_a.address = "儒林镇政府二楼"
    office_a.save()
    today = timezone.localdate()
    day = ReceptionDay.objects.create(
        office=office_a, date=today + timedelta(days=1), starts_at=time(9), ends_at=time(11)
    )
    on_leave = RepresentativeFactory(name="请假代表", township=township_a, term=county_term)
    services.shift_assign(day=day, representatives=[rep_a, on_leave], by=None)
    DutyShift.objects.filter(representative=on_leave).update(attendance=DutyShift.Attendance.EXCUSED)
    ReceptionDay.objects.create(office=office_b, date=today + timedelta(days=2), starts_at=time(9), ends_at=time(11))
    cancelled = ReceptionDay.objects.create(
        office=office_b, date=today + timedelta(days=1), starts_at=time(9), ends_at=time(11), status="cancelled"
    )
    later = ReceptionDay.objects.create(
        office=office_a, date=today + timedelta(days=9), starts_at=time(9), ends_at=time(11)
    )
    past = ReceptionDay.objects.create(
        office=office_a, date=today - timedelta(days=1), starts_at=time(9), ends_at=time(11)
    )

    response = client.get(url("reception_days"))
    assert response.status_code == 200
    shown = {d.pk for d in response.context["rows"]}
    assert day.pk in shown and cancelled.pk not in shown and later.pk not in shown and past.pk not in shown
    text = response.text
    assert "儒林镇代表联系群众工作室" in text and "儒林镇政府二楼" in text and "09:00–11:00" in text
    assert "杨秀英" in text and "请假代表" not in text
    assert rep_a.phone not in text


def test_reception_days_filter_by_township(client, office_a, office_b, township_b):
    today = timezone.localdate()
    ReceptionDay.objects.create(office=office_a, date=today, starts_at=time(9), ends_at=time(11))
    b = ReceptionDay.objects.create(office=office_b, date=today, starts_at=time(9), ends_at=time(11))
    response = client.get(url("reception_days"), {"township": township_b.code})
    assert [d.pk for d in response.context["rows"]] == [b.pk]


def test_the_publication_horizon_is_a_setting(client, office_a, limits):
    limits(RECEPTION_NOTICE_DAYS=10)
    far = ReceptionDay.objects.create(
        office=office_a, date=timezone.localdate() + timedelta(days=9), starts_at=time(9), ends_at=time(11)
    )
    assert [d.pk for d in client.get(url("reception_days")).context["rows"]] == [far.pk]


def test_reception_days_cost_the_same_queries_with_more_days_and_representatives(
    client, township_a, county_term, django_assert_max_num_queries
):
    from apps.liaison.models import LiaisonOffice
    from tests.factories import TownshipFactory

    today = timezone.localdate()

    def grow(n):
        for _ in range(n):
            township = TownshipFactory(parent=township_a.parent)
            office = LiaisonOffice.objects.create(name=f"{township.name}工作室", region=township)
            reps = [RepresentativeFactory(township=township, term=county_term) for _ in range(3)]
            for offset in range(3):
                day = ReceptionDay.objects.create(
                    office=office, date=today + timedelta(days=offset), starts_at=time(9), ends_at=time(11)
                )
                services.shift_assign(day=day, representatives=reps, by=None)

    grow(1)
    # townships for the filter, count, page of days, their shifts with representatives
    with django_assert_max_num_queries(5) as small:
        assert client.get(url("reception_days")).status_code == 200
    grow(4)
    with django_assert_max_num_queries(5) as large:
        response = client.get(url("reception_days"))
    assert len(response.context["rows"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


def test_limits_count_the_address_our_proxy_saw_not_what_the_client_claims(rf, settings):
    from apps.core.network import client_ip as _client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.RENDA_TRUSTED_PROXIES = 0
    assert _client_ip(request) == "10.0.0.2"
    settings.RENDA_TRUSTED_PROXIES = 1
    assert _client_ip(request) == "203.0.113.9"
