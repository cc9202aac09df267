"""The groups back office writes through the services, once: on every add and change page a refusal
of the service is shown on the form with what the person typed kept and nothing saved, and a save
that succeeds calls its service a single time (no trial run before the real one).

(A new campaign has no refusal of its own service to show: its form already limits the region to
the county or a township in the user's scope.)"""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.groups import services
from apps.groups.models import Activity, ActivityGroup, Campaign, Inspection, ProblemSolved

DAY = datetime.date(2022, 6, 1)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _url(model, name="changelist", *args):
    return reverse(f"admin:groups_{model}_{name}", args=args)


def _no_inlines(prefix):
    return {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}


@pytest.fixture
def calls(monkeypatch):
    """Count each call of the named services, which still run for real."""
    counted: dict[str, int] = {}

    def count(*names):
        for name in names:
            service = getattr(services, name)

            def counting(*args, _service=service, _name=name, **kwargs):
                counted[_name] = counted.get(_name, 0) + 1
                return _service(*args, **kwargs)

            monkeypatch.setattr(services, name, counting)
        return counted

    return count


@pytest.fixture
def staff_activity(township_a, staff_a, rep_a):
    return services.activity_record(
        kind="talk", title="宣讲", date=DAY, region=township_a, participants=[rep_a], by=staff_a
    )


@pytest.fixture
def inspection(county, committee_staff, rep_a):
    return services.inspection_create(
        kind="survey", region=county, topic="调研", started_on=DAY, participants=[rep_a], by=committee_staff
    )


def _group_change(group, **changes):
    membership = group.memberships.get()
    return {
        "name": group.name,
        "theme": group.theme,
        "leader": group.leader_id,
        "is_active": "on",
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 1,
        "memberships-0-id": membership.pk,
        "memberships-0-group": group.pk,
        "memberships-0-representative": membership.representative_id,
        "memberships-0-joined_on": "2022-01-10",
        **changes,
    }


def _activity_change(activity, **changes):
    return {
        "kind": activity.kind,
        "title": activity.title,
        "date": "2022-06-01",
        "participants": list(activity.participants.values_list("pk", flat=True)),
        "people_reached": 0,
        "wishes_fulfilled": 0,
        "problems_solved": 0,
        **changes,
    }


def _inspection_change(inspection, **changes):
    return {
        "kind": inspection.kind,
        "topic": inspection.topic,
        "started_on": "2022-06-01",
        "status": inspection.status,
        "participants": list(inspection.participants.values_list("pk", flat=True)),
        **_no_inlines("suggestions"),
        **changes,
    }


def _assert_refused_on_the_form(response, message: str, typed: str):
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'value="{typed}"' in page or f"{typed}</textarea>" in page  # the input is kept


# --- a refusal stays on the page ---------------------------------------------------------------


def test_a_refused_new_group_keeps_the_input(login, committee_staff, township_a, rep_b):
    data = {"name": "儒林镇法治组", "theme": "法治", "region": township_a.pk, "leader": rep_b.pk, "is_active": "on"}
    response = login(committee_staff).post(_url("activitygroup", "add"), data | _no_inlines("memberships"))
    _assert_refused_on_the_form(response, "组长蓝春花不是儒林镇的代表。", "儒林镇法治组")
    assert not ActivityGroup.objects.filter(name="儒林镇法治组").exists()


def test_a_refused_group_change_keeps_the_input(login, committee_staff, township_group, rep_b):
    data = _group_change(township_group, name="改名后的小组", leader=rep_b.pk)
    response = login(committee_staff).post(_url("activitygroup", "change", township_group.pk), data)
    _assert_refused_on_the_form(response, "组长蓝春花不是儒林镇的代表。", "改名后的小组")
    township_group.refresh_from_db()
    assert township_group.name == "儒林镇教育卫生组" and township_group.history.count() == 1


def test_a_refused_new_activity_keeps_the_input(login, committee_staff, township_a, rep_b):
    data = {
        "region": township_a.pk,
        "kind": "talk",
        "title": "入户走访宣讲",
        "date": "2022-06-01",
        "participants": [rep_b.pk],
        "people_reached": 0,
        "wishes_fulfilled": 0,
        "problems_solved": 0,
    }
    response = login(committee_staff).post(_url("activity", "add"), data)
    _assert_refused_on_the_form(response, "以下代表不是儒林镇的代表：蓝春花", "入户走访宣讲")
    assert not Activity.objects.exists()


def test_a_refused_activity_change_keeps_the_input(login, staff_a, staff_activity):
    data = _activity_change(staff_activity, title="改过的名称", date="2022-12-15")
    response = login(staff_a).post(_url("activity", "change", staff_activity.pk), data)
    _assert_refused_on_the_form(response, "活动日期不能晚于今天。", "改过的名称")
    staff_activity.refresh_from_db()
    assert staff_activity.title == "宣讲"


def test_a_refused_campaign_change_keeps_the_input(login, committee_staff, campaign, rep_a):
    services.problem_record(campaign=campaign, representative=rep_a, date=DAY, problem="修路", by=committee_staff)
    data = {"name": "改名的活动", "region": campaign.region_id, "started_on": "2022-07-01", "ended_on": "2022-12-31"}
    response = login(committee_staff).post(_url("campaign", "change", campaign.pk), data)
    _assert_refused_on_the_form(response, "已有办实事记录的日期在新的起止日期之外", "改名的活动")
    campaign.refresh_from_db()
    assert campaign.name == "我为群众办实事" and campaign.started_on == datetime.date(2022, 1, 1)


def test_a_refused_problem_keeps_the_input(login, committee_staff, campaign, rep_a):
    data = {"campaign": campaign.pk, "representative": rep_a.pk, "date": "2021-12-01", "problem": "修桥"}
    response = login(committee_staff).post(_url("problemsolved", "add"), data)
    _assert_refused_on_the_form(response, "日期须在活动期间（2022-01-01至2022-12-31）。", "修桥")
    assert not ProblemSolved.objects.exists()


def test_a_refused_new_inspection_keeps_the_input(login, committee_staff, county, rep_a):
    data = {
        "kind": "survey",
        "region": county.pk,
        "topic": "农村饮水调研",
        "started_on": "2022-05-10",
        "status": "planned",
        "report_file": SimpleUploadedFile("报告.pdf", b"<html>not a pdf</html>"),
        **_no_inlines("suggestions"),
    }
    response = login(committee_staff).post(_url("inspection", "add"), data)
    _assert_refused_on_the_form(response, "的内容不是PDF、Word", "农村饮水调研")
    assert not Inspection.objects.exists()


def test_a_refused_inspection_change_keeps_the_input(login, committee_staff, inspection):
    data = _inspection_change(inspection, topic="改过的主题", started_on="2023-01-05")
    response = login(committee_staff).post(_url("inspection", "change", inspection.pk), data)
    _assert_refused_on_the_form(response, "批次按年度编号，开始日期须在2022年内。", "改过的主题")
    inspection.refresh_from_db()
    assert inspection.topic == "调研"


def test_a_member_refused_after_the_group_saved_rolls_the_whole_page_back(
    login, committee_staff, township_group, rep_a
):
    data = _group_change(township_group, name="改名后的小组", is_active="")
    data |= {
        "memberships-TOTAL_FORMS": 2,
        "memberships-1-group": township_group.pk,
        "memberships-1-representative": rep_a.pk,
        "memberships-1-joined_on": "2022-02-01",
    }
    response = login(committee_staff).post(_url("activitygroup", "change", township_group.pk), data)
    _assert_refused_on_the_form(response, "已撤销，不能再加入成员。", "改名后的小组")
    township_group.refresh_from_db()
    assert township_group.is_active and township_group.name == "儒林镇教育卫生组"
    assert not township_group.memberships.filter(representative=rep_a).exists()


# --- a success writes once --------------------------------------------------------------------


def test_a_new_group_is_created_by_one_service_call(login, committee_staff, township_a, rep_a2, calls):
    counted = calls("group_create")
    data = {"name": "儒林镇法治组", "theme": "法治", "region": township_a.pk, "leader": rep_a2.pk, "is_active": "on"}
    response = login(committee_staff).post(_url("activitygroup", "add"), data | _no_inlines("memberships"))
    assert response.status_code == 302
    assert counted == {"group_create": 1}
    assert ActivityGroup.objects.get(name="儒林镇法治组").history.count() == 1


def test_an_activity_change_is_one_service_call(login, staff_a, staff_activity, calls):
    counted = calls("activity_update")
    data = _activity_change(staff_activity, title="改过的名称")
    assert login(staff_a).post(_url("activity", "change", staff_activity.pk), data).status_code == 302
    assert counted == {"activity_update": 1}
    staff_activity.refresh_from_db()
    assert staff_activity.title == "改过的名称" and staff_activity.history.count() == 2


def test_a_campaign_and_a_problem_are_written_once(login, committee_staff, county, rep_a, calls):
    counted = calls("campaign_create", "problem_record")
    client = login(committee_staff)
    data = {"name": "新活动", "region": county.pk, "started_on": "2022-01-01"}
    assert client.post(_url("campaign", "add"), data).status_code == 302
    campaign = Campaign.objects.get(name="新活动")
    data = {"campaign": campaign.pk, "representative": rep_a.pk, "date": "2022-06-01", "problem": "修桥"}
    assert client.post(_url("problemsolved", "add"), data).status_code == 302
    assert counted == {"campaign_create": 1, "problem_record": 1}


def test_an_inspection_with_its_report_is_written_once(login, committee_staff, county, calls, settings):
    counted = calls("inspection_create")
    data = {
        "kind": "survey",
        "region": county.pk,
        "topic": "农村饮水调研",
        "started_on": "2022-05-10",
        "status": "planned",
        "report_file": SimpleUploadedFile("报告.pdf", PDF),
        **_no_inlines("suggestions"),
    }
    assert login(committee_staff).post(_url("inspection", "add"), data).status_code == 302
    assert counted == {"inspection_create": 1}
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].suffix == ".pdf"
    assert Inspection.objects.get().report_file.name.endswith(stored[0].name)
