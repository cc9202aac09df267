"""The concern portals of handling units and representatives, and the representatives' duty shifts."""

from datetime import time, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core import services as core_services
from apps.core.models import AuditEvent, User
from apps.liaison import services
from apps.liaison.models import Concern, DutyShift, ReceptionDay
from tests.factories import HandlingUnitFactory
from tests.images import JPEG


def url(name, *args):
    return reverse(f"liaison:{name}", args=args)


def routed(staff, *, n=1, region, **route):
    """n concerns accepted and routed, e.g. routed(staff_a, region=t, route="unit", unit=unit)."""
    concerns = []
    for i in range(n):
        concern, _ = services.concern_submit(
            region=region,
            category="water",
            description=f"第{i}户自来水停水三天。",
            name="李大伯",
            phone="13987654321",
            photos=[SimpleUploadedFile("a.jpg", JPEG)],
        )
        services.concern_accept(concern=concern, by=staff)
        concerns.append(services.concern_route(concern=concern, by=staff, **route))
    return concerns


@pytest.fixture
def unit_b(county):
    return HandlingUnitFactory(region=county, name="县水利局")


@pytest.fixture
def unit_b_staff(unit_b):
    return core_services.user_create(username="unit_b_staff", password=None, role=User.Role.UNIT, handling_unit=unit_b)


@pytest.fixture
def for_unit(staff_a, office_a, township_a, unit):
    [concern] = routed(staff_a, region=township_a, route="unit", unit=unit)
    return concern


@pytest.fixture
def for_unit_b(staff_a, office_a, township_a, unit_b):
    [concern] = routed(staff_a, region=township_a, route="unit", unit=unit_b)
    return concern


@pytest.fixture
def for_rep(staff_a, office_a, township_a, rep_a, representative_user):
    [concern] = routed(staff_a, region=township_a, route="representative", representative=rep_a)
    return concern


# --- who may open what ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["unit_concerns", "my_concerns", "my_shifts"])
def test_portal_lists_send_anonymous_visitors_to_login(client, db, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_anonymous_visitors_are_sent_to_login_from_details_and_actions(client, for_unit):
    photo = for_unit.photos.get()
    for method, target in [
        ("get", url("concern_detail", for_unit.pk)),
        ("get", url("concern_photo", for_unit.pk, photo.pk)),
        ("post", url("concern_answer", for_unit.pk)),
        ("post", url("shift_check_in", 1)),
        ("post", url("shift_check_out", 1)),
    ]:
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert reverse("login") in response.url


@pytest.mark.parametrize("persona", ["representative", "committee", "staff_a"])
def test_the_unit_list_is_403_for_everyone_but_unit_staff(login, personas, persona):
    assert login(personas[persona]).get(url("unit_concerns")).status_code == 403


@pytest.mark.parametrize("persona", ["unit", "committee", "staff_a"])
def test_representative_pages_are_403_for_accounts_without_a_representative(login, personas, persona):
    client = login(personas[persona])
    assert client.get(url("my_concerns")).status_code == 403
    assert client.get(url("my_shifts")).status_code == 403


@pytest.mark.parametrize(
    ("persona", "target", "expected"),
    [
        ("unit", "for_unit", 200),
        ("unit", "for_unit_b", 404),
        ("unit", "for_rep", 404),
        ("unit_b", "for_unit", 404),
        ("representative", "for_rep", 200),
        ("representative", "for_unit", 404),
        ("rep_b", "for_rep", 404),
        ("committee", "for_unit", 404),
        ("staff_a", "for_rep", 404),
    ],
)
def test_a_concern_opens_only_for_the_unit_or_representative_it_was_routed_to(
    login, personas, unit_b_staff, rep_b_user, request, persona, target, expected
):
    users = {**personas, "unit_b": unit_b_staff, "rep_b": rep_b_user}
    concern = request.getfixturevalue(target)
    client = login(users[persona])
    assert client.get(url("concern_detail", concern.pk)).status_code == expected
    photo = concern.photos.get()
    assert client.get(url("concern_photo", concern.pk, photo.pk)).status_code == expected


@pytest.mark.parametrize(("persona", "target"), [("unit", "for_unit_b"), ("unit", "for_rep"), ("rep_b", "for_rep")])
def test_an_outsider_cannot_answer_a_concern(login, personas, rep_b_user, request, persona, target):
    concern = request.getfixturevalue(target)
    client = login({**personas, "rep_b": rep_b_user}[persona])
    response = client.post(url("concern_answer", concern.pk), {"answer": "已办", "public_answer": "已办"})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ROUTED and concern.answer == ""


def test_a_photo_of_another_concern_is_404_even_through_an_own_concern(login, unit_staff, for_unit, for_unit_b):
    other_photo = for_unit_b.photos.get()
    assert login(unit_staff).get(url("concern_photo", for_unit.pk, other_photo.pk)).status_code == 404


# --- lists ----------------------------------------------------------------------------------------


def test_the_unit_list_masks_names_and_phones(login, unit_staff, for_unit, for_unit_b):
    response = login(unit_staff).get(url("unit_concerns"))
    assert response.status_code == 200
    text = response.text
    assert for_unit.display_code in text and for_unit_b.display_code not in text
    assert "李*" in text and "139****4321" in text
    assert "李大伯" not in text and "13987654321" not in text
    assert "停水" not in text  # the description is on the detail page only


def test_the_representatives_list_masks_names_and_phones(login, representative_user, for_rep, for_unit):
    text = login(representative_user).get(url("my_concerns")).text
    assert for_rep.display_code in text and for_unit.display_code not in text
    assert "李*" in text and "139****4321" in text and "13987654321" not in text


def test_the_list_filters_by_handling_status(login, unit_staff, staff_a, for_unit):
    services.concern_resolve(concern=for_unit, answer="已修复", public_answer="已修复", by=unit_staff)
    client = login(unit_staff)
    assert for_unit.display_code not in client.get(url("unit_concerns")).text  # default: still to do
    assert for_unit.display_code in client.get(url("unit_concerns"), {"status": "done"}).text
    assert for_unit.display_code in client.get(url("unit_concerns"), {"status": "all"}).text


def test_the_list_marks_overdue_concerns(login, unit_staff, for_unit):
    with time_machine.travel(for_unit.resolve_due_on + timedelta(days=1)):
        text = login(unit_staff).get(url("unit_concerns")).text
    assert "已逾期" in text


def test_the_unit_list_costs_the_same_queries_with_more_concerns(
    login, unit_staff, staff_a, office_a, township_a, unit, django_assert_max_num_queries
):
    client = login(unit_staff)
    routed(staff_a, n=2, region=township_a, route="unit", unit=unit)
    # session, user, the unit, count, page of rows
    with django_assert_max_num_queries(5) as small:
        assert client.get(url("unit_concerns")).status_code == 200
    routed(staff_a, n=8, region=township_a, route="unit", unit=unit)
    with django_assert_max_num_queries(5) as large:
        response = client.get(url("unit_concerns"))
    assert len(response.context["rows"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_my_concerns_cost_the_same_queries_with_more_concerns(
    login, representative_user, rep_a, staff_a, office_a, township_a, django_assert_max_num_queries
):
    client = login(representative_user)
    routed(staff_a, n=2, region=township_a, route="representative", representative=rep_a)
    # session, user, representative, count, page of rows
    with django_assert_max_num_queries(5) as small:
        assert client.get(url("my_concerns")).status_code == 200
    routed(staff_a, n=8, region=township_a, route="representative", representative=rep_a)
    with django_assert_max_num_queries(5) as large:
        response = client.get(url("my_concerns"))
    assert len(response.context["rows"]) == 10
    assert len(large.captured_queries) == len(small.captured_queries)


def test_lists_paginate(login, unit_staff, staff_a, office_a, township_a, unit, settings):
    settings.RENDA = {**settings.RENDA, "PUBLIC_PAGE_SIZE": 2}
    routed(staff_a, n=3, region=township_a, route="unit", unit=unit)
    client = login(unit_staff)
    assert len(client.get(url("unit_concerns")).context["rows"]) == 2
    assert len(client.get(url("unit_concerns"), {"page": 2}).context["rows"]) == 1


# --- detail and answer ----------------------------------------------------------------------------


def test_the_handler_sees_the_full_concern_and_the_view_is_logged(login, unit_staff, for_unit):
    response = login(unit_staff).get(url("concern_detail", for_unit.pk))
    text = response.text
    assert "李大伯" in text and "13987654321" in text and "第0户自来水停水三天" in text
    assert url("concern_photo", for_unit.pk, for_unit.photos.get().pk) in text
    assert response.context["form"] is not None
    viewed = AuditEvent.objects.filter(kind="personal_view", actor=unit_staff, target_id=str(for_unit.pk))
    assert viewed.count() == 1


def test_the_handler_photo_is_served_as_an_image(login, unit_staff, for_unit):
    response = login(unit_staff).get(url("concern_photo", for_unit.pk, for_unit.photos.get().pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_a_unit_answers_and_the_citizen_can_read_the_public_answer(client, login, unit_staff, for_unit):
    staff_client = login(unit_staff)
    response = staff_client.post(
        url("concern_answer", for_unit.pk),
        {"answer": "已派人检修管道，联系人王科长。", "public_answer": "管道已检修，已恢复供水。"},
    )
    assert response.status_code == 302
    for_unit.refresh_from_db()
    assert for_unit.status == Concern.Status.RESOLVED
    assert for_unit.answer == "已派人检修管道，联系人王科长。"
    assert for_unit.events.filter(action="resolve", by=unit_staff).exists()
    page = staff_client.get(response.url)
    assert "管道已检修" in page.text and page.context["form"] is None
    client.logout()
    public = client.get(url("track"), {"code": for_unit.tracking_code}).text
    assert "管道已检修，已恢复供水。" in public and "王科长" not in public


def test_a_representative_answers_in_the_portal(login, representative_user, for_rep):
    client = login(representative_user)
    response = client.post(url("concern_answer", for_rep.pk), {"answer": "已协调镇政府。", "public_answer": "已解决。"})
    assert response.status_code == 302
    for_rep.refresh_from_db()
    assert for_rep.status == Concern.Status.RESOLVED


@pytest.mark.parametrize("missing", ["answer", "public_answer"])
def test_an_answer_needs_both_texts(login, unit_staff, for_unit, missing):
    data = {"answer": "已办理。", "public_answer": "已办理。", missing: "  "}
    response = login(unit_staff).post(url("concern_answer", for_unit.pk), data)
    assert response.status_code == 400
    assert response.context["form"].errors[missing]
    for_unit.refresh_from_db()
    assert for_unit.status == Concern.Status.ROUTED and for_unit.answer == ""


def test_a_refused_answer_is_shown_on_the_form_and_changes_nothing(login, unit_staff, for_unit):
    services.concern_resolve(concern=for_unit, answer="第一次答复", public_answer="第一次", by=unit_staff)
    response = login(unit_staff).post(
        url("concern_answer", for_unit.pk), {"answer": "第二次", "public_answer": "第二次"}
    )
    assert response.status_code == 400
    assert "不能办结答复" in " ".join(response.context["form"].non_field_errors())
    for_unit.refresh_from_db()
    assert for_unit.answer == "第一次答复"


def test_the_answer_form_only_takes_posts(login, unit_staff, for_unit):
    assert login(unit_staff).get(url("concern_answer", for_unit.pk)).status_code == 405


# --- duty shifts ----------------------------------------------------------------------------------


@pytest.fixture
def shifts(office_a, rep_a, rep_b, office_b):
    today = timezone.localdate()
    made = {}
    for key, offset in [("today", 0), ("tomorrow", 1), ("past", -7)]:
        day = ReceptionDay.objects.create(
            office=office_a, date=today + timedelta(days=offset), starts_at=time(9), ends_at=time(11)
        )
        [made[key]] = services.shift_assign(day=day, representatives=[rep_a], by=None)
    other_day = ReceptionDay.objects.create(office=office_b, date=today, starts_at=time(9), ends_at=time(11))
    [made["other"]] = services.shift_assign(day=other_day, representatives=[rep_b], by=None)
    DutyShift.objects.filter(pk=made["past"].pk).update(attendance=DutyShift.Attendance.ABSENT)
    return made


def test_my_shifts_list_upcoming_and_past_with_attendance(login, representative_user, shifts):
    response = login(representative_user).get(url("my_shifts"))
    assert response.status_code == 200
    assert [s.pk for s in response.context["upcoming"]] == [shifts["today"].pk, shifts["tomorrow"].pk]
    assert [s.pk for s in response.context["page"].object_list] == [shifts["past"].pk]
    text = response.text
    assert "缺勤" in text and "09:00–11:00" in text
    assert url("shift_check_in", shifts["today"].pk) in text
    assert url("shift_check_in", shifts["tomorrow"].pk) not in text
    assert "到岗率 0.0%" in text


def test_a_representative_checks_in_and_out_of_todays_shift(login, representative_user, shifts):
    client = login(representative_user)
    shift = shifts["today"]
    assert client.post(url("shift_check_in", shift.pk)).status_code == 302
    shift.refresh_from_db()
    assert shift.attendance == DutyShift.Attendance.ATTENDED and shift.checked_by == representative_user
    page = client.get(url("my_shifts")).text
    assert url("shift_check_out", shift.pk) in page and url("shift_check_in", shift.pk) not in page
    assert "到岗率 50.0%" in page
    client.post(url("shift_check_out", shift.pk))
    shift.refresh_from_db()
    assert shift.checked_out_at is not None


def test_a_shift_on_another_day_cannot_be_checked_into(login, representative_user, shifts):
    client = login(representative_user)
    response = client.post(url("shift_check_in", shifts["tomorrow"].pk), follow=True)
    assert "只能在值班当天签到" in response.text
    shifts["tomorrow"].refresh_from_db()
    assert shifts["tomorrow"].checked_in_at is None


def test_checking_out_before_checking_in_is_refused(login, representative_user, shifts):
    response = login(representative_user).post(url("shift_check_out", shifts["today"].pk), follow=True)
    assert "请先签到" in response.text
    shifts["today"].refresh_from_db()
    assert shifts["today"].checked_out_at is None


def test_another_representatives_shift_is_404(login, representative_user, shifts):
    client = login(representative_user)
    assert client.post(url("shift_check_in", shifts["other"].pk)).status_code == 404
    shifts["other"].refresh_from_db()
    assert shifts["other"].checked_in_at is None
