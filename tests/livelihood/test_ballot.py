"""The selection ballot (票决): who may vote, once only, until it closes; paper and online
sheets counted together; the threshold, the slots and ties at the cut; the closing task."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from apps.livelihood import selectors, services, tasks
from apps.livelihood.models import Ballot, BallotItem, BallotTally, BallotVoter, PaperBatch, Project
from apps.livelihood.services import LivelihoodError, selection_outcomes
from apps.representatives.choices import Status as RepStatus
from tests.factories import CountyFactory, RepresentativeFactory, TermFactory, TownshipFactory
from tests.livelihood.conftest import later
from tests.servers import wait_for

Outcome = BallotItem.Outcome


def _tallies(ballot):
    return {(t.project_id, t.option): t.count for t in BallotTally.objects.filter(ballot=ballot)}


def _vote_for(ballot, rep, *projects):
    services.ballot_vote(ballot=ballot, representative=rep, choices={p.pk: "for" for p in projects})


def _snapshot(ballot):
    """Everything a refused vote or batch must leave as it was."""
    ballot = Ballot.objects.get(pk=ballot.pk)
    return (
        ballot.sheets_online,
        ballot.sheets_paper,
        _tallies(ballot),
        sorted(BallotVoter.objects.filter(ballot=ballot).values_list("representative", "channel")),
        PaperBatch.objects.filter(ballot=ballot).count(),
    )


def _outcomes(ballot):
    return {i.project_id: (i.votes, i.rank, i.outcome) for i in BallotItem.objects.filter(ballot=ballot)}


# --- eligibility ---------------------------------------------------------------------------------


def test_opening_snapshots_the_serving_representatives_of_the_term(open_selection, county_term, township_a):
    RepresentativeFactory(
        township=township_a, term=county_term, status=RepStatus.RESIGNED, status_changed_on=timezone.localdate()
    )
    ballot, _projects, reps = open_selection(voters=4)
    assert ballot.status == Ballot.Status.OPEN
    assert ballot.eligible_count == 4
    assert set(selectors.eligible_representatives(ballot)) == set(reps)


def test_the_snapshot_does_not_move_when_the_roster_does(open_selection, county_term, township_a):
    ballot, _projects, _reps = open_selection(voters=4)
    RepresentativeFactory(township=township_a, term=county_term)
    ballot.refresh_from_db()
    assert ballot.eligible_count == 4


def test_a_representative_of_another_term_or_county_or_not_serving_is_refused(open_selection, township_a, county):
    ballot, projects, _reps = open_selection()
    before = _snapshot(ballot)
    old_term = TermFactory(region=county, number=17)
    other_county = CountyFactory(code="430528", name="新宁县")
    strangers = [
        RepresentativeFactory(township=township_a, term=old_term),
        RepresentativeFactory(township=TownshipFactory(parent=other_county), term=TermFactory(region=other_county)),
        RepresentativeFactory(
            township=township_a,
            term=ballot.session.term,
            status=RepStatus.RECALLED,
            status_changed_on=timezone.localdate(),
        ),
    ]
    for rep in strangers:
        with pytest.raises(LivelihoodError, match="不能参加这次投票"):
            _vote_for(ballot, rep, projects[0])
    assert _snapshot(ballot) == before


def test_open_ballots_for_a_representative_show_whether_they_voted(open_selection, county):
    ballot, projects, reps = open_selection()
    _vote_for(ballot, reps[0], projects[0])
    assert [(b.pk, b.voted) for b in selectors.open_ballots_for(reps[0])] == [(ballot.pk, True)]
    assert [(b.pk, b.voted) for b in selectors.open_ballots_for(reps[1])] == [(ballot.pk, False)]
    outsider = RepresentativeFactory(
        township=TownshipFactory(parent=county), term=TermFactory(region=county, number=17)
    )
    assert list(selectors.open_ballots_for(outsider)) == []


# --- one vote per representative -------------------------------------------------------------------


def test_a_vote_counts_once_and_a_second_vote_is_refused(open_selection):
    ballot, projects, reps = open_selection()
    _vote_for(ballot, reps[0], projects[0], projects[2])
    with pytest.raises(LivelihoodError, match="您已经投过票"):
        _vote_for(ballot, reps[0], projects[1])
    ballot.refresh_from_db()
    assert ballot.sheets_online == 1
    assert BallotVoter.objects.filter(ballot=ballot, representative=reps[0]).count() == 1
    tallies = _tallies(ballot)
    assert [tallies[(p.pk, "for")] for p in projects] == [1, 0, 1, 0, 0]
    assert selectors.has_voted(ballot, reps[0])
    assert not selectors.has_voted(ballot, reps[1])


def _waiting_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_tabs_posting_at_once_make_one_vote(open_selection):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    ballot, projects, reps = open_selection()
    results = []

    def post(project):
        try:
            _vote_for(ballot, reps[0], project)
            results.append("voted")
        except LivelihoodError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(p,)) for p in projects[:2]]
    # Hold the ballot row so both posts pass every check and queue on it before either commits.
    with transaction.atomic():
        Ballot.objects.select_for_update().get(pk=ballot.pk)
        for thread in threads:
            thread.start()
        both_waiting = wait_for(lambda: _waiting_backends() >= 2, 30)
    for thread in threads:
        thread.join(60)
    assert both_waiting, "the two posts never met at the ballot row"
    assert sorted(results) == ["voted", "您已经投过票，每位代表只能投一次。"]
    ballot.refresh_from_db()
    assert ballot.sheets_online == 1
    assert BallotVoter.objects.filter(ballot=ballot, representative=reps[0]).count() == 1
    assert sum(_tallies(ballot).values()) == 1


# --- open and closed -------------------------------------------------------------------------------


def test_no_vote_before_opening(session, make_candidates, make_voters, committee_staff):
    projects, reps = make_candidates(3), make_voters(3)
    ballot = services.ballot_create(
        session=session,
        kind="selection",
        title="票决",
        projects=projects,
        closes_at=later(),
        slots=2,
        by=committee_staff,
    )
    with pytest.raises(LivelihoodError, match="尚未开始"):
        _vote_for(ballot, reps[0], projects[0])


def test_no_vote_after_staff_close(open_selection, committee_staff):
    ballot, projects, reps = open_selection()
    services.ballot_close(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError, match="已经结束"):
        _vote_for(ballot, reps[0], projects[0])
    assert not BallotVoter.objects.filter(ballot=ballot).exists()


def test_no_vote_past_the_closing_time_even_before_the_task_closes_it(open_selection):
    ballot, projects, reps = open_selection()
    before = _snapshot(ballot)
    with (
        time_machine.travel(ballot.closes_at + timedelta(seconds=1), tick=False),
        pytest.raises(LivelihoodError, match="已经截止"),
    ):
        _vote_for(ballot, reps[0], projects[0])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
    assert _snapshot(ballot) == before


def test_a_closed_ballot_cannot_be_closed_or_opened_again(open_selection, committee_staff):
    ballot, _projects, _reps = open_selection()
    services.ballot_close(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError):
        services.ballot_close(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError):
        services.ballot_open(ballot=ballot, by=committee_staff)


def test_the_task_closes_due_ballots_only(session, make_candidates, make_voters, committee_staff):
    make_voters(3)
    due, not_due = [
        services.ballot_create(
            session=session,
            kind="selection",
            title=title,
            projects=make_candidates(2),
            closes_at=later(hours),
            slots=1,
            by=committee_staff,
        )
        for title, hours in (("到期的票决", 1), ("未到期的票决", 3))
    ]
    for ballot in (due, not_due):
        services.ballot_open(ballot=ballot, by=committee_staff)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        tasks.close_due_ballots()
        tasks.close_due_ballots()
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert (due.status, due.closed_by) == (Ballot.Status.CLOSED, None)
    assert not_due.status == Ballot.Status.OPEN
    assert BallotItem.objects.filter(ballot=due, outcome="").count() == 0
    assert BallotItem.objects.filter(ballot=not_due, outcome="").count() == 2


def test_the_task_cannot_close_a_ballot_before_its_time(open_selection):
    ballot, _projects, _reps = open_selection()
    with pytest.raises(LivelihoodError, match="还没到截止时间"):
        services.ballot_close(ballot=ballot, by=None)


# --- what a sheet may hold -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (lambda ps: {p.pk: "for" for p in ps[:4]}, "最多只能选择 3 个项目"),
        (lambda ps: {ps[0].pk: "against"}, "只能对项目投赞成票"),
        (lambda ps: {999999: "for"}, "选票上没有这个项目"),
        (lambda ps: {"abc": "for"}, "无法识别"),
    ],
)
def test_a_bad_sheet_is_refused_and_changes_nothing(open_selection, choices, message):
    ballot, projects, reps = open_selection()
    before = _snapshot(ballot)
    with pytest.raises(LivelihoodError, match=message):
        services.ballot_vote(ballot=ballot, representative=reps[0], choices=choices(projects))
    assert _snapshot(ballot) == before


def test_a_blank_sheet_counts_as_cast(open_selection):
    ballot, _projects, reps = open_selection()
    services.ballot_vote(ballot=ballot, representative=reps[0], choices={})
    ballot.refresh_from_db()
    assert ballot.sheets_online == 1
    assert sum(_tallies(ballot).values()) == 0


# --- paper sheets ----------------------------------------------------------------------------------


def test_paper_and_online_sheets_are_tallied_together(open_selection, committee_staff):
    ballot, projects, reps = open_selection(candidates=4, slots=2, voters=9)
    for rep, picks in zip(reps[:4], [(0, 1), (0, 2), (0,), (1, 3)], strict=True):
        _vote_for(ballot, rep, *[projects[i] for i in picks])
    batch = services.paper_batch_enter(
        ballot=ballot,
        sheets=3,
        counts={projects[0].pk: {"for": 3}, str(projects[1].pk): {"for": 2}},
        voters=reps[4:7],
        by=committee_staff,
    )
    services.paper_batch_enter(ballot=ballot, sheets=1, counts={projects[2].pk: {"for": 1}}, by=committee_staff)
    assert batch.number == 1
    ballot.refresh_from_db()
    assert (ballot.sheets_online, ballot.sheets_paper, ballot.sheets) == (4, 4, 8)
    channels = sorted(BallotVoter.objects.filter(ballot=ballot).values_list("channel", flat=True))
    assert channels == ["online"] * 4 + ["paper"] * 3
    with pytest.raises(LivelihoodError, match="已经投过票"):
        _vote_for(ballot, reps[4], projects[0])
    services.ballot_close(ballot=ballot, by=committee_staff)
    votes = {pk: v for pk, (v, _rank, _outcome) in _outcomes(ballot).items()}
    assert [votes[p.pk] for p in projects] == [3 + 3, 2 + 2, 1 + 1, 1]
    # More than half of 9 is 5 or more: only the first passes.
    assert [_outcomes(ballot)[p.pk][2] for p in projects] == ["approved"] + ["not_approved"] * 3


def _paper_cases(projects, reps, voted):
    p0, p1, p2 = (p.pk for p in projects[:3])
    return [
        ({"sheets": 2, "counts": {p0: {"for": 3}}}, "票数不能多于本批选票张数"),
        ({"sheets": 2, "counts": {p0: {"for": 2}, p1: {"for": 2}, p2: {"for": 2}}}, "赞成票总数不能多于"),
        ({"sheets": 1, "counts": {p0: {"satisfied": 1}}}, "没有的选项"),
        ({"sheets": 1, "counts": {p0: {"for": -1}}}, "不能为负数"),
        ({"sheets": 1, "counts": {123456: {"for": 1}}}, "不在本次投票中"),
        ({"sheets": 0, "counts": {}}, "正整数"),
        ({"sheets": 5, "counts": {}}, "将超过应参加投票代表数"),
        ({"sheets": 2, "counts": {}, "voters": reps[1:2]}, "人数须与选票张数相同"),
        ({"sheets": 1, "counts": {}, "voters": [voted]}, "已经投过票"),
    ]


def test_paper_batches_that_break_the_limits_are_refused_whole(open_selection, committee_staff):
    ballot, projects, reps = open_selection(candidates=3, slots=2, voters=5)
    _vote_for(ballot, reps[0], projects[0])
    before = _snapshot(ballot)
    for kwargs, message in _paper_cases(projects, reps, reps[0]):
        with pytest.raises(LivelihoodError, match=message):
            services.paper_batch_enter(ballot=ballot, by=committee_staff, **kwargs)
        assert _snapshot(ballot) == before, message


def test_paper_voters_must_be_eligible(open_selection, committee_staff, township_a, county):
    ballot, _projects, _reps = open_selection()
    outsider = RepresentativeFactory(township=township_a, term=TermFactory(region=county, number=17))
    with pytest.raises(LivelihoodError, match="不能参加这次投票"):
        services.paper_batch_enter(ballot=ballot, sheets=1, counts={}, voters=[outsider], by=committee_staff)


def test_no_paper_batch_once_closed(open_selection, committee_staff):
    ballot, projects, _reps = open_selection()
    services.ballot_close(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError, match="投票进行中"):
        services.paper_batch_enter(ballot=ballot, sheets=1, counts={projects[0].pk: {"for": 1}}, by=committee_staff)


# --- threshold, slots and ties ---------------------------------------------------------------------

HALF = Decimal("0.5")


def test_more_passing_than_slots_the_highest_win():
    result = selection_outcomes({1: 9, 2: 8, 3: 7, 4: 6, 5: 2}, slots=2, base=10, ratio=HALF)
    assert result == {
        1: (1, "approved"),
        2: (2, "approved"),
        3: (3, "not_approved"),
        4: (4, "not_approved"),
        5: (5, "not_approved"),
    }


def test_a_tie_at_the_cut_is_flagged_and_not_approved():
    result = selection_outcomes({1: 9, 2: 7, 3: 7, 4: 7, 5: 6}, slots=2, base=10, ratio=HALF)
    assert result == {1: (1, "approved"), 2: (2, "tie"), 3: (2, "tie"), 4: (2, "tie"), 5: (5, "not_approved")}


def test_equal_votes_that_all_fit_in_the_slots_are_approved():
    result = selection_outcomes({1: 9, 2: 7, 3: 7, 4: 6}, slots=3, base=10, ratio=HALF)
    assert [result[pk][1] for pk in (1, 2, 3, 4)] == ["approved", "approved", "approved", "not_approved"]


def test_exactly_half_is_not_more_than_half_and_nobody_passes():
    result = selection_outcomes({1: 5, 2: 4, 3: 0}, slots=2, base=10, ratio=HALF)
    assert {outcome for _rank, outcome in result.values()} == {"not_approved"}


def test_a_tie_below_the_threshold_is_not_a_tie():
    result = selection_outcomes({1: 8, 2: 4, 3: 4}, slots=2, base=10, ratio=HALF)
    assert [result[pk][1] for pk in (1, 2, 3)] == ["approved", "not_approved", "not_approved"]


def _vote_pattern(ballot, projects, reps, sheets):
    for rep, picks in zip(reps, sheets, strict=False):
        _vote_for(ballot, rep, *[projects[i] for i in picks])


def test_a_tie_at_the_cut_is_settled_by_a_revote(open_selection, committee_staff, session):
    ballot, projects, reps = open_selection(candidates=4, slots=2, voters=5, max_choices=3)
    # p0: 5, p1: 4, p2: 4, p3: 1; more than half of 5 is 3 or more -> p1 and p2 tie for the last slot.
    _vote_pattern(ballot, projects, reps, [(0, 1, 2)] * 4 + [(0, 3)])
    services.ballot_close(ballot=ballot, by=committee_staff)
    assert _outcomes(ballot) == {
        projects[0].pk: (5, 1, "approved"),
        projects[1].pk: (4, 2, "tie"),
        projects[2].pk: (4, 2, "tie"),
        projects[3].pk: (1, 4, "not_approved"),
    }
    status = dict(Project.objects.values_list("pk", "status"))
    assert [status[p.pk] for p in projects] == ["approved", "tie", "tie", "not_approved"]

    with pytest.raises(LivelihoodError, match="剩余的名额"):
        services.ballot_create(
            session=session,
            kind="selection",
            title="再次票决",
            projects=projects[1:3],
            closes_at=later(),
            slots=2,
            revote_of=ballot,
            by=committee_staff,
        )
    with pytest.raises(LivelihoodError, match="得票相同的项目"):
        services.ballot_create(
            session=session,
            kind="selection",
            title="再次票决",
            projects=projects[2:4],
            closes_at=later(),
            slots=1,
            revote_of=ballot,
            by=committee_staff,
        )
    revote = services.ballot_create(
        session=session,
        kind="selection",
        title="再次票决",
        projects=projects[1:3],
        closes_at=later(),
        slots=1,
        revote_of=ballot,
        by=committee_staff,
    )
    services.ballot_open(ballot=revote, by=committee_staff)
    _vote_pattern(revote, projects, reps, [(1,), (1,), (1,), (2,), ()])
    services.ballot_close(ballot=revote, by=committee_staff)
    status = dict(Project.objects.values_list("pk", "status"))
    assert [status[p.pk] for p in projects] == ["approved", "approved", "not_approved", "not_approved"]


def test_the_base_decides_what_more_than_half_is_of(session, make_candidates, make_voters, committee_staff):
    projects, reps = make_candidates(2), make_voters(10)
    results = {}
    for base in ("eligible", "cast"):
        ballot = services.ballot_create(
            session=session,
            kind="selection",
            title=f"票决（{base}）",
            projects=projects,
            closes_at=later(),
            slots=1,
            base=base,
            by=committee_staff,
        )
        services.ballot_open(ballot=ballot, by=committee_staff)
        _vote_pattern(ballot, projects, reps, [(0,)] * 4)  # 4 of 10 voted, all for p0
        services.ballot_close(ballot=ballot, by=committee_staff)
        results[base] = _outcomes(ballot)[projects[0].pk][2]
        Project.objects.filter(pk__in=[p.pk for p in projects]).update(status="candidate")
    assert results == {"eligible": "not_approved", "cast": "approved"}


def test_the_threshold_defaults_to_the_setting(settings, session, make_candidates, committee_staff):
    settings.RENDA_LIVELIHOOD = {**settings.RENDA_LIVELIHOOD, "MIN_VOTE_RATIO": 0.6}
    ballot = services.ballot_create(
        session=session,
        kind="selection",
        title="票决",
        projects=make_candidates(3),
        closes_at=later(),
        slots=2,
        by=committee_staff,
    )
    assert (ballot.min_vote_ratio, ballot.max_choices) == (Decimal("0.6"), 2)


VOTE_IN_A_PROCESS = """
from apps.livelihood.models import Ballot
from apps.livelihood.services import LivelihoodError, ballot_vote
from apps.representatives.models import Representative
try:
    ballot_vote(ballot=Ballot.objects.get(pk={ballot}), representative=Representative.objects.get(pk={rep}),
                choices={{{project}: "for"}})
    print("RESULT voted")
except LivelihoodError as error:
    print("RESULT", error)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_posting_at_once_make_one_vote(open_selection):
    """As two web server processes would: each its own interpreter and database session."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    import os
    import subprocess
    import sys

    from tests.servers import ROOT, test_database_url

    ballot, projects, reps = open_selection()
    env = {**os.environ, "DATABASE_URL": test_database_url()}
    with transaction.atomic():
        Ballot.objects.select_for_update().get(pk=ballot.pk)
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "-c",
                    VOTE_IN_A_PROCESS.format(ballot=ballot.pk, rep=reps[0].pk, project=p.pk),
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for p in projects[:2]
        ]
        both_waiting = wait_for(lambda: _waiting_backends() >= 2, 60)
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert both_waiting, outputs
    results = sorted(line for out, _err in outputs for line in out.splitlines() if line.startswith("RESULT"))
    assert results == ["RESULT voted", "RESULT 您已经投过票，每位代表只能投一次。"], outputs
    ballot.refresh_from_db()
    assert ballot.sheets_online == 1
    assert BallotVoter.objects.filter(ballot=ballot).count() == 1
    assert sum(_tallies(ballot).values()) == 1
