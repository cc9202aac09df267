"""The representatives' training page and lecture materials: each sees only what is theirs."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core import services as core_services
from apps.core.models import User
from apps.training import services
from apps.training.models import Attendance, Lecture
from tests.training.factories import LectureFactory
from tests.training.test_services import PDF

MINE = reverse("training:my_lectures")


def _material(lecture):
    return reverse("training:lecture_material", args=[lecture.pk])


@pytest.fixture
def with_material(staff_a, lecture_a):
    services.lecture_save(lecture=lecture_a, by=staff_a, materials_upload=SimpleUploadedFile("代表法讲义.pdf", PDF))
    return lecture_a


@pytest.mark.parametrize(("persona", "expected"), [("committee", 403), ("staff_a", 403), ("unit", 403)])
def test_the_page_is_for_representatives_only(login, personas, persona, expected):
    assert login(personas[persona]).get(MINE).status_code == expected


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(MINE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_representative_sees_lectures_of_their_halls_only(
    login, representative_user, today, rep_a, lecture_a, lecture_b, county_lecture, instructor_a
):
    upcoming = LectureFactory(instructor=instructor_a, status="planned", date=datetime.date(2022, 9, 20))
    services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: "present"}, by=None)
    response = login(representative_user).get(MINE)
    assert response.status_code == 200
    assert [lecture.pk for lecture in response.context["upcoming"]] == [upcoming.pk]
    listed = {lecture.pk: lecture.my_status for lecture in response.context["page"].object_list}
    # rep_a is a county representative of township A: the township's hall and the county's.
    assert listed == {lecture_a.pk: "present", county_lecture.pk: None}
    assert response.context["present"] == 1
    assert lecture_b.topic not in response.content.decode()


def test_a_township_representative_does_not_see_the_county_hall(
    login, today, township_rep_a, lecture_a, county_lecture
):
    user = core_services.user_create(username="twp_rep", password=None, role=User.Role.REPRESENTATIVE)
    township_rep_a.user = user
    township_rep_a.save()
    listed = {lecture.pk for lecture in login(user).get(MINE).context["page"].object_list}
    assert listed == {lecture_a.pk}


def test_the_year_can_be_chosen(login, representative_user, today, instructor_a):
    old = LectureFactory(instructor=instructor_a, date=datetime.date(2021, 6, 1))
    response = login(representative_user).get(MINE, {"year": "2021"})
    assert [lecture.pk for lecture in response.context["page"].object_list] == [old.pk]


def test_the_representative_sees_their_retraining(login, representative_user, staff_a, today, rep_a):
    services.retraining_assign(representative=rep_a, reason="选民满意率偏低", by=staff_a)
    content = login(representative_user).get(MINE).content.decode()
    assert "选民满意率偏低" in content and "待完成" in content


@pytest.mark.parametrize("size", [3, 30])
def test_the_page_costs_the_same_queries_with_more_lectures(
    login, representative_user, today, rep_a, instructor_a, size, django_assert_max_num_queries
):
    for i in range(size):
        lecture = LectureFactory(instructor=instructor_a, date=datetime.date(2022, 1, 1) + datetime.timedelta(days=i))
        Attendance.objects.create(lecture=lecture, representative=rep_a, status="present")
        LectureFactory(instructor=instructor_a, status="planned", date=datetime.date(2022, 10, 1))
    client = login(representative_user)
    with django_assert_max_num_queries(8):
        response = client.get(MINE)
    assert response.context["present"] == size


# --- materials -----------------------------------------------------------------------------------


def test_the_material_downloads_as_an_attachment_that_cannot_run(login, representative_user, with_material):
    response = login(representative_user).get(_material(with_material))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("staff_b", 404), ("unit", 404), ("representative", 200)],
)
def test_materials_are_served_only_inside_the_scope(login, personas, with_material, persona, expected):
    assert login(personas[persona]).get(_material(with_material)).status_code == expected


def test_another_townships_representative_gets_404(login, rep_b_user, with_material):
    assert login(rep_b_user).get(_material(with_material)).status_code == 404


def test_anonymous_visitors_cannot_download(client, with_material):
    assert client.get(_material(with_material)).status_code == 302


def test_a_lecture_without_material_is_404(login, representative_user, lecture_a):
    assert login(representative_user).get(_material(lecture_a)).status_code == 404


def test_township_staff_download_the_countys_material(login, staff_a, committee_staff, county_lecture):
    services.lecture_save(lecture=county_lecture, by=committee_staff, materials_upload=SimpleUploadedFile("a.pdf", PDF))
    assert login(staff_a).get(_material(county_lecture)).status_code == 200
    assert Lecture.objects.get(pk=county_lecture.pk).materials_name == "a.pdf"
