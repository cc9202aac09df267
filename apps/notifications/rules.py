"""Reminder rules, declared in code by each app and run by one beat-scheduled scan.

A rule is a function of today's date yielding Reminders; queuing is idempotent (the outbox's
unique key), so the scan can run as often as it likes and after downtime simply catches up.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from apps.notifications.services import notification_queue

logger = logging.getLogger("renda.notifications")


@dataclass
class Reminder:
    target: object
    recipients: list
    due_on: date
    subject: str
    body: str = ""
    channels: list[str] | None = field(default=None)
    # Distinguishes several reminders of one rule for the same due date (e.g. 14 and 3 days before).
    variant: str = ""


RULES: dict[str, Callable[[date], Iterable[Reminder]]] = {}


def rule(name: str):
    def register(fn):
        RULES[name] = fn
        return fn

    return register


def run_scans(*, today: date) -> int:
    queued = 0
    for name, scan in RULES.items():
        for reminder in scan(today):
            queued += notification_queue(
                rule=f"{name}.{reminder.variant}" if reminder.variant else name,
                target=reminder.target,
                recipients=reminder.recipients,
                due_on=reminder.due_on,
                subject=reminder.subject,
                body=reminder.body,
                channels=reminder.channels,
            )
    logger.info("reminder scan queued %s new notifications", queued)
    return queued
