"""Celery on the real Redis: a worker runs tasks, and beat's schedule fires without anyone asking."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from apps.core.models import TaskHeartbeat
from apps.core.tasks import beat_heartbeat
from renda.celery import app

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_redis():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set: run the suite through bin/test")
        pytest.skip("REDIS_URL is not set: run the suite through bin/test")


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_runs_a_task_sent_through_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        beat_heartbeat.delay()
        assert _wait_for(lambda: TaskHeartbeat.objects.filter(name="beat_heartbeat").exists(), 20)
    assert TaskHeartbeat.objects.get(name="beat_heartbeat").runs == 1


def _test_database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def test_beat_fires_the_scheduled_heartbeat_and_a_worker_runs_it(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "HEARTBEAT_SECONDS": "1",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "beat-schedule"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "renda",
            "worker",
            "--beat",
            "--pool=solo",
            "--loglevel=WARNING",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fired = _wait_for(lambda: TaskHeartbeat.objects.filter(name="beat_heartbeat", runs__gte=2).exists(), 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert fired, output
