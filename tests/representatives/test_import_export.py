"""The roster import (apps/core/imports.py): template, preview with every error under its
spreadsheet row and Chinese header, all or nothing, unchanged rows skipped without history,
scope; the export in Chinese, scoped, masked and formula-safe."""

import io
from datetime import date
from urllib.parse import unquote

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from apps.core.exports import neutralise_formula
from apps.representatives.models import Representative
from apps.representatives.resources import RepresentativeResource
from tests.factories import RepresentativeFactory

HEADERS = [
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
    "状态",
]

GOOD = [
    ["", "丁一", "男", "苗族", "中共党员", "农民", "县人大代表", "18", "儒林镇", "A001", "13900000001", "在任"],
    ["", "王二", "女", "汉", "群众", "工人", "县人大代表", "18", "儒林镇", "A002", "0739-7322001", "在任"],
]

IMPORT = "admin:representatives_representative_import"
CONFIRM = "admin:representatives_representative_process_import"
EXPORT = "admin:representatives_representative_export"
TEMPLATE = "admin:representatives_representative_import_template"


def _xlsx(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(rows, headers=HEADERS) -> bytes:
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data.export("csv").encode("utf-8")


def _preview(client, content, name="roster.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(IMPORT), {"import_file": upload})


def _confirm(client, response):
    return client.post(reverse(CONFIRM), {"token": response.context["token"]})


def _history_count():
    return Representative.history.count()


def test_the_template_imports_as_it_is(login, committee_staff, county_term, township_a, township_b):
    client = login(committee_staff)
    template = client.get(reverse(TEMPLATE))
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames == ["代表名册", "填写说明"]
    assert book["代表名册"].freeze_panes == "A2"
    assert [c.value for c in book["代表名册"][1]][:3] == ["编号", "姓名*", "性别*"]
    gender_lists = [v.formula1 for v in book["代表名册"].data_validations.dataValidation]
    assert '"男,女"' in gender_lists
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert "民族" in notes and "所在乡镇" in notes

    response = _preview(client, template.content)
    report = response.context["report"]
    assert (report.new, report.changed, report.unchanged, report.problems) == (2, 0, 0, [])
    assert not Representative.objects.exists()  # the preview saves nothing
    assert _confirm(client, response).status_code == 302
    names = sorted(Representative.objects.values_list("name", flat=True))
    assert names == ["杨秀英", "阿依古丽·买买提"]
    assert Representative.objects.get(name="阿依古丽·买买提").birth_date == date(1982, 7, 1)


def test_a_valid_file_previews_then_saves_every_row(login, staff_a, county_term, township_a):
    client = login(staff_a)
    response = _preview(client, _csv(GOOD), name="roster.csv")
    assert response.status_code == 200
    assert not Representative.objects.exists()
    assert _confirm(client, response).status_code == 302
    reps = Representative.objects.order_by("credential_no")
    assert [(r.name, r.gender, r.ethnicity, r.township_id, r.term_id, r.phone) for r in reps] == [
        ("丁一", "M", "06", township_a.pk, county_term.pk, "13900000001"),
        ("王二", "F", "01", township_a.pk, county_term.pk, "0739-7322001"),
    ]


BAD_HEADERS = [*HEADERS, "出生日期"]


def test_one_bad_cell_of_each_kind_shows_every_error_and_saves_nothing(
    login, staff_a, county_term, township_a, township_b
):
    rows = [
        [*GOOD[0], "1970-1-1"],
        ["", "张三", "未知", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A003", "", "在任", ""],
        ["", "李四", "男", "苗族", "群众", "农民", "县人大代表", "18", "茅坪镇", "A004", "", "在任", ""],
        ["", "赵五", "男", "苗族", "群众", "农民", "县人大代表", "99", "儒林镇", "A005", "", "在任", ""],
        ["", "钱六", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A006", "12345", "在任", ""],
        ["", "孙七", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A007", "", "在任", "2022-2-30"],
        ["", "周八", "男", "火星族", "群众", "农民", "县人大代表", "18", "儒林镇", "A008", "", "在任", ""],
        ["", "吴九", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林真", "A009", "", "在任", ""],
        ["", "Bob", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A010", "", "在任", ""],
        ["", "", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A011", "", "在任", ""],
    ]
    client = login(staff_a)
    response = _preview(client, _xlsx(rows, BAD_HEADERS))
    report = response.context["report"]
    found = {(p.line, p.column): (p.value, p.message) for p in report.problems}
    assert set(found) == {
        (3, "性别"),
        (4, "所在乡镇"),
        (5, "届次"),
        (6, "联系电话"),
        (7, "出生日期"),
        (8, "民族"),
        (9, "所在乡镇"),
        (10, "姓名"),
        (11, "姓名"),
    }
    assert found[(3, "性别")][0] == "未知" and "男、女" in found[(3, "性别")][1]
    assert "不在您的管辖范围内" in found[(4, "所在乡镇")][1]  # 茅坪镇 is not staff A's
    assert "第99届" in found[(5, "届次")][1]
    assert found[(6, "联系电话")][0] == "12345" and "手机号码" in found[(6, "联系电话")][1]
    assert "不存在" in found[(7, "出生日期")][1]
    assert "56 个民族" in found[(8, "民族")][1]
    assert "儒林镇" in found[(9, "所在乡镇")][1]  # the close name is suggested
    assert "间隔号" in found[(10, "姓名")][1]
    assert report.error_rows == 9
    assert not response.context["token"]  # nothing to confirm
    assert not Representative.objects.exists()


def test_messages_and_headers_are_in_chinese_on_the_page(login, staff_a, county_term, township_a):
    rows = [["", "张三", "未知", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A003", "12345", "在任"]]
    html = _preview(login(staff_a), _xlsx(rows)).content.decode()
    assert "GENDER" not in html and "Value could not be parsed" not in html
    assert "联系电话" in html and "12345" in html and "有错误的行" in html


def test_blank_rows_keep_the_spreadsheet_row_numbers(login, staff_a, county_term, township_a):
    rows = [GOOD[0], [None] * len(HEADERS), ["", "张三", "未知", *GOOD[1][3:9], "A003", "", "在任"]]
    report = _preview(login(staff_a), _xlsx(rows)).context["report"]
    assert [(p.line, p.column) for p in report.problems] == [(4, "性别")]


def _export_xlsx(client, **query):
    url = reverse(EXPORT) + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, {"format": "xlsx"})


def test_reimporting_an_unchanged_export_changes_nothing_and_writes_no_history(
    login, committee_staff, county_term, township_a
):
    RepresentativeFactory.create_batch(3, township=township_a, term=county_term, birth_date=date(1970, 5, 6))
    client = login(committee_staff)
    export = _export_xlsx(client)
    before = _history_count()
    response = _preview(client, export.content)
    report = response.context["report"]
    assert (report.new, report.changed, report.unchanged, report.problems) == (0, 0, 3, [])
    assert _confirm(client, response).status_code == 302
    assert _history_count() == before


def test_a_one_cell_change_updates_one_row_and_writes_one_history_entry(
    login, committee_staff, county_term, township_a
):
    reps = RepresentativeFactory.create_batch(3, township=township_a, term=county_term)
    client = login(committee_staff)
    book = openpyxl.load_workbook(io.BytesIO(_export_xlsx(client).content))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    target = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value) == str(reps[1].pk))
    target[headers.index("工作单位及职务")].value = "儒林镇卫生院院长"
    buffer = io.BytesIO()
    book.save(buffer)
    before = _history_count()
    response = _preview(client, buffer.getvalue())
    report = response.context["report"]
    assert (report.new, report.changed, report.unchanged) == (0, 1, 2)
    assert [c[0] for c in report.changes[0].cells] == ["工作单位及职务"]
    assert "儒林镇卫生院院长" in response.content.decode()
    _confirm(client, response)
    reps[1].refresh_from_db()
    assert reps[1].occupation == "儒林镇卫生院院长"
    assert _history_count() == before + 1
    latest = Representative.history.latest("history_date")
    assert (latest.id, latest.history_user) == (reps[1].pk, committee_staff)


def test_a_credential_number_taken_in_the_term_or_earlier_in_the_file_is_refused(
    login, staff_a, rep_a, county_term, township_a
):
    rep_a.credential_no = "A001"
    rep_a.save()
    rows = [GOOD[0], [*GOOD[1][:9], "A002", *GOOD[1][10:]], [*GOOD[1][:9], "A002", *GOOD[1][10:]]]
    report = _preview(login(staff_a), _xlsx(rows)).context["report"]
    assert [(p.line, p.column) for p in report.problems] == [(2, "代表证号"), (4, "代表证号")]
    assert "已有相同代表证号" in report.problems[0].message


def test_an_import_cannot_update_a_representative_outside_the_scope(login, staff_a, rep_b, county_term, township_a):
    row = [str(rep_b.pk), "改名", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "B001", "", "在任"]
    report = _preview(login(staff_a), _xlsx([row])).context["report"]
    assert [(p.line, p.column) for p in report.problems] == [(2, "编号")]
    rep_b.refresh_from_db()
    assert rep_b.name == "蓝春花"


def test_resource_import_is_all_or_nothing_when_not_a_dry_run(staff_a, county_term, township_a):
    rows = [GOOD[0], ["", "", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A009", "", "在任"]]
    resource = RepresentativeResource(user=staff_a)
    dataset = resource.read(_xlsx(rows), "roster.xlsx")
    result = resource.import_data(dataset, dry_run=False, use_transactions=True)
    assert result.has_validation_errors()
    assert not Representative.objects.exists()


def test_a_confirmation_token_is_the_uploaders_own(login, staff_a, county_term, township_a, committee_staff):
    client = login(staff_a)
    token = _preview(client, _xlsx(GOOD)).context["token"]
    login(committee_staff).post(reverse(CONFIRM), {"token": token})
    assert not Representative.objects.exists()
    client = login(staff_a)
    client.post(reverse(CONFIRM), {"token": token + "x"})
    assert not Representative.objects.exists()


def test_staff_without_the_contact_permission_neither_import_nor_see_phones(login, staff_a, rep_a, county_term):
    staff_a.groups.first().permissions.remove(Permission.objects.get(codename="view_representative_contact"))
    client = login(staff_a)
    export = _export_xlsx(client)
    report = _preview(client, export.content).context["report"]
    assert (report.changed, report.unchanged, report.problems) == (0, 1, [])  # the masked phone is not read


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_prefixes_are_neutralised(value):
    assert neutralise_formula(value) == "'" + value


def test_plain_values_are_left_alone():
    assert neutralise_formula("杨秀英") == "杨秀英"
    assert neutralise_formula(18) == 18


def test_the_export_is_in_chinese(login, committee_staff, rep_a):
    client = login(committee_staff)
    page = client.get(reverse(EXPORT)).content.decode()
    assert "Select all" not in page and "Id (" not in page and "编号" in page
    response = _export_xlsx(client)
    disposition = unquote(response["Content-Disposition"])
    assert f"filename*=utf-8''代表名册-城步苗族自治县-{timezone.localdate():%Y-%m-%d}.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "代表名册"
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == RepresentativeResource(user=committee_staff).headers()
    assert sheet.column_dimensions["B"].width >= 8
    assert [c.value for c in sheet[2]][1:4] == ["杨秀英", rep_a.get_gender_display(), rep_a.get_ethnicity_display()]


def test_export_keeps_the_change_list_filters(login, committee_staff, rep_a, rep_b):
    sheet = openpyxl.load_workbook(io.BytesIO(_export_xlsx(login(committee_staff), township=rep_b.township_id).content))
    names = [row[1] for row in sheet.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["蓝春花"]


def test_export_escapes_formulas_in_csv(login, committee_staff, township_a, county_term):
    RepresentativeFactory(name="=cmd|' /C calc'!A0", township=township_a, term=county_term)
    response = login(committee_staff).post(reverse(EXPORT), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=cmd" in text
    assert "\n=cmd" not in text and ",=cmd" not in text


def test_export_escapes_formulas_in_xlsx(login, committee_staff, township_a, county_term):
    RepresentativeFactory(name="@SUM(1+1)", township=township_a, term=county_term)
    sheet = openpyxl.load_workbook(io.BytesIO(_export_xlsx(login(committee_staff)).content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'@SUM(1+1)"]


def test_export_is_scoped(login, staff_a, rep_a, rep_b):
    text = login(staff_a).post(reverse(EXPORT), {"format": "csv"}).content.decode("utf-8-sig")
    assert rep_a.name in text
    assert rep_b.name not in text


def test_export_and_import_need_their_own_permissions(login, staff_a, rep_a):
    group = staff_a.groups.first()
    group.permissions.remove(Permission.objects.get(codename="export_representative"))
    group.permissions.remove(Permission.objects.get(codename="import_representative"))
    client = login(staff_a)
    assert client.post(reverse(EXPORT), {"format": "csv"}).status_code == 403
    assert client.get(reverse(IMPORT)).status_code == 403
    assert client.get(reverse(TEMPLATE)).status_code == 403


def test_export_masks_phones_without_the_contact_permission(login, staff_a, rep_a):
    group = staff_a.groups.first()
    group.permissions.remove(Permission.objects.get(codename="view_representative_contact"))
    text = login(staff_a).post(reverse(EXPORT), {"format": "csv"}).content.decode("utf-8-sig")
    assert "13912345678" not in text
    assert "139****5678" in text
