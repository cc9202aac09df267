"""Fixtures of the duty-record tests: rows written straight to the tables, dated in 2022."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from apps.liaison.models import Concern, DutyShift, LiaisonOffice
from apps.proposals.models import CoSigner, Proposal, Status
from apps.representatives.models import DutyActivity
from tests.factories import SessionFactory

YEAR = 2022
_codes = itertools.count(1)


def aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def duty_rules(settings):
    """Points, caps and grades of the tests, whatever the deployment's settings say."""
    settings.RENDA_DUTY = {
        **settings.RENDA_DUTY,
        "POINTS": {
            "activity_meeting": 3,
            "activity_other": 1,
            "shift_attended": 2,
            "concern_handled": 4,
            "proposal_led": 5,
            "proposal_cosigned": 2,
        },
        "CAPS": {"activity_other": 2, "proposal_led": 10},
        "GRADES": [("excellent", 20), ("competent", 10), ("incompetent", 0)],
        "VOTER_SATISFACTION_MIN": 0.6,
    }
    return settings.RENDA_DUTY


@pytest.fixture
def office_a(township_a):
    return LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=township_a)


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


def add_activities(rep, n, *, kind="meeting", status=DutyActivity.Review.CONFIRMED, on=date(YEAR, 3, 1)):
    user = rep.user or _someone()
    return DutyActivity.objects.bulk_create(
        DutyActivity(
            representative=rep,
            kind=kind,
            date=on + timedelta(days=i % 200),
            place="儒林镇",
            description=f"第{i}次活动",
            created_by=user,
            review_status=status,
        )
        for i in range(n)
    )


def add_shifts(rep, office, n, *, attendance=DutyShift.Attendance.ATTENDED, start=date(YEAR, 1, 1)):
    return DutyShift.objects.bulk_create(
        DutyShift(office=office, representative=rep, date=start + timedelta(days=i), attendance=attendance)
        for i in range(n)
    )


def add_proposals(rep, session, n, *, status=Status.ACCEPTED, on=date(YEAR, 1, 6)):
    return Proposal.objects.bulk_create(
        Proposal(
            session=session,
            title=f"关于第{i}件事的建议",
            content="内容",
            category="other",
            lead=rep,
            township=rep.township,
            status=status,
            submitted_at=None if status == Status.DRAFT else aware(on),
            created_by=rep.user or _someone(),
        )
        for i in range(n)
    )


def add_cosign(proposal, rep, *, confirmed=True):
    return CoSigner.objects.create(
        proposal=proposal, representative=rep, confirmed_at=aware(date(YEAR, 1, 6)) if confirmed else None
    )


def add_concern(rep, *, status=Concern.Status.RESOLVED, on=date(YEAR, 4, 1)):
    resolved = status in (Concern.Status.RESOLVED, Concern.Status.CLOSED)
    return Concern.objects.create(
        tracking_code=f"T{next(_codes):011d}",
        region=rep.township,
        category="roads",
        description="村道塌方",
        consented_at=aware(on),
        accept_due_on=on,
        status=status,
        route=Concern.Route.REPRESENTATIVE,
        representative=rep,
        resolved_at=aware(on) if resolved else None,
    )


def _someone():
    from apps.core.models import User

    user, _ = User.objects.get_or_create(username="clerk", defaults={"role": User.Role.COMMITTEE})
    return user
