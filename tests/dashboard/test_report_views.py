"""The report pages: who may ask, follow, download and print; what they get; what the page costs."""

import io

import openpyxl
import pytest
from django.urls import reverse

from apps.dashboard import services
from apps.dashboard.figures import period_for_year
from apps.dashboard.models import ReportJob
from tests.dashboard.test_report_jobs import report_dir  # noqa: F401  (fixture)

PAGE = reverse("dashboard:report")
YEAR_2022 = period_for_year(2022)
TITLE = "城步苗族自治县人大常委会 2022 年代表工作统计报告"


def status_url(job):
    return reverse("dashboard:report_status", args=[job.token])


def download_url(job, kind="xlsx"):
    return reverse("dashboard:report_download", args=[job.token, kind])


@pytest.fixture
def job_of_a(staff_a, report_dir):  # noqa: F811
    job = services.report_request(user=staff_a, period=YEAR_2022)
    return services.report_build(job_id=job.pk)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("committee", 200),
        ("staff_a", 200),
        ("staff_b", 200),
        ("unit", 403),
        ("representative", 403),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_report_page(personas, login, persona, expected):
    assert login(personas[persona]).get(PAGE).status_code == expected


def test_committee_staff_ask_for_a_year_and_see_the_job_queued(committee_staff, login, township_a):
    client = login(committee_staff)
    response = client.post(PAGE, {"period": "y2022", "township": ""}, follow=True)
    job = ReportJob.objects.get()
    assert (job.requested_by, job.year, job.paths) == (committee_staff, 2022, ("/430529/",))
    assert f'data-status-url="{status_url(job)}"' in response.content.decode()
    assert "<progress" in response.content.decode()


def test_committee_staff_may_ask_for_one_township(committee_staff, login, township_a, township_b):
    login(committee_staff).post(PAGE, {"period": "y2022", "township": township_b.pk})
    assert ReportJob.objects.get().paths == (township_b.path,)


def test_township_staff_cannot_pick_another_township(staff_a, login, township_a, township_b):
    response = login(staff_a).get(PAGE)
    assert 'name="township"' not in response.content.decode()
    login(staff_a).post(PAGE, {"period": "y2022", "township": township_b.pk})
    assert ReportJob.objects.get().paths == (township_a.path,)


def test_a_period_not_offered_is_refused_on_the_form(committee_staff, login):
    response = login(committee_staff).post(PAGE, {"period": "y1900"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_the_status_says_how_far_the_job_is(staff_a, login, township_a):
    job = services.report_request(user=staff_a, period=YEAR_2022)
    ReportJob.objects.filter(pk=job.pk).update(status="running", progress=40, step="生成 Excel 工作簿")
    data = login(staff_a).get(status_url(job)).json()
    assert data == {
        "token": str(job.token),
        "status": "running",
        "status_label": "生成中",
        "progress": 40,
        "step": "生成 Excel 工作簿",
        "error": "",
        "xlsx_url": None,
        "pdf_url": None,
    }


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("staff_a", 200),
        ("committee", 200),
        ("staff_b", 404),
        ("unit", 404),
        ("representative", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_follow_and_download_a_township_report(personas, login, job_of_a, persona, expected):
    client = login(personas[persona])
    assert client.get(status_url(job_of_a)).status_code == expected
    for kind in ("xlsx", "pdf"):
        assert client.get(download_url(job_of_a, kind)).status_code == expected


def test_the_download_is_an_attachment_that_is_not_sniffed(staff_a, login, job_of_a):
    response = login(staff_a).get(download_url(job_of_a, "xlsx"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["联系群众"]["A1"].value == "儒林镇人大 2022 年代表工作统计报告"
    pdf = login(staff_a).get(download_url(job_of_a, "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_nothing_to_download_before_the_job_is_done_or_of_another_kind(staff_a, login, township_a, report_dir):  # noqa: F811
    job = services.report_request(user=staff_a, period=YEAR_2022)
    client = login(staff_a)
    assert client.get(download_url(job)).status_code == 404
    services.report_build(job_id=job.pk)
    assert client.get(download_url(job, "html")).status_code == 404
    (report_dir / ReportJob.objects.get().xlsx_name).unlink()
    assert client.get(download_url(job)).status_code == 404


def test_a_done_job_shows_its_download_links(staff_a, login, job_of_a):
    page = login(staff_a).get(PAGE).content.decode()
    assert download_url(job_of_a, "xlsx") in page and download_url(job_of_a, "pdf") in page
    assert "<progress" not in page


def test_the_printable_report_is_rendered_directly_with_numbered_sections(committee_staff, login, township_a):
    response = login(committee_staff).get(reverse("dashboard:report_print"), {"period": "y2022"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{TITLE}</h1>" in html
    assert "一、联系群众" in html and "二、代表建议" in html
    assert "全年办理群众意见 0 件。" in html
    assert "report-print.css" in html and "<style" not in html


def test_township_staff_print_their_own_township_only(staff_a, login, township_a, township_b):
    response = login(staff_a).get(reverse("dashboard:report_print"), {"period": "y2022", "township": township_b.pk})
    assert "<h1>儒林镇人大 2022 年代表工作统计报告</h1>" in response.content.decode()


@pytest.mark.parametrize("persona", ["unit", "representative"])
def test_people_without_the_dashboard_cannot_print(personas, login, persona):
    assert login(personas[persona]).get(reverse("dashboard:report_print"), {"period": "y2022"}).status_code == 403


def test_the_report_page_costs_the_same_for_two_jobs_or_twenty(
    committee_staff, login, county_term, township_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(committee_staff)

    def ask(years):
        for year in years:
            job = services.report_request(user=committee_staff, period=period_for_year(year))
            ReportJob.objects.filter(pk=job.pk).update(status="done", progress=100)

    ask([2021, 2022])
    services.report_request(user=committee_staff, period=period_for_year(2020), region=township_a)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PAGE).status_code == 200
    ask(range(2000, 2018))
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(PAGE).content.decode()
    assert page.count("report-job-") == 20


# --- the admin's read-only list ----------------------------------------------------------------


def test_committee_staff_list_the_jobs_in_their_county(committee_staff, login, job_of_a):
    response = login(committee_staff).get(reverse("admin:dashboard_reportjob_changelist"))
    assert response.status_code == 200
    assert download_url(job_of_a, "xlsx") in response.content.decode()


def test_staff_of_another_township_neither_list_nor_open_the_job(staff_b, login, job_of_a):
    client = login(staff_b)
    assert "儒林镇" not in client.get(reverse("admin:dashboard_reportjob_changelist")).content.decode()
    assert client.get(reverse("admin:dashboard_reportjob_change", args=[job_of_a.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["unit", "representative"])
def test_others_get_no_admin_page_of_jobs(personas, login, persona, job_of_a):
    assert login(personas[persona]).get(reverse("admin:dashboard_reportjob_changelist")).status_code != 200


def test_jobs_are_not_added_changed_or_deleted_in_the_admin(committee_staff, login, job_of_a):
    client = login(committee_staff)
    assert client.get(reverse("admin:dashboard_reportjob_add")).status_code == 403
    assert (
        client.post(reverse("admin:dashboard_reportjob_delete", args=[job_of_a.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.get(reverse("admin:dashboard_reportjob_change", args=[job_of_a.pk])).status_code == 200
    assert ReportJob.objects.filter(pk=job_of_a.pk).exists()


def test_an_empty_year_prints_dashes_for_its_rates(committee_staff, login, township_a):
    html = login(committee_staff).get(reverse("dashboard:report_print"), {"period": "y2022"}).content.decode()
    assert "办理率：—（暂无可计算的数据）。" in html


def test_a_term_report_is_named_after_the_term(committee_staff, login, county_term):
    response = login(committee_staff).get(reverse("dashboard:report_print"), {"period": f"t{county_term.pk}"})
    html = response.content.decode()
    assert "<h1>城步苗族自治县人大常委会代表工作统计报告（城步苗族自治县第十八届人民代表大会）</h1>" in html
    assert "本届以来" in html


def test_the_printable_report_costs_the_same_for_few_concerns_or_many(
    committee_staff, login, township_a, township_b, django_assert_max_num_queries
):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.dashboard.test_report_worker import closed_concern

    client = login(committee_staff)
    url = reverse("dashboard:report_print")
    closed_concern(township_a, datetime.date(2022, 3, 1))
    with CaptureQueriesContext(connection) as small:
        assert "全年办理群众意见 1 件。" in client.get(url, {"period": "y2022"}).content.decode()
    for day in range(1, 13):
        closed_concern(township_b if day % 2 else township_a, datetime.date(2022, day, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert "全年办理群众意见 13 件。" in client.get(url, {"period": "y2022"}).content.decode()


def test_the_report_page_keeps_the_dashboards_period_and_township(committee_staff, login, township_a, township_b):
    client = login(committee_staff)
    chosen = f"period=y2022&township={township_b.pk}"

    dashboard = client.get(reverse("dashboard:index") + "?" + chosen).text
    assert f'href="{reverse("dashboard:report")}?{chosen.replace("&", "&amp;")}"' in dashboard

    form = client.get(reverse("dashboard:report") + "?" + chosen).context["form"]
    assert form["period"].value() == "y2022" and str(form["township"].value()) == str(township_b.pk)
