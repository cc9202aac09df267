"""Secret ballot: the database keeps who voted and what was chosen apart, with nothing --
no key, no timestamp, no history row, no row version or order -- to join one to the other."""

import pytest
from django.apps import apps
from django.db import connection

from apps.livelihood import services
from apps.livelihood.models import Ballot, BallotTally, BallotVoter, PaperBatch

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="inspects PostgreSQL itself")


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _foreign_keys(table):
    return set(
        _rows(
            """
            SELECT kcu.column_name, ccu.table_name
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
            JOIN information_schema.constraint_column_usage ccu
              ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
            WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = %s
            """,
            [table],
        )
    )


def _columns(table):
    return dict(_rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s", [table]))


@pytest.fixture
def voted(open_selection, committee_staff):
    """Five sheets online with different choices, and a paper batch with its voters."""
    ballot, projects, reps = open_selection(candidates=4, slots=2, voters=8)
    for rep, picks in zip(reps[:5], [(0, 1), (2,), (0, 3), (), (1, 2)], strict=True):
        services.ballot_vote(ballot=ballot, representative=rep, choices={projects[i].pk: "for" for i in picks})
    services.paper_batch_enter(
        ballot=ballot, sheets=2, counts={projects[3].pk: {"for": 2}}, voters=reps[5:7], by=committee_staff
    )
    return ballot, projects, reps


def test_the_choice_tables_point_at_no_representative_and_no_voter(voted):
    assert _foreign_keys("livelihood_ballottally") == {
        ("ballot_id", "livelihood_ballot"),
        ("project_id", "livelihood_project"),
    }
    # A batch names the clerk who typed it in, never a representative.
    assert _foreign_keys("livelihood_paperbatch") == {
        ("ballot_id", "livelihood_ballot"),
        ("entered_by_id", "core_user"),
    }
    assert _foreign_keys("livelihood_ballotvoter") == {
        ("ballot_id", "livelihood_ballot"),
        ("representative_id", "representatives_representative"),
    }
    # Nor does anything a choice row points at lead to a voter: a project has no representative.
    project_targets = {table for _column, table in _foreign_keys("livelihood_project")}
    assert project_targets.isdisjoint({"representatives_representative", "core_user", "livelihood_ballotvoter"})


def test_the_tables_carry_no_time_and_the_models_agree(voted):
    assert set(_columns("livelihood_ballottally")) == {"id", "ballot_id", "project_id", "option", "count"}
    assert set(_columns("livelihood_ballotvoter")) == {"id", "ballot_id", "representative_id", "channel"}
    for model in (BallotTally, BallotVoter):
        kinds = {f.get_internal_type() for f in model._meta.concrete_fields}
        assert kinds.isdisjoint({"DateTimeField", "DateField", "TimeField"}), model
    related = {f.related_model for f in BallotTally._meta.concrete_fields if f.is_relation}
    assert related == {Ballot, apps.get_model("livelihood", "Project")}


def test_history_keeps_no_rows_of_tallies_voters_or_batches(voted, open_selection):
    ballot, projects, reps = voted
    history_tables = {t for (t,) in _rows("SELECT table_name FROM information_schema.tables")}
    for name in ("ballottally", "ballotvoter", "paperbatch"):
        assert f"livelihood_historical{name}" not in history_tables
        assert not hasattr(apps.get_model("livelihood", name), "history")
    before = ballot.history.count()
    services.ballot_vote(ballot=ballot, representative=reps[7], choices={projects[0].pk: "for"})
    assert ballot.history.count() == before  # a vote writes no history row of the ballot either
    assert "sheets_online" not in {f.name for f in ballot.history.model._meta.fields}


def _xmins(table, ballot):
    return _rows(f"SELECT xmin::text FROM {table} WHERE ballot_id = %s ORDER BY id", [ballot.pk])  # noqa: S608


def test_every_counter_carries_the_same_row_version_so_none_tells_what_the_last_voter_chose(voted):
    """PostgreSQL stamps each row version with the transaction that wrote it (xmin). Were only the
    chosen counters written, their xmin would equal the last voter's transaction and betray the
    choice; every counter is rewritten by every sheet, so all carry one version."""
    ballot, projects, reps = voted
    before = set(_xmins("livelihood_ballottally", ballot))
    assert len(before) == 1
    services.ballot_vote(ballot=ballot, representative=reps[7], choices={projects[0].pk: "for"})
    after = set(_xmins("livelihood_ballottally", ballot))
    assert len(after) == 1
    assert after != before


def test_closing_rewrites_the_voter_list_in_representative_order(voted, committee_staff):
    ballot, _projects, reps = voted
    services.ballot_close(ballot=ballot, by=committee_staff)
    rows = _rows(
        "SELECT representative_id, channel, xmin::text FROM livelihood_ballotvoter WHERE ballot_id = %s ORDER BY id",
        [ballot.pk],
    )
    assert [r[0] for r in rows] == sorted(r.pk for r in reps[:7])
    assert len({r[2] for r in rows}) == 1  # one row version for all: written together at close
    physical = _rows(
        "SELECT representative_id FROM livelihood_ballotvoter WHERE ballot_id = %s ORDER BY ctid", [ballot.pk]
    )
    assert [r[0] for r in physical] == sorted(r.pk for r in reps[:7])
    assert sorted(c for _r, c, _x in rows) == ["online"] * 5 + ["paper"] * 2
    assert PaperBatch.objects.get(ballot=ballot).counts == {str(_projects[3].pk): {"for": 2}}
