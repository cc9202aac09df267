"""The duty record's services: reporting, review, voter ratings and the year's evaluation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.notifications.models import Notification
from apps.representatives import duty, selectors, services
from apps.representatives.choices import Status
from apps.representatives.models import DutyActivity, Evaluation, Representative, VoterRating
from apps.training.models import Retraining
from tests.representatives.conftest import YEAR, add_activities

Review = DutyActivity.Review


def report(rep, user, **overrides):
    values = {"kind": "meeting", "date": date(YEAR, 5, 18), "place": "儒林镇政府", "description": "出席镇人代会"}
    return services.duty_activity_report(representative=rep, by=user, **{**values, **overrides})


@pytest.fixture
def activity(rep_a, representative_user):
    return report(rep_a, representative_user)


# --- reporting ------------------------------------------------------------------------------------


def test_a_representative_reports_an_activity_that_waits_for_review(activity, rep_a, representative_user):
    assert activity.review_status == Review.PENDING
    assert activity.representative == rep_a and activity.created_by == representative_user
    assert activity.points_kind == "activity_meeting"


def test_nobody_reports_for_another_representative(rep_b, representative_user, staff_b):
    with pytest.raises(PermissionDenied):
        report(rep_b, representative_user)
    with pytest.raises(PermissionDenied):
        report(rep_b, staff_b)
    assert not DutyActivity.objects.exists()


def test_a_date_in_the_future_is_refused_with_a_message(rep_a, representative_user):
    with pytest.raises(ValidationError) as refused:
        report(rep_a, representative_user, date=timezone.localdate() + timedelta(days=1))
    assert "不能晚于今天" in str(refused.value)
    assert not DutyActivity.objects.exists()


def test_an_unknown_kind_or_blank_place_is_refused(rep_a, representative_user):
    with pytest.raises(ValidationError) as refused:
        report(rep_a, representative_user, kind="party", place="  ")
    assert set(refused.value.error_dict) == {"kind", "place"}


def test_a_representative_no_longer_serving_cannot_report(rep_a, representative_user):
    rep_a.status, rep_a.status_changed_on = Status.RESIGNED, date(YEAR, 1, 1)
    rep_a.save()
    with pytest.raises(ValidationError, match="不是在任代表"):
        report(rep_a, representative_user)


def test_the_representative_edits_and_deletes_while_pending_only(activity, representative_user, staff_a):
    changes = {"kind": "survey", "date": date(YEAR, 5, 19), "place": "白云村", "description": "调研村道"}
    services.duty_activity_update(activity=activity, by=representative_user, **changes)
    activity.refresh_from_db()
    assert (activity.kind, activity.place) == ("survey", "白云村")
    services.duty_activity_review(activity=activity, by=staff_a, confirm=True)
    with pytest.raises(ValidationError, match="已审核"):
        services.duty_activity_update(
            activity=activity, kind="meeting", date=date(YEAR, 5, 1), place="x", description="y", by=representative_user
        )
    with pytest.raises(ValidationError, match="已审核"):
        services.duty_activity_delete(activity=activity, by=representative_user)
    activity.refresh_from_db()
    assert activity.kind == "survey"


def test_nobody_else_edits_or_deletes_an_activity(activity, staff_a):
    with pytest.raises(PermissionDenied):
        services.duty_activity_delete(activity=activity, by=staff_a)
    assert DutyActivity.objects.filter(pk=activity.pk).exists()


def test_a_pending_activity_can_be_deleted(activity, representative_user):
    services.duty_activity_delete(activity=activity, by=representative_user)
    assert not DutyActivity.objects.exists()


# --- review ----------------------------------------------------------------------------------------


def test_confirming_counts_the_activity_and_tells_the_representative(
    activity, rep_a, staff_a, representative_user, duty_rules
):
    assert duty.points_for(rep_a, YEAR).total == 0
    services.duty_activity_review(activity=activity, by=staff_a, confirm=True)
    assert duty.points_for(rep_a, YEAR).total == 3
    note = Notification.objects.get()
    assert note.recipient == representative_user and note.channel == "inbox"
    assert "已确认" in note.subject and note.url.endswith(f"?year={YEAR}")


def test_rejecting_needs_a_reason_which_the_representative_reads(activity, staff_a):
    with pytest.raises(ValidationError, match="理由"):
        services.duty_activity_review(activity=activity, by=staff_a, confirm=False, note=" ")
    services.duty_activity_review(activity=activity, by=staff_a, confirm=False, note="没有会议记录")
    activity.refresh_from_db()
    assert activity.review_status == Review.REJECTED and activity.review_note == "没有会议记录"
    assert "没有会议记录" in Notification.objects.get().subject


def test_an_activity_is_reviewed_once(activity, staff_a, committee_staff):
    services.duty_activity_review(activity=activity, by=staff_a, confirm=True)
    with pytest.raises(ValidationError, match="已审核"):
        services.duty_activity_review(activity=activity, by=committee_staff, confirm=False, note="重复")


@pytest.mark.parametrize("who", ["staff_b", "liaison_a", "representative_user", "unit_staff"])
def test_only_staff_in_scope_with_the_permission_review(activity, who, request):
    with pytest.raises(PermissionDenied):
        services.duty_activity_review(activity=activity, by=request.getfixturevalue(who), confirm=True)
    activity.refresh_from_db()
    assert activity.review_status == Review.PENDING


# --- voter ratings ---------------------------------------------------------------------------------


def rate(rep, by, **overrides):
    values = {"year": YEAR, "held_on": date(YEAR, 12, 10), "satisfied": 40, "basic": 8, "dissatisfied": 2}
    return services.voter_rating_record(representative=rep, by=by, **{**values, **overrides})


def test_a_voter_rating_is_recorded_then_corrected_in_place(rep_a, staff_a):
    rating = rate(rep_a, staff_a)
    assert rating.rate == pytest.approx(0.96) and rating.percent == 96.0
    corrected = rate(rep_a, staff_a, satisfied=10, basic=10, dissatisfied=30, note="更正")
    assert corrected.pk == rating.pk and VoterRating.objects.count() == 1
    assert corrected.rate == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"satisfied": 0, "basic": 0, "dissatisfied": 0}, "不能为零"),
        ({"satisfied": -1}, ""),
        ({"held_on": date(YEAR - 2, 1, 1)}, "测评日期"),
    ],
)
def test_a_bad_voter_rating_is_refused_and_nothing_saved(rep_a, staff_a, overrides, message):
    with pytest.raises(ValidationError) as refused:
        rate(rep_a, staff_a, **overrides)
    assert message in str(refused.value)
    assert not VoterRating.objects.exists()


def test_staff_record_ratings_only_in_their_scope(rep_a, staff_b, liaison_a):
    for user in (staff_b, liaison_a):
        with pytest.raises(PermissionDenied):
            rate(rep_a, user)


# --- evaluation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meetings", "rating", "outcome"),
    [
        (7, (40, 5, 5), "commend"),  # 21 points: excellent, 90% satisfied
        (7, None, "commend"),  # no rating: judged on points
        (7, (10, 10, 30), "retrain"),  # excellent but 40% satisfied
        (4, (40, 5, 5), "none"),  # 12 points: competent
        (1, (40, 5, 5), "retrain"),  # 3 points: incompetent
    ],
)
def test_the_proposed_outcome_follows_grade_and_voter_rate(duty_rules, rep_a, staff_a, meetings, rating, outcome):
    add_activities(rep_a, meetings)
    if rating:
        rate(rep_a, staff_a, satisfied=rating[0], basic=rating[1], dissatisfied=rating[2])
    (row,) = selectors.evaluation_rows(Representative.objects.filter(pk=rep_a.pk), YEAR)
    assert row.proposed == outcome and row.evaluation is None


def test_confirming_a_retraining_freezes_the_points_and_assigns_the_retraining(
    duty_rules, rep_a, staff_a, representative_user
):
    add_activities(rep_a, 1)
    rate(rep_a, staff_a, satisfied=10, basic=10, dissatisfied=30)
    evaluation = services.evaluation_confirm(representative=rep_a, year=YEAR, outcome="retrain", by=staff_a)
    assert (evaluation.points, evaluation.grade, float(evaluation.voter_rate)) == (3, "incompetent", 40.0)
    assert evaluation.status == Evaluation.State.CONFIRMED and evaluation.confirmed_by == staff_a
    retraining = Retraining.objects.get(representative=rep_a)
    assert "3.0" in retraining.reason and "不称职" in retraining.reason and "40.0%" in retraining.reason
    subjects = list(Notification.objects.filter(recipient=representative_user).values_list("rule", flat=True))
    assert "representatives.evaluation_confirmed" in subjects

    add_activities(rep_a, 10)  # later records do not change a confirmed evaluation
    with pytest.raises(ValidationError, match="已确认"):
        services.evaluation_confirm(representative=rep_a, year=YEAR, outcome="commend", by=staff_a)
    evaluation.refresh_from_db()
    assert evaluation.points == 3 and Retraining.objects.count() == 1


def test_a_refused_retraining_leaves_no_evaluation(duty_rules, rep_a, staff_a):
    from apps.training import services as training

    training.retraining_assign(representative=rep_a, reason="上一年度", by=staff_a)
    with pytest.raises(ValidationError):
        services.evaluation_confirm(representative=rep_a, year=YEAR, outcome="retrain", by=staff_a)
    assert not Evaluation.objects.exists()


def test_a_commendation_assigns_no_retraining(duty_rules, rep_a, staff_a):
    add_activities(rep_a, 7)
    evaluation = services.evaluation_confirm(representative=rep_a, year=YEAR, outcome="commend", by=staff_a, note="好")
    assert evaluation.outcome == "commend" and evaluation.grade == "excellent" and evaluation.note == "好"
    assert not Retraining.objects.exists()


@pytest.mark.parametrize("who", ["staff_b", "liaison_a", "representative_user"])
def test_evaluations_are_confirmed_by_staff_in_scope_only(duty_rules, rep_a, who, request):
    with pytest.raises(PermissionDenied):
        services.evaluation_confirm(representative=rep_a, year=YEAR, outcome="none", by=request.getfixturevalue(who))
    assert not Evaluation.objects.exists()
