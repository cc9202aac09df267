"""Reminder rules of the livelihood app, run by the notifications scan.

Each reminder's key carries the milestone's date, so one milestone is reminded once as its
date nears and once when it is overdue, however often the scan runs.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import User
from apps.core.scope import ancestor_paths
from apps.livelihood.models import Milestone, Project
from apps.notifications.rules import Reminder, rule

OPEN_PROJECT = (Project.Status.APPROVED, Project.Status.IN_PROGRESS)


def _open_milestones(**dates):
    return list(
        Milestone.objects.filter(completed_on__isnull=True, project__status__in=OPEN_PROJECT, **dates).select_related(
            "project__region"
        )
    )


def _recipients(milestones: list[Milestone]):
    """Who hears of each milestone: the responsible unit's accounts, and the committee and township
    staff whose own regions hold the project. Two queries for any number of milestones."""
    unit_ids = {m.project.responsible_unit_id for m in milestones}
    paths = {p for m in milestones for p in ancestor_paths(m.project.region.path)}
    units: dict[int, list[User]] = {}
    for user in User.objects.filter(role=User.Role.UNIT, is_active=True, handling_unit_id__in=unit_ids):
        units.setdefault(user.handling_unit_id, []).append(user)
    staff: dict[str, list[User]] = {}
    users = User.objects.filter(
        role__in=[User.Role.COMMITTEE, User.Role.TOWNSHIP], is_active=True, regions__path__in=paths
    ).prefetch_related("regions")
    for user in users.distinct():
        for region in user.regions.all():
            staff.setdefault(region.path, []).append(user)

    def of(milestone: Milestone) -> list[User]:
        above = ancestor_paths(milestone.project.region.path)
        return [*units.get(milestone.project.responsible_unit_id, []), *(u for p in above for u in staff.get(p, []))]

    return of


@rule("livelihood.milestone_due_soon")
def milestone_due_soon(today: date):
    """Once, when an unfinished milestone's date is within the configured days."""
    horizon = today + timedelta(days=config("LIVELIHOOD", "MILESTONE_DUE_SOON_DAYS"))
    soon = _open_milestones(due_on__gte=today, due_on__lte=horizon)
    yield from _remind_of(soon, _("民生实事项目“%(project)s”的节点“%(milestone)s”将于%(due)s到期"))


@rule("livelihood.milestone_overdue")
def milestone_overdue(today: date):
    """Once per overdue milestone: its date passed and it is not completed."""
    late = _open_milestones(due_on__lt=today)
    yield from _remind_of(late, _("民生实事项目“%(project)s”的节点“%(milestone)s”已逾期（应于%(due)s完成）"))


def _remind_of(milestones: list[Milestone], subject: str):
    """A reminder of each milestone to those who follow it; `subject` names %(project)s, %(milestone)s, %(due)s."""
    recipients = _recipients(milestones)
    for milestone in milestones:
        yield Reminder(
            target=milestone,
            recipients=recipients(milestone),
            due_on=milestone.due_on,
            subject=subject % {"project": milestone.project, "milestone": milestone, "due": milestone.due_on},
        )
