from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Every rule in its own transaction (rules.run_scans); the rules that failed are named in
    the heartbeat, which the operator's page shows."""
    result = rules.run_scans(today=timezone.localdate())
    heartbeat_record(name="scan_reminders", detail=scan_detail(result))


def scan_detail(result: rules.ScanResult) -> str:
    queued = _("新增 %(n)s 条提醒") % {"n": result.queued}
    if not result.failed:
        return queued
    return _("%(queued)s；出错的规则：%(rules)s") % {"queued": queued, "rules": "、".join(result.failed)}


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def purge_sent():
    """Housekeeping: delivered messages past the retention period (RENDA_HOUSEKEEPING)."""
    housekeeping_run(name="purge_sent_notifications", work=services.notifications_purge_old)
