"""Celery on the real Redis: a worker runs tasks, and beat's schedule fires without anyone asking."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from apps.core.models import TaskHeartbeat
from apps.core.tasks import beat_heartbeat
from renda.celery import app
from tests.servers import celery_worker, wait_for, worker_log

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_redis():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is not set: run the suite through bin/test")
        pytest.skip("REDIS_URL is not set: run the suite through bin/test")


def test_a_worker_runs_a_task_sent_through_redis():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        beat_heartbeat.delay()
        assert wait_for(lambda: TaskHeartbeat.objects.filter(name="beat_heartbeat").exists(), 20)
    assert TaskHeartbeat.objects.get(name="beat_heartbeat").runs == 1


def test_beat_fires_the_scheduled_heartbeat_and_a_worker_runs_it(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    with celery_worker(tmp_path, beat=True, env={"HEARTBEAT_SECONDS": "1"}) as worker:
        fired = wait_for(lambda: TaskHeartbeat.objects.filter(name="beat_heartbeat", runs__gte=2).exists(), 60)
        assert fired, worker_log(worker)
