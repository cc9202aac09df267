"""Points and grades on known data, with the rules set as settings."""

from datetime import date

import pytest

from apps.liaison.models import Concern, DutyShift
from apps.proposals.models import Proposal, Status
from apps.representatives import duty
from apps.representatives.models import DutyActivity, Representative
from tests.representatives.conftest import (
    YEAR,
    add_activities,
    add_concern,
    add_cosign,
    add_proposals,
    add_shifts,
)

Review = DutyActivity.Review


@pytest.fixture
def known_year(duty_rules, rep_a, rep_b, office_a, session):
    """rep_a's 2022: 30 points once caps apply; rep_b has one confirmed meeting."""
    add_activities(rep_a, 2, kind="meeting")  # 2 x 3 = 6
    add_activities(rep_a, 1, kind="meeting", status=Review.PENDING)  # not yet
    add_activities(rep_a, 1, kind="meeting", status=Review.REJECTED)  # never
    add_activities(rep_a, 4, kind="other")  # 4 x 1, capped at 2
    add_activities(rep_a, 1, kind="meeting", on=date(YEAR - 1, 6, 1))  # another year
    add_shifts(rep_a, office_a, 3)  # 3 x 2 = 6
    add_shifts(rep_a, office_a, 1, attendance=DutyShift.Attendance.ABSENT, start=date(YEAR, 6, 1))
    led = add_proposals(rep_a, session, 3)  # 3 x 5 = 15, capped at 10
    add_proposals(rep_a, session, 1, status=Status.DRAFT)
    add_proposals(rep_a, session, 1, status=Status.WITHDRAWN)
    other = add_proposals(rep_b, session, 2)
    add_cosign(other[0], rep_a)  # 2
    add_cosign(other[1], rep_a, confirmed=False)
    add_cosign(led[0], rep_b)
    add_concern(rep_a)  # 4
    add_concern(rep_a, status=Concern.Status.ROUTED)
    add_activities(rep_b, 1, kind="meeting")


def test_points_count_each_kind_once_confirmed_and_cap_it(known_year, rep_a):
    points = duty.points_for(rep_a, YEAR)
    assert points.by_kind() == {
        "activity_meeting": 6,
        "activity_other": 2,
        "shift_attended": 6,
        "proposal_led": 10,
        "proposal_cosigned": 2,
        "concern_handled": 4,
    }
    assert points.total == 30
    assert points.grade == "excellent"


def test_the_points_table_shows_counts_caps_and_capped_points(known_year, rep_a):
    rows = {row.kind: row for row in duty.points_for(rep_a, YEAR).rows()}
    assert (rows["proposal_led"].count, rows["proposal_led"].raw, rows["proposal_led"].points) == (3, 15, 10)
    assert rows["proposal_led"].is_capped and rows["proposal_led"].cap == 10
    assert rows["activity_other"].is_capped and rows["activity_other"].points == 2
    assert not rows["activity_meeting"].is_capped and rows["activity_meeting"].cap is None
    assert rows["activity_survey"].count == 0  # every kind is listed, also the empty ones


def test_grade_thresholds_and_caps_are_settings(known_year, rep_a, settings):
    settings.RENDA_DUTY = {**settings.RENDA_DUTY, "GRADES": [("excellent", 31), ("competent", 10), ("incompetent", 0)]}
    assert duty.points_for(rep_a, YEAR).grade == "competent"
    settings.RENDA_DUTY = {**settings.RENDA_DUTY, "CAPS": {"activity_other": 2, "proposal_led": 15}}
    points = duty.points_for(rep_a, YEAR)
    assert points.total == 35 and points.grade == "excellent"


def test_the_floor_grade_is_given_below_every_threshold(duty_rules, rep_a):
    assert duty.points_for(rep_a, YEAR).total == 0
    assert duty.points_for(rep_a, YEAR).grade == "incompetent"
    assert duty.grade_for(9.9) == "incompetent" and duty.grade_for(10) == "competent"


def test_an_activity_counts_only_once_confirmed(duty_rules, rep_a):
    (activity,) = add_activities(rep_a, 1, kind="meeting", status=Review.PENDING)
    assert duty.points_for(rep_a, YEAR).total == 0
    DutyActivity.objects.filter(pk=activity.pk).update(review_status=Review.REJECTED)
    assert duty.points_for(rep_a, YEAR).total == 0
    DutyActivity.objects.filter(pk=activity.pk).update(review_status=Review.CONFIRMED)
    assert duty.points_for(rep_a, YEAR).total == 3


def test_points_for_many_agree_with_points_for_each(known_year, rep_a, rep_b):
    many = duty.points_for_many(Representative.objects.filter(pk__in=[rep_a.pk, rep_b.pk]), YEAR)
    assert many[rep_a.pk].total == duty.points_for(rep_a, YEAR).total == 30
    # rep_b: one meeting (3), two proposals led (10), one co-signature (2).
    assert many[rep_b.pk].total == duty.points_for(rep_b, YEAR).total == 15


def test_every_source_is_registered_in_its_order():
    keys = [s.key for s in duty.sources()]
    assert keys.index("liaison") < keys.index("proposals") < keys.index("self")
    assert {"liaison", "proposals", "self"} <= set(keys)


def test_entries_show_what_does_not_count_without_counting_it(known_year, rep_a):
    sections = {source.key: entries for source, entries in duty.entries_for(rep_a, YEAR)}
    own = sections["self"]
    assert len(own) == 8 and sum(e.counts for e in own) == 6
    liaison = sections["liaison"]
    assert sum(e.counts for e in liaison if e.kind == "shift_attended") == 3
    assert [e.status for e in liaison if not e.counts and e.kind == "shift_attended"] == ["缺勤"]
    proposals = sections["proposals"]
    assert sorted(e.kind for e in proposals) == ["proposal_cosigned"] + ["proposal_led"] * 3


def test_a_proposal_waiting_for_review_is_listed_but_earns_nothing_until_accepted(duty_rules, rep_a, session):
    [proposal] = add_proposals(rep_a, session, 1, status=Status.SUBMITTED)

    assert duty.points_for(rep_a, YEAR).total == 0
    [entry] = [e for source, found in duty.entries_for(rep_a, YEAR) if source.key == "proposals" for e in found]
    assert (entry.counts, entry.status) == (False, "待审查")

    Proposal.objects.filter(pk=proposal.pk).update(status=Status.ACCEPTED)
    assert duty.points_for(rep_a, YEAR).total == 5
