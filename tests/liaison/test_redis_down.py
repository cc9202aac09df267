"""A citizen's concern is saved while Redis is down, and its notification goes out when it returns."""

import pytest
from django.conf import settings
from django.db import connection

from apps.core.models import User
from apps.liaison.models import Concern
from apps.notifications.models import Notification
from tests.servers import RedisServer, celery_worker, run_django, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# Runs in its own Django process, as the web server would: GET the form, wait the minimum
# fill time, POST it, follow to the confirmation page and print the tracking code shown.
SUBMIT = """
import re, time
from django.test import Client
c = Client(REMOTE_ADDR="198.51.100.7")
page = c.get("/liaison/concerns/new/").content.decode()
token = re.search(r'name="token" value="([^"]+)"', page).group(1)
time.sleep(1.2)
t = time.monotonic()
r = c.post("/liaison/concerns/new/", {{"township": {township}, "category": "roads", "consent": "on",
    "description": "村口的路灯坏了三个月，晚上出行很不方便。", "phone": "13812345678", "website": "", "token": token}},
    follow=True)
print("status", r.status_code, "seconds", round(time.monotonic() - t, 1))
print("code", re.search(r'id="tracking-code">([A-Z0-9-]+)<', r.content.decode()).group(1).replace("-", ""))
"""


def test_a_concern_submitted_while_redis_is_down_is_saved_and_notified_later(tmp_path, office_a, township_a, staff_a):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis: run the suite through bin/test")
    redis = RedisServer(tmp_path)  # its port is free: nothing answers there yet
    result = run_django(
        SUBMIT.format(township=township_a.pk),
        env={"REDIS_URL": redis.url, "RENDA_CONCERN_MIN_FILL_SECONDS": "1"},
    )
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines() if " " in line)
    print(result.stdout)  # the POST time with the broker down, for the record
    assert lines["status"].startswith("200"), result.stdout
    concern = Concern.objects.get()
    assert concern.tracking_code == lines["code"].strip()
    row = Notification.objects.get(rule="concern.submitted", recipient=staff_a)
    assert row.status == Notification.Status.QUEUED
    redis.start()
    try:
        with celery_worker(tmp_path, beat=True, env={"REDIS_URL": redis.url, "OUTBOX_SWEEP_SECONDS": "1"}):
            assert wait_for(lambda: Notification.objects.filter(pk=row.pk, status="sent").exists(), 60)
    finally:
        redis.stop()
    assert User.objects.get(pk=staff_a.pk).notifications.filter(status="sent").count() == 1
