import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config

# tasks imports this module too; each uses the other's names only when called, never at import.
from apps.notifications import tasks
from apps.notifications.channels import UndeliverableError, deliver
from apps.notifications.links import link_for
from apps.notifications.models import Notification

logger = logging.getLogger("renda.notifications")
audit = logging.getLogger("renda.audit")
Status = Notification.Status


def _sending_timeout() -> timedelta:
    """How long a claimed row may stay `sending` before its sender counts as dead."""
    return timedelta(seconds=config("NOTIFICATIONS", "SENDING_TIMEOUT_SECONDS"))


def notification_queue(
    *,
    rule: str,
    target,
    recipients: Iterable,
    due_on: date,
    subject: str,
    body: str = "",
    channels: Iterable[str] | None = None,
) -> int:
    """Write the outbox rows for a reminder (once per key, however often called) and have them
    sent after the surrounding transaction commits. Each row links to the page where its recipient
    acts on the target (`links.link_for`). Returns how many rows are new."""
    channels = list(channels or config("NOTIFICATIONS", "CHANNELS"))
    content_type = ContentType.objects.get_for_model(target)
    rows = [
        Notification(
            rule=rule,
            content_type=content_type,
            object_id=target.pk,
            recipient=recipient,
            channel=channel,
            due_on=due_on,
            subject=subject[:200],
            body=body,
            url=link_for(target, recipient),
        )
        for recipient in {r.pk: r for r in recipients if r is not None and r.is_active}.values()
        for channel in channels
    ]
    if not rows:
        return 0
    key = Q(rule=rule, content_type=content_type, object_id=target.pk, due_on=due_on)
    before = Notification.objects.filter(key).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: _dispatch(key))
    return Notification.objects.filter(key).count() - before


def _dispatch(key: Q) -> None:
    """Hand queued rows to the workers. With the broker down this only logs: the rows are
    safe in the database and the periodic sweep sends them."""
    for pk in Notification.objects.filter(key, status=Status.QUEUED).values_list("pk", flat=True):
        try:
            tasks.send_notification.delay(pk)
        except Exception:  # the broker is unreachable; the sweep will catch up
            logger.warning("could not enqueue notification %s; the sweep will send it", pk, exc_info=True)
            return


def notification_send(*, notification_id: int) -> bool:
    """Claim the row, deliver it, mark it sent. Returns False when there was nothing to do."""
    now = timezone.now()
    claimable = Q(status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - _sending_timeout()
    )
    claimed = Notification.objects.filter(claimable, pk=notification_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        deliver(notification)
    except Exception as exc:
        _record_failure(notification, exc, claimed_at=now)
        return False
    # Only the claim we hold may complete the row: a stale claim taken over is not ours.
    return bool(
        Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now).update(
            status=Status.SENT, sent_at=timezone.now(), last_error=""
        )
    )


def _record_failure(notification: Notification, exc: Exception, *, claimed_at) -> None:
    final = isinstance(exc, UndeliverableError) or notification.attempts >= config("NOTIFICATIONS", "MAX_ATTEMPTS")
    delay = config("NOTIFICATIONS", "RETRY_BASE_SECONDS") * 2 ** max(notification.attempts - 1, 0)
    logger.warning("notification %s attempt %s failed: %s", notification.pk, notification.attempts, exc)
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING, claimed_at=claimed_at).update(
        status=Status.FAILED if final else Status.RETRY,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )


def pending_ids(*, limit: int) -> list[int]:
    now = timezone.now()
    stale = now - _sending_timeout()
    due = Q(status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=stale
    )
    return list(Notification.objects.filter(due).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def notifications_sweep(*, limit: int = 500) -> int:
    """Send whatever is due: rows never enqueued (broker down), retries, and rows whose sender
    died mid-send. Returns how many were sent."""
    return sum(notification_send(notification_id=pk) for pk in pending_ids(limit=limit))


def notification_retry(*, notification: Notification) -> None:
    """Staff send a failed row again from the admin."""
    Notification.objects.filter(pk=notification.pk, status=Status.FAILED).update(
        status=Status.RETRY, next_attempt_at=timezone.now(), attempts=0
    )


def inbox_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, channel=Notification.Channel.INBOX, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def notifications_purge(*, older_than: timedelta, batch: int = 5000) -> int:
    """Delete messages delivered longer ago than `older_than` whose deadline is as old: email
    and SMS once sent, inbox messages once read too (an unread one stays in its inbox). Failed
    and pending rows stay for staff. What went is written to the audit log, rule by rule, first."""
    cutoff = timezone.now() - older_than
    done = Q(channel__in=[Notification.Channel.EMAIL, Notification.Channel.SMS]) | Q(read_at__isnull=False)
    old = Notification.objects.filter(done, status=Status.SENT, sent_at__lt=cutoff, due_on__lt=cutoff.date())
    for rule, channel, n in old.order_by().values_list("rule", "channel").annotate(n=Count("pk")):
        audit.info("notifications purged rule=%s channel=%s count=%s sent_before=%s", rule, channel, n, cutoff.date())
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:batch]):
        deleted += Notification.objects.filter(pk__in=ids).delete()[0]
    return deleted


def notifications_purge_old() -> str:
    days = config("HOUSEKEEPING", "NOTIFICATION_RETENTION_DAYS")
    return _("删除 %(n)s 条已发送消息") % {"n": notifications_purge(older_than=timedelta(days=days))}
