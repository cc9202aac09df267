"""A background export written end to end by a real Celery worker on the real Redis and PostgreSQL."""

import openpyxl
import pytest

from apps.core.export_jobs import export_request
from apps.core.models import ExportJob
from apps.liaison import services
from tests.servers import celery_worker, require_servers, wait_for, worker_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_servers():
    require_servers()


def test_a_worker_writes_the_queued_export(tmp_path, staff_a, township_a, township_b):
    mine, _ = services.concern_submit(region=township_a, category="roads", description="村道塌方。", name="王大妈")
    services.concern_submit(region=township_b, category="water", description="停水三天。", name="李大伯")
    folder = tmp_path / "reports"
    with celery_worker(tmp_path, env={"RENDA_REPORT_DIR": str(folder)}) as worker:
        job = export_request(model_label="liaison.concern", query="", by=staff_a)  # commits: task sent
        finished = wait_for(lambda: not ExportJob.objects.get(pk=job.pk).is_active, 120)
        assert finished, worker_log(worker)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.error) == (ExportJob.Status.DONE, 1, 1, "")
    rows = list(openpyxl.load_workbook(folder / "exports" / job.file_name).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [mine.display_code]
