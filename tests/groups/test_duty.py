"""The groups' part of the duty record: what shows on a representative's record, what counts toward
points (only what staff confirmed), and a fixed number of queries however many representatives."""

import datetime

import pytest
from django.db.models import Q

from apps.groups import duty, services
from apps.groups.models import Activity, GroupMembership, Inspection
from apps.representatives.duty import points_for
from apps.representatives.models import Representative
from tests.factories import RepresentativeFactory
from tests.groups.factories import ActivityFactory, ProblemFactory

DAY = datetime.date(2022, 6, 1)
Review = Activity.Review


@pytest.fixture
def duty_rules(settings):
    settings.RENDA_DUTY = {
        **settings.RENDA_DUTY,
        "POINTS": {"group_activity": 3, "campaign_record": 2, "inspection": 4},
        "CAPS": {"campaign_record": 4},
    }


def _report(rep, user, group, title="微宣讲"):
    return services.activity_report(representative=rep, group=group, kind="talk", title=title, date=DAY, by=user)


def test_a_reported_activity_counts_only_once_confirmed(
    duty_rules, county_group, rep_a, representative_user, committee_staff
):
    activity = _report(rep_a, representative_user, county_group)
    [entry] = duty.entries(rep_a, 2022)
    assert (entry.kind, entry.counts, entry.status) == ("group_activity", False, "待确认")
    assert points_for(rep_a, 2022).total == 0
    services.activity_review(activity=activity, by=committee_staff, confirm=True)
    assert duty.entries(rep_a, 2022)[0].counts
    assert points_for(rep_a, 2022).total == 3


def test_a_rejected_activity_shows_but_earns_nothing(county_group, rep_a, representative_user, committee_staff):
    activity = _report(rep_a, representative_user, county_group)
    services.activity_review(activity=activity, by=committee_staff, confirm=False, note="不属实")
    [entry] = duty.entries(rep_a, 2022)
    assert (entry.counts, entry.status) == (False, "未通过")
    assert duty.counts(Representative.objects.filter(pk=rep_a.pk), 2022) == {}


def test_problems_count_when_confirmed_and_solved_within_the_cap(duty_rules, campaign, rep_a, committee_staff):
    for text in ("修路", "修桥", "修渠"):
        services.problem_record(campaign=campaign, representative=rep_a, date=DAY, problem=text, by=committee_staff)
    services.problem_record(
        campaign=campaign, representative=rep_a, date=DAY, problem="未解决的", is_solved=False, by=committee_staff
    )
    assert duty.counts(Representative.objects.filter(pk=rep_a.pk), 2022)[rep_a.pk]["campaign_record"] == 3
    assert points_for(rep_a, 2022).by_kind()["campaign_record"] == 4  # capped
    statuses = sorted(e.status for e in duty.entries(rep_a, 2022))
    assert statuses == ["已确认", "已确认", "已确认", "未解决"]


def test_inspections_count_when_done_in_their_year(duty_rules, county, committee_staff, rep_a):
    done = services.inspection_create(
        kind=Inspection.Kind.INSPECTION,
        region=county,
        topic="饮水安全",
        started_on=DAY,
        status=Inspection.Status.DONE,
        participants=[rep_a],
        by=committee_staff,
    )
    services.inspection_create(
        kind=Inspection.Kind.SURVEY,
        region=county,
        topic="计划中",
        started_on=DAY,
        participants=[rep_a],
        by=committee_staff,
    )
    entries = {e.title: e.counts for e in duty.entries(rep_a, 2022)}
    assert entries == {"视察：饮水安全": True, "专题调研：计划中": False}
    assert points_for(rep_a, 2022).total == 4
    assert duty.entries(rep_a, 2023) == []
    assert done.year == 2022


def _data_for(reps, group, campaign, inspection, per_rep: int) -> None:
    GroupMembership.objects.bulk_create(GroupMembership(group=group, representative=r, joined_on=DAY) for r in reps)
    for i in range(per_rep):
        ActivityFactory(
            group=group,
            participants=reps,
            recorded_by=group.leader.user,
            review_status=Review.CONFIRMED if i % 2 else Review.PENDING,
        )
    for rep in reps:
        ProblemFactory.create_batch(per_rep, campaign=campaign, representative=rep, recorded_by=group.leader.user)
    inspection.participants.add(*reps)


@pytest.mark.parametrize("size", [5, 500])
def test_counts_and_entries_take_a_fixed_number_of_queries(
    size, county_group, campaign, county, township_a, county_term, committee_staff, representative_user,
    django_assert_num_queries,
):  # fmt: skip
    reps = Representative.objects.bulk_create(
        RepresentativeFactory.build(township=township_a, term=county_term) for _ in range(size)
    )
    inspection = services.inspection_create(
        kind="survey", region=county, topic="调研", started_on=DAY, status="done", by=committee_staff
    )
    _data_for(reps, county_group, campaign, inspection, per_rep=3)
    everyone = Representative.objects.filter(Q(pk__in=[r.pk for r in reps]))
    with django_assert_num_queries(3):
        counts = duty.counts(everyone, 2022)
    assert len(counts) == size
    assert counts[reps[0].pk] == {"group_activity": 1, "campaign_record": 3, "inspection": 1}
    with django_assert_num_queries(3):
        entries = duty.entries(reps[0], 2022)
    assert len(entries) == 3 + 3 + 1
