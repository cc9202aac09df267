"""Reminder rules of proposals: due soon at the configured offsets, overdue once a day."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from apps.notifications.models import Notification
from apps.notifications.rules import run_scans
from tests.proposals.steps import reply_after_contact
from tests.servers import RedisServer, celery_worker, run_django, wait_for


def _rules(rule):
    return Notification.objects.filter(rule=rule)


def test_units_are_reminded_at_each_configured_offset_once(lead_assignment, unit_staff):
    due = lead_assignment.due_on
    for offset in settings.RENDA_PROPOSALS["DUE_SOON_DAYS"]:
        run_scans(today=due - timedelta(days=offset))
        run_scans(today=due - timedelta(days=offset))
    run_scans(today=due - timedelta(days=20))  # too early: nothing
    run_scans(today=due - timedelta(days=5))  # inside the 14-day window already reminded: nothing new
    rows = Notification.objects.filter(rule__startswith="proposal.due_soon", channel="inbox")
    assert sorted(rows.values_list("rule", flat=True)) == ["proposal.due_soon.14", "proposal.due_soon.3"]
    assert {r.recipient for r in rows} == {unit_staff}


def test_after_downtime_only_the_nearest_due_soon_reminder_is_sent(lead_assignment):
    run_scans(today=lead_assignment.due_on - timedelta(days=1))
    rules = Notification.objects.filter(rule__startswith="proposal.due_soon").values_list("rule", flat=True)
    assert set(rules) == {"proposal.due_soon.3"}


def test_overdue_assignments_are_reminded_daily_to_unit_and_committee(lead_assignment, unit_staff, committee_staff):
    day_after = lead_assignment.due_on + timedelta(days=1)
    run_scans(today=day_after)
    run_scans(today=day_after)
    run_scans(today=day_after + timedelta(days=1))
    inbox = _rules("proposal.overdue").filter(channel="inbox")
    assert set(inbox.values_list("recipient", flat=True)) == {unit_staff.pk, committee_staff.pk}
    assert inbox.filter(recipient=unit_staff).count() == 2  # one per day


def test_replied_assignments_are_not_reminded(lead_assignment, unit_staff):
    reply_after_contact(lead_assignment, unit_staff, kind="phone")
    run_scans(today=lead_assignment.due_on + timedelta(days=1))
    assert not _rules("proposal.overdue").exists()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_assignment_saved_while_redis_is_down_is_notified_when_it_returns(
    accepted, unit, committee_staff, unit_staff, tmp_path
):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis: run the suite through bin/test")
    redis = RedisServer(tmp_path)  # its port is free: nothing answers there yet
    result = run_django(
        "from apps.proposals.services import proposal_assign;from apps.proposals.models import Proposal;"
        "from apps.core.models import HandlingUnit, User;import time;t=time.monotonic();"
        f"proposal_assign(proposal=Proposal.objects.get(pk={accepted.pk}),"
        f"units=[(HandlingUnit.objects.get(pk={unit.pk}), 'lead')], by=User.objects.get(pk={committee_staff.pk}));"
        "print('seconds', round(time.monotonic()-t, 1))",
        env={"REDIS_URL": redis.url},
    )
    accepted.refresh_from_db()
    assert accepted.status == "assigned", result.stdout
    row = _rules("proposal.assigned").get(recipient=unit_staff)
    assert row.status == Notification.Status.QUEUED
    redis.start()
    try:
        with celery_worker(tmp_path, beat=True, env={"REDIS_URL": redis.url, "OUTBOX_SWEEP_SECONDS": "1"}):
            assert wait_for(lambda: _rules("proposal.assigned").filter(status="sent").exists(), 60)
    finally:
        redis.stop()
    assert _rules("proposal.assigned").get(recipient=unit_staff).attempts == 1


def test_overdue_reminders_skip_committee_staff_of_other_counties(lead_assignment, committee_staff):
    from apps.core import services as core_services
    from apps.core.models import User
    from tests.factories import CountyFactory

    elsewhere = core_services.user_create(
        username="elsewhere", password=None, role=User.Role.COMMITTEE, regions=[CountyFactory()]
    )
    run_scans(today=lead_assignment.due_on + timedelta(days=1))
    recipients = set(_rules("proposal.overdue").values_list("recipient", flat=True))
    assert committee_staff.pk in recipients
    assert elsewhere.pk not in recipients


def test_a_representative_who_has_not_rated_is_reminded_once(lead_assignment, unit_staff, representative_user):
    from django.utils import timezone

    from apps.core.workdays import add_workdays

    reply_after_contact(lead_assignment, unit_staff)
    due = add_workdays(timezone.localdate(), 20)
    run_scans(today=due - timedelta(days=1))
    assert not _rules("proposal.feedback_pending").exists()
    run_scans(today=due)
    run_scans(today=due + timedelta(days=3))
    assert _rules("proposal.feedback_pending").filter(channel="inbox").get().recipient == representative_user


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_due_reminder_once_when_the_scan_runs_twice(lead_assignment, unit_staff, tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL and Redis: run the suite through bin/test")
    from django.db import transaction

    unit_staff.phone = "13900002222"
    unit_staff.save()
    sms = tmp_path / "sms.jsonl"
    env = {"RENDA_SMS_BACKEND": "apps.notifications.channels.FileSMSBackend", "RENDA_SMS_FILE": str(sms)}
    due_soon = Notification.objects.filter(rule="proposal.due_soon.3", recipient=unit_staff, channel="sms")
    with celery_worker(tmp_path, env=env):
        for _ in range(2):
            with transaction.atomic():
                run_scans(today=lead_assignment.due_on - timedelta(days=3))
        assert wait_for(lambda: due_soon.filter(status="sent").exists(), 60)
    assert due_soon.count() == 1
    assert sms.read_text(encoding="utf-8").count("13900002222") == 1
