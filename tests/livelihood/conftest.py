"""Livelihood fixtures: a session of the county congress, candidates, voters and ballots."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core import services as core_services
from apps.core.models import User
from apps.livelihood import services
from apps.livelihood.models import Ballot
from tests.factories import RepresentativeFactory, SessionFactory


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


@pytest.fixture
def make_candidates(session, unit, committee_staff):
    def make(n, *, of=None):
        return [
            services.project_shortlist(
                session=of or session,
                ideas=[],
                title=f"候选项目{i}",
                description="建设内容。",
                responsible_unit=unit,
                investment=Decimal("120.50"),
                completion_due=(of or session).opened_on.replace(month=12, day=31),
                by=committee_staff,
            )
            for i in range(1, n + 1)
        ]

    return make


@pytest.fixture
def make_voters(township_a, township_b, county_term):
    """`n` serving representatives of the county term, each with an account."""

    def make(n):
        reps = []
        for i in range(n):
            rep = RepresentativeFactory(township=township_a if i % 2 else township_b, term=county_term)
            rep.user = core_services.user_create(
                username=f"voter{rep.pk}", password=None, role=User.Role.REPRESENTATIVE
            )
            rep.save()
            reps.append(rep)
        return reps

    return make


def later(hours=2):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def open_selection(session, make_candidates, make_voters, committee_staff):
    """An open selection ballot: 5 candidates, 3 slots, 5 representatives (more than half = 3)."""

    def make(*, candidates=5, slots=3, voters=5, **kwargs):
        projects = make_candidates(candidates)
        reps = make_voters(voters)
        ballot = services.ballot_create(
            session=session,
            kind=Ballot.Kind.SELECTION,
            title="2022年民生实事项目票决",
            projects=projects,
            closes_at=later(),
            slots=slots,
            by=committee_staff,
            **kwargs,
        )
        services.ballot_open(ballot=ballot, by=committee_staff)
        ballot.refresh_from_db()
        return ballot, projects, reps

    return make
