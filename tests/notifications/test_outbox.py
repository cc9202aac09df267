"""The outbox: a reminder exists once per key, is claimed before sending, retried with back-off,
and a dead sender's row is taken over and sent once."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications import rules, services
from apps.notifications.models import Notification
from apps.notifications.rules import Reminder

DUE = date(2022, 4, 5)


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.RENDA_SMS_BACKEND = "apps.notifications.channels.FileSMSBackend"
    settings.RENDA_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def _queue(target, recipients, channels=("inbox",), due_on=DUE, rule="test.rule"):
    return services.notification_queue(
        rule=rule, target=target, recipients=recipients, due_on=due_on, subject="建议即将到期", channels=channels
    )


def test_queuing_twice_makes_one_row_per_recipient_and_channel(staff_a, staff_b, rep_a):
    assert _queue(rep_a, [staff_a, staff_b], channels=["inbox", "email"]) == 4
    assert _queue(rep_a, [staff_a, staff_b], channels=["inbox", "email"]) == 0
    assert Notification.objects.count() == 4


def test_a_new_due_date_is_a_new_reminder(staff_a, rep_a):
    _queue(rep_a, [staff_a])
    _queue(rep_a, [staff_a], due_on=DUE + timedelta(days=1))
    assert Notification.objects.count() == 2


def test_inactive_recipients_get_nothing(staff_a, rep_a):
    staff_a.is_active = False
    staff_a.save()
    assert _queue(rep_a, [staff_a]) == 0


def test_sending_claims_the_row_once(staff_a, rep_a):
    _queue(rep_a, [staff_a])
    row = Notification.objects.get()
    assert services.notification_send(notification_id=row.pk) is True
    assert services.notification_send(notification_id=row.pk) is False
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.SENT, 1)
    assert row.sent_at is not None


def test_email_goes_out_once(staff_a, rep_a, mailoutbox):
    staff_a.email = "staff_a@example.gov.cn"
    staff_a.save()
    _queue(rep_a, [staff_a], channels=["email"])
    row = Notification.objects.get()
    services.notification_send(notification_id=row.pk)
    services.notifications_sweep()
    assert [m.to for m in mailoutbox] == [["staff_a@example.gov.cn"]]
    assert mailoutbox[0].subject == "建议即将到期"


def test_sms_goes_through_the_adapter(staff_a, rep_a, sms_file):
    staff_a.phone = "13900001111"
    staff_a.save()
    _queue(rep_a, [staff_a], channels=["sms"])
    services.notifications_sweep()
    services.notifications_sweep()
    assert sms_file.read_text(encoding="utf-8").count("13900001111") == 1


def test_a_recipient_without_an_address_fails_at_once_with_the_reason(staff_a, rep_a):
    _queue(rep_a, [staff_a], channels=["email"])
    services.notifications_sweep()
    row = Notification.objects.get()
    assert row.status == Notification.Status.FAILED
    assert "no email address" in row.last_error


def test_a_failing_gateway_is_retried_with_back_off_then_fails(staff_a, rep_a, settings):
    settings.RENDA_SMS_BACKEND = "tests.notifications.test_outbox.BrokenSMS"
    settings.RENDA_NOTIFICATIONS = {**settings.RENDA_NOTIFICATIONS, "MAX_ATTEMPTS": 3, "RETRY_BASE_SECONDS": 60}
    staff_a.phone = "13900001111"
    staff_a.save()
    _queue(rep_a, [staff_a], channels=["sms"])
    row = Notification.objects.get()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        services.notifications_sweep()
        row.refresh_from_db()
        assert row.status == Notification.Status.RETRY
        assert row.next_attempt_at == timezone.now() + timedelta(seconds=60)
        assert services.notifications_sweep() == 0  # not due yet
        traveller.shift(timedelta(seconds=61))
        services.notifications_sweep()
        row.refresh_from_db()
        assert row.next_attempt_at == timezone.now() + timedelta(seconds=120)
        traveller.shift(timedelta(seconds=121))
        services.notifications_sweep()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.FAILED, 3)
    assert "gateway down" in row.last_error


class BrokenSMS:
    def send(self, *, phone, text):
        raise ConnectionError("gateway down")


def test_a_row_abandoned_mid_send_is_taken_over_after_the_timeout(staff_a, rep_a, settings):
    _queue(rep_a, [staff_a])
    row = Notification.objects.get()
    Notification.objects.filter(pk=row.pk).update(
        status=Notification.Status.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert services.notifications_sweep() == 0  # the sender may still be alive
    timeout = settings.RENDA_NOTIFICATIONS["SENDING_TIMEOUT_SECONDS"]
    with time_machine.travel(timezone.now() + timedelta(seconds=timeout + 1)):
        assert services.notifications_sweep() == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Notification.Status.SENT, 2)


def test_rules_run_by_the_scan_queue_once_however_often_it_runs(staff_a, rep_a):
    @rules.rule("test.scan")
    def scan(today):
        yield Reminder(target=rep_a, recipients=[staff_a], due_on=today, subject="请及时办理", channels=["inbox"])

    try:
        assert rules.run_scans(today=DUE).queued == 1
        assert rules.run_scans(today=DUE).queued == 0
        assert rules.run_scans(today=DUE + timedelta(days=1)).queued == 1
    finally:
        rules.RULES.pop("test.scan")


def test_queued_rows_are_handed_to_workers_after_commit(staff_a, rep_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _queue(rep_a, [staff_a])
        assert Notification.objects.get().status == Notification.Status.QUEUED
    assert len(callbacks) == 1


def test_admin_retries_a_failed_row(login, committee_staff, staff_a, rep_a):
    from django.urls import reverse

    _queue(rep_a, [staff_a], channels=["email"])
    services.notifications_sweep()
    row = Notification.objects.get()
    response = login(committee_staff).post(
        reverse("admin:notifications_notification_changelist"), {"action": "retry", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == Notification.Status.RETRY


def test_the_inbox_shows_my_sent_messages_only(login, staff_a, staff_b, rep_a, django_assert_max_num_queries):
    from django.urls import reverse

    _queue(rep_a, [staff_a, staff_b])
    services.notifications_sweep()
    client = login(staff_a)
    response = client.get(reverse("notifications:inbox"))
    assert list(response.context["page"].object_list) == list(Notification.objects.filter(recipient=staff_a))
    client.post(reverse("notifications:mark_read"))
    assert Notification.objects.get(recipient=staff_a).read_at is not None
    assert Notification.objects.get(recipient=staff_b).read_at is None
