"""Milestone reminders through the outbox: once as the date nears, once when overdue; to the
responsible unit and the staff whose regions hold the project; none once completed."""

from datetime import date, timedelta

import pytest
from django.conf import settings

from apps.livelihood import services
from apps.livelihood.models import Project
from apps.notifications.models import Notification
from apps.notifications.rules import run_scans
from tests.livelihood.factories import ProjectFactory

DUE = date(2022, 9, 30)


@pytest.fixture
def milestone(session, unit, committee_staff):
    project = ProjectFactory(session=session, responsible_unit=unit, status=Project.Status.APPROVED)
    return services.milestone_add(project=project, title="主体完工", due_on=DUE, by=committee_staff)


def _rows(rule):
    return Notification.objects.filter(rule=rule, channel="inbox")


def test_an_overdue_milestone_is_reminded_once_per_recipient(milestone, unit_staff, committee_staff, staff_a):
    run_scans(today=DUE + timedelta(days=1))
    run_scans(today=DUE + timedelta(days=1))
    run_scans(today=DUE + timedelta(days=5))
    rows = _rows("livelihood.milestone_overdue")
    # The county's project: the unit and the county office; township staff do not hold it.
    assert sorted(rows.values_list("recipient__username", flat=True)) == ["committee", "unit_staff"]
    assert set(rows.values_list("object_id", flat=True)) == {milestone.pk}


def test_a_milestone_due_soon_is_reminded_once(milestone, unit_staff):
    days = settings.RENDA_LIVELIHOOD["MILESTONE_DUE_SOON_DAYS"]
    run_scans(today=DUE - timedelta(days=days + 1))  # too early
    assert not _rows("livelihood.milestone_due_soon").exists()
    run_scans(today=DUE - timedelta(days=days))
    run_scans(today=DUE - timedelta(days=1))
    assert _rows("livelihood.milestone_due_soon").filter(recipient=unit_staff).count() == 1


def test_a_completed_milestone_is_not_reminded(milestone, unit_staff):
    services.milestone_report(milestone=milestone, progress=100, note="已完工。", by=unit_staff, reported_on=DUE)
    run_scans(today=DUE + timedelta(days=1))
    run_scans(today=DUE - timedelta(days=1))
    assert not Notification.objects.filter(rule__startswith="livelihood.milestone").exists()


def test_a_township_project_reminds_the_township_staff(session, township_a, unit, staff_a, staff_b, committee_staff):
    from tests.factories import SessionFactory, TermFactory

    town_session = SessionFactory(term=TermFactory(region=township_a, number=18))
    project = ProjectFactory(session=town_session, region=township_a, responsible_unit=unit, status="in_progress")
    services.milestone_add(project=project, title="修路", due_on=DUE, by=committee_staff)
    run_scans(today=DUE + timedelta(days=1))
    recipients = set(_rows("livelihood.milestone_overdue").values_list("recipient__username", flat=True))
    assert recipients == {"committee", "staff_a"}
