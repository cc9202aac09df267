"""Background jobs and the heartbeat with real Celery workers that die or stop.

An export whose worker is SIGKILLed mid-job is sent again by beat once stale and finished by
another worker; the operator is warned once the heartbeat is older than the setting after the
worker (with beat) stopped.
"""

from datetime import timedelta

import openpyxl
import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core import export_jobs
from apps.core.models import ExportJob, TaskHeartbeat
from apps.liaison import services
from tests.servers import celery_worker, kill_hard, wait_for, worker_log

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

Status = ExportJob.Status


@pytest.fixture
def queued_export(monkeypatch, staff_a, township_a):
    """An export asked for while no worker listened: queued, never handed to a broker."""
    services.concern_submit(region=township_a, category="roads", description="村道塌方。", name="王大妈")
    monkeypatch.setattr(export_jobs, "_enqueue", lambda job_id: None)
    job = export_jobs.export_request(model_label="liaison.concern", query="", by=staff_a)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    return job


def test_an_export_whose_worker_is_killed_is_requeued_and_finished_by_another(tmp_path, redis, queued_export):
    env = {"REDIS_URL": redis.url, "RENDA_REPORT_DIR": str(tmp_path / "reports"), "JOB_REQUEUE_SECONDS": "1"}
    running = ExportJob.objects.filter(pk=queued_export.pk, status=Status.RUNNING)
    with transaction.atomic():
        # The concerns table locked: the worker that claims the job waits on it, mid-job.
        connection.cursor().execute("LOCK TABLE liaison_concern IN ACCESS EXCLUSIVE MODE")
        with celery_worker(tmp_path, beat=True, env=env) as doomed:
            claimed = wait_for(running.exists, 60)
            output = kill_hard(doomed)  # SIGKILL: the job stays "running", its message unacknowledged
            assert claimed, output
    assert ExportJob.objects.get(pk=queued_export.pk).attempts == 1

    with celery_worker(tmp_path, beat=True, env={**env, "RENDA_EXPORT_STALE_SECONDS": "2"}) as worker:
        finished = wait_for(lambda: not ExportJob.objects.get(pk=queued_export.pk).is_active, 90)
        assert finished, worker_log(worker)
    job = ExportJob.objects.get(pk=queued_export.pk)
    assert (job.status, job.attempts, job.rows_done, job.error) == (Status.DONE, 2, 1, "")
    rows = list(
        openpyxl.load_workbook(tmp_path / "reports" / "exports" / job.file_name)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert len(rows) == 2


def test_the_operator_is_warned_once_the_stopped_workers_heartbeat_is_stale(tmp_path, redis, committee_staff):
    client = Client()
    client.force_login(committee_staff)
    page = reverse("admin:core_taskheartbeat_operations")
    with celery_worker(tmp_path, beat=True, env={"REDIS_URL": redis.url, "HEARTBEAT_SECONDS": "1"}) as worker:
        beating = wait_for(lambda: TaskHeartbeat.objects.filter(name="beat_heartbeat", runs__gte=2).exists(), 60)
        assert beating, worker_log(worker)
        assert "heartbeat-warning" not in client.get(page).content.decode()
    last = TaskHeartbeat.objects.get(name="beat_heartbeat").last_run_at  # the worker and beat have stopped

    with time_machine.travel(last + timedelta(minutes=11)):  # RENDA_HEARTBEAT_STALE_MINUTES is 10
        assert TaskHeartbeat.objects.get(name="beat_heartbeat").last_run_at == last
        text = client.get(page).content.decode()
        assert "后台任务心跳已超过 10 分钟未更新" in text
        assert "Celery worker 或 beat 可能已停止" in client.get(reverse("admin:index")).content.decode()
