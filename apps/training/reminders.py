"""Reminder rules of the training app, run by the notifications scan."""

from datetime import date

from django.db.models import F

from apps.core.config import config
from apps.notifications.rules import Reminder, rule
from apps.training.models import Instructor
from apps.training.selectors import with_quota
from apps.training.services import QUOTA_REMINDER_RULE, quarter_start, quota_reminder_subject


@rule(QUOTA_REMINDER_RULE)
def behind_quota(today: date):
    """From the configured month on, instructors with an account who are behind their yearly
    quota hear of it once a quarter: the quarter's first day is the reminder's due date."""
    if today.month < config("TRAINING", "REMIND_FROM_MONTH"):
        return
    instructors = Instructor.objects.filter(is_active=True, user__isnull=False, user__is_active=True)
    behind = with_quota(instructors, year=today.year).filter(held_count__lt=F("quota_target"))
    for instructor in behind.select_related("user"):
        yield Reminder(
            target=instructor,
            recipients=[instructor.user],
            due_on=quarter_start(today),
            subject=quota_reminder_subject(instructor.held_count, instructor.quota_target, today.year),
        )
