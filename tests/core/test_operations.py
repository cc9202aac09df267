"""Running renda year after year: /healthz, the operator's page (运行状态), jobs that give up after
three dead workers and can be retried, and the housekeeping tasks on files and rows of known ages."""

import os
from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core import export_jobs, jobs
from apps.core import services as core_services
from apps.core.models import ExportJob, TaskHeartbeat, User
from apps.core.tasks import expire_job_files, remove_upload_leftovers
from apps.dashboard import services as dashboard_services
from apps.dashboard.models import ReportJob
from apps.liaison.models import RateLimitHit
from apps.liaison.tasks import purge_rate_limits
from apps.notifications.models import Notification
from apps.notifications.tasks import purge_sent

pytestmark = pytest.mark.django_db
Status = ExportJob.Status
OPERATIONS = "admin:core_taskheartbeat_operations"


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.RENDA_DASHBOARD = {"REPORT_DIR": str(tmp_path / "reports")}
    settings.RENDA_EXPORT_DIR = str(tmp_path / "reports" / "exports")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "reports" / "exports").mkdir(parents=True)
    return tmp_path / "reports"


@pytest.fixture
def enqueued(monkeypatch):
    """Jobs handed to the broker (no worker here): their ids."""
    sent = []
    monkeypatch.setattr(export_jobs, "_enqueue", sent.append)
    monkeypatch.setattr(dashboard_services, "_enqueue", sent.append)
    return sent


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export(user, **fields) -> ExportJob:
    scope = export_jobs._scope_path(user)
    return ExportJob.objects.create(
        requested_by=user, model_label="liaison.concern", title="导出", region_path=scope, **fields
    )


def _report(user, township, **fields) -> ReportJob:
    fields = {"year": 2026, "period_key": "y2026", **fields}
    return ReportJob.objects.create(
        requested_by=user, scope_paths=township.path, region_path=township.path, scope_label=township.name, **fields
    )


# --- /healthz --------------------------------------------------------------------------------------


def test_healthz_answers_anyone_with_the_state_of_database_and_cache():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_runs_no_model_query(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # SELECT 1
        assert Client().get("/healthz").status_code == 200


# --- the operator's page ---------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "expected"), [("committee_staff", 200), ("staff_a", 403), ("liaison_a", 403)])
def test_the_operators_page_is_for_committee_staff_and_superusers(request, persona, expected):
    assert _client(request.getfixturevalue(persona)).get(reverse(OPERATIONS)).status_code == expected


def test_the_operators_page_needs_a_staff_login(unit_staff):
    assert Client().get(reverse(OPERATIONS)).status_code == 302
    assert _client(unit_staff).get(reverse(OPERATIONS)).status_code == 302


def test_a_superuser_sees_the_operators_page():
    admin = User.objects.create_superuser("root", password=None)
    page = _client(admin).get(reverse(OPERATIONS)).content.decode()
    assert 'id="database-state">正常' in page


def test_a_heartbeat_older_than_the_setting_is_a_warning_on_the_page_and_the_index(committee_staff, settings):
    settings.RENDA = {**settings.RENDA, "HEARTBEAT_STALE_MINUTES": 10}
    core_services.heartbeat_record(name="beat_heartbeat")
    client = _client(committee_staff)
    assert "heartbeat-warning" not in client.get(reverse(OPERATIONS)).content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        page = client.get(reverse(OPERATIONS)).content.decode()
        assert "后台任务心跳已超过 10 分钟未更新" in page
        assert "后台任务心跳已超过 10 分钟未更新" in client.get(reverse("admin:index")).content.decode()


def test_the_page_shows_the_outbox_backlog_and_the_way_to_retry_failures(committee_staff):
    kind = ContentType.objects.get_for_model(User)
    for status in ("queued", "failed", "failed"):
        Notification.objects.create(
            rule=f"test.{status}.{Notification.objects.count()}",
            content_type=kind,
            object_id=committee_staff.pk,
            recipient=committee_staff,
            due_on=timezone.localdate(),
            subject="提醒",
            status=status,
        )
    page = _client(committee_staff).get(reverse(OPERATIONS)).content.decode()
    assert "2 条消息发送失败" in page
    assert reverse("admin:notifications_notification_changelist") + "?status__exact=failed" in page


def test_the_page_counts_jobs_by_status_and_shows_disk_use(committee_staff, township_a, folders):
    _export(committee_staff, status=Status.DONE)
    _report(committee_staff, township_a, status=Status.FAILED, error="坏了")
    (folders / "a.bin").write_bytes(b"x" * 2048)
    response = _client(committee_staff).get(reverse(OPERATIONS))
    rows = {str(row["label"]): row["counts"] for row in response.context["jobs"]}
    assert rows == {"后台导出任务": [0, 0, 1, 0], "统计报告任务": [0, 0, 0, 1]}
    assert response.context["disks"][1]["used"] == 2048


# --- jobs that recover -----------------------------------------------------------------------------


def test_an_export_whose_worker_died_is_sent_again_and_claimed_with_its_next_attempt(staff_a, enqueued):
    job = _export(staff_a, status=Status.RUNNING, attempts=1, started_at=timezone.now())
    assert export_jobs.export_requeue() == 0  # its worker may still be at it
    with time_machine.travel(timezone.now() + jobs.stale_after(ExportJob) + timedelta(minutes=1)):
        assert export_jobs.export_requeue() == 1
        assert jobs.job_claim(ExportJob, job.pk)
    assert enqueued == [job.pk]
    assert ExportJob.objects.get(pk=job.pk).attempts == 2


def test_a_job_whose_worker_died_three_times_stays_failed_with_its_reason(staff_a, township_a, enqueued):
    export = _export(staff_a, status=Status.RUNNING, attempts=3, started_at=timezone.now())
    report = _report(staff_a, township_a, status=Status.RUNNING, attempts=3, started_at=timezone.now())
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert export_jobs.export_requeue() == 0
        assert dashboard_services.report_requeue() == 0
        assert not jobs.job_claim(ExportJob, export.pk)
    assert enqueued == []
    for job in (ExportJob.objects.get(pk=export.pk), ReportJob.objects.get(pk=report.pk)):
        assert (job.status, job.attempts) == (Status.FAILED, 3)
        assert "已中断 3 次" in job.error


def test_staff_retry_a_failed_job_from_the_operators_page(
    committee_staff, enqueued, django_capture_on_commit_callbacks
):
    job = _export(committee_staff, status=Status.FAILED, attempts=3, error="后台进程在处理该任务时已中断 3 次")
    client = _client(committee_staff)
    response = client.get(reverse(OPERATIONS))
    page = response.content.decode()
    assert "已中断 3 次" in page and 'value="core.exportjob"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(OPERATIONS), {"kind": "core.exportjob", "job": job.pk})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (Status.QUEUED, 0, "")
    assert enqueued == [job.pk]


def test_a_job_outside_the_staff_members_scope_cannot_be_retried(staff_b, township_a, enqueued):
    other = User.objects.create(username="x", role=User.Role.TOWNSHIP)
    job = _report(other, township_a, status=Status.FAILED)
    staff_b.role = User.Role.COMMITTEE
    staff_b.save()
    _client(staff_b).post(reverse(OPERATIONS), {"kind": "dashboard.reportjob", "job": job.pk})
    assert ReportJob.objects.get(pk=job.pk).status == Status.FAILED


# --- housekeeping ----------------------------------------------------------------------------------


def test_export_and_report_files_past_their_retention_are_deleted_and_the_rows_kept(
    staff_a, township_a, folders, settings
):
    settings.RENDA_HOUSEKEEPING = {**settings.RENDA_HOUSEKEEPING, "JOB_FILE_RETENTION_DAYS": 30}
    now = timezone.now()
    old = _export(staff_a, status=Status.DONE, file_name="old.xlsx", finished_at=now - timedelta(days=31))
    new = _export(staff_a, status=Status.DONE, file_name="new.xlsx", finished_at=now - timedelta(days=29))
    report = _report(
        staff_a,
        township_a,
        status=Status.DONE,
        xlsx_name="r.xlsx",
        pdf_name="r.pdf",
        finished_at=now - timedelta(days=40),
    )
    for path in (
        folders / "exports" / "old.xlsx",
        folders / "exports" / "new.xlsx",
        folders / "r.xlsx",
        folders / "r.pdf",
    ):
        path.write_bytes(b"PK")
    expire_job_files()
    assert sorted(p.name for p in folders.rglob("*.*")) == ["new.xlsx"]
    old, new, report = (type(j).objects.get(pk=j.pk) for j in (old, new, report))
    assert (old.status, old.file_name, old.is_expired) == (Status.DONE, "", True)
    assert (report.xlsx_name, report.pdf_name, report.is_expired) == ("", "", True)
    assert (new.file_name, new.is_expired) == ("new.xlsx", False)
    assert TaskHeartbeat.objects.get(name="expire_job_files").detail == "删除 3 个文件"
    client = _client(staff_a)
    assert client.get(reverse("export_download", args=[old.token])).status_code == 404
    assert client.get(reverse("export_jobs")).content.decode().count('class="export-expired"') == 1


def test_half_written_files_older_than_the_setting_are_removed(folders, settings):
    settings.RENDA_HOUSEKEEPING = {**settings.RENDA_HOUSEKEEPING, "LEFTOVER_HOURS": 24}
    stale, fresh, kept = (
        folders / ".report-1-ab.xlsx.part",
        folders / "exports" / ".export-2-cd.xlsx.part",
        folders / "report-3.pdf",
    )
    for path in (stale, fresh, kept):
        path.write_bytes(b"x")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(stale, (two_days_ago, two_days_ago))
    os.utime(kept, (two_days_ago, two_days_ago))
    remove_upload_leftovers()
    assert (stale.exists(), fresh.exists(), kept.exists()) == (False, True, True)
    assert TaskHeartbeat.objects.get(name="remove_upload_leftovers").detail == "删除 1 个文件"


def _notification(user, n, *, channel, status, days_ago, read=False) -> Notification:
    moment = timezone.now() - timedelta(days=days_ago)
    return Notification.objects.create(
        rule=f"test.rule{n}",
        content_type=ContentType.objects.get_for_model(User),
        object_id=user.pk,
        recipient=user,
        channel=channel,
        status=status,
        due_on=moment.date(),
        subject="提醒",
        sent_at=moment if status == "sent" else None,
        read_at=moment if read else None,
    )


def test_delivered_messages_past_the_retention_are_deleted_unread_and_failed_ones_kept(staff_a, settings, caplog):
    settings.RENDA_HOUSEKEEPING = {**settings.RENDA_HOUSEKEEPING, "NOTIFICATION_RETENTION_DAYS": 365}
    gone = [
        _notification(staff_a, 1, channel="email", status="sent", days_ago=400),
        _notification(staff_a, 2, channel="sms", status="sent", days_ago=400),
        _notification(staff_a, 3, channel="inbox", status="sent", days_ago=400, read=True),
    ]
    kept = [
        _notification(staff_a, 4, channel="inbox", status="sent", days_ago=400),  # never read
        _notification(staff_a, 5, channel="email", status="failed", days_ago=400),
        _notification(staff_a, 6, channel="email", status="sent", days_ago=300),
    ]
    with caplog.at_level("INFO", logger="renda.audit"):
        purge_sent()
    assert set(Notification.objects.values_list("pk", flat=True)) == {n.pk for n in kept}
    assert not Notification.objects.filter(pk__in=[n.pk for n in gone]).exists()
    assert "notifications purged rule=test.rule1 channel=email count=1" in caplog.text
    assert TaskHeartbeat.objects.get(name="purge_sent_notifications").detail == "删除 3 条已发送消息"


def test_rate_limit_counters_are_purged_and_the_run_recorded(db):
    now = timezone.now()
    RateLimitHit.objects.create(key="old", window_start=now - timedelta(days=2), count=3)
    RateLimitHit.objects.create(key="new", window_start=now, count=1)
    purge_rate_limits()
    assert list(RateLimitHit.objects.values_list("key", flat=True)) == ["new"]
    beat = TaskHeartbeat.objects.get(name="purge_rate_limits")
    assert (beat.runs, beat.detail) == (1, "删除 1 条计数")


def test_a_housekeeping_task_that_fails_records_why(monkeypatch):
    def broken(**kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(jobs, "job_files_expire_all", broken)
    with pytest.raises(OSError):
        expire_job_files()
    assert TaskHeartbeat.objects.get(name="expire_job_files").detail == "出错：OSError: disk gone"


def test_committee_staff_retry_a_failed_report_from_its_admin_list(
    committee_staff, township_a, enqueued, django_capture_on_commit_callbacks
):
    job = _report(committee_staff, township_a, status=Status.FAILED, attempts=3, error="已中断 3 次")
    done = _report(committee_staff, township_a, status=Status.DONE, period_key="y2025", year=2025)
    changelist = reverse("admin:dashboard_reportjob_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(committee_staff).post(changelist, {"action": "retry", "_selected_action": [job.pk, done.pk]})
    assert response.status_code == 302
    assert ReportJob.objects.get(pk=job.pk).status == Status.QUEUED
    assert ReportJob.objects.get(pk=done.pk).status == Status.DONE
    assert enqueued == [job.pk]
