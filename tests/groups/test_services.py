"""The services of the groups app: what they write, what they refuse (with a readable message and
nothing half-saved), and who may call them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.groups import services
from apps.groups.models import Activity, ActivityGroup, GroupMembership, Inspection, InspectionSuggestion, ProblemSolved
from apps.groups.services import GroupError
from apps.notifications.models import Notification
from apps.representatives.choices import Status
from tests.factories import RepresentativeFactory, SessionFactory

DAY = datetime.date(2022, 6, 1)
Review = Activity.Review


def _messages(error) -> str:
    return " ".join(error.value.messages)


# --- groups and members -------------------------------------------------------------------------


def test_the_leader_is_the_first_member(county_group, rep_a, rep_b):
    members = set(county_group.memberships.values_list("representative", flat=True))
    assert members == {rep_a.pk, rep_b.pk}


def test_a_group_refuses_a_leader_from_outside_its_region(township_a, staff_a, rep_b):
    with pytest.raises(GroupError) as error:
        services.group_create(name="教育组", theme="教育", region=township_a, leader=rep_b, by=staff_a)
    assert "蓝春花不是儒林镇的代表" in _messages(error)
    assert not ActivityGroup.objects.exists()


def test_township_staff_cannot_create_a_county_group(county, staff_a):
    with pytest.raises(PermissionDenied):
        services.group_create(name="县级组", theme="法治", region=county, by=staff_a)


def test_the_liaison_member_must_be_a_committee_account(county, committee_staff, staff_a):
    with pytest.raises(GroupError) as error:
        services.group_create(name="法治组", theme="法治", region=county, liaison_member=staff_a, by=committee_staff)
    assert "常委会工作人员" in _messages(error)


def test_a_member_joins_once(county_group, rep_b, committee_staff):
    with pytest.raises(GroupError) as error:
        services.group_member_add(group=county_group, representative=rep_b, joined_on=DAY, by=committee_staff)
    assert "已是“农业农村组”的成员" in _messages(error)


def test_a_former_representative_cannot_join(county_group, township_a, county_term, committee_staff):
    former = RepresentativeFactory(
        township=township_a, term=county_term, status=Status.RESIGNED, status_changed_on=datetime.date(2022, 3, 1)
    )
    with pytest.raises(GroupError):
        services.group_member_add(group=county_group, representative=former, joined_on=DAY, by=committee_staff)
    assert not GroupMembership.objects.filter(representative=former).exists()


def test_the_leader_cannot_leave_before_being_replaced(county_group, rep_a, rep_b, committee_staff):
    membership = county_group.memberships.get(representative=rep_a)
    with pytest.raises(GroupError) as error:
        services.group_member_remove(membership=membership, left_on=DAY, by=committee_staff)
    assert "请先更换组长" in _messages(error)
    services.group_update(group=county_group, leader=rep_b, by=committee_staff)
    services.group_member_remove(membership=membership, left_on=DAY, by=committee_staff)
    assert GroupMembership.objects.get(pk=membership.pk).left_on == DAY


# --- activities ---------------------------------------------------------------------------------


def _report(rep, user, **kwargs):
    values = {"kind": Activity.Kind.TALK, "title": "党的二十大精神微宣讲", "date": DAY, "by": user}
    return services.activity_report(representative=rep, **(values | kwargs))


def test_staff_recorded_activities_are_confirmed_at_once(county_group, committee_staff, rep_a, rep_b):
    activity = services.activity_record(
        group=county_group,
        kind=Activity.Kind.WISH,
        title="微心愿认领",
        date=DAY,
        participants=[rep_a, rep_b],
        wishes_fulfilled=12,
        by=committee_staff,
    )
    assert activity.review_status == Review.CONFIRMED
    assert activity.reviewed_by == committee_staff
    assert activity.region == county_group.region


def test_staff_cannot_record_participants_outside_the_region(township_group, staff_a, rep_b):
    with pytest.raises(GroupError) as error:
        services.activity_record(
            group=township_group, kind="talk", title="宣讲", date=DAY, participants=[rep_b], by=staff_a
        )
    assert "蓝春花" in _messages(error)
    assert not Activity.objects.exists()


def test_a_member_reports_a_group_activity_pending_and_staff_are_told(
    county_group, rep_a, rep_b, representative_user, committee_staff
):
    activity = _report(rep_a, representative_user, group=county_group, participants=[rep_b], people_reached=80)
    assert activity.review_status == Review.PENDING
    assert set(activity.participants.all()) == {rep_a, rep_b}
    assert activity.reported_by == rep_a
    assert Notification.objects.filter(rule="groups.activity_reported", recipient=committee_staff).exists()


def test_only_members_may_report_a_group_activity(township_group, rep_a, representative_user):
    with pytest.raises(GroupError) as error:
        _report(rep_a, representative_user, group=township_group)
    assert "不是“儒林镇教育卫生组”的成员" in _messages(error)
    assert not Activity.objects.exists()


def test_participants_of_a_reported_activity_must_be_members(county_group, rep_a, rep_a2, representative_user):
    with pytest.raises(GroupError) as error:
        _report(rep_a, representative_user, group=county_group, participants=[rep_a2])
    assert "刘建国" in _messages(error)
    assert not Activity.objects.exists()


def test_nobody_reports_for_someone_else(county_group, rep_b, representative_user):
    with pytest.raises(PermissionDenied):
        _report(rep_b, representative_user, group=county_group)


def test_an_activity_cannot_be_in_the_future(county_group, rep_a, representative_user):
    with pytest.raises(GroupError) as error:
        _report(rep_a, representative_user, group=county_group, date=datetime.date(2022, 12, 25))
    assert "不能晚于今天" in _messages(error)


def test_review_confirms_once_and_tells_the_reporter(county_group, rep_a, representative_user, committee_staff):
    activity = _report(rep_a, representative_user, group=county_group)
    services.activity_review(activity=activity, by=committee_staff, confirm=True)
    assert Activity.objects.get(pk=activity.pk).is_confirmed
    told = Notification.objects.get(rule="groups.activity_reviewed", recipient=representative_user)
    assert "已确认" in told.subject
    with pytest.raises(GroupError) as error:
        services.activity_review(activity=activity, by=committee_staff, confirm=False, note="重复")
    assert "不能重复审核" in _messages(error)


def test_rejecting_needs_a_reason(county_group, rep_a, representative_user, committee_staff):
    activity = _report(rep_a, representative_user, group=county_group)
    with pytest.raises(GroupError) as error:
        services.activity_review(activity=activity, by=committee_staff, confirm=False)
    assert "请填写理由" in _messages(error)
    assert Activity.objects.get(pk=activity.pk).review_status == Review.PENDING


def test_township_staff_cannot_review_a_county_groups_activity(county_group, rep_a, representative_user, staff_a):
    activity = _report(rep_a, representative_user, group=county_group)
    with pytest.raises(PermissionDenied):
        services.activity_review(activity=activity, by=staff_a, confirm=True)


# --- campaigns and problems solved --------------------------------------------------------------


def test_a_representative_logs_a_problem_and_township_staff_confirm_it(
    campaign, rep_a, representative_user, staff_a, staff_b
):
    problem = services.problem_report(
        campaign=campaign, representative=rep_a, date=DAY, problem="村口路灯不亮", by=representative_user
    )
    assert problem.review_status == Review.PENDING
    assert problem.township == rep_a.township
    told = Notification.objects.filter(rule="groups.problem_reported").values_list("recipient", flat=True)
    assert list(told) == [staff_a.pk]  # the township's staff, not township B's
    with pytest.raises(PermissionDenied):
        services.problem_review(problem=problem, by=staff_b, confirm=True)
    services.problem_review(problem=problem, by=staff_a, confirm=False, note="请补充处理结果")
    told = Notification.objects.get(rule="groups.problem_reviewed", recipient=representative_user)
    assert "请补充处理结果" in told.subject


def test_a_problem_must_fall_within_the_campaign(county, committee_staff, rep_a, representative_user):
    short = services.campaign_create(
        name="五级代表走访选民",
        region=county,
        started_on=datetime.date(2022, 3, 1),
        ended_on=datetime.date(2022, 4, 30),
        by=committee_staff,
    )
    with pytest.raises(GroupError) as error:
        services.problem_report(
            campaign=short, representative=rep_a, date=DAY, problem="水渠堵塞", by=representative_user
        )
    assert "2022-03-01至2022-04-30" in _messages(error)
    assert not ProblemSolved.objects.exists()


def test_township_staff_record_problems_of_their_own_representatives_only(campaign, staff_a, rep_a, rep_b):
    problem = services.problem_record(campaign=campaign, representative=rep_a, date=DAY, problem="修路", by=staff_a)
    assert problem.is_confirmed
    with pytest.raises(PermissionDenied):
        services.problem_record(campaign=campaign, representative=rep_b, date=DAY, problem="修桥", by=staff_a)


# --- inspections ----------------------------------------------------------------------------------


def _inspection(by, region, **kwargs):
    values = {"kind": Inspection.Kind.INSPECTION, "topic": "农村饮水安全", "started_on": DAY, "by": by}
    return services.inspection_create(region=region, **(values | kwargs))


def test_batches_are_numbered_per_region_and_year(county, township_a, committee_staff, staff_a):
    first = _inspection(committee_staff, county)
    second = _inspection(committee_staff, county, kind=Inspection.Kind.SURVEY)
    own = _inspection(staff_a, township_a)
    earlier = _inspection(committee_staff, county, started_on=datetime.date(2021, 10, 1))
    assert (first.batch_no, second.batch_no, own.batch_no, earlier.batch_no) == (1, 2, 1, 1)
    assert str(second) == "2022年第2批：农村饮水安全"


def test_participants_must_live_in_the_region(township_a, staff_a, rep_a, rep_b):
    with pytest.raises(GroupError) as error:
        _inspection(staff_a, township_a, participants=[rep_a, rep_b])
    assert "蓝春花" in _messages(error)
    assert not Inspection.objects.exists()


def test_a_report_file_is_checked_by_its_content(county, committee_staff):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(GroupError) as error:
        _inspection(committee_staff, county, report_file=fake)
    assert "“report.pdf”的内容不是PDF、Word" in _messages(error)
    assert not Inspection.objects.exists()
    real = SimpleUploadedFile("报告.pdf", b"%PDF-1.7\n...")
    assert _inspection(committee_staff, county, report_file=real).report_file


def test_a_batch_keeps_its_year(county, committee_staff):
    inspection = _inspection(committee_staff, county)
    with pytest.raises(GroupError) as error:
        services.inspection_update(inspection=inspection, started_on=datetime.date(2023, 1, 5), by=committee_staff)
    assert "2022年内" in _messages(error)


def test_a_suggestion_links_to_a_proposal_in_scope(county, township_b, committee_staff, staff_a, rep_a, rep_b):
    from apps.proposals import services as proposal_services

    session = SessionFactory(term=rep_a.term)
    proposal = proposal_services.proposal_create(
        session=session, lead=rep_b, title="饮水工程", content="……", category="agriculture", by=committee_staff
    )
    inspection = _inspection(committee_staff, county)
    suggestion = services.inspection_suggestion_add(inspection=inspection, text="加快饮水工程", by=committee_staff)
    services.inspection_suggestion_link_proposal(suggestion=suggestion, proposal=proposal, by=committee_staff)
    assert InspectionSuggestion.objects.get(pk=suggestion.pk).proposal == proposal
    with pytest.raises(PermissionDenied):
        services.inspection_suggestion_link_proposal(suggestion=suggestion, proposal=None, by=staff_a)
