"""The outbox with real Celery workers on real Redis: once per reminder, whatever happens."""

from datetime import date

import pytest
from django.db import transaction

from apps.notifications import rules
from apps.notifications.models import Notification
from apps.notifications.rules import Reminder
from tests.servers import RedisServer, celery_worker, kill_hard, require_servers, run_django, wait_for, worker_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DUE = "2022-04-05"


@pytest.fixture(autouse=True)
def _needs_servers():
    require_servers()


@pytest.fixture
def sms_env(tmp_path):
    path = tmp_path / "sms.jsonl"
    return path, {"RENDA_SMS_BACKEND": "apps.notifications.channels.FileSMSBackend", "RENDA_SMS_FILE": str(path)}


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


@pytest.fixture
def due_rule(rep_a, recipient):
    @rules.rule("test.due")
    def scan(today):
        yield Reminder(target=rep_a, recipients=[recipient], due_on=today, subject="到期提醒", channels=["sms"])

    yield
    rules.RULES.pop("test.due")


def test_a_scan_run_twice_delivers_once(tmp_path, sms_env, due_rule):
    path, env = sms_env
    with celery_worker(tmp_path, env=env) as worker:
        for _ in range(2):
            with transaction.atomic():
                rules.run_scans(today=date(2022, 4, 5))
        sent = wait_for(lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == 1, 30)
        assert sent, worker_log(worker)
    assert len(_lines(path)) == 1
    assert Notification.objects.get().attempts == 1


def test_a_worker_killed_mid_send_leaves_the_row_to_be_sent_once(tmp_path, sms_env, rep_a, recipient):
    from apps.notifications import services

    path, env = sms_env
    slow = {**env, "RENDA_SMS_BACKEND": "tests.notifications.slow_sms.SlowFileSMSBackend"}
    with celery_worker(tmp_path, env=slow) as doomed:
        services.notification_queue(
            rule="test.crash", target=rep_a, recipients=[recipient], due_on=DUE, subject="到期提醒", channels=["sms"]
        )
        claimed = wait_for(lambda: Notification.objects.filter(status=Notification.Status.SENDING).exists(), 30)
        output = kill_hard(doomed)
        assert claimed, output
    assert _lines(path) == []
    # A fresh worker with beat: its sweep finds the abandoned row once the timeout has passed.
    fast = {**env, "RENDA_NOTIFICATION_SENDING_TIMEOUT": "2", "OUTBOX_SWEEP_SECONDS": "1"}
    with celery_worker(tmp_path, beat=True, env=fast):
        assert wait_for(lambda: Notification.objects.filter(status=Notification.Status.SENT).exists(), 60)
    row = Notification.objects.get()
    assert row.attempts == 2
    assert len(_lines(path)) == 1


def test_a_write_while_redis_is_down_is_kept_and_sent_when_it_returns(tmp_path, sms_env, rep_a, recipient):
    path, env = sms_env
    redis = RedisServer(tmp_path)  # its port is free: nothing answers there yet
    run_django(
        "from apps.notifications.services import notification_queue as q;"
        "from apps.representatives.models import Representative as R;from apps.core.models import User as U;"
        f"q(rule='test.down', target=R.objects.get(pk={rep_a.pk}), recipients=[U.objects.get(pk={recipient.pk})],"
        "due_on='2022-04-05', subject='到期提醒', channels=['sms'])",
        env={"REDIS_URL": redis.url},
    )
    assert Notification.objects.get().status == Notification.Status.QUEUED
    redis.start()
    try:
        worker_env = {**env, "REDIS_URL": redis.url, "OUTBOX_SWEEP_SECONDS": "1"}
        with celery_worker(tmp_path, beat=True, env=worker_env):
            assert wait_for(lambda: Notification.objects.filter(status=Notification.Status.SENT).exists(), 60)
    finally:
        redis.stop()
    assert len(_lines(path)) == 1
