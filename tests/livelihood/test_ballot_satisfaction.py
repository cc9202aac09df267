"""The satisfaction poll (满意度测评): every project rated on every sheet, online and paper
together, graded by the rule when the poll closes."""

import datetime

import pytest

from apps.livelihood import selectors, services
from apps.livelihood.models import Ballot, BallotTally, Project
from apps.livelihood.services import LivelihoodError
from tests.factories import SessionFactory
from tests.livelihood.conftest import later
from tests.livelihood.factories import ProjectFactory


@pytest.fixture
def next_session(county_term):
    return SessionFactory(term=county_term, number=2, opened_on=datetime.date(2023, 1, 6))


@pytest.fixture
def approved(session, unit):
    return [
        ProjectFactory(session=session, responsible_unit=unit, status=status, number=n)
        for n, status in enumerate(["approved", "in_progress", "completed"], 1)
    ]


@pytest.fixture
def poll(next_session, approved, make_voters, committee_staff):
    reps = make_voters(7)
    ballot = services.ballot_create(
        session=next_session,
        kind=Ballot.Kind.SATISFACTION,
        title="2022年民生实事项目满意度测评",
        projects=approved,
        closes_at=later(),
        by=committee_staff,
    )
    services.ballot_open(ballot=ballot, by=committee_staff)
    return ballot, reps


def _rate(ballot, rep, projects, *options):
    services.ballot_vote(
        ballot=ballot, representative=rep, choices={p.pk: o for p, o in zip(projects, options, strict=True)}
    )


def test_a_poll_takes_approved_projects_only(next_session, session, make_candidates, committee_staff):
    with pytest.raises(LivelihoodError, match="票决通过的项目"):
        services.ballot_create(
            session=next_session,
            kind="satisfaction",
            title="测评",
            projects=make_candidates(1),
            closes_at=later(),
            by=committee_staff,
        )


def test_every_project_must_be_rated_on_a_sheet(poll, approved):
    ballot, reps = poll
    for choices in ({approved[0].pk: "satisfied"}, {p.pk: "for" for p in approved}):
        with pytest.raises(LivelihoodError, match="请对每个项目选择"):
            services.ballot_vote(ballot=ballot, representative=reps[0], choices=choices)
    assert sum(BallotTally.objects.filter(ballot=ballot).values_list("count", flat=True)) == 0


def test_online_and_paper_ratings_are_graded_by_the_rule_at_close(poll, approved, committee_staff):
    ballot, reps = poll
    # 7 members, more than half is 4 or more.
    _rate(ballot, reps[0], approved, "satisfied", "basic", "dissatisfied")
    _rate(ballot, reps[1], approved, "satisfied", "basic", "dissatisfied")
    _rate(ballot, reps[2], approved, "satisfied", "satisfied", "basic")
    services.paper_batch_enter(
        ballot=ballot,
        sheets=3,
        counts={
            approved[0].pk: {"satisfied": 1, "basic": 2},
            approved[1].pk: {"basic": 1, "dissatisfied": 2},
            approved[2].pk: {"satisfied": 1, "basic": 1, "dissatisfied": 1},
        },
        by=committee_staff,
    )
    with pytest.raises(LivelihoodError, match="票数不能多于"):
        services.paper_batch_enter(
            ballot=ballot, sheets=1, counts={approved[0].pk: {"satisfied": 1, "basic": 1}}, by=committee_staff
        )
    services.ballot_close(ballot=ballot, by=committee_staff)
    results = {r.project_id: (r.satisfied, r.basic, r.dissatisfied, r.grade) for r in selectors.ballot_results(ballot)}
    assert results == {
        approved[0].pk: (4, 2, 0, "satisfied"),  # 4 > 3.5
        approved[1].pk: (1, 3, 2, "basic"),  # 1 + 3 > 3.5
        approved[2].pk: (1, 2, 3, "dissatisfied"),  # 1 + 2 = 3, not more than half of 7
    }
    grades = dict(Project.objects.values_list("pk", "grade"))
    assert [grades[p.pk] for p in approved] == ["satisfied", "basic", "dissatisfied"]


def test_a_graded_project_is_not_polled_twice(poll, approved, next_session, committee_staff):
    ballot, _reps = poll
    with pytest.raises(LivelihoodError, match="另一场未结束的投票"):
        services.ballot_create(
            session=next_session,
            kind="satisfaction",
            title="测评",
            projects=approved[:1],
            closes_at=later(),
            by=committee_staff,
        )
    services.ballot_close(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError, match="已经测评过"):
        services.ballot_create(
            session=next_session,
            kind="satisfaction",
            title="测评",
            projects=approved[:1],
            closes_at=later(),
            by=committee_staff,
        )
