"""The groups demo: the seed article's figures for 2022 (6 groups, 36 activities, 128 problems
solved, 12 batches), reached through the services, and nothing new on a second run."""

import pytest
from django.db.models import Count
from django.test import override_settings

from apps.demo.core import demo_load
from apps.demo.groups import groups_demo_load
from apps.demo.proposals import proposals_demo_load
from apps.groups.models import Activity, ActivityGroup, Campaign, Inspection, InspectionSuggestion, ProblemSolved

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Review = Activity.Review


@pytest.fixture
def demo(db):
    with override_settings(PASSWORD_HASHERS=FAST_HASHING):
        demo_load()
        proposals_demo_load()
        line = groups_demo_load()
    return line


def _counts() -> tuple:
    return tuple(m.objects.count() for m in (ActivityGroup, Activity, Campaign, ProblemSolved, Inspection))


def test_the_demo_holds_the_seed_articles_figures(demo):
    groups = ActivityGroup.objects.annotate(n=Count("memberships"))
    assert groups.count() == 6
    assert all(8 <= g.n <= 15 and g.leader_id for g in groups)
    assert all(g.liaison_display for g in groups)
    confirmed = Activity.objects.filter(date__year=2022, review_status=Review.CONFIRMED)
    assert confirmed.count() == 36
    assert confirmed.filter(kind__in=[Activity.Kind.TALK, Activity.Kind.WISH]).count() > 18
    solved = ProblemSolved.objects.filter(date__year=2022, review_status=Review.CONFIRMED, is_solved=True)
    assert solved.count() == 128
    assert ProblemSolved.objects.filter(review_status=Review.PENDING).exists()
    assert Campaign.objects.filter(name="大学习、大调研、大走访、大宣讲、大服务").exists()
    batches = Inspection.objects.filter(year=2022)
    assert sorted(batches.values_list("batch_no", flat=True)) == list(range(1, 15))
    assert batches.exclude(kind=Inspection.Kind.ENFORCEMENT).count() == 12  # the seed's inspections and surveys
    assert batches.filter(kind=Inspection.Kind.ENFORCEMENT).count() == 2
    assert not batches.annotate(n=Count("participants")).filter(n=0).exists()
    assert InspectionSuggestion.objects.filter(proposal__session__opened_on__year=2022).exists()
    assert "活动小组 6 个" in demo and "小组活动 36 次" in demo
    assert "办实事解决问题 128 件" in demo and "视察调研 12 批次、执法检查 2 批次" in demo


def test_rep_demo_has_something_in_the_portal(demo):
    activities = Activity.objects.filter(participants__user__username="rep_demo")
    assert ActivityGroup.objects.filter(memberships__representative__user__username="rep_demo").exists()
    assert Activity.objects.filter(reported_by__user__username="rep_demo", review_status=Review.PENDING).exists()
    assert activities.exists() or ProblemSolved.objects.filter(representative__user__username="rep_demo").exists()


def test_a_second_run_adds_nothing(demo):
    before = _counts()
    assert groups_demo_load() == demo
    assert _counts() == before
