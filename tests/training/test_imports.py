"""Imports of lectures and attendance: every bad row reported, nothing saved unless all are good."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.training.models import Attendance, Lecture

LECTURES = reverse("admin:training_lecture_import")
ATTENDANCE = reverse("admin:training_attendance_import")


def _csv(*lines: str, name="sheet.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8-sig"), content_type="text/csv")


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("sheet.xlsx", buffer.getvalue())


def _errors(response) -> dict[int, list[str]]:
    """Each spreadsheet row's problems as "column：message"."""
    found: dict[int, list[str]] = {}
    for p in response.context["report"].problems if response.context.get("report") else []:
        found.setdefault(p.line, []).append(f"{p.column}：{p.message}" if p.column else p.message)
    return found


def _import(client, url, upload):
    """The preview, then (when the file passed) the confirmation."""
    preview = client.post(url, {"import_file": upload})
    if not preview.context.get("token"):
        return preview
    confirm_url = url.replace("/import/", "/import/confirm/")
    return client.post(confirm_url, {"token": preview.context["token"]})


# --- lectures ------------------------------------------------------------------------------------


def test_lectures_are_imported_when_every_row_is_good(login, staff_a, today, instructor_a, hall_a, county_instructor):
    upload = _csv(
        "讲堂,日期,开始时间,主讲教员,题目,专题,听课对象,状态",
        f"{hall_a.name},2022-03-15,09:00,龙书记,代表法解读,代表法等法律法规,全镇县乡人大代表,已举办",
        f"{hall_a.name},2022/10/20,,杨主任,人民代表大会制度,,全镇县乡人大代表,",
    )
    response = _import(login(staff_a), LECTURES, upload)
    assert response.status_code == 302
    lectures = {lecture.topic: lecture for lecture in Lecture.objects.all()}
    assert lectures["代表法解读"].status == Lecture.Status.HELD and lectures["代表法解读"].theme == "law"
    assert lectures["人民代表大会制度"].instructor == county_instructor
    assert lectures["人民代表大会制度"].status == Lecture.Status.PLANNED


def test_every_bad_lecture_row_is_reported_and_nothing_saved(
    login, staff_a, today, instructor_a, hall_a, hall_b, instructor_b
):
    upload = _csv(
        "讲堂,日期,开始时间,主讲教员,题目,专题,听课对象,状态",
        f"{hall_a.name},2022-03-15,09:00,龙书记,好的一行,,,已举办",
        f"{hall_b.name},2022-03-15,,蒋主席,别的乡镇,,,",
        f"{hall_a.name},十五号,25:00,无名氏,坏日期,天文,,",
        f"{hall_a.name},2022-12-01,,龙书记,,,,",
        f"{hall_a.name},2022-12-01,,龙书记,未来已举办,,,已举办",
    )
    response = _import(login(staff_a), LECTURES, upload)
    assert response.status_code == 200
    errors = _errors(response)
    assert set(errors) == {3, 4, 5, 6}
    assert "不在您的管辖范围内" in errors[3][0]
    assert len(errors[4]) == 4  # date, time, theme and instructor, each said
    assert [e.split("：")[0] for e in errors[4]] == ["日期", "开始时间", "主讲教员", "专题"]
    assert errors[5] == ["题目：此项必须填写。"]
    assert "还没到" in " ".join(errors[6])
    assert not Lecture.objects.exists()
    assert "整个文件都没有导入" in response.content.decode()


def test_a_file_without_the_columns_is_refused(login, staff_a, hall_a):
    response = login(staff_a).post(LECTURES, {"import_file": _csv("讲堂,日期", f"{hall_a.name},2022-03-15")})
    assert "文件缺少以下列" in str(response.context["form"].non_field_errors())


def test_xlsx_dates_are_read(login, staff_a, today, instructor_a, hall_a):
    import datetime

    upload = _xlsx(
        [["讲堂", "日期", "主讲教员", "题目"], [hall_a.name, datetime.datetime(2022, 4, 2), "龙书记", "履职"]]
    )
    assert _import(login(staff_a), LECTURES, upload).status_code == 302
    assert Lecture.objects.get().date == datetime.date(2022, 4, 2)


@pytest.mark.parametrize("url", [LECTURES, ATTENDANCE])
def test_importing_needs_the_import_permission(login, liaison_a, url):
    assert login(liaison_a).get(url).status_code == 403


def test_the_templates_have_the_columns(login, committee_staff):
    response = login(committee_staff).get(reverse("admin:training_attendance_import_template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert next(sheet.iter_rows(values_only=True))[:4] == ("授课编号", "日期", "讲堂", "代表姓名*")


# --- attendance ----------------------------------------------------------------------------------


def test_attendance_is_imported_by_number_or_by_date_and_hall(
    login, staff_a, today, lecture_a, hall_a, rep_a, township_rep_a
):
    upload = _csv(
        "授课编号,日期,讲堂,代表姓名,代表证号,出勤",
        f"{lecture_a.pk},,,杨秀英,{rep_a.credential_no},出席",
        f",2022-03-15,{hall_a.name},吴德清,,请假",
    )
    response = _import(login(staff_a), ATTENDANCE, upload)
    assert response.status_code == 302
    marked = dict(lecture_a.attendance.values_list("representative", "status"))
    assert marked == {rep_a.pk: "present", township_rep_a.pk: "excused"}


def test_every_bad_attendance_row_is_reported_and_nothing_saved(
    login, staff_a, today, lecture_a, lecture_b, hall_a, rep_a, rep_b, township_rep_a
):
    upload = _csv(
        "授课编号,日期,讲堂,代表姓名,代表证号,出勤",
        f"{lecture_a.pk},,,杨秀英,{rep_a.credential_no},出席",
        f"{lecture_b.pk},,,蓝春花,,出席",
        f"{lecture_a.pk},,,杨秀英,WRONG,出席",
        f"{lecture_a.pk},,,吴德清,,迟到",
        f",2022-03-16,{hall_a.name},吴德清,,出席",
        f"{lecture_a.pk},,,杨秀英,,缺席",
        ",,,吴德清,,出席",
    )
    response = _import(login(staff_a), ATTENDANCE, upload)
    errors = _errors(response)
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "不在您的管辖范围内" in errors[3][0]
    assert "代表证号" in errors[4][0]
    assert "不是可选的值" in errors[5][0]
    assert "没有授课" in errors[6][0]
    assert "与第2行重复" in errors[7][0]
    assert "授课编号" in errors[8][0]
    assert not Attendance.objects.exists()


def test_a_service_refusal_is_reported_on_the_rows_of_that_lecture(login, staff_a, today, instructor_a, rep_a):
    from tests.training.factories import LectureFactory

    cancelled = LectureFactory(instructor=instructor_a, status="cancelled")
    upload = _csv("授课编号,代表姓名,出勤", f"{cancelled.pk},杨秀英,出席")
    errors = _errors(_import(login(staff_a), ATTENDANCE, upload))
    assert "已取消" in errors[2][0]
    assert not Attendance.objects.exists()


def test_attendance_imported_again_changes_nothing_and_a_changed_mark_is_corrected(
    login, staff_a, today, lecture_a, hall_a, rep_a, township_rep_a
):
    header = "授课编号,日期,讲堂,代表姓名,代表证号,出勤"
    rows = [f"{lecture_a.pk},,,杨秀英,{rep_a.credential_no},出席", f",2022-03-15,{hall_a.name},吴德清,,请假"]
    client = login(staff_a)
    _import(client, ATTENDANCE, _csv(header, *rows))
    marked_at = dict(lecture_a.attendance.values_list("representative", "marked_at"))

    again = client.post(ATTENDANCE, {"import_file": _csv(header, *rows)})
    report = again.context["report"]
    assert (report.new, report.changed, report.unchanged) == (0, 0, 2)
    _import(client, ATTENDANCE, _csv(header, *rows))
    assert dict(lecture_a.attendance.values_list("representative", "marked_at")) == marked_at

    changed = client.post(ATTENDANCE, {"import_file": _csv(header, rows[0], rows[1].replace("请假", "缺席"))})
    report = changed.context["report"]
    assert (report.new, report.changed, report.unchanged) == (0, 1, 1)
    _import(client, ATTENDANCE, _csv(header, rows[0], rows[1].replace("请假", "缺席")))
    marked = dict(lecture_a.attendance.values_list("representative", "status"))
    assert marked == {rep_a.pk: "present", township_rep_a.pk: "absent"}
    assert lecture_a.attendance.get(representative=rep_a).marked_at == marked_at[rep_a.pk]


def test_the_lecture_template_imports_as_it_is(login, staff_a, today, instructor_a, hall_a):
    client = login(staff_a)
    template = client.get(reverse("admin:training_lecture_import_template"))
    response = _import(client, LECTURES, SimpleUploadedFile("template.xlsx", template.content))
    assert response.status_code == 302
    assert Lecture.objects.count() == 2
    again = client.post(LECTURES, {"import_file": SimpleUploadedFile("template.xlsx", template.content)})
    assert (again.context["report"].new, again.context["report"].unchanged) == (0, 2)  # nothing recorded twice
