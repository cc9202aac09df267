"""The training back office: who gets in, scope (township staff change only their own hall and
read the county's), the attendance page, materials, quotas and reminders, retraining, exports."""

import datetime

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.notifications.models import Notification
from apps.training import services
from apps.training.models import Attendance, Lecture, LectureHall, Retraining
from apps.training.resources import LectureResource
from tests.factories import RepresentativeFactory, TermFactory
from tests.training.factories import InstructorFactory, LectureFactory
from tests.training.test_services import PDF

P = Attendance.Status.PRESENT


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _changelist(model):
    return reverse(f"admin:training_{model}_changelist")


def _change(obj):
    return reverse(f"admin:training_{obj._meta.model_name}_change", args=[obj.pk])


def _listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


# --- who gets in ---------------------------------------------------------------------------------

MODELS = ["lecturehall", "instructor", "lecture", "attendance", "retraining"]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("committee", 200),
        ("staff_a", 200),
        ("staff_b", 200),
        ("unit", 302),
        ("representative", 302),
        ("anonymous", 302),
    ],
)
def test_only_staff_reach_the_training_lists(login, personas, persona, expected, model):
    assert login(personas[persona]).get(_changelist(model)).status_code == expected


def test_liaison_staff_read_but_do_not_change(login, liaison_a, lecture_a):
    client = login(liaison_a)
    assert lecture_a.pk in _listed(client.get(_changelist("lecture")))
    assert 'name="_save"' not in client.get(_change(lecture_a)).content.decode()
    assert client.get(reverse("admin:training_lecture_attendance", args=[lecture_a.pk])).status_code == 403


# --- scope ---------------------------------------------------------------------------------------


def test_township_staff_see_their_hall_and_the_countys_only(
    login, staff_a, hall_a, hall_b, county_hall, lecture_a, lecture_b, county_lecture
):
    client = login(staff_a)
    assert _listed(client.get(_changelist("lecturehall"))) == {hall_a.pk, county_hall.pk}
    assert _listed(client.get(_changelist("lecture"))) == {lecture_a.pk, county_lecture.pk}
    assert client.get(_change(hall_b)).status_code == 404
    assert client.get(_change(lecture_b)).status_code == 404


def test_the_county_hall_is_read_only_for_township_staff(login, staff_a, county_hall, county_lecture):
    client = login(staff_a)
    content = client.get(_change(county_hall)).content.decode()
    assert 'name="_save"' not in content
    assert client.post(_change(county_hall), {"name": "改名", "level": "county"}).status_code == 403
    assert client.post(_change(county_lecture), {"topic": "改过"}).status_code == 403
    county_hall.refresh_from_db()
    assert county_hall.name == "城步人大讲堂"


def test_township_staff_cannot_put_a_hall_in_another_township(login, staff_a, township_b):
    response = login(staff_a).post(
        reverse("admin:training_lecturehall_add"), {"name": "茅坪讲堂", "level": "township", "region": township_b.pk}
    )
    assert response.status_code == 200
    assert not LectureHall.objects.filter(name="茅坪讲堂").exists()


def test_staff_see_retraining_of_their_township_only(login, staff_a, rep_a, rep_b, committee_staff):
    mine = services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=committee_staff)
    other = services.retraining_assign(representative=rep_b, reason="驻室缺勤", by=committee_staff)
    client = login(staff_a)
    assert _listed(client.get(_changelist("retraining"))) == {mine.pk}
    assert client.get(_change(other)).status_code == 404


# --- attendance page -----------------------------------------------------------------------------


def _attendance_url(lecture):
    return reverse("admin:training_lecture_attendance", args=[lecture.pk])


def test_the_attendance_page_lists_the_townships_representatives(
    login, staff_a, lecture_a, rep_a, township_rep_a, rep_b
):
    response = login(staff_a).get(_attendance_url(lecture_a))
    assert response.status_code == 200
    assert {r.pk for r in response.context["rows"]} == {rep_a.pk, township_rep_a.pk}


def test_the_county_hall_lists_county_representatives_of_every_township(
    login, committee_staff, county_lecture, rep_a, rep_b, township_rep_a
):
    rows = login(committee_staff).get(_attendance_url(county_lecture)).context["rows"]
    assert {r.pk for r in rows} == {rep_a.pk, rep_b.pk}


@pytest.mark.parametrize(("persona", "expected"), [("staff_b", 404), ("unit", 302), ("anonymous", 302)])
def test_outsiders_cannot_open_the_attendance_page(login, personas, lecture_a, persona, expected):
    assert login(personas[persona]).get(_attendance_url(lecture_a)).status_code == expected


def test_township_staff_cannot_mark_the_county_hall(login, staff_a, county_lecture, rep_a):
    response = login(staff_a).post(_attendance_url(county_lecture), {"all_present": "1"})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_all_present_marks_everyone_listed(login, staff_a, today, lecture_a, rep_a, township_rep_a):
    response = login(staff_a).post(_attendance_url(lecture_a), {"all_present": "1"})
    assert response.status_code == 302
    assert set(lecture_a.attendance.values_list("status", flat=True)) == {P}
    assert lecture_a.attendance.count() == 2


def test_radios_mark_each_representative(login, staff_a, today, lecture_a, rep_a, township_rep_a):
    data = {f"rep-{rep_a.pk}": "absent", f"rep-{township_rep_a.pk}": ""}
    login(staff_a).post(_attendance_url(lecture_a), data)
    assert dict(lecture_a.attendance.values_list("representative", "status")) == {rep_a.pk: "absent"}


def test_a_bad_mark_saves_nothing_and_says_why(login, staff_a, today, lecture_a, rep_a, township_rep_a):
    data = {f"rep-{rep_a.pk}": "present", f"rep-{township_rep_a.pk}": "late"}
    response = login(staff_a).post(_attendance_url(lecture_a), data)
    assert response.status_code == 200
    assert "没有任何改动" in _messages(response)
    assert not Attendance.objects.exists()


def test_a_future_lecture_refuses_attendance(login, staff_a, today, instructor_a, rep_a):
    lecture = LectureFactory(instructor=instructor_a, date=datetime.date(2022, 12, 1), status="planned")
    response = login(staff_a).post(_attendance_url(lecture), {"all_present": "1"})
    assert "还没到" in _messages(response)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("size", [5, 60])
def test_the_attendance_page_costs_the_same_queries_with_more_representatives(
    login, staff_a, lecture_a, township_a, size, django_assert_max_num_queries
):
    term = TermFactory(region=township_a)
    for _i in range(size):
        RepresentativeFactory(township=township_a, level="township", term=term)
    client = login(staff_a)
    with django_assert_max_num_queries(11):
        response = client.get(_attendance_url(lecture_a))
    assert len(response.context["rows"]) == size


# --- instructors and quotas ----------------------------------------------------------------------


def test_the_instructor_list_shows_lectures_this_year_against_the_quota(
    login, committee_staff, today, instructor_a, instructor_b, lecture_a
):
    LectureFactory(instructor=instructor_b, date=today)
    LectureFactory(instructor=instructor_b, date=today)
    client = login(committee_staff)
    content = client.get(_changelist("instructor")).content.decode()
    assert "1 / 2" in content and "2 / 2" in content
    assert _listed(client.get(_changelist("instructor"), {"quota": "behind"})) == {instructor_a.pk}
    assert _listed(client.get(_changelist("instructor"), {"quota": "done"})) == {instructor_b.pk}


@pytest.mark.parametrize("size", [3, 30])
def test_the_instructor_list_costs_the_same_queries_with_more_rows(
    login, committee_staff, hall_a, today, size, django_assert_max_num_queries
):
    for _i in range(size):
        LectureFactory(instructor=InstructorFactory(hall=hall_a), date=today)
    client = login(committee_staff)
    with django_assert_max_num_queries(8):
        response = client.get(_changelist("instructor"))
    assert len(response.context["cl"].result_list) == size


@pytest.mark.parametrize("size", [3, 30])
def test_the_lecture_and_attendance_lists_and_the_quota_page_cost_the_same_with_more_rows(
    login, committee_staff, hall_a, rep_a, today, size, django_assert_max_num_queries
):
    for _i in range(size):
        lecture = LectureFactory(instructor=InstructorFactory(hall=hall_a))
        Attendance.objects.create(lecture=lecture, representative=rep_a, status="present")
    client = login(committee_staff)
    for url, most in [(_changelist("lecture"), 10), (_changelist("attendance"), 8), (_behind_url(), 7)]:
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


def _behind_url(year=2022):
    return reverse("admin:training_instructor_behind_quota") + f"?year={year}"


def test_the_behind_quota_page_lists_instructors_behind(
    login, staff_a, today, instructor_a, instructor_b, county_instructor
):
    response = login(staff_a).get(_behind_url())
    assert response.status_code == 200
    assert {i.pk for i in response.context["page"].object_list} == {instructor_a.pk, county_instructor.pk}


def test_remind_queues_one_reminder_per_instructor_with_an_account_per_day(
    login, committee_staff, today, instructor_a, instructor_b, instructor_user
):
    client = login(committee_staff)
    client.post(_behind_url(), {"remind_all": "1"})
    client.post(_behind_url(), {"remind_all": "1"})
    inbox = Notification.objects.filter(rule=services.MANUAL_REMINDER_RULE, channel="inbox")
    assert [n.recipient for n in inbox] == [instructor_user]
    assert "已完成0次" in inbox.get().subject


def test_township_staff_remind_only_their_own_instructors(
    login, staff_a, today, instructor_a, county_instructor, instructor_user
):
    county_instructor.user = staff_a
    county_instructor.save()
    login(staff_a).post(_behind_url(), {"remind_all": "1"})
    recipients = set(Notification.objects.filter(channel="inbox").values_list("recipient", flat=True))
    assert recipients == {instructor_user.pk}


def test_remind_selected_reminds_only_those(login, committee_staff, today, instructor_a, county_instructor, staff_b):
    county_instructor.user = staff_b
    county_instructor.save()
    login(committee_staff).post(_behind_url(), {"remind_selected": "1", "instructor": [county_instructor.pk]})
    assert set(Notification.objects.values_list("recipient", flat=True)) == {staff_b.pk}


def test_liaison_staff_cannot_remind(login, liaison_a, today, instructor_a):
    assert login(liaison_a).post(_behind_url(), {"remind_all": "1"}).status_code == 403
    assert not Notification.objects.exists()


# --- lectures and materials ----------------------------------------------------------------------


def _lecture_data(instructor, **extra):
    return {
        "hall": instructor.hall_id,
        "instructor": instructor.pk,
        "date": "2022-05-10",
        "starts_at": "09:00",
        "topic": "代表建议的撰写",
        "theme": "proposals",
        "audience": "全镇县乡人大代表",
        "status": "held",
        **extra,
    }


def test_a_lecture_is_added_with_its_material(login, staff_a, today, instructor_a):
    data = _lecture_data(instructor_a, materials=SimpleUploadedFile("课件.pdf", PDF))
    response = login(staff_a).post(reverse("admin:training_lecture_add"), data)
    assert response.status_code == 302
    lecture = Lecture.objects.get()
    assert lecture.materials_name == "课件.pdf" and lecture.materials.name.endswith(".pdf")


def test_a_wrong_material_is_refused_on_the_form_and_nothing_is_saved(login, staff_a, today, instructor_a):
    data = _lecture_data(instructor_a, materials=SimpleUploadedFile("课件.pdf", b"<script>alert(1)</script>"))
    response = login(staff_a).post(reverse("admin:training_lecture_add"), data)
    assert response.status_code == 200
    assert "只能上传" in str(response.context["adminform"].form.errors["materials"])
    assert not Lecture.objects.exists()


def test_a_material_over_the_limit_is_refused_on_the_form(login, settings, staff_a, today, instructor_a):
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "MATERIAL_MAX_BYTES": 10}
    data = _lecture_data(instructor_a, materials=SimpleUploadedFile("课件.pdf", PDF))
    response = login(staff_a).post(reverse("admin:training_lecture_add"), data)
    assert "不能超过" in str(response.context["adminform"].form.errors["materials"])
    assert not Lecture.objects.exists()


def test_a_lecture_in_the_future_cannot_be_recorded_as_held(login, staff_a, today, instructor_a):
    response = login(staff_a).post(
        reverse("admin:training_lecture_add"), _lecture_data(instructor_a, date="2022-12-01", topic="依法履职")
    )
    # The service's refusal is on the form, under the field it names, with the input kept.
    assert response.status_code == 200
    assert "还没到" in str(response.context["adminform"].form.errors["status"])
    assert 'value="依法履职"' in response.content.decode()
    assert not Lecture.objects.exists()


def test_a_refused_change_keeps_the_input_and_changes_nothing(login, staff_a, today, instructor_a):
    lecture = LectureFactory(instructor=instructor_a, status="planned", date=datetime.date(2022, 12, 1), topic="旧题目")
    url = reverse("admin:training_lecture_change", args=[lecture.pk])
    response = login(staff_a).post(url, _lecture_data(instructor_a, date="2022-12-01", topic="新题目"))
    assert response.status_code == 200
    assert "还没到" in str(response.context["adminform"].form.errors["status"])
    assert 'value="新题目"' in response.content.decode()
    lecture.refresh_from_db()
    assert (lecture.topic, lecture.status) == ("旧题目", Lecture.Status.PLANNED)


def test_cancelling_a_planned_lecture_through_the_action(login, staff_a, today, instructor_a):
    lecture = LectureFactory(instructor=instructor_a, status="planned", date=datetime.date(2022, 10, 1))
    login(staff_a).post(_changelist("lecture"), {"action": "mark_cancelled", "_selected_action": [lecture.pk]})
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.CANCELLED


# --- retraining ----------------------------------------------------------------------------------


def test_committee_staff_assign_retraining_through_the_service(
    login, committee_staff, today, rep_a, representative_user
):
    url = reverse("admin:training_retraining_add")
    response = login(committee_staff).post(url, {"representative": rep_a.pk, "reason": "选民不满意", "due_on": ""})
    assert response.status_code == 302
    retraining = Retraining.objects.get()
    assert retraining.assigned_by == committee_staff
    assert Notification.objects.filter(rule="training.retraining_assigned", recipient=representative_user).exists()
    again = login(committee_staff).post(url, {"representative": rep_a.pk, "reason": "再一次", "due_on": ""})
    assert again.status_code == 200
    assert "已有未完成的再培训" in str(again.context["adminform"].form.non_field_errors())
    assert "再一次</textarea>" in again.content.decode()
    assert Retraining.objects.count() == 1


def test_township_staff_complete_retraining_with_the_action(login, staff_a, committee_staff, today, rep_a, lecture_a):
    retraining = services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=committee_staff)
    client = login(staff_a)
    data = {"action": "complete", "_selected_action": [retraining.pk], "apply": "1", "note": "", "completed_on": ""}
    client.post(_changelist("retraining"), data)
    assert Retraining.objects.get().is_open  # neither a lecture nor a note: refused
    client.post(_changelist("retraining"), {**data, "note": "参加县级集中培训", "completed_on": "2022-09-01"})
    assert Retraining.objects.get().completed_on == today


# --- export --------------------------------------------------------------------------------------


def test_the_lecture_export_holds_the_visible_lectures_formula_safe(
    login, staff_a, today, lecture_a, lecture_b, county_lecture, rep_a
):
    services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P}, by=staff_a)
    lecture_a.topic = "=HYPERLINK(1)"
    lecture_a.save()
    data = {"format": 1, "resource": 0, **{f"lectureresource_{f}": True for f in LectureResource.Meta.fields}}
    response = login(staff_a).post(reverse("admin:training_lecture_export"), data)
    rows = list(tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict)
    assert {r["授课编号"] for r in rows} == {str(lecture_a.pk), str(county_lecture.pk)}
    mine = next(r for r in rows if r["授课编号"] == str(lecture_a.pk))
    assert mine["题目"] == "'=HYPERLINK(1)" and mine["出席"] == "1"


# --- pages render --------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["lecturehall", "instructor", "lecture", "retraining"])
def test_the_add_pages_render_for_committee_staff(login, committee_staff, model):
    assert login(committee_staff).get(reverse(f"admin:training_{model}_add")).status_code == 200


def test_the_pages_of_one_lecture_render_with_their_buttons(login, staff_a, today, instructor_a, rep_a):
    lecture = LectureFactory(instructor=instructor_a, status="planned", date=datetime.date(2022, 10, 1))
    client = login(staff_a)
    content = client.get(_change(lecture)).content.decode()
    assert reverse("admin:training_lecture_attendance", args=[lecture.pk]) in content
    assert 'value="mark_cancelled"' in content
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:app_list", args=["training"])).status_code == 200


def test_a_retraining_page_offers_completion_to_staff_in_scope(login, staff_a, staff_b, committee_staff, rep_a):
    retraining = services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=committee_staff)
    assert 'value="complete"' in login(staff_a).get(_change(retraining)).content.decode()
    assert login(staff_b).get(_change(retraining)).status_code == 404
