"""The duty-record demo: 2022 activities, voter ratings and evaluations, loaded twice to no effect."""

import pytest
from django.test import override_settings

from apps.demo.core import demo_load
from apps.demo.representatives import YEAR, duty_demo_load
from apps.representatives.choices import Level
from apps.representatives.models import DutyActivity, Evaluation, Representative, VoterRating

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def loaded(db):
    with override_settings(PASSWORD_HASHERS=FAST_HASHING):
        demo_load()
    return duty_demo_load()


def test_the_demo_holds_a_years_duty_record_of_every_state(loaded):
    activities = DutyActivity.objects.filter(date__year=YEAR)
    states = set(activities.values_list("review_status", flat=True))
    assert states == {"confirmed", "pending", "rejected"}
    assert activities.filter(review_status="confirmed").count() > activities.exclude(review_status="confirmed").count()
    assert not activities.filter(review_status="rejected", review_note="").exists()
    rep_demo = Representative.objects.get(user__username="rep_demo")
    assert rep_demo.duty_activities.exists()

    ratings = VoterRating.objects.filter(year=YEAR).select_related("representative")
    assert ratings.count() > 0 and {r.representative.level for r in ratings} == {Level.TOWNSHIP}
    assert any(r.rate < 0.6 for r in ratings)
    evaluations = Evaluation.objects.filter(year=YEAR)
    assert evaluations.count() == ratings.count()
    assert evaluations.filter(status="confirmed", outcome="commend").exists()
    assert evaluations.filter(status="proposed", outcome="retrain").exists()
    assert str(YEAR) in loaded


def test_loading_twice_adds_nothing(loaded):
    counts = [m.objects.count() for m in (DutyActivity, VoterRating, Evaluation)]
    assert duty_demo_load() == loaded
    assert [m.objects.count() for m in (DutyActivity, VoterRating, Evaluation)] == counts
