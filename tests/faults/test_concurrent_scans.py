"""The reminder scan run many times at once: two beat processes, or five scans started together.

Whatever the overlap, each reminder is one outbox row per recipient and channel, and one message.
The rule is a real one (liaison.concern_overdue) over concerns nobody accepted in time.
"""

import json
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_client
from django.utils import timezone

from apps.liaison.models import Concern
from apps.liaison.services import new_tracking_code
from apps.notifications.models import Notification
from tests.servers import ROOT, celery_worker, wait_for, worker_log
from tests.servers import test_database_url as database_url

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

Status = Notification.Status
RULE = "liaison.concern_overdue"
SCANS = 5

# One scan, started when the test opens the gate, so that all of them run at the same moment.
SCAN = """
import time
from pathlib import Path
from apps.notifications.tasks import scan_reminders
Path({ready!r}).touch()
for _ in range(1200):
    if Path({gate!r}).exists():
        break
    time.sleep(0.05)
scan_reminders()
"""


@pytest.fixture
def overdue(township_a, recipient):
    """Concerns left unaccepted past their deadline, written directly: no notification of their own."""
    late = timezone.localdate() - timedelta(days=5)
    return [
        Concern.objects.create(
            region=township_a,
            category="roads",
            description=f"第{n}处村道塌方，影响出行。",
            consented_at=timezone.now(),
            tracking_code=new_tracking_code(),
            accept_due_on=late,
        )
        for n in range(4)
    ]


@pytest.fixture
def env(tmp_path, redis):
    return {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis.url,
        "RENDA_NOTIFICATION_CHANNELS": "inbox,sms",
        "RENDA_SMS_BACKEND": "apps.notifications.channels.FileSMSBackend",
        "RENDA_SMS_FILE": str(tmp_path / "sms.jsonl"),
    }


def _assert_once_per_key(overdue, env):
    rows = Notification.objects.filter(rule=RULE)
    assert rows.count() == 2 * len(overdue)  # inbox and SMS to the one township officer
    assert set(rows.values_list("status", flat=True)) == {Status.SENT}
    assert set(rows.values_list("attempts", flat=True)) == {1}
    lines = Path(env["RENDA_SMS_FILE"]).read_text(encoding="utf-8").splitlines()
    sms = Counter(json.loads(line)["text"] for line in lines)
    assert len(sms) == len(overdue)
    assert set(sms.values()) == {1}


def test_two_beat_processes_make_one_reminder_and_one_message_per_key(tmp_path, overdue, env):
    fast = {**env, "REMINDER_SCAN_SECONDS": "1", "OUTBOX_SWEEP_SECONDS": "1"}
    with celery_worker(tmp_path, beat=True, env=fast) as one, celery_worker(tmp_path, beat=True, env=fast) as two:

        def scans_sent(worker) -> int:
            return worker_log(worker).count("Sending due task notifications-scan")

        def scans_run() -> int:
            return sum(worker_log(w).count("reminder scan queued") for w in (one, two))

        both_beat = wait_for(lambda: min(scans_sent(one), scans_sent(two)) >= 3 and scans_run() >= 6, 90)
        assert both_beat, worker_log(one) + worker_log(two)
        rows = Notification.objects.filter(rule=RULE)
        assert wait_for(lambda: rows.count() and not rows.exclude(status=Status.SENT).exists(), 60)
    _assert_once_per_key(overdue, env)


def test_five_scans_at_the_same_moment_make_one_reminder_and_one_message_per_key(tmp_path, overdue, env):
    gate = tmp_path / "gate"
    ready = [tmp_path / f"ready-{n}" for n in range(SCANS)]
    scans = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", SCAN.format(ready=str(path), gate=str(gate))],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for path in ready
    ]
    try:
        assert wait_for(lambda: all(path.exists() for path in ready), 120)
        gate.touch()
        outputs = [scan.communicate(timeout=120)[0] for scan in scans]
    finally:
        for scan in scans:
            if scan.poll() is None:
                scan.kill()
    assert [scan.returncode for scan in scans] == [0] * SCANS, "\n".join(outputs)
    assert Notification.objects.filter(rule=RULE).count() == 2 * len(overdue)

    # Each scan handed every queued row to the broker: five tasks wait for each row.
    with celery_worker(tmp_path, env=env) as worker:
        assert wait_for(lambda: _broker_drained(env), 90), worker_log(worker)
        received = worker_log(worker).count("] received")
    assert received == SCANS * Notification.objects.filter(rule=RULE).count()
    _assert_once_per_key(overdue, env)


def _broker_drained(env) -> bool:
    """No task waiting in the queue, and none taken by the worker and not yet done."""
    broker = redis_client.Redis.from_url(env["REDIS_URL"])
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0
