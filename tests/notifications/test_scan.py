"""The reminder scan runs each rule in its own transaction: a rule that fails is logged, named in
the scan's heartbeat and rolled back alone; what the other rules queued stays (issue 20, item 9)."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import TaskHeartbeat
from apps.liaison.models import Concern
from apps.liaison.services import new_tracking_code
from apps.notifications import rules
from apps.notifications.models import Notification
from apps.notifications.rules import Reminder
from apps.notifications.tasks import scan_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(township_a, staff_a):
    """A concern nobody accepted in time: the real rule liaison.concern_overdue reminds staff_a."""
    return Concern.objects.create(
        region=township_a,
        category="roads",
        description="村道塌方，影响出行。",
        consented_at=timezone.now(),
        tracking_code=new_tracking_code(),
        accept_due_on=timezone.localdate() - timedelta(days=5),
    )


@pytest.fixture
def broken_rule(staff_a, rep_a):
    """A throwaway rule that queues a reminder and then fails, before and after the real rules."""

    def broken(today):
        yield Reminder(target=rep_a, recipients=[staff_a], due_on=today, subject="不应保留", channels=["inbox"])
        raise RuntimeError("规则出错")

    saved = dict(rules.RULES)
    rules.RULES.clear()
    rules.RULES.update({"test.broken_first": broken, **saved, "test.broken_last": broken})
    yield
    rules.RULES.clear()
    rules.RULES.update(saved)


def test_a_failing_rule_keeps_what_the_others_queued(overdue, broken_rule, caplog):
    with caplog.at_level(logging.ERROR, logger="renda.notifications"):
        scan_reminders()

    real = Notification.objects.filter(rule="liaison.concern_overdue", object_id=overdue.pk)
    assert real.exists()
    assert not Notification.objects.filter(rule__startswith="test.broken").exists()  # rolled back alone
    failed = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert {r.args[0] for r in failed} == {"test.broken_first", "test.broken_last"}
    assert all(r.exc_info and r.exc_info[0] is RuntimeError for r in failed)
    detail = TaskHeartbeat.objects.get(name="scan_reminders").detail
    assert "test.broken_first" in detail and "test.broken_last" in detail


def test_the_scan_reports_what_it_queued(overdue):
    result = rules.run_scans(today=timezone.localdate())
    assert result.failed == []
    assert result.queued == Notification.objects.count() > 0
