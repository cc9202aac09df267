"""Roster import is all-or-nothing and scoped; export needs its permission and is formula-safe."""

import io

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.urls import reverse

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


def _csv(rows):
    data = tablib.Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data.export("csv").encode("utf-8")


def _import(client, content, name="roster.csv", fmt=1):
    # Formats are [XLSX, CSV]: index 1 is CSV.
    url = reverse("admin:representatives_representative_import")
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"resource": 0, "format": fmt, "import_file": upload})


GOOD = [
    ["", "丁一", "男", "苗族", "中共党员", "农民", "县人大代表", "18", "儒林镇", "A001", "13900000001", "在任"],
    ["", "王二", "女", "汉族", "群众", "工人", "县人大代表", "18", "儒林镇", "A002", "13900000002", "在任"],
]


def test_a_valid_file_previews_then_saves_every_row(login, staff_a, county_term, township_a):
    client = login(staff_a)
    response = _import(client, _csv(GOOD))
    assert response.status_code == 200
    assert not Representative.objects.exists()  # the first step is a dry run
    confirm = response.context["confirm_form"]
    response = client.post(reverse("admin:representatives_representative_process_import"), confirm.initial)
    assert response.status_code == 302
    reps = Representative.objects.order_by("credential_no")
    assert [(r.name, r.gender, r.ethnicity, r.township_id, r.term_id) for r in reps] == [
        ("丁一", "M", "06", township_a.pk, county_term.pk),
        ("王二", "F", "01", township_a.pk, county_term.pk),
    ]


def test_an_invalid_row_shows_every_error_and_saves_nothing(login, staff_a, county_term, township_a, township_b):
    rows = [
        GOOD[0],
        ["", "张三", "未知", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A003", "", "在任"],
        ["", "李四", "男", "苗族", "群众", "农民", "县人大代表", "18", "茅坪镇", "A004", "", "在任"],
        ["", "赵五", "男", "苗族", "群众", "农民", "县人大代表", "99", "儒林镇", "A005", "", "在任"],
    ]
    response = _import(login(staff_a), _csv(rows))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = {row.number: row for row in result.invalid_rows}
    assert set(invalid) == {2, 3, 4}
    assert "未知" in str(invalid[2].error_dict)
    assert "茅坪镇" in str(invalid[3].error_dict)  # not in staff A's scope
    assert "第99届" in str(invalid[4].error_dict)
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Representative.objects.exists()


def test_an_import_cannot_update_a_representative_outside_the_scope(login, staff_a, rep_b, county_term, township_a):
    row = [str(rep_b.pk), "改名", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "B001", "", "在任"]
    response = _import(login(staff_a), _csv([row]))
    assert response.context["result"].has_validation_errors()
    rep_b.refresh_from_db()
    assert rep_b.name == "蓝春花"


def test_resource_import_is_all_or_nothing_when_not_a_dry_run(staff_a, county_term, township_a):
    rows = [GOOD[0], ["", "", "男", "苗族", "群众", "农民", "县人大代表", "18", "儒林镇", "A009", "", "在任"]]
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    result = RepresentativeResource(user=staff_a).import_data(dataset, dry_run=False, use_transactions=True)
    assert result.has_validation_errors()
    assert not Representative.objects.exists()


def test_xlsx_import_works(login, staff_a, county_term, township_a):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in GOOD:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = _import(login(staff_a), buffer.getvalue(), name="roster.xlsx", fmt=0)
    assert response.status_code == 200
    assert not response.context["result"].has_validation_errors()
    assert response.context["result"].totals["new"] == 2


# --- export ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_formula_prefixes_are_neutralised(value):
    assert neutralise_formula(value) == "'" + value


def test_plain_values_are_left_alone():
    assert neutralise_formula("杨秀英") == "杨秀英"
    assert neutralise_formula(18) == 18


def _export(client, fmt):
    url = reverse("admin:representatives_representative_export")
    return client.post(
        url,
        {
            "format": fmt,
            "resource": 0,
            **{f"representativeresource_{f}": True for f in RepresentativeResource.Meta.fields},
        },
    )


def test_export_escapes_formulas_in_csv(login, committee_staff, township_a, county_term):
    RepresentativeFactory(name="=cmd|' /C calc'!A0", township=township_a, term=county_term)
    response = _export(login(committee_staff), 1)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=cmd" in text
    assert "\n=cmd" not in text and ",=cmd" not in text


def test_export_escapes_formulas_in_xlsx(login, committee_staff, township_a, county_term):
    RepresentativeFactory(name="@SUM(1+1)", township=township_a, term=county_term)
    response = _export(login(committee_staff), 0)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'@SUM(1+1)"]


def test_export_is_scoped(login, staff_a, rep_a, rep_b):
    text = _export(login(staff_a), 1).content.decode("utf-8-sig")
    assert rep_a.name in text
    assert rep_b.name not in text


def test_export_needs_its_own_permission(login, staff_a, rep_a):
    staff_a.groups.first().permissions.remove(Permission.objects.get(codename="export_representative"))
    client = login(staff_a)
    assert _export(client, 1).status_code == 403


def test_export_masks_phones_without_the_contact_permission(login, staff_a, rep_a):
    group = staff_a.groups.first()
    group.permissions.remove(Permission.objects.get(codename="view_representative_contact"))
    text = _export(login(staff_a), 1).content.decode("utf-8-sig")
    assert "13912345678" not in text
    assert "139****5678" in text
