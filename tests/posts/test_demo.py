"""The Chengbu demo: the seed article's 1150 posts over the 12 townships, held by nearly every
serving representative within capacity, 2022 work logs in every review state; loading twice
creates nothing."""

import datetime

import pytest
from django.db import transaction
from django.db.models import Count, F

from apps.demo.core import demo_load
from apps.demo.posts import posts_demo_load
from apps.posts.models import DutyPost, PostAssignment, PostLog
from apps.representatives.models import Representative


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Load once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        first = posts_demo_load()
        counts = _counts()
        second = posts_demo_load()
        yield {"first": first, "second": second, "counts": counts}
        transaction.set_rollback(True)


@pytest.fixture
def loaded(_loaded, db):
    return _loaded


def _counts() -> dict[str, int]:
    models = [DutyPost, PostAssignment, PostLog, DutyPost.history.model, PostAssignment.history.model]
    return {m._meta.label: m._default_manager.count() for m in models}


def test_there_are_1150_posts_over_the_12_townships_in_proportion(loaded):
    assert DutyPost.objects.count() == 1150
    per_township = dict(DutyPost.objects.values_list("township__name").annotate(n=Count("pk")))
    assert len(per_township) == 12
    serving = dict(Representative.objects.serving().values_list("township__name").annotate(n=Count("pk")).order_by())
    largest = max(serving, key=serving.get)
    assert max(per_township, key=per_township.get) == largest
    assert set(DutyPost.objects.values_list("programme", flat=True)) == {"双培三联四岗"}
    roles = set(DutyPost.objects.values_list("role__name", flat=True))
    assert roles == {"宣传员", "监督员", "巡查员", "调解员", "信息员"}
    assert {"disputes", "environment"} <= set(DutyPost.objects.values_list("field", flat=True))


def test_assignments_follow_the_rules_of_the_services(loaded):
    assignments = PostAssignment.objects.select_related("post", "representative")
    assert not assignments.exclude(representative__township=F("post__township")).exists()
    assert not assignments.exclude(representative__status="serving").exists()
    assert not assignments.filter(ended_on__lt=F("started_on")).exists()
    over = DutyPost.objects.annotate(n=Count("assignments")).filter(n__gt=F("capacity")).values_list("title", flat=True)
    assert list(over) == []  # every assignment starts before any ends: all overlap
    pairs = assignments.values("post", "representative").annotate(n=Count("pk")).filter(n__gt=1)
    assert not pairs.exists()


def test_most_serving_representatives_hold_a_post_in_2022(loaded):
    serving = Representative.objects.serving().count()
    holders = PostAssignment.objects.during_year(2022).values("representative").distinct().count()
    assert holders >= 0.9 * serving


def test_a_few_hundred_logs_mostly_confirmed_dated_within_their_assignment(loaded):
    states = dict(PostLog.objects.values_list("review_status").annotate(n=Count("pk")).order_by())
    total = sum(states.values())
    assert 300 <= total <= 600
    assert states["confirmed"] > 0.8 * total
    assert states["pending"] > 0 and 0 < states["rejected"] < states["pending"]
    logs = PostLog.objects.select_related("assignment")
    assert not logs.filter(date__lt=F("assignment__started_on")).exists()
    assert not logs.filter(date__gt=F("assignment__ended_on")).exists()
    assert not logs.exclude(date__year=2022).exists()
    assert not logs.filter(review_status="rejected", review_note="").exists()
    assert not logs.exclude(review_status="pending").filter(reviewed_by__isnull=True).exists()


def test_rep_demo_has_a_post_and_a_log_in_every_state(loaded):
    rep = Representative.objects.get(user__username="rep_demo")
    assert PostAssignment.objects.filter(representative=rep, ended_on__isnull=True).exists()
    states = set(PostLog.objects.filter(assignment__representative=rep).values_list("review_status", flat=True))
    assert states == {"pending", "confirmed", "rejected"}
    assert PostLog.objects.filter(assignment__representative=rep, created_by=rep.user).exists()


def test_loading_twice_creates_nothing_and_says_what_is_there(loaded):
    assert loaded["counts"] == _counts()
    assert "履职岗位：1150 个" in loaded["first"]
    assert "本次新建岗位 1150 个" in loaded["first"]
    assert "本次新建岗位 0 个" in loaded["second"]
    assert loaded["first"].split("本次")[0] == loaded["second"].split("本次")[0]


def test_the_demo_dates_are_2022(loaded):
    first = PostAssignment.objects.order_by("started_on").values_list("started_on", flat=True).first()
    assert first.year == 2022 and first >= datetime.date(2022, 1, 1)
