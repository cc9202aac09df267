"""Candidates in from a sheet (all or nothing, every bad row named) and projects and results out."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.livelihood import services
from apps.livelihood.models import Project

HEADERS = ["项目名称", "项目内容", "责任单位", "总投资（万元）", "计划完成时间"]


def admin(name, *args):
    return reverse(f"admin:livelihood_{name}", args=args)


def sheet(*rows, headers=HEADERS) -> SimpleUploadedFile:
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile("candidates.xlsx", dataset.export("xlsx"))


def upload(client, session, file):
    return client.post(admin("project_import"), {"session": session.pk, "import_file": file})


def confirm(client, preview):
    return client.post(admin("project_process_import"), {"token": preview.context["token"]})


def test_a_good_sheet_is_previewed_then_imported_through_the_service(login, committee_staff, session, unit):
    client = login(committee_staff)
    file = sheet(
        ["儒林镇自来水厂扩建", "日供水能力提高到 1 万吨。", "县教育局", 1200, "2022-12-31"],
        ["茅坪镇中心小学食堂", "新建食堂 600 平方米。", "县教育局", "350.5", "2022年10月"],
    )
    preview = upload(client, session, file)
    assert preview.status_code == 200 and preview.context["report"].problems == []
    assert preview.context["report"].new == 2
    assert not Project.objects.exists()  # a preview saves nothing
    done = confirm(client, preview)
    assert done.status_code == 302
    assert done["Location"] == f"{admin('project_changelist')}?session={session.pk}"
    projects = list(Project.objects.order_by("number"))
    assert [(p.number, p.title, str(p.investment), str(p.completion_due)) for p in projects] == [
        (1, "儒林镇自来水厂扩建", "1200.00", "2022-12-31"),
        (2, "茅坪镇中心小学食堂", "350.50", "2022-10-31"),
    ]
    again = confirm(client, preview)
    assert again.status_code == 302 and Project.objects.count() == 2  # a second click imports nothing


def test_a_sheet_with_bad_rows_saves_nothing_and_names_every_error(login, committee_staff, session, unit):
    file = sheet(
        ["好项目", "内容。", "县教育局", 100, "2022-12-31"],
        ["", "内容。", "县不存在局", "一百", "明年"],
        ["负投资项目", "内容。", "县教育局", -5, "2022-12-31"],
    )
    response = upload(login(committee_staff), session, file)
    report = response.context["report"]
    assert report.error_rows == 2
    rows: dict[int, list[str]] = {}
    for p in report.problems:
        rows.setdefault(p.line, []).append(f"{p.column}：{p.message}")
    assert 2 not in rows
    assert "项目名称：此项必须填写。" in rows[3]
    assert any(e.startswith("责任单位：没有名为“县不存在局”的单位") for e in rows[3])
    assert any(e.startswith("总投资（万元）：“一百”不是数字") for e in rows[3])
    assert any(e.startswith("计划完成时间：") and "不是日期" in e for e in rows[3])
    assert any("不能为负数" in e for e in rows[4])
    assert not response.context["token"]
    assert not Project.objects.exists()


def test_a_sheet_missing_a_column_is_refused(login, committee_staff, session):
    file = sheet(["项目", "内容", "县教育局", 10], headers=HEADERS[:4])
    response = upload(login(committee_staff), session, file)
    assert "文件缺少以下列：计划完成时间" in response.content.decode()
    assert not Project.objects.exists()


def test_the_template_downloads_with_its_headers_and_imports_as_it_is(login, committee_staff, session, unit):
    client = login(committee_staff)
    response = client.get(admin("project_import_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in next(book.active.iter_rows(max_row=1))] == [f"{h}*" for h in HEADERS]
    preview = upload(client, session, SimpleUploadedFile("template.xlsx", response.content))
    assert preview.context["report"].problems == []
    confirm(client, preview)
    assert Project.objects.count() == 2
    again = upload(client, session, SimpleUploadedFile("template.xlsx", response.content))
    assert (again.context["report"].new, again.context["report"].unchanged) == (0, 2)  # nothing listed twice


@pytest.mark.parametrize(("persona", "expected"), [("committee", 200), ("staff_a", 403)])
def test_only_staff_with_the_import_permission_import(login, personas, persona, expected):
    assert login(personas[persona]).get(admin("project_import")).status_code == expected


def test_the_project_export_is_formula_safe_and_scoped(login, committee_staff, staff_a, make_candidates):
    make_candidates(2)
    Project.objects.filter(number=1).update(title='=HYPERLINK("http://evil")')
    client = login(committee_staff)
    response = client.post(admin("project_export"), {"format": "0", "resource": "0", **_all_fields()})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [row[2].value for row in book.active.iter_rows(min_row=2)]
    assert titles[0].startswith("'=") and titles[1] == "候选项目2"
    assert login(staff_a).post(admin("project_export"), {"format": "0"}).status_code == 403


def _all_fields() -> dict:
    from apps.livelihood.resources import ProjectResource

    return {f"projectresource_{name}": "on" for name in ProjectResource._meta.fields}


def test_the_results_export_lists_votes_ranks_and_outcomes(login, committee_staff, open_selection):
    ballot, projects, reps = open_selection(candidates=3, slots=1)
    for rep in reps:
        services.ballot_vote(ballot=ballot, representative=rep, choices={projects[1].pk: "for"})
    services.ballot_close(ballot=ballot, by=committee_staff)
    response = login(committee_staff).get(admin("ballot_results_xlsx", ballot.pk))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "编号", "项目名称")
    assert "应参加投票代表 5 名" in rows[1][0]
    assert rows[2][2] == projects[1].title and rows[2][5] == 5 and rows[2][6] == "通过"
    assert {r[6] for r in rows[3:]} == {"未通过"}


def test_the_results_export_needs_a_closed_ballot(login, committee_staff, open_selection):
    ballot, _projects, _reps = open_selection()
    assert login(committee_staff).get(admin("ballot_results_xlsx", ballot.pk)).status_code == 403


def test_the_import_page_links_its_template_and_previews_with_a_way_back(login, committee_staff, session, unit):
    client = login(committee_staff)
    page = client.get(admin("project_import"))
    assert f'href="{admin("project_import_template")}"' in page.text
    preview = upload(client, session, sheet(["乡镇卫生院标准化建设", "建设内容。", "县教育局", 120, "2022-12-31"]))
    assert preview.context["token"]
    assert f'href="{admin("project_import")}" class="button cancel-link"' in preview.text
