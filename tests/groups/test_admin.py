"""The groups back office: who sees what, writes through the services (a refusal shows on the form
and saves nothing), the review actions, batch numbers, and list pages that cost the same at any size."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from apps.groups import services
from apps.groups.models import Activity, ActivityGroup, GroupMembership, Inspection, InspectionSuggestion
from apps.notifications.models import Notification
from tests.factories import SessionFactory
from tests.groups.factories import ActivityFactory

DAY = datetime.date(2022, 6, 1)
Review = Activity.Review
MODELS = ["activitygroup", "activity", "campaign", "problemsolved", "inspection"]


def _url(model, name="changelist", *args):
    return reverse(f"admin:groups_{model}_{name}", args=args)


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _act(client, model, action, objects, **data):
    return client.post(_url(model), {"action": action, "_selected_action": [o.pk for o in objects], **data})


@pytest.fixture
def reported(county_group, rep_a, representative_user):
    return services.activity_report(
        representative=rep_a, group=county_group, kind="wish", title="微心愿", date=DAY, by=representative_user
    )


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("liaison", 200), ("unit", 302), ("representative", 302), (None, 302)],
)
def test_who_may_open_the_lists(personas, liaison_a, login, model, persona, expected):
    user = liaison_a if persona == "liaison" else personas.get(persona)
    assert login(user).get(_url(model)).status_code == expected


def test_township_staff_see_their_township_and_read_the_countys_groups(
    login, staff_a, staff_b, county_group, township_group
):
    client = login(staff_a)
    assert client.get(_url("activitygroup", "change", township_group.pk)).status_code == 200
    county_page = client.get(_url("activitygroup", "change", county_group.pk))
    assert county_page.status_code == 200
    assert 'name="_save"' not in county_page.content.decode()  # reference only
    assert client.post(_url("activitygroup", "change", county_group.pk), {"name": "改名"}).status_code == 403
    assert login(staff_b).get(_url("activitygroup", "change", township_group.pk)).status_code == 404


def test_liaison_staff_only_view(login, liaison_a, township_group):
    client = login(liaison_a)
    page = client.get(_url("activitygroup", "change", township_group.pk)).content.decode()
    assert 'name="_save"' not in page
    assert client.get(_url("activity", "add")).status_code == 403


def test_staff_add_a_group_with_members_through_the_services(login, staff_a, township_a, rep_a, rep_a2):
    data = {
        "name": "儒林镇法治组",
        "theme": "法治",
        "region": township_a.pk,
        "leader": rep_a2.pk,
        "liaison_name": "张委员",
        "is_active": "on",
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0,
        "memberships-0-representative": rep_a.pk,
        "memberships-0-joined_on": "2022-02-01",
    }
    response = login(staff_a).post(_url("activitygroup", "add"), data)
    assert response.status_code == 302
    group = ActivityGroup.objects.get(name="儒林镇法治组")
    assert set(group.memberships.values_list("representative", flat=True)) == {rep_a.pk, rep_a2.pk}


@pytest.mark.parametrize("persona", ["committee", "staff_a"])
def test_a_member_from_another_township_is_refused_on_the_page(personas, persona, login, township_group, rep_b):
    data = {
        "name": township_group.name,
        "theme": township_group.theme,
        "leader": township_group.leader_id,
        "is_active": "on",
        "memberships-TOTAL_FORMS": 2,
        "memberships-INITIAL_FORMS": 1,
        "memberships-0-id": township_group.memberships.get().pk,
        "memberships-0-group": township_group.pk,
        "memberships-0-representative": township_group.leader_id,
        "memberships-0-joined_on": "2022-01-10",
        "memberships-1-group": township_group.pk,
        "memberships-1-representative": rep_b.pk,
        "memberships-1-joined_on": "2022-02-01",
    }
    response = login(personas[persona]).post(_url("activitygroup", "change", township_group.pk), data)
    assert response.status_code == 200
    # Township staff cannot even choose her (not in their scope); the committee is told why.
    reason = "蓝春花不是儒林镇的代表" if persona == "committee" else "选择一个有效的选项"
    assert reason in response.content.decode()
    assert not GroupMembership.objects.filter(representative=rep_b).exists()


def test_a_staff_entered_activity_is_confirmed(login, committee_staff, county_group, rep_a, rep_b):
    data = {
        "group": county_group.pk,
        "kind": "talk",
        "title": "宣讲",
        "date": "2022-06-01",
        "participants": [rep_a.pk, rep_b.pk],
        "people_reached": 10,
        "wishes_fulfilled": 0,
        "problems_solved": 0,
    }
    assert login(committee_staff).post(_url("activity", "add"), data).status_code == 302
    activity = Activity.objects.get()
    assert activity.is_confirmed and activity.region == county_group.region


def test_a_refused_activity_shows_why_and_saves_nothing(login, committee_staff, township_a, rep_b):
    data = {
        "region": township_a.pk,
        "kind": "talk",
        "title": "宣讲",
        "date": "2022-06-01",
        "participants": [rep_b.pk],
        "people_reached": 0,
        "wishes_fulfilled": 0,
        "problems_solved": 0,
    }
    response = login(committee_staff).post(_url("activity", "add"), data)
    assert response.status_code == 200
    assert "以下代表不是儒林镇的代表：蓝春花" in response.content.decode()
    assert not Activity.objects.exists()


def test_confirming_a_reported_activity(login, committee_staff, reported):
    response = _act(login(committee_staff), "activity", "confirm_records", [reported])
    assert response.status_code == 302
    assert Activity.objects.get(pk=reported.pk).is_confirmed


def test_rejecting_asks_for_a_reason_then_tells_the_representative(
    login, committee_staff, reported, representative_user
):
    client = login(committee_staff)
    form_page = _act(client, "activity", "reject_records", [reported])
    assert form_page.status_code == 200 and "不通过理由" in form_page.content.decode()
    empty = _act(client, "activity", "reject_records", [reported], apply="1", note="")
    assert empty.status_code == 200
    assert Activity.objects.get(pk=reported.pk).review_status == Review.PENDING
    _act(client, "activity", "reject_records", [reported], apply="1", note="照片与活动不符")
    assert Activity.objects.get(pk=reported.pk).review_status == Review.REJECTED
    assert Notification.objects.filter(rule="groups.activity_reviewed", recipient=representative_user).exists()


def test_a_second_review_changes_nothing(login, committee_staff, reported):
    services.activity_review(activity=reported, by=committee_staff, confirm=True)
    response = _act(login(committee_staff), "activity", "reject_records", [reported], apply="1", note="晚了")
    assert "不能重复审核" in _messages(response)
    assert Activity.objects.get(pk=reported.pk).is_confirmed


def test_an_inspection_gets_the_next_batch_number_with_suggestions(login, committee_staff, county, rep_a, rep_b):
    lead = rep_b
    proposal = _proposal(committee_staff, lead)
    data = {
        "kind": "inspection",
        "region": county.pk,
        "topic": "农村饮水安全视察",
        "started_on": "2022-05-10",
        "participants": [rep_a.pk, rep_b.pk],
        "status": "done",
        "suggestions-TOTAL_FORMS": 1,
        "suggestions-INITIAL_FORMS": 0,
        "suggestions-0-text": "加快饮水工程",
        "suggestions-0-proposal": proposal.pk,
    }
    client = login(committee_staff)
    assert client.post(_url("inspection", "add"), data).status_code == 302
    assert client.post(_url("inspection", "add"), data | {"topic": "第二批"}).status_code == 302
    assert list(Inspection.objects.order_by("batch_no").values_list("batch_no", flat=True)) == [1, 2]
    assert InspectionSuggestion.objects.filter(proposal=proposal).count() == 2
    page = client.get(_url("inspection")).content.decode()
    assert "2022年第2批" in page


def _proposal(by, lead):
    from apps.proposals import services as proposal_services

    return proposal_services.proposal_create(
        session=SessionFactory(term=lead.term),
        lead=lead,
        title="饮水工程建议",
        content="……",
        category="agriculture",
        by=by,
    )


def test_a_report_that_is_not_a_document_is_refused(login, committee_staff, county):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "kind": "survey",
        "region": county.pk,
        "topic": "调研",
        "started_on": "2022-05-10",
        "status": "planned",
        "report_file": SimpleUploadedFile("报告.pdf", b"<html>not a pdf</html>"),
        "suggestions-TOTAL_FORMS": 0,
        "suggestions-INITIAL_FORMS": 0,
    }
    response = login(committee_staff).post(_url("inspection", "add"), data)
    assert response.status_code == 200
    assert "“报告.pdf”的内容不是PDF、Word" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_campaign_list_shows_problems_solved(login, committee_staff, campaign, rep_a, rep_b):
    for rep in (rep_a, rep_b):
        services.problem_record(campaign=campaign, representative=rep, date=DAY, problem="修路", by=committee_staff)
    services.problem_record(
        campaign=campaign, representative=rep_a, date=DAY, problem="未解决", is_solved=False, by=committee_staff
    )
    page = login(committee_staff).get(_url("campaign")).content.decode()
    assert ">2</a>" in page


def test_township_staff_confirm_their_townships_problems_only(
    login, staff_a, staff_b, campaign, rep_a, representative_user
):
    problem = services.problem_report(
        campaign=campaign, representative=rep_a, date=DAY, problem="路灯", by=representative_user
    )
    assert login(staff_b).get(_url("problemsolved", "change", problem.pk)).status_code == 404
    _act(login(staff_a), "problemsolved", "confirm_records", [problem])
    problem.refresh_from_db()
    assert problem.is_confirmed


@pytest.mark.parametrize("size", [3, 60])
def test_activity_list_costs_the_same_at_any_size(
    size, login, committee_staff, county_group, rep_a, rep_b, django_assert_max_num_queries
):
    for _ in range(size):
        ActivityFactory(group=county_group, participants=[rep_a, rep_b], recorded_by=committee_staff)
    client = login(committee_staff)
    with django_assert_max_num_queries(8):
        assert client.get(_url("activity")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(_url("activitygroup")).status_code == 200


@pytest.fixture
def one_of_each(committee_staff, county, county_group, campaign, rep_a, reported):
    problem = services.problem_record(
        campaign=campaign, representative=rep_a, date=DAY, problem="修路", by=committee_staff
    )
    inspection = services.inspection_create(
        kind="survey", region=county, topic="调研", started_on=DAY, participants=[rep_a], by=committee_staff
    )
    services.inspection_suggestion_add(inspection=inspection, text="建议", by=committee_staff)
    return {
        "activitygroup": county_group,
        "activity": reported,
        "campaign": campaign,
        "problemsolved": problem,
        "inspection": inspection,
    }


@pytest.mark.parametrize("model", MODELS)
def test_every_page_opens_and_other_townships_only_read_the_countys(
    login, committee_staff, staff_b, one_of_each, model
):
    client = login(committee_staff)
    obj = one_of_each[model]
    assert client.get(_url(model, "add")).status_code == 200
    assert client.get(_url(model, "change", obj.pk)).status_code == 200
    assert client.get(_url(model, "history", obj.pk)).status_code == 200
    outsider = login(staff_b).get(_url(model, "change", obj.pk))
    if model in ("activity", "problemsolved"):  # a county activity; a problem solved in township A
        assert outsider.status_code == 404
    else:  # the county's groups, campaigns and batches are reference for every township
        assert outsider.status_code == 200
        assert 'name="_save"' not in outsider.content.decode()


def test_a_problem_record_is_never_edited(login, committee_staff, one_of_each):
    problem = one_of_each["problemsolved"]
    page = login(committee_staff).get(_url("problemsolved", "change", problem.pk)).content.decode()
    assert 'name="_save"' not in page
