"""Post and assignment sheets: all or nothing, every bad row reported under its column, scoped."""

import datetime
import io

import openpyxl
import pytest
import tablib
from django.urls import reverse

from apps.posts.models import DutyPost, PostAssignment
from apps.posts.resources import DutyPostResource, PostAssignmentResource
from tests.factories import VillageFactory
from tests.posts.factories import DutyPostFactory

D = datetime.date
POST_HEADERS = [
    "编号",
    "岗位名称",
    "岗位角色",
    "领域",
    "所在乡镇",
    "村（社区）",
    "所属活动",
    "定员",
    "岗位职责",
    "启用",
]
ASSIGNMENT_HEADERS = ["岗位编号", "岗位名称", "所在乡镇", "代表姓名", "代表证号", "上岗日期", "离岗日期"]


def _sheet(headers, rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def _errors(result) -> dict[int, dict]:
    return {row.number: row.error_dict for row in result.invalid_rows}


# --- posts ------------------------------------------------------------------------------------


def test_posts_are_added_by_township_name_or_code_and_role_name(staff_a, township_a, role):
    VillageFactory(parent=township_a, name="白云村")
    rows = [
        ["", "白云村调解岗", "调解员", "矛盾纠纷调解", "儒林镇", "白云村", "", "2", "", "是"],
        ["", "镇区宣传岗", "宣传员", "政策宣传", "430529100", "", "其他活动", "1", "宣传政策", ""],
    ]
    result = DutyPostResource(user=staff_a).import_data(_sheet(POST_HEADERS, rows), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    posts = {p.title: p for p in DutyPost.objects.select_related("village", "role")}
    assert posts["白云村调解岗"].village.name == "白云村"
    assert (posts["白云村调解岗"].programme, posts["白云村调解岗"].capacity) == ("双培三联四岗", 2)
    assert (posts["镇区宣传岗"].role.name, posts["镇区宣传岗"].programme) == ("宣传员", "其他活动")


def test_every_bad_post_row_is_reported_and_nothing_is_saved(staff_a, township_a, township_b, role):
    rows = [
        ["", "好岗位", "调解员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"],
        ["", "外乡镇岗位", "调解员", "矛盾纠纷调解", "茅坪镇", "", "", "1", "", "是"],
        ["", "坏角色", "打更员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"],
        ["", "坏领域", "调解员", "造火箭", "儒林镇", "", "", "0", "", "也许"],
        ["", "好岗位", "调解员", "矛盾纠纷调解", "儒林镇", "不存在村", "", "1", "", "是"],
        ["99999", "不存在的编号", "调解员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"],
    ]
    result = DutyPostResource(user=staff_a).import_data(_sheet(POST_HEADERS, rows), dry_run=False)
    errors = _errors(result)
    assert set(errors) == {2, 3, 4, 5, 6}
    assert "茅坪镇”不存在或不在您的管辖范围内" in str(errors[2]["所在乡镇"])
    assert "岗位角色“打更员”不存在或已停用" in str(errors[3]["岗位角色"])
    assert set(errors[4]) == {"领域", "定员", "启用"}
    assert "儒林镇没有名为“不存在村”的村（社区）" in str(errors[5]["村（社区）"])
    assert "编号99999的岗位不存在" in str(errors[6]["编号"])
    assert not DutyPost.objects.exists()


def test_a_duplicate_title_in_the_file_is_reported(staff_a, township_a, role):
    rows = [["", "同名岗", "调解员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", ""]] * 2
    result = DutyPostResource(user=staff_a).import_data(_sheet(POST_HEADERS, rows), dry_run=False)
    assert result.has_validation_errors()
    assert not DutyPost.objects.exists()


def test_a_row_with_an_id_updates_that_post_within_scope(staff_a, staff_b, post_a):
    row = [str(post_a.pk), "改名的岗位", "调解员", "乡村振兴", "儒林镇", "", "", "3", "", "否"]
    result = DutyPostResource(user=staff_b).import_data(_sheet(POST_HEADERS, [row]), dry_run=False)
    assert result.has_validation_errors()
    result = DutyPostResource(user=staff_a).import_data(_sheet(POST_HEADERS, [row]), dry_run=False)
    assert not result.has_validation_errors()
    post_a.refresh_from_db()
    assert (post_a.title, post_a.field, post_a.capacity, post_a.is_active) == ("改名的岗位", "rural", 3, False)


def test_the_post_export_is_scoped_with_holders(staff_a, assignment_a, assignment_b):
    data = DutyPostResource(user=staff_a).export()
    assert data.headers == [*POST_HEADERS, "在岗人数"]
    assert [(r[1], r[4], r[-1]) for r in data] == [("儒林镇矛盾纠纷调解岗", "儒林镇", 1)]


# --- assignments ------------------------------------------------------------------------------


def test_assignments_are_made_through_the_services(staff_a, post_a, rep_a, neighbour):
    rows = [
        [str(post_a.pk), "", "", "杨秀英", rep_a.credential_no, "2022-01-10", ""],
        ["", "儒林镇矛盾纠纷调解岗", "儒林镇", "龙秀兰", "", "2022/02/01", "2022年06月30日"],
    ]
    result = PostAssignmentResource(user=staff_a).import_data(_sheet(ASSIGNMENT_HEADERS, rows), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    found = PostAssignment.objects.order_by("started_on")
    assert [(a.representative.name, a.started_on, a.ended_on, a.assigned_by) for a in found] == [
        ("杨秀英", D(2022, 1, 10), None, staff_a),
        ("龙秀兰", D(2022, 2, 1), D(2022, 6, 30), staff_a),
    ]


def test_every_bad_assignment_row_is_reported_and_nothing_is_saved(
    committee_staff, post_a, post_b, rep_a, rep_b, neighbour
):
    post_a.capacity = 1
    post_a.save()
    rows = [
        [str(post_a.pk), "", "", "杨秀英", "", "2022-01-10", ""],  # fine on its own
        [str(post_a.pk), "", "", "龙秀兰", "", "2022-02-01", ""],  # the post is full by then
        [str(post_a.pk), "", "", "蓝春花", "", "2022-02-01", ""],  # of another township
        ["", "没有这个岗位", "儒林镇", "杨秀英", "", "2022-02-01", ""],
        [str(post_b.pk), "", "", "无名氏", "", "明天", ""],
        ["", "", "", "杨秀英", "", "2022-01-10", ""],
    ]
    result = PostAssignmentResource(user=committee_staff).import_data(_sheet(ASSIGNMENT_HEADERS, rows), dry_run=False)
    errors = {n: " ".join(str(m) for msgs in e.values() for m in msgs) for n, e in _errors(result).items()}
    assert set(errors) == {2, 3, 4, 5, 6}  # data rows, counted from 1
    assert "已满员（定员1人）" in errors[2]
    assert "蓝春花是茅坪镇的代表" in errors[3]
    assert "儒林镇没有名为“没有这个岗位”的岗位" in errors[4]
    assert "没有名为“无名氏”的代表" in errors[5] and "不是日期" in errors[5]
    assert "请填写岗位编号，或岗位名称和所在乡镇" in errors[6]
    assert not PostAssignment.objects.exists()


def test_township_staff_cannot_import_into_another_township(staff_b, post_a, rep_a):
    rows = [[str(post_a.pk), "", "", "杨秀英", "", "2022-01-10", ""]]
    result = PostAssignmentResource(user=staff_b).import_data(_sheet(ASSIGNMENT_HEADERS, rows), dry_run=False)
    assert result.has_validation_errors()
    assert not PostAssignment.objects.exists()


def test_the_assignment_export_is_scoped(staff_b, assignment_a, assignment_b):
    data = PostAssignmentResource(user=staff_b).export()
    assert [(r[2], r[5]) for r in data] == [("茅坪镇生态环境巡查岗", "蓝春花")]


# --- through the admin ------------------------------------------------------------------------


def _upload(client, name, dataset):
    upload = io.BytesIO(dataset.export("csv").encode("utf-8"))
    upload.name = "sheet.csv"
    return client.post(reverse(f"admin:posts_{name}_import"), {"import_file": upload})


def _template(client, name) -> bytes:
    response = client.get(reverse(f"admin:posts_{name}_import_template"))
    assert response.status_code == 200
    return response.content


def _upload_xlsx(client, name, content: bytes):
    upload = io.BytesIO(content)
    upload.name = "sheet.xlsx"
    return client.post(reverse(f"admin:posts_{name}_import"), {"import_file": upload})


def test_the_admin_previews_then_saves_a_good_sheet(login, staff_a, township_a, role):
    rows = [["", "白云村调解岗", "调解员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"]]
    client = login(staff_a)
    response = _upload(client, "dutypost", _sheet(POST_HEADERS, rows))
    assert response.status_code == 200
    assert not DutyPost.objects.exists()  # the first step is a dry run
    response = client.post(reverse("admin:posts_dutypost_process_import"), {"token": response.context["token"]})
    assert response.status_code == 302
    assert DutyPost.objects.get().title == "白云村调解岗"


def test_the_post_template_imports_as_it_is(login, staff_a, township_a, role):
    client = login(staff_a)
    response = _upload_xlsx(client, "dutypost", _template(client, "dutypost"))
    assert (response.context["report"].new, response.context["report"].problems) == (2, [])
    client.post(reverse("admin:posts_dutypost_process_import"), {"token": response.context["token"]})
    assert DutyPost.objects.count() == 2


def test_a_post_file_with_one_bad_cell_of_each_kind_reports_spreadsheet_rows(login, staff_a, township_a, role):
    rows = [
        ["", "好岗位", "调解员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"],
        ["", "坏乡镇", "调解员", "矛盾纠纷调解", "儒林真", "", "", "1", "", "是"],
        ["", "坏角色", "打更员", "矛盾纠纷调解", "儒林镇", "", "", "1", "", "是"],
        ["", "坏领域", "调解员", "造火箭", "儒林镇", "", "", "x", "", "也许"],
    ]
    report = _upload(login(staff_a), "dutypost", _sheet(POST_HEADERS, rows)).context["report"]
    found = {(p.line, p.column): p for p in report.problems}
    assert set(found) == {(3, "所在乡镇"), (4, "岗位角色"), (5, "领域"), (5, "定员"), (5, "启用")}, report.problems
    assert "您是不是要填“儒林镇”" in found[(3, "所在乡镇")].message
    assert found[(5, "领域")].value == "造火箭", report.problems
    assert not DutyPost.objects.exists()


def test_reimporting_the_post_export_changes_nothing_then_one_cell_changes_one_post(login, staff_a, post_a):
    client = login(staff_a)
    export = client.post(reverse("admin:posts_dutypost_export"), {"format": "xlsx"}).content
    before = DutyPost.history.count()
    response = _upload_xlsx(client, "dutypost", export)
    assert (response.context["report"].changed, response.context["report"].unchanged) == (0, 1)
    client.post(reverse("admin:posts_dutypost_process_import"), {"token": response.context["token"]})
    assert DutyPost.history.count() == before
    book = openpyxl.load_workbook(io.BytesIO(export))
    book.active.cell(row=2, column=8).value = 5  # 定员
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload_xlsx(client, "dutypost", buffer.getvalue())
    assert [c[0] for c in response.context["report"].changes[0].cells] == ["定员"]
    client.post(reverse("admin:posts_dutypost_process_import"), {"token": response.context["token"]})
    post_a.refresh_from_db()
    assert post_a.capacity == 5
    assert DutyPost.history.count() == before + 1


def test_the_admin_shows_a_bad_sheet_and_offers_no_confirmation(login, staff_a, post_a, rep_b):
    rows = [[str(post_a.pk), "", "", "蓝春花", "", "2022-01-10", ""]]
    response = _upload(login(staff_a), "postassignment", _sheet(ASSIGNMENT_HEADERS, rows))
    assert response.status_code == 200
    assert response.context["report"].problems
    assert not response.context["token"]
    assert not PostAssignment.objects.exists()


@pytest.mark.parametrize("persona", ["liaison_a", "representative_user"])
def test_import_and_export_need_their_permission(request, login, persona):
    client = login(request.getfixturevalue(persona))
    for name in ("dutypost", "postassignment"):
        assert client.get(reverse(f"admin:posts_{name}_import")).status_code in (302, 403)
        assert client.get(reverse(f"admin:posts_{name}_export")).status_code in (302, 403)


def test_the_admin_export_is_a_formula_safe_workbook(login, staff_a, township_a, role):
    DutyPostFactory(township=township_a, role=role, title="=HYPERLINK(1)")
    response = login(staff_a).post(reverse("admin:posts_dutypost_export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "'=HYPERLINK(1)"
