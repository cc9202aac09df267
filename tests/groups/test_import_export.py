"""Activities in and out of spreadsheets: an import keeps every row or none and names every bad
row; exports follow the user's scope and cost the same however many rows they hold."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.groups import services
from apps.groups.models import Activity, Inspection
from apps.groups.resources import ActivityResource, InspectionResource
from tests.groups.factories import ActivityFactory

HEADERS = ["活动小组", "所属区域", "活动类型", "活动名称", "活动日期", "参加代表", "覆盖群众（人次）"]


def _csv(rows, headers=HEADERS) -> SimpleUploadedFile:
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile("activities.csv", dataset.export("csv").encode("utf-8-sig"))


def _import(client, upload):
    return client.post(reverse("admin:groups_activity_import"), {"import_file": upload})


def _confirm(client, preview):
    return client.post(reverse("admin:groups_activity_process_import"), {"token": preview.context["token"]})


def _export(client, model, resource, query=""):
    fields = {f"{resource.__name__.lower()}_{f}": True for f in resource.Meta.fields}
    return client.post(reverse(f"admin:groups_{model}_export") + query, {"format": 1, "resource": 0, **fields})


def _rows(response) -> list[dict]:
    return list(tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv").dict)


def test_a_good_sheet_is_imported_as_confirmed_activities(login, committee_staff, county_group, rep_a, rep_b, county):
    rows = [
        ["农业农村组", "", "微宣讲", "二十大精神宣讲", "2022-11-08", "杨秀英、蓝春花", "120"],
        ["", "城步苗族自治县", "走访选民", "走访", "2022/10/01", "蓝春花", ""],
    ]
    client = login(committee_staff)
    preview = _import(client, _csv(rows))
    assert preview.context["report"].new == 2 and preview.context["report"].problems == []
    assert not Activity.objects.exists()  # the preview saves nothing
    response = _confirm(client, preview)
    assert response.status_code == 302
    first, second = Activity.objects.order_by("date").reverse()
    assert (first.title, first.group, first.people_reached, first.is_confirmed) == (
        "二十大精神宣讲",
        county_group,
        120,
        True,
    )
    assert set(first.participants.all()) == {rep_a, rep_b}
    assert (second.group, second.region, second.kind) == (None, county, "voter_visit")


def test_a_sheet_with_bad_rows_saves_nothing_and_names_every_error(login, committee_staff, county_group, rep_a):
    rows = [
        ["农业农村组", "", "微宣讲", "好的一行", "2022-11-08", "杨秀英", ""],
        ["不存在组", "", "微宣讲", "小组不对", "2022-11-08", "", ""],
        ["农业农村组", "", "跳舞", "类型不对", "2022-11-08", "", ""],
        ["农业农村组", "", "微心愿", "日期不对", "昨天", "", ""],
        ["农业农村组", "", "微心愿", "代表不对", "2022-11-08", "张三", "-5"],
        ["农业农村组", "", "微心愿", "", "2022-11-08", "", ""],
        ["农业农村组", "", "微心愿", "来自未来", "2022-12-25", "", ""],
    ]
    response = _import(login(committee_staff), _csv(rows))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert "6 行有错误" in page
    problems = {(p.line, p.column, p.value): p.message for p in response.context["report"].problems}
    expected = {
        (3, "活动小组", "不存在组"): "没有名为“不存在组”的小组",
        (4, "活动类型", "跳舞"): "“跳舞”不是可选的值",
        (5, "活动日期", "昨天"): "不是日期",
        (6, "参加代表", "张三"): "没有名为“张三”的在任代表",
        (6, "覆盖群众（人次）", "-5"): "“-5”不是非负整数",
        (7, "活动名称", ""): "此项必须填写",
        (8, "活动日期", "2022-12-25"): "活动日期不能晚于今天",
    }
    assert {key: message for key, message in expected.items() if message not in problems.get(key, "")} == {}
    assert not response.context["token"]


def test_the_template_imports_as_it_is(login, committee_staff, county_group, rep_a, rep_b):
    client = login(committee_staff)
    template = client.get(reverse("admin:groups_activity_import_template"))
    upload = SimpleUploadedFile("template.xlsx", template.content)
    preview = _import(client, upload)
    assert preview.context["report"].problems == [] and preview.context["report"].new == 2
    _confirm(client, preview)
    assert Activity.objects.count() == 2
    again = _import(client, SimpleUploadedFile("template.xlsx", template.content))
    assert (again.context["report"].new, again.context["report"].unchanged) == (0, 2)  # nothing recorded twice


def test_township_staff_cannot_import_for_the_countys_groups(login, staff_a, county_group):
    rows = [["农业农村组", "", "微宣讲", "宣讲", "2022-11-08", "杨秀英", ""]]
    response = _import(login(staff_a), _csv(rows))
    assert "您无权为“城步苗族自治县”录入活动" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_sheet_without_the_required_columns_is_refused(login, committee_staff):
    response = _import(login(committee_staff), _csv([["x"]], headers=["活动名称"]))
    assert "文件缺少以下列：活动类型、活动日期" in response.content.decode()


def test_importing_needs_the_import_permission(login, liaison_a):
    assert login(liaison_a).get(reverse("admin:groups_activity_import")).status_code == 403


def test_the_export_follows_the_scope(login, staff_a, county_group, township_group, rep_a2, committee_staff):
    ActivityFactory(group=county_group, title="县级小组活动", recorded_by=committee_staff)
    ActivityFactory(group=township_group, title="镇小组活动", participants=[rep_a2], recorded_by=staff_a)
    rows = _rows(_export(login(staff_a), "activity", ActivityResource))
    assert [(r["活动名称"], r["参加代表"], r["确认状态"]) for r in rows] == [("镇小组活动", "刘建国", "已确认")]


@pytest.mark.parametrize("size", [2, 50])
def test_exports_cost_the_same_at_any_size(
    size, login, committee_staff, county_group, county, rep_a, rep_b, django_assert_max_num_queries
):
    for i in range(size):
        ActivityFactory(group=county_group, participants=[rep_a, rep_b], recorded_by=committee_staff)
        services.inspection_create(
            kind="survey", region=county, topic=f"调研{i}", started_on=county_group.memberships.first().joined_on,
            participants=[rep_a], by=committee_staff,
        )  # fmt: skip
    client = login(committee_staff)
    # 11: the file is named for the user's scope (one query for the county's name).
    with django_assert_max_num_queries(11):
        rows = _rows(_export(client, "activity", ActivityResource))
    assert len(rows) == size and rows[0]["参加代表"] in ("杨秀英、蓝春花", "蓝春花、杨秀英")
    with django_assert_max_num_queries(11):
        rows = _rows(_export(client, "inspection", InspectionResource))
    assert len(rows) == size == Inspection.objects.count()
