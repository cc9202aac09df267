"""The posts' part of the duty record: a log earns points only once confirmed, within the cap;
a post held earns points once per assignment running in the year; fixed queries at any size."""

import datetime

import pytest

from apps.posts import duty, services
from apps.posts.models import PostLog
from apps.representatives.duty import points_for, points_for_many, sources
from apps.representatives.models import Representative
from tests.factories import RepresentativeFactory
from tests.posts.factories import DutyPostFactory, PostAssignmentFactory, PostLogFactory

D = datetime.date


@pytest.fixture
def points(settings):
    settings.RENDA_DUTY = {
        **settings.RENDA_DUTY,
        "POINTS": {**settings.RENDA_DUTY["POINTS"], "post_held": 5, "post_log": 2},
        "CAPS": {**settings.RENDA_DUTY["CAPS"], "post_log": 6},
    }


def test_the_source_is_registered_with_its_kinds():
    source = next(s for s in sources() if s.key == "posts")
    assert (str(source.label), source.order) == ("履职岗位", 30)
    assert set(source.kinds) == {"post_held", "post_log"}


def test_a_pending_log_earns_nothing_until_confirmed(points, log_a, rep_a, staff_a):
    assert points_for(rep_a, 2022).by_kind() == {"post_held": 5}
    services.post_log_review(log=log_a, by=staff_a, confirm=True)
    assert points_for(rep_a, 2022).by_kind() == {"post_held": 5, "post_log": 2}


def test_a_rejected_log_earns_nothing(points, log_a, rep_a, staff_a):
    services.post_log_review(log=log_a, by=staff_a, confirm=False, note="不属实")
    assert points_for(rep_a, 2022).by_kind().get("post_log", 0) == 0


def test_confirmed_logs_stop_earning_at_the_cap(points, assignment_a, rep_a):
    PostLogFactory.create_batch(5, assignment=assignment_a, review_status=PostLog.Review.CONFIRMED)
    PostLogFactory.create_batch(3, assignment=assignment_a)  # pending: not counted at all
    found = points_for(rep_a, 2022)
    assert found.counts["post_log"] == 5
    assert found.by_kind()["post_log"] == 6  # 5 × 2 = 10, capped at 6


def test_logs_count_in_the_year_they_are_dated(points, assignment_a, rep_a):
    PostLogFactory(assignment=assignment_a, date=D(2022, 12, 31), review_status="confirmed")
    PostLogFactory(assignment=assignment_a, date=D(2023, 1, 1), review_status="confirmed")
    assert points_for(rep_a, 2022).counts["post_log"] == 1
    assert points_for(rep_a, 2023).counts["post_log"] == 1


def test_a_post_counts_in_every_year_it_was_held(points, post_a, rep_a, staff_a):
    first = services.post_assign(post=post_a, representative=rep_a, started_on=D(2021, 11, 1), by=staff_a)
    services.post_unassign(assignment=first, ended_on=D(2022, 1, 31), by=staff_a)
    services.post_assign(post=post_a, representative=rep_a, started_on=D(2022, 9, 1), by=staff_a)
    assert points_for(rep_a, 2021).counts["post_held"] == 1
    assert points_for(rep_a, 2022).counts["post_held"] == 2
    assert points_for(rep_a, 2023).counts["post_held"] == 1
    assert points_for(rep_a, 2020).counts["post_held"] == 0


def test_entries_show_pending_and_rejected_logs_as_not_counting(log_a, assignment_a, rep_a, staff_a):
    services.post_log_review(log=log_a, by=staff_a, confirm=False, note="不属实")
    PostLogFactory(assignment=assignment_a, date=D(2022, 5, 1), content="巡查河道")
    PostLogFactory(assignment=assignment_a, date=D(2022, 4, 1), review_status="confirmed")
    found = [(e.kind, e.on, e.counts, e.status) for e in duty.entries(rep_a, 2022)]
    assert found == [
        ("post_log", D(2022, 5, 1), False, "待确认"),
        ("post_log", D(2022, 4, 1), True, "已确认"),
        ("post_log", D(2022, 3, 1), False, "未通过"),
        ("post_held", D(2022, 1, 10), True, "在岗"),
    ]
    assert duty.entries(rep_a, 2022)[0].title.startswith("儒林镇矛盾纠纷调解岗：巡查河道")


def _many(n_reps: int, logs_each: int, township, county_term):
    for _ in range(n_reps):
        post = DutyPostFactory(township=township)
        rep = RepresentativeFactory(township=township, term=county_term)
        assignment = PostAssignmentFactory(post=post, representative=rep)
        PostLogFactory.create_batch(logs_each, assignment=assignment, review_status="confirmed")


@pytest.mark.parametrize(("n_reps", "logs_each"), [(1, 5), (10, 50)])
def test_counts_and_entries_take_fixed_queries(
    n_reps, logs_each, township_a, county_term, django_assert_max_num_queries
):
    _many(n_reps, logs_each, township_a, county_term)
    reps = Representative.objects.filter(township=township_a)
    with django_assert_max_num_queries(2):
        counted = duty.counts(reps, 2022)
    assert sum(c["post_log"] for c in counted.values()) == n_reps * logs_each
    assert sum(c["post_held"] for c in counted.values()) == n_reps
    rep = reps.first()
    with django_assert_max_num_queries(2):
        assert len(duty.entries(rep, 2022)) == logs_each + 1


def test_points_for_many_merge_the_source(points, township_a, county_term):
    _many(3, 2, township_a, county_term)
    found = points_for_many(Representative.objects.filter(township=township_a), 2022)
    assert [p.by_kind() for p in found.values()] == [{"post_held": 5, "post_log": 4}] * 3
