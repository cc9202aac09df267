"""Redis stops under a running app (gunicorn on the test database, a private Redis as broker).

Citizens' submissions and staff's writes succeed, no page fails, and the reminders written
meanwhile wait in the outbox: a worker sends them once Redis is back, and the app, not restarted,
hands new ones to the broker again.
"""

import os
import signal

import pytest
from django.test import Client
from django.urls import reverse

from apps.core import services as core_services
from apps.core.models import User
from apps.liaison.models import Concern
from apps.notifications.models import Notification
from tests.factories import HandlingUnitFactory
from tests.faults.servers import gunicorn
from tests.faults.web import Visitor, tracking_code
from tests.servers import celery_worker, wait_for, worker_log
from tests.servers import test_database_url as database_url

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

Status = Notification.Status


@pytest.fixture
def bureau(county):
    return HandlingUnitFactory(region=county, name="县交通运输局")


@pytest.fixture
def bureau_staff(bureau):
    return core_services.user_create(
        username="bureau_staff", password=None, role=User.Role.UNIT, full_name="交通局办理员", handling_unit=bureau
    )


def _logged_in(base_url: str, user) -> Visitor:
    """A browser holding a session made in the test database, as after logging in."""
    client = Client()
    client.force_login(user)
    visitor = Visitor(base_url)
    visitor.log_in_as(client.cookies["sessionid"].value)
    return visitor


def _act(visitor: Visitor, action: str, concern: Concern, **data):
    """An admin action on one concern, posted the way the change list's form posts it."""
    changelist = reverse("admin:liaison_concern_changelist")
    page = visitor.get(changelist)
    assert page.status == 200, page.text[:300]
    fields = {"action": action, "_selected_action": [concern.pk], "csrfmiddlewaretoken": visitor.csrf_token(page)}
    return visitor.post(changelist, {**fields, **data})


def _submit(visitor: Visitor, township, text: str) -> Concern:
    page = visitor.submit_concern(township.pk, min_fill_seconds=0, description=text)
    assert page.status == 200, page.text[:500]
    code = tracking_code(page)
    assert code, "no tracking code on the confirmation page"
    return Concern.objects.get(tracking_code=code)  # shown, so it is saved


def _pages(concern) -> dict[str, list[str]]:
    return {
        "anonymous": [
            reverse("home"),
            reverse("representatives:roster"),
            reverse("proposals:public_list"),
            reverse("liaison:track"),
            reverse("liaison:reception_days"),
            reverse("livelihood:public"),
        ],
        "staff": [
            reverse("admin:index"),
            reverse("admin:liaison_concern_changelist"),
            reverse("admin:liaison_concern_change", args=[concern.pk]),
            reverse("notifications:inbox"),
        ],
        "unit": [
            reverse("unit_home"),
            reverse("liaison:unit_concerns"),
            reverse("liaison:concern_detail", args=[concern.pk]),
            reverse("proposals:unit_list"),
            reverse("notifications:inbox"),
        ],
    }


def test_with_redis_stopped_writes_succeed_pages_serve_and_reminders_go_out_when_it_returns(
    tmp_path, redis, township_a, office_a, staff_a, bureau, bureau_staff
):
    env = {"DATABASE_URL": database_url(), "REDIS_URL": redis.url, "DEBUG": "false"}
    # The staff's session is made here without a second factor: this test is about Redis.
    env["RENDA_OTP_REQUIRED_FOR_STAFF"] = "false"
    web_env = {**env, "RENDA_CONCERN_MIN_FILL_SECONDS": "0"}
    with gunicorn(tmp_path, env=web_env) as app:
        citizen, staff = Visitor(app.url), _logged_in(app.url, staff_a)
        unit = _logged_in(app.url, bureau_staff)
        assert citizen.get(reverse("home")).status == 200  # the app is up and has met its broker

        redis.stop()
        concern = _submit(citizen, township_a, "村口的路灯坏了三个月，晚上出行很不方便。")
        _act(staff, "accept_concerns", concern)
        _act(staff, "route_concerns", concern, apply="1", route=Concern.Route.UNIT, unit=bureau.pk)
        concern.refresh_from_db()
        assert (concern.status, concern.unit_id) == (Concern.Status.ROUTED, bureau.pk)
        for who, visitor in {"anonymous": citizen, "staff": staff, "unit": unit}.items():
            for path in _pages(concern)[who]:
                assert visitor.get(path).status == 200, (who, path)
        waiting = set(Notification.objects.values_list("pk", flat=True))
        assert Notification.objects.filter(rule="concern.submitted", recipient=staff_a).exists()
        assert Notification.objects.filter(rule="concern.routed", recipient=bureau_staff).exists()
        assert set(Notification.objects.values_list("status", flat=True)) == {Status.QUEUED}

        redis.start()  # same port: the app and the workers find it where it was
        with celery_worker(tmp_path, env=env) as worker:  # no beat: only what the app enqueues
            later = _submit(citizen, township_a, "桥头的护栏松动了，孩子上学经过很危险。")
            fresh = Notification.objects.filter(object_id=later.pk, rule="concern.submitted")
            assert wait_for(lambda: fresh.filter(status=Status.SENT).exists(), 60), worker_log(worker)
            assert not Notification.objects.filter(pk__in=waiting).exclude(status=Status.QUEUED).exists()

    sweep = {**env, "OUTBOX_SWEEP_SECONDS": "1"}
    with celery_worker(tmp_path, beat=True, env=sweep) as worker:
        sent = wait_for(lambda: not Notification.objects.exclude(status=Status.SENT).exists(), 60)
        assert sent, worker_log(worker)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert bureau_staff.notifications.filter(rule="concern.routed", status=Status.SENT).count() == 1


def test_with_redis_frozen_a_citizen_still_gets_a_tracking_code(tmp_path, redis, township_a, office_a, staff_a):
    """A broker host that hangs (SIGSTOP: the connection stays open, nothing answers) is worse than
    one that is down: publishing waits for the socket timeouts of CELERY_BROKER_TRANSPORT_OPTIONS.
    The submission still completes within gunicorn's worker timeout; its reminder waits in the outbox."""
    env = {"DATABASE_URL": database_url(), "REDIS_URL": redis.url, "RENDA_CONCERN_MIN_FILL_SECONDS": "0"}
    with gunicorn(tmp_path, env=env) as app:
        citizen = Visitor(app.url)
        _submit(citizen, township_a, "村口的路灯坏了三个月，晚上出行很不方便。")  # the app has met its broker
        os.kill(redis.proc.pid, signal.SIGSTOP)
        try:
            concern = _submit(citizen, township_a, "桥头的护栏松动了，孩子上学经过很危险。")
        finally:
            os.kill(redis.proc.pid, signal.SIGCONT)
        assert "WORKER TIMEOUT" not in app.log()
    assert Notification.objects.get(object_id=concern.pk, rule="concern.submitted", recipient=staff_a)
