"""Services of the training app: quotas, attendance all or nothing, retraining, materials."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.notifications.models import Notification
from apps.training import services
from apps.training.models import Attendance, Lecture, Retraining
from apps.training.selectors import instructors_behind_quota, with_quota
from tests.images import JPEG
from tests.training.factories import InstructorFactory, LectureFactory

P, A, E = Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED


def _behind(user, year=2022, **kwargs):
    return {i.name: (i.held_count, i.quota_target) for i in instructors_behind_quota(user=user, year=year, **kwargs)}


# --- quotas ----------------------------------------------------------------------------------


def test_the_default_quota_comes_from_the_setting(settings, committee_staff, instructor_a, lecture_a):
    assert _behind(committee_staff) == {"龙书记": (1, 2)}
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "DEFAULT_YEARLY_QUOTA": 1}
    assert _behind(committee_staff) == {}
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "DEFAULT_YEARLY_QUOTA": 3}
    assert _behind(committee_staff) == {"龙书记": (1, 3)}


def test_an_instructors_own_quota_overrides_the_default(committee_staff, instructor_a, lecture_a):
    instructor_a.yearly_quota = 1
    instructor_a.save()
    assert _behind(committee_staff) == {}
    instructor_a.yearly_quota = 4
    instructor_a.save()
    assert _behind(committee_staff) == {"龙书记": (1, 4)}


def test_only_held_lectures_of_the_year_count(committee_staff, instructor_a):
    LectureFactory(instructor=instructor_a, status=Lecture.Status.HELD)
    LectureFactory(instructor=instructor_a, status=Lecture.Status.PLANNED)
    LectureFactory(instructor=instructor_a, status=Lecture.Status.CANCELLED)
    LectureFactory(instructor=instructor_a, date=datetime.date(2021, 12, 30))
    assert _behind(committee_staff) == {"龙书记": (1, 2)}
    LectureFactory(instructor=instructor_a, date=datetime.date(2022, 11, 2))
    assert _behind(committee_staff) == {}
    # As of the summer, the November lecture had not been given yet.
    assert _behind(committee_staff, as_of=datetime.date(2022, 7, 1)) == {"龙书记": (1, 2)}


def test_inactive_instructors_are_not_behind(committee_staff, instructor_a):
    instructor_a.is_active = False
    instructor_a.save()
    assert _behind(committee_staff) == {}


def test_township_staff_see_their_own_and_the_countys_instructors(
    staff_a, staff_b, instructor_a, instructor_b, county_instructor
):
    assert set(_behind(staff_a)) == {"龙书记", "杨主任"}
    assert set(_behind(staff_b)) == {"蒋主席", "杨主任"}


def test_quota_counts_take_one_query_whatever_the_number_of_instructors(
    committee_staff, hall_a, django_assert_num_queries
):
    for _i in range(3):
        LectureFactory(instructor=InstructorFactory(hall=hall_a))
    with django_assert_num_queries(2):  # the user's regions, then the list
        rows = list(instructors_behind_quota(user=committee_staff, year=2022))
    assert len(rows) == 3
    for _i in range(30):
        LectureFactory(instructor=InstructorFactory(hall=hall_a))
    committee_staff._renda_scope = None
    with django_assert_num_queries(2):
        rows = list(instructors_behind_quota(user=committee_staff, year=2022))
    assert len(rows) == 33


def test_the_annotation_agrees_with_the_property(instructor_a):
    instructor_a.yearly_quota = 5
    instructor_a.save()
    row = with_quota(type(instructor_a).objects.filter(pk=instructor_a.pk), year=2022).get()
    assert row.quota_target == instructor_a.quota == 5


# --- attendance ------------------------------------------------------------------------------


def test_marking_attendance_records_each_status(today, staff_a, lecture_a, rep_a, township_rep_a):
    n = services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P, township_rep_a.pk: E}, by=staff_a)
    assert n == 2
    assert dict(lecture_a.attendance.values_list("representative", "status")) == {rep_a.pk: P, township_rep_a.pk: E}
    assert services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: A, township_rep_a.pk: E}, by=staff_a) == 1
    assert lecture_a.attendance.get(representative=rep_a).status == A
    assert lecture_a.attendance.get(representative=rep_a).marked_by == staff_a


def test_marking_is_all_or_nothing(today, staff_a, lecture_a, rep_a, rep_b):
    with pytest.raises(services.TrainingError, match="蓝春花"):
        services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P, rep_b.pk: P}, by=staff_a)
    assert not Attendance.objects.exists()
    with pytest.raises(services.TrainingError):
        services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P, 999999: P}, by=staff_a)
    with pytest.raises(services.TrainingError):
        services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: "late"}, by=staff_a)
    assert not Attendance.objects.exists()


def test_a_planned_lecture_is_held_once_attendance_is_taken(today, staff_a, instructor_a, rep_a):
    lecture = LectureFactory(instructor=instructor_a, status=Lecture.Status.PLANNED, date=today)
    services.attendance_mark(lecture=lecture, marks={rep_a.pk: P}, by=staff_a)
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.HELD


@pytest.mark.parametrize("case", ["future", "cancelled"])
def test_attendance_cannot_be_taken_for_a_future_or_cancelled_lecture(today, staff_a, instructor_a, rep_a, case):
    if case == "future":
        lecture = LectureFactory(
            instructor=instructor_a, status=Lecture.Status.PLANNED, date=datetime.date(2022, 10, 1)
        )
    else:
        lecture = LectureFactory(instructor=instructor_a, status=Lecture.Status.CANCELLED)
    with pytest.raises(services.TrainingError):
        services.attendance_mark(lecture=lecture, marks={rep_a.pk: P}, by=staff_a)
    assert not Attendance.objects.exists()


def test_township_staff_cannot_mark_the_county_hall_or_another_township(
    today, staff_a, county_lecture, lecture_b, rep_a, rep_b
):
    with pytest.raises(PermissionDenied):
        services.attendance_mark(lecture=county_lecture, marks={rep_a.pk: P}, by=staff_a)
    with pytest.raises(PermissionDenied):
        services.attendance_mark(lecture=lecture_b, marks={rep_b.pk: P}, by=staff_a)
    assert not Attendance.objects.exists()


def test_the_county_hall_takes_representatives_of_every_township(today, committee_staff, county_lecture, rep_a, rep_b):
    services.attendance_mark(lecture=county_lecture, marks={rep_a.pk: P, rep_b.pk: A}, by=committee_staff)
    assert county_lecture.attendance.count() == 2


def test_a_lecture_with_someone_present_cannot_be_cancelled(today, staff_a, lecture_a, rep_a):
    services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P}, by=staff_a)
    with pytest.raises(services.TrainingError):
        services.lecture_set_status(lecture=lecture_a, status=Lecture.Status.CANCELLED, by=staff_a)
    lecture_a.refresh_from_db()
    assert lecture_a.status == Lecture.Status.HELD


# --- retraining ------------------------------------------------------------------------------


def test_retraining_is_assigned_and_the_representative_told_in_the_inbox(today, staff_a, rep_a, representative_user):
    retraining = services.retraining_assign(representative=rep_a, reason="选民满意率低于60%", by=staff_a)
    assert retraining.assigned_on == today and retraining.assigned_by == staff_a and retraining.is_open
    note = Notification.objects.get(rule="training.retraining_assigned")
    assert note.recipient == representative_user and note.channel == "inbox"
    assert "选民满意率" in note.subject


def test_a_second_open_retraining_is_refused_with_a_readable_message(today, staff_a, rep_a):
    services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=staff_a)
    with pytest.raises(services.TrainingError, match="杨秀英已有未完成的再培训"):
        services.retraining_assign(representative=rep_a, reason="又一次", by=staff_a)
    assert Retraining.objects.count() == 1


def test_after_completion_a_new_retraining_may_be_assigned(today, staff_a, rep_a, lecture_a):
    first = services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=staff_a)
    services.attendance_mark(lecture=lecture_a, marks={rep_a.pk: P}, by=staff_a)
    with pytest.raises(services.TrainingError, match="早于"):
        services.retraining_complete(retraining=first, lecture=lecture_a, by=staff_a)
    later = LectureFactory(instructor=lecture_a.instructor, date=today)
    with pytest.raises(services.TrainingError, match="没有出席"):
        services.retraining_complete(retraining=first, lecture=later, by=staff_a)
    services.attendance_mark(lecture=later, marks={rep_a.pk: P}, by=staff_a)
    done = services.retraining_complete(retraining=first, lecture=later, by=staff_a)
    assert done.completed_on == today and done.lecture == later and done.completed_by == staff_a
    with pytest.raises(services.TrainingError, match="已于"):
        services.retraining_complete(retraining=first, note="再次", by=staff_a)
    assert services.retraining_assign(representative=rep_a, reason="第二次", by=staff_a).is_open


def test_completing_without_a_lecture_needs_a_note(today, staff_a, rep_a):
    retraining = services.retraining_assign(representative=rep_a, reason="驻室缺勤", by=staff_a)
    with pytest.raises(services.TrainingError):
        services.retraining_complete(retraining=retraining, by=staff_a)
    services.retraining_complete(retraining=retraining, note="参加县级集中培训", by=staff_a)
    assert not Retraining.objects.get().is_open


def test_retraining_needs_a_reason_and_a_representative_in_scope(today, staff_a, rep_a, rep_b):
    with pytest.raises(services.TrainingError):
        services.retraining_assign(representative=rep_a, reason="  ", by=staff_a)
    with pytest.raises(PermissionDenied):
        services.retraining_assign(representative=rep_b, reason="驻室缺勤", by=staff_a)
    assert not Retraining.objects.exists()


def test_the_database_allows_one_open_retraining_only(staff_a, rep_a):
    from django.db import IntegrityError, transaction

    Retraining.objects.create(representative=rep_a, reason="一")
    with pytest.raises(IntegrityError), transaction.atomic():
        Retraining.objects.create(representative=rep_a, reason="二")


# --- materials -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _docx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "ext"),
    [("讲义.pdf", PDF, ".pdf"), ("讲义.docx", _docx(), ".docx"), ("照片.jpg", JPEG, ".jpg")],
)
def test_materials_are_stored_by_what_they_are(staff_a, lecture_a, name, content, ext):
    upload = SimpleUploadedFile(name, content)
    services.lecture_save(lecture=lecture_a, by=staff_a, materials_upload=upload)
    lecture_a.refresh_from_db()
    assert lecture_a.materials.name.startswith("training/materials/") and lecture_a.materials.name.endswith(ext)
    assert lecture_a.materials_name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("讲义.pdf", b"<html><script>alert(1)</script></html>"),
        ("讲义.docx", b"PK\x03\x04 not really a zip"),
        ("病毒.exe", b"MZ\x90\x00"),
    ],
)
def test_a_file_that_is_not_a_material_is_refused(staff_a, lecture_a, name, content):
    with pytest.raises(services.TrainingError):
        services.lecture_save(lecture=lecture_a, by=staff_a, materials_upload=SimpleUploadedFile(name, content))
    lecture_a.refresh_from_db()
    assert not lecture_a.materials


def test_a_material_over_the_size_limit_is_refused(settings, staff_a, lecture_a):
    settings.RENDA_TRAINING = {**settings.RENDA_TRAINING, "MATERIAL_MAX_BYTES": 100}
    with pytest.raises(services.TrainingError, match="不能超过"):
        services.lecture_save(lecture=lecture_a, by=staff_a, materials_upload=SimpleUploadedFile("a.pdf", PDF * 3))
    lecture_a.refresh_from_db()
    assert not lecture_a.materials


def test_a_township_instructor_teaches_only_in_their_own_hall(staff_a, instructor_b, hall_a):
    lecture = Lecture(hall=hall_a, instructor=instructor_b, date=datetime.date(2022, 5, 1), topic="x")
    with pytest.raises(services.TrainingError):
        services.lecture_save(lecture=lecture, by=None)


def test_a_county_instructor_teaches_in_a_township_hall(staff_a, county_instructor, hall_a):
    lecture = Lecture(hall=hall_a, instructor=county_instructor, date=datetime.date(2022, 5, 1), topic="x")
    services.lecture_save(lecture=lecture, by=staff_a)
    assert lecture.pk


def test_township_staff_cannot_add_lectures_to_the_county_hall(staff_a, county_instructor, county_hall):
    lecture = Lecture(hall=county_hall, instructor=county_instructor, date=datetime.date(2022, 5, 1), topic="x")
    with pytest.raises(PermissionDenied):
        services.lecture_save(lecture=lecture, by=staff_a)
    assert not Lecture.objects.exists()
