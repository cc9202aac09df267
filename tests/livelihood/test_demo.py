"""The demo: the seed article's 33 candidates and 21 approved projects, in every stage, loaded once."""

import pytest
from django.db import transaction
from django.utils import timezone

from apps.demo.core import demo_load
from apps.demo.livelihood import livelihood_demo_load
from apps.livelihood.models import Ballot, BallotTally, BallotVoter, Idea, Milestone, Project, Supervision


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction rolled back at its end; each test runs
    in a savepoint of it. The roster first: the livelihood demo needs only that."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        yield livelihood_demo_load()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_demo_loaded, db):
    return _demo_loaded


def test_the_demo_has_33_candidates_and_21_approved_by_the_ballot(loaded):
    projects = Project.objects.all()
    assert projects.count() == 33
    assert projects.filter(status__in=Project.IMPLEMENTING).count() == 21
    assert projects.filter(status=Project.Status.NOT_APPROVED).count() == 12
    ballot = Ballot.objects.get()
    assert ballot.status == Ballot.Status.CLOSED and ballot.slots == 21
    assert ballot.closed_at.date().isoformat() == "2022-01-07"
    assert "候选项目 33 个，代表票决通过 21 个" in loaded


def test_the_demo_tallies_agree_with_the_voters_and_the_threshold(loaded):
    ballot = Ballot.objects.get()
    voters = BallotVoter.objects.filter(ballot=ballot)
    assert voters.count() == ballot.sheets == ballot.sheets_online + ballot.sheets_paper
    assert ballot.sheets_paper == 30 and ballot.sheets <= ballot.eligible_count
    total_marks = sum(BallotTally.objects.filter(ballot=ballot).values_list("count", flat=True))
    assert total_marks <= ballot.sheets * ballot.max_choices
    for item in ballot.items.all():
        passed = item.votes * 2 > ballot.eligible_count
        assert passed == (item.outcome == "approved")


def test_the_demo_projects_are_in_various_stages(loaded):
    assert Project.objects.filter(status=Project.Status.COMPLETED).count() == 9
    assert Project.objects.filter(status=Project.Status.IN_PROGRESS).count() == 12
    overdue = Milestone.objects.filter(completed_on__isnull=True, due_on__lt=timezone.localdate())
    assert overdue.values("project").distinct().count() == 1
    assert Supervision.objects.count() == 10
    assert not Project.objects.filter(status__in=Project.IMPLEMENTING, lead_leader="").exists()


def test_the_demo_ideas_come_from_three_sources(loaded):
    assert 40 <= Idea.objects.count() <= 50
    sources = set(Idea.objects.values_list("source", flat=True))
    assert {Idea.Source.CITIZEN, Idea.Source.REPRESENTATIVE, Idea.Source.UNIT} <= sources
    assert Idea.objects.filter(status=Idea.Status.MERGED).count() == 3
    assert Idea.objects.filter(status=Idea.Status.DECLINED).count() == 9


def test_loading_twice_creates_nothing(loaded):
    counts = (Idea.objects.count(), Project.objects.count(), Milestone.objects.count(), Ballot.objects.count())
    line = livelihood_demo_load()
    assert (Idea.objects.count(), Project.objects.count(), Milestone.objects.count(), Ballot.objects.count()) == counts
    assert line == loaded
