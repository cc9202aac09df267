"""Reminder rules, declared in code by each app and run by one beat-scheduled scan.

A rule is a function of today's date yielding Reminders; queuing is idempotent (the outbox's
unique key), so the scan can run as often as it likes and after downtime simply catches up.
Each rule runs in its own transaction: a rule that fails is logged and rolled back alone, and
what the other rules queued is kept and sent.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from apps.notifications import services

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


@dataclass
class ScanResult:
    queued: int = 0
    failed: list[str] = field(default_factory=list)


def run_scans(*, today: date) -> ScanResult:
    """Run every rule, each in its own transaction (a savepoint inside an outer one)."""
    result = ScanResult()
    for name, scan in RULES.items():
        try:
            with transaction.atomic():
                result.queued += _queue_rule(name, scan(today))
        except Exception:
            logger.exception("reminder rule %s failed; the other rules go on", name)
            result.failed.append(name)
    logger.info("reminder scan queued %s new notifications", result.queued)
    return result


def _queue_rule(name: str, reminders: Iterable[Reminder]) -> int:
    return sum(
        services.notification_queue(
            rule=f"{name}.{reminder.variant}" if reminder.variant else name,
            target=reminder.target,
            recipients=reminder.recipients,
            due_on=reminder.due_on,
            subject=reminder.subject,
            body=reminder.body,
            channels=reminder.channels,
        )
        for reminder in reminders
    )
