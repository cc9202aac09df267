"""Committee staff download the roster template in Chromium, fill two rows, import them, see
the preview's counts and confirm."""

import openpyxl
import pytest

from apps.representatives.models import Representative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_staff_fill_the_template_and_import_two_representatives(
    live_server, log_in, committee_staff, county_term, township_a, township_b, tmp_path
):
    page = log_in(committee_staff)
    page.goto(live_server.url + "/admin/representatives/representative/")
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.locator("#import-template-link").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "代表名册导入模板.xlsx"

    book = openpyxl.load_workbook(template)
    sheet = book["代表名册"]
    headers = [str(c.value).rstrip("*") for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)  # the examples make way for the clerk's own rows
    for name, township, number in [("蒙春香", "儒林镇", "C101"), ("杨·阿布", "茅坪镇", "C102")]:
        values = {"姓名": name, "性别": "女", "民族": "苗", "代表构成": "农民", "代表层级": "县人大代表",
                  "届次": 18, "所在乡镇": township, "代表证号": number, "联系电话": "139 0000 1111",
                  "状态": "在任", "出生日期": "1980年2月3日", "政治面貌": "群众"}  # fmt: skip
        sheet.append([values.get(h, "") for h in headers])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.get_by_label("文件").set_input_files(str(filled))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    counts = {k: page.locator(f'[data-count="{k}"]').inner_text() for k in ("new", "changed", "unchanged", "errors")}
    assert counts == {"new": "2", "changed": "0", "unchanged": "0", "errors": "0"}
    assert not Representative.objects.exists()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    assert "导入完成：新增 2 行" in page.content()
    assert page.csp_errors == []
    saved = {r.name: (r.township.name, r.phone) for r in Representative.objects.select_related("township")}
    assert saved == {"蒙春香": ("儒林镇", "13900001111"), "杨·阿布": ("茅坪镇", "13900001111")}
