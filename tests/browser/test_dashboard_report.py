"""Committee staff ask for the 2022 report in Chromium, watch it finish, and download the xlsx."""

import datetime

import openpyxl
import pytest

from apps.dashboard.models import ReportJob
from tests.dashboard.test_report_worker import _needs_servers, closed_concern, figure_value  # noqa: F401
from tests.servers import celery_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_staff_request_the_year_report_and_download_the_xlsx(
    live_server, log_in, committee_staff, township_a, township_b, tmp_path, settings
):
    for region in (township_a, township_a, township_b):
        closed_concern(region, datetime.date(2022, 6, 1))
    folder = tmp_path / "reports"  # where the worker writes and the web server reads
    settings.RENDA_DASHBOARD = {**settings.RENDA_DASHBOARD, "REPORT_DIR": str(folder)}
    with celery_worker(tmp_path, env={"RENDA_REPORT_DIR": str(folder)}):
        page = log_in(committee_staff)
        page.goto(live_server.url + "/dashboard/report/")
        page.get_by_label("统计期间").select_option("y2022")
        page.get_by_label("乡镇").select_option(label="全部（本人管辖范围）")
        page.get_by_role("button", name="生成报告").click()
        page.wait_for_load_state()
        assert page.locator("progress").count() + page.locator("a.report-xlsx").count() == 1
        # report.js follows the job and reloads the page once it is done.
        page.locator("a.report-xlsx").wait_for(timeout=120_000)
        with page.expect_download() as download:
            page.locator("a.report-xlsx").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        page.get_by_role("link", name="打印版").click()
        page.wait_for_load_state()
        heading = page.locator("h1").inner_text()
    assert saved.suffix == ".xlsx"
    assert figure_value(openpyxl.load_workbook(saved), "联系群众", "办理群众意见") == 3
    assert heading == "城步苗族自治县人大常委会 2022 年代表工作统计报告"
    assert ReportJob.objects.get().status == ReportJob.Status.DONE
    assert page.csp_errors == []
