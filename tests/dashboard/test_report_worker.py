"""A report built end to end by a real Celery worker on the real Redis and PostgreSQL."""

import datetime
import itertools
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from apps.dashboard import services
from apps.dashboard.figures import period_for_year
from apps.dashboard.models import ReportJob
from apps.liaison.models import Concern
from tests.servers import celery_worker, require_servers, wait_for, worker_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _needs_servers():
    require_servers()


def closed_concern(region, day: datetime.date) -> Concern:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    row = Concern.objects.create(
        tracking_code=f"W{next(_codes):08d}",
        region=region,
        category=Concern.Category.ROADS,
        description="村道塌方。",
        consented_at=moment,
        accept_due_on=day,
        status=Concern.Status.CLOSED,
    )
    Concern.objects.filter(pk=row.pk).update(submitted_at=moment)
    return row


def figure_value(book, sheet: str, label: str):
    return next(row[1] for row in book[sheet].iter_rows(values_only=True) if row[0] == label)


def test_a_worker_builds_the_queued_report_into_an_xlsx_and_a_pdf(tmp_path, committee_staff, township_a, township_b):
    for region, day in [(township_a, "2022-03-01"), (township_a, "2022-07-01"), (township_b, "2022-11-30")]:
        closed_concern(region, datetime.date.fromisoformat(day))
    closed_concern(township_b, datetime.date(2021, 12, 31))  # another year
    folder = tmp_path / "reports"
    with celery_worker(tmp_path, env={"RENDA_REPORT_DIR": str(folder)}) as worker:
        job = services.report_request(user=committee_staff, period=period_for_year(2022))  # commits: task sent
        finished = wait_for(lambda: not ReportJob.objects.get(pk=job.pk).is_active, 120)
        assert finished, worker_log(worker)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (ReportJob.Status.DONE, 100, "")
    book = openpyxl.load_workbook(folder / job.xlsx_name)
    assert figure_value(book, "联系群众", "办理群众意见") == 3
    assert (folder / job.pdf_name).read_bytes().startswith(b"%PDF")


def test_a_job_the_broker_never_got_is_sent_again_and_built(tmp_path, committee_staff, township_a):
    job = ReportJob.objects.create(
        requested_by=committee_staff,
        scope_paths=township_a.path,
        region_path=township_a.path,
        scope_label="儒林镇",
        year=2022,
        period_key="y2022",
    )  # as report_request leaves it when Redis is down: queued, no task sent
    ReportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with celery_worker(tmp_path, env={"RENDA_REPORT_DIR": str(tmp_path / "reports")}) as worker:
        assert services.report_requeue() == 1
        finished = wait_for(lambda: not ReportJob.objects.get(pk=job.pk).is_active, 120)
        assert finished, worker_log(worker)
    assert ReportJob.objects.get(pk=job.pk).status == ReportJob.Status.DONE
    assert services.report_requeue() == 0
