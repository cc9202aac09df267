from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.core.services import heartbeat_record, housekeeping_run
from apps.notifications import rules, services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=50, time_limit=60, max_retries=3)
def send_notification(notification_id: int):
    services.notification_send(notification_id=notification_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def sweep_outbox():
    """Every minute: send rows that were never enqueued, are due a retry, or were abandoned."""
    services.notifications_sweep()


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def scan_reminders():
    with transaction.atomic():
        rules.run_scans(today=timezone.localdate())
    heartbeat_record(name="scan_reminders")  # beat's last scan, on the operator's page


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def purge_sent():
    """Housekeeping: delivered messages past the retention period (RENDA_HOUSEKEEPING)."""
    housekeeping_run(name="purge_sent_notifications", work=services.notifications_purge_old)
