"""Reminder rules of the proposals app, run by the notifications scan (apps.notifications.rules)."""

from datetime import date, timedelta

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import User
from apps.core.permissions import in_write_scope
from apps.core.workdays import add_workdays
from apps.notifications.rules import Reminder, rule
from apps.proposals.models import REPLY_OWED, Assignment, Proposal, Status


def _answering():
    return Assignment.objects.filter(
        state=Assignment.State.ACTIVE,
        replied_at__isnull=True,
        role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        proposal__status__in=REPLY_OWED,
    ).select_related("proposal__township", "unit")


def _unit_staff(unit_ids):
    staff = {}
    for user in User.objects.filter(handling_unit_id__in=unit_ids, role=User.Role.UNIT, is_active=True):
        staff.setdefault(user.handling_unit_id, []).append(user)
    return staff


@rule("proposal.due_soon")
def due_soon(today: date):
    """One reminder per configured offset (e.g. 14 and 3 days before the deadline). After
    downtime only the nearest offset that has passed is sent, not a burst of stale ones."""
    offsets = sorted(config("PROPOSALS", "DUE_SOON_DAYS"))
    targets = list(_answering().filter(due_on__gte=today, due_on__lte=today + timedelta(days=max(offsets))))
    staff = _unit_staff({a.unit_id for a in targets})
    for a in targets:
        offset = next(d for d in offsets if d >= (a.due_on - today).days)
        yield Reminder(
            target=a,
            recipients=staff.get(a.unit_id, []),
            due_on=a.due_on,
            variant=str(offset),
            subject=_("建议将于%(due)s到期，请按期答复：%(title)s") % {"due": a.due_on, "title": a.proposal.title},
        )


@rule("proposal.overdue")
def overdue(today: date):
    """Daily: the due date of an overdue reminder is today, so each day makes one new reminder."""
    targets = list(_answering().filter(due_on__lt=today))
    staff = _unit_staff({a.unit_id for a in targets})
    committee = list(User.objects.filter(role=User.Role.COMMITTEE, is_active=True))
    for a in targets:
        overseers = [u for u in committee if in_write_scope(u, a.proposal.township)]
        yield Reminder(
            target=a,
            recipients=[*staff.get(a.unit_id, []), *overseers],
            due_on=today,
            subject=_("%(unit)s承办的建议已逾期未答复：%(title)s") % {"unit": a.unit, "title": a.proposal.title},
        )


@rule("proposal.feedback_pending")
def feedback_pending(today: date):
    """Replied proposals whose representative has not rated the answer within the configured
    working days are reminded once."""
    replied = (
        Proposal.objects.filter(status=Status.REPLIED, lead__user__isnull=False)
        .select_related("lead__user")
        .annotate(last_reply=Max("assignments__replies__replied_at"))
    )
    days = config("PROPOSALS", "FEEDBACK_WORKDAYS")
    for proposal in replied:
        due = add_workdays(timezone.localdate(proposal.last_reply), days)
        if due <= today:
            yield Reminder(
                target=proposal,
                recipients=[proposal.lead.user],
                due_on=due,
                subject=_("请对建议的办理情况进行评价：%(title)s") % {"title": proposal.title},
            )
