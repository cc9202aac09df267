"""Posts, places, filled posts and holders per township, on a given day, within the user's scope."""

import datetime

import pytest

from apps.posts import services
from apps.posts.selectors import post_counts_by_township
from tests.factories import RepresentativeFactory
from tests.posts.factories import DutyPostFactory, PostAssignmentFactory

D = datetime.date


@pytest.fixture
def known(township_a, township_b, county_term, role, staff_a, staff_b):
    """儒林镇: 3 active posts (capacity 2+1+1) and 1 inactive; 茅坪镇: 1 post, empty."""
    a = [DutyPostFactory(township=township_a, role=role, capacity=c) for c in (2, 1, 1)]
    inactive = DutyPostFactory(township=township_a, role=role, is_active=False)
    DutyPostFactory(township=township_b, role=role)
    reps = [RepresentativeFactory(township=township_a, term=county_term) for _ in range(3)]
    assign = services.post_assign
    assign(post=a[0], representative=reps[0], started_on=D(2022, 1, 1), by=staff_a)
    assign(post=a[0], representative=reps[1], started_on=D(2022, 1, 1), by=staff_a)
    assign(post=a[1], representative=reps[0], started_on=D(2022, 1, 1), by=staff_a)  # reps[0] holds two
    left = assign(post=a[2], representative=reps[2], started_on=D(2022, 1, 1), by=staff_a)
    services.post_unassign(assignment=left, ended_on=D(2022, 6, 30), by=staff_a)
    PostAssignmentFactory(post=inactive, representative=reps[2], started_on=D(2022, 1, 1))
    return a


def _table(rows):
    return [(r.township.name if r.township else "合计", r.posts, r.capacity, r.filled, r.held, r.holders) for r in rows]


def test_counts_on_a_day_with_everyone_in_post(known, committee_staff):
    assert _table(post_counts_by_township(user=committee_staff, as_of=D(2022, 3, 1))) == [
        ("儒林镇", 3, 4, 3, 4, 3),
        ("茅坪镇", 1, 1, 0, 0, 0),
        ("合计", 4, 5, 3, 4, 3),
    ]


def test_a_departure_frees_the_post_from_the_next_day(known, committee_staff):
    rows = post_counts_by_township(user=committee_staff, as_of=D(2022, 7, 1))
    assert _table(rows)[0] == ("儒林镇", 3, 4, 2, 3, 2)
    assert rows[0].fill_percent == 66.7
    assert _table(post_counts_by_township(user=committee_staff, as_of=D(2022, 6, 30)))[0][3] == 3


def test_township_staff_count_their_township_only(known, staff_b):
    assert _table(post_counts_by_township(user=staff_b, as_of=D(2022, 3, 1))) == [
        ("茅坪镇", 1, 1, 0, 0, 0),
        ("合计", 1, 1, 0, 0, 0),
    ]


def test_outsiders_count_nothing(known, unit_staff):
    assert _table(post_counts_by_township(user=unit_staff, as_of=D(2022, 3, 1))) == [("合计", 0, 0, 0, 0, 0)]


@pytest.mark.parametrize("n", [1, 40])
def test_counting_takes_three_queries(n, township_a, county_term, committee_staff, django_assert_max_num_queries):
    for _ in range(n):
        post = DutyPostFactory(township=township_a)
        PostAssignmentFactory(post=post, representative=RepresentativeFactory(township=township_a, term=county_term))
    with django_assert_max_num_queries(4):
        rows = post_counts_by_township(user=committee_staff, as_of=D(2022, 3, 1))
    assert rows[-1].filled == n
