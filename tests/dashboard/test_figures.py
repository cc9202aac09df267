"""Each figure on a small known year: counts, rates with numerator and denominator, breakdowns,
township scoping, an empty year, and a congress term spanning several years."""

import datetime
from decimal import Decimal

import pytest

from apps.core.scope import Scope, scope_for
from apps.dashboard.figures import build_dashboard, period_for_term, period_for_year
from apps.dashboard.figures_types import NOT_APPLICABLE
from apps.representatives.models import Evaluation

pytestmark = pytest.mark.django_db

D = datetime.date


def dashboard_for(scope, year=2022, region=None):
    return build_dashboard(scope=scope, period=period_for_year(year), scope_label="", region=region)


def values(dashboard, *keys):
    return {key: dashboard.figure(key).value for key in keys}


def ratio(dashboard, key):
    figure = dashboard.figure(key)
    return figure.numerator, figure.denominator, figure.display


def table(dashboard, key):
    return next(t for s in dashboard.sections for t in s.tables if t.key == key)


def row_of(dashboard, key, name):
    return next(row for row in table(dashboard, key).rows if row[0] == name)


def test_periods_are_a_calendar_year_or_a_term(county_term):
    year = period_for_year(2022)
    assert (year.starts_on, year.ends_on, year.year) == (D(2022, 1, 1), D(2022, 12, 31), 2022)
    term = period_for_term(county_term)  # started 2021-12-28, still open: five years
    assert (term.starts_on, term.ends_on, term.term_id) == (D(2021, 12, 28), D(2026, 12, 27), county_term.pk)
    county_term.ended_on = D(2024, 3, 1)
    assert period_for_term(county_term).ends_on == D(2024, 3, 1)


def test_concerns_received_handled_and_rated_in_the_year(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert values(board, "concerns.received", "concerns.handled") == {
        "concerns.received": 5,
        "concerns.handled": 4,
    }
    assert ratio(board, "concerns.handling_rate") == (4, 5, "80.0%")
    assert ratio(board, "concerns.satisfaction_rate") == (3, 4, "75.0%")
    # The village's concern counts for its township.
    assert row_of(board, "concerns.by_township", known_year.township_a.name)[1:] == [4, 3, 3, 2, Decimal("66.7")]
    assert row_of(board, "concerns.by_township", known_year.township_b.name)[1:] == [1, 1, 1, 1, 100]


def test_proposals_of_the_session_with_their_rates(known_year, committee_staff, unit):
    board = dashboard_for(scope_for(committee_staff))
    assert board.figure("proposals.count").value == 3  # not the draft, not the recess proposal
    assert ratio(board, "proposals.visit_rate") == (1, 3, "33.3%")  # a phone call is not a visit
    assert ratio(board, "proposals.reply_rate") == (2, 3, "66.7%")
    assert ratio(board, "proposals.on_time_reply_rate") == (1, 3, "33.3%")
    assert ratio(board, "proposals.satisfaction_rate") == (2, 2, "100.0%")  # satisfied + basic over returned
    assert ratio(board, "proposals.fully_satisfied_rate") == (1, 2, "50.0%")
    assert ratio(board, "proposals.closure_rate") == (1, 3, "33.3%")
    assert board.figure("proposals.recess").value == 1
    outcomes = {row[0][0]: row[1] for row in table(board, "proposals.outcomes").rows}
    assert outcomes == {"A": 1, "B": 1, "C": 0, "D": 0}
    # 主办 3, 分办 0, answered 2, on time 1, rated 2, satisfied 2; no assisting, nothing handed back
    assert table(board, "proposals.by_unit").rows == [[unit.name, 3, 0, 2, 1, 2, 2, 0, 0, 0, 0]]
    assert row_of(board, "proposals.by_township", known_year.township_a.name)[1:] == [2, 0, 1, 1]


def test_training_halls_lectures_and_attendance(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert board.figure("training.halls").display == "1+2"
    assert values(board, "training.lectures", "training.attendances") == {
        "training.lectures": 3,  # the planned one and the one of 2021 do not count
        "training.attendances": 3,  # present only
    }


def test_duty_posts_places_and_holders(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert values(board, "posts.count", "posts.capacity", "posts.holders") == {
        "posts.count": 3,  # active posts only
        "posts.capacity": 4,
        "posts.holders": 1,
    }
    assert ratio(board, "posts.filled") == (1, 3, "33.3%")
    # posts, places, held during the year; then on 31 December: posts set up, held, holders
    assert row_of(board, "posts.by_township", known_year.township_a.name)[1:] == [2, 3, 1, 2, 1, 1]


def test_groups_activities_problems_and_inspections(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert values(board, "groups.count", "groups.activities", "groups.problems_solved", "groups.inspections") == {
        "groups.count": 1,
        "groups.activities": 3,  # two of the group, one without a group; not the pending one
        "groups.problems_solved": 3,  # confirmed and solved
        "groups.inspections": 1,
    }
    assert [row[1:] for row in table(board, "groups.by_group").rows] == [[2, 2]]


def test_livelihood_projects_of_the_session_and_ideas_of_the_year(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert values(board, "livelihood.collected", "livelihood.voted", "livelihood.completed", "livelihood.ideas") == {
        "livelihood.collected": 3,
        "livelihood.voted": 2,
        "livelihood.completed": 1,
        "livelihood.ideas": 2,
    }


def test_serving_representatives_by_level(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff))
    assert board.figure("representatives.serving").value == 3


def test_township_staff_count_their_township_only(known_year, staff_a):
    board = dashboard_for(scope_for(staff_a))
    assert values(board, "concerns.received", "proposals.count", "posts.count", "livelihood.ideas") == {
        "concerns.received": 4,
        "proposals.count": 2,
        "posts.count": 2,
        "livelihood.ideas": 2,
    }
    assert ratio(board, "concerns.satisfaction_rate") == (2, 3, "66.7%")
    # The county's hall, groups, inspections and projects are the county's, not the township's.
    assert board.figure("training.halls").display == "0+1"
    assert values(board, "groups.count", "groups.activities", "groups.inspections", "livelihood.collected") == {
        "groups.count": 0,
        "groups.activities": 1,
        "groups.inspections": 0,
        "livelihood.collected": 0,
    }
    names = {row[0] for s in board.sections for t in s.tables for row in t.rows}
    assert known_year.township_b.name not in names


def test_narrowing_to_a_township_counts_as_its_staff_see_it(known_year, committee_staff, staff_b):
    narrowed = dashboard_for(scope_for(committee_staff), region=known_year.township_b)
    own = dashboard_for(scope_for(staff_b))
    keys = [f.key for s in own.sections for f in s.figures]
    assert [narrowed.figure(k).display for k in keys] == [own.figure(k).display for k in keys]
    assert narrowed.figure("concerns.received").value == 1


def test_an_empty_year_shows_dashes_for_every_rate(committee_staff):
    board = dashboard_for(scope_for(committee_staff), year=2030)
    figures = [f for s in board.sections for f in s.figures]
    assert len([f for f in figures if f.is_rate]) >= 8
    assert {f.display for f in figures if f.is_rate} == {NOT_APPLICABLE}
    assert {f.display for f in figures if not f.is_rate} == {"0", "0+0"}


def test_a_year_without_records_keeps_the_rates_of_other_years_out(known_year, committee_staff):
    board = dashboard_for(scope_for(committee_staff), year=2019)
    dated = [f for s in board.sections if s.key in ("liaison", "proposals") for f in s.figures if f.is_rate]
    assert {f.display for f in dated} == {NOT_APPLICABLE}
    assert board.figure("posts.filled").display == "0.0%"  # posts exist; nobody held one yet in 2019


def test_a_scope_with_nothing_in_it_counts_nothing(known_year):
    board = dashboard_for(Scope())
    assert board.figure("concerns.received").value == 0
    assert board.figure("proposals.reply_rate").display == NOT_APPLICABLE


def test_a_term_spans_every_year_of_it(known_year, county_term, committee_staff):
    board = build_dashboard(scope=scope_for(committee_staff), period=period_for_term(county_term), scope_label="")
    # 2021-12-31, five in 2022, 2023-01-01: all inside the 18th term (from 2021-12-28).
    assert board.figure("concerns.received").value == 7
    assert board.figure("proposals.count").value == 3
    assert board.figure("groups.inspections").value == 0 + 1  # the 2021-05 batch is before the term
    county_term.ended_on = D(2022, 12, 31)
    shorter = build_dashboard(scope=scope_for(committee_staff), period=period_for_term(county_term), scope_label="")
    assert shorter.figure("concerns.received").value == 6


def test_duty_grades_of_the_year_best_first(known_year, committee_staff, staff_b, rep_a, rep_b, neighbour_a):
    Evaluation.objects.create(representative=rep_a, year=2022, points=20, grade="competent")
    Evaluation.objects.create(representative=neighbour_a, year=2022, points=80, grade="excellent", status="confirmed")
    Evaluation.objects.create(representative=rep_b, year=2021, points=80, grade="excellent")  # another year
    rows = table(dashboard_for(scope_for(committee_staff)), "representatives.grades").rows
    assert [row[1:] for row in rows] == [[1, 1], [1, 0]]
    assert table(dashboard_for(scope_for(staff_b)), "representatives.grades").rows == []
