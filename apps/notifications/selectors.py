from apps.notifications.models import Notification


def inbox_for(user):
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.INBOX, status=Notification.Status.SENT
    ).only("subject", "body", "url", "sent_at", "read_at", "created_at")


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()
