from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.operations import Panel
from apps.notifications.models import Notification


def inbox_for(user):
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.INBOX, status=Notification.Status.SENT
    ).only("subject", "body", "url", "sent_at", "read_at", "created_at")


def outbox_panel():
    """The outbox on the operator's page (apps/core/operations.py): the backlog by status, the
    oldest row still waiting, and the failed ones with the way to send them again."""
    counts = dict(Notification.objects.order_by().values_list("status").annotate(n=Count("pk")))
    waiting = Notification.objects.filter(status__in=[Notification.Status.QUEUED, Notification.Status.RETRY])
    oldest = waiting.aggregate(oldest=Min("created_at"))["oldest"]
    panel = Panel(title=_("消息发送队列"))
    panel.rows = [(label, counts.get(value, 0)) for value, label in Notification.Status.choices]
    panel.rows.append((_("最早的待发送消息"), timezone.localtime(oldest).strftime("%Y-%m-%d %H:%M") if oldest else "—"))
    failed = counts.get(Notification.Status.FAILED, 0)
    if failed:
        panel.warnings.append(_("%(n)s 条消息发送失败。") % {"n": failed})
    url = reverse("admin:notifications_notification_changelist") + "?status__exact=failed"
    panel.links.append((_("查看失败消息并重新发送"), url))
    return panel
