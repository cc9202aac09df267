"""Delivery of one outbox row over its channel. The inbox needs no delivery: a sent inbox row
is the message. Email goes through Django's mail backend, SMS through an adapter."""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from apps.core.config import config
from apps.notifications.models import Notification

logger = logging.getLogger("renda.notifications")


class UndeliverableError(Exception):
    """The recipient cannot be reached on this channel; retrying will not help."""


class ConsoleSMSBackend:
    """Default SMS adapter: writes the message to the log instead of a gateway."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class FileSMSBackend:
    """Appends each message as a JSON line to RENDA_SMS_FILE: a record that can be counted."""

    def send(self, *, phone: str, text: str) -> None:
        path = Path(settings.RENDA_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"phone": phone, "text": text}, ensure_ascii=False) + "\n")


def sms_backend():
    return import_string(settings.RENDA_SMS_BACKEND)()


def deliver(notification: Notification) -> None:
    recipient = notification.recipient
    if notification.channel == Notification.Channel.INBOX:
        return
    if notification.channel == Notification.Channel.EMAIL:
        if not recipient.email:
            raise UndeliverableError("no email address")
        send_mail(notification.subject, _text(notification), None, [recipient.email])
        return
    if notification.channel == Notification.Channel.SMS:
        if not recipient.phone:
            raise UndeliverableError("no phone number")
        sms_backend().send(phone=recipient.phone, text=f"{notification.subject} {notification.body}".strip())
        return
    raise UndeliverableError(f"unknown channel {notification.channel}")


def _text(notification: Notification) -> str:
    link = f"\n{config('', 'BASE_URL').rstrip('/')}{notification.url}" if notification.url else ""
    return notification.body + link
