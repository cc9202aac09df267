"""The public livelihood pages: the idea form with its abuse limits, and the year's projects."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.liaison.models import RateLimitHit
from apps.livelihood import forms, services
from apps.livelihood.models import Ballot, Idea

DESCRIPTION = "村里的自来水管网老化，夏天经常停水，建议改造管网。"


def url(name, *args):
    return reverse(f"livelihood:{name}", args=args)


def old_token(seconds=60):
    """A form token issued `seconds` ago, so the minimum fill time has passed."""
    with time_machine.travel(timezone.now() - timedelta(seconds=seconds), tick=False):
        return forms.IdeaForm.issue_token()


def idea_data(place, **overrides):
    data = {
        "township": place.pk,
        "title": "白云村饮水管网改造",
        "description": DESCRIPTION,
        "estimated_cost": "35.5",
        "name": "王大妈",
        "phone": "138 1234-5678",
        "consent": "on",
        "website": "",
        "token": old_token(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.text))


def _main(response) -> str:
    return response.text.split("<main", 1)[1]


# --- the idea form -------------------------------------------------------------------------------


def test_the_form_offers_townships_a_privacy_notice_a_honeypot_and_no_script(client, township_a):
    response = client.get(url("idea_new"))
    assert response.status_code == 200
    assert "儒林镇" in response.text and "个人信息处理说明" in response.text
    assert 'name="consent"' in response.text and 'name="website"' in response.text
    # The site-wide menu script in <head> only enhances; the form itself needs none.
    assert 'name="token"' in response.text and "<script" not in _main(response)


def test_a_citizens_idea_is_saved_and_the_thank_you_page_shows_only_a_masked_name(client, township_a, staff_a):
    response = client.post(url("idea_new"), idea_data(township_a))
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert idea.source == Idea.Source.CITIZEN and idea.region == township_a
    assert idea.proposer_name == "王大妈" and idea.proposer_phone == "13812345678"
    assert idea.consented_at is not None and str(idea.estimated_cost) == "35.50"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "王*" in page.text and "王大妈" not in page.text and "5678" not in page.text


def test_a_forged_thank_you_link_is_404(client):
    assert client.get(url("idea_thanks", "1:forged")).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": None}, "请阅读个人信息处理说明，勾选同意后再提交"),
        ({"name": ""}, "请填写您的姓名"),
        ({"phone": "12345"}, "请填写 11 位手机号码"),
        ({"title": ""}, "请填写项目名称"),
        ({"description": "太短"}, "项目内容至少"),
        ({"township": "999999"}, "请从列表中选择乡镇"),
        ({"estimated_cost": "-3"}, "投资不能为负数"),
        ({"website": "http://spam.example"}, "请勿填写"),
        ({"token": "forged"}, "表单校验未通过"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, township_a, overrides, message):
    response = client.post(url("idea_new"), idea_data(township_a, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Idea.objects.exists()


def test_a_robot_posting_at_once_is_refused(client, township_a):
    response = client.post(url("idea_new"), idea_data(township_a, token=forms.IdeaForm.issue_token()))
    assert response.status_code == 400
    assert "提交太快了" in text_of(response)
    assert not Idea.objects.exists()


def test_a_double_post_makes_one_idea(client, township_a):
    data = idea_data(township_a)
    first = client.post(url("idea_new"), data)
    second = client.post(url("idea_new"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Idea.objects.count() == 1


def test_the_per_address_limit_holds_in_the_database(client, township_a, settings):
    settings.RENDA_LIAISON = {**settings.RENDA_LIAISON, "SUBMIT_PER_HOUR": 2}
    statuses = [client.post(url("idea_new"), idea_data(township_a, title=f"项目{i}")).status_code for i in range(3)]
    assert statuses == [302, 302, 429]
    assert Idea.objects.count() == 2
    assert RateLimitHit.objects.exists()


# --- the year's projects -------------------------------------------------------------------------


@pytest.fixture
def year_of_projects(session, make_candidates, make_voters, committee_staff):
    """`n` candidates voted on by five representatives (three slots), closed, with milestones."""

    def make(n, *, close=True):
        projects = make_candidates(n)
        voters = make_voters(5)
        ballot = services.ballot_create(
            session=session,
            kind=Ballot.Kind.SELECTION,
            title="2022年民生实事项目票决",
            projects=projects,
            closes_at=timezone.now() + timedelta(hours=2),
            slots=3,
            min_vote_ratio=0.2,  # a later call adds voters who do not vote
            by=committee_staff,
        )
        services.ballot_open(ballot=ballot, by=committee_staff)
        for rep in voters:
            services.ballot_vote(ballot=ballot, representative=rep, choices={p.pk: "for" for p in projects[:3]})
        if not close:
            return ballot, projects
        services.ballot_close(ballot=ballot, by=committee_staff)
        for project in projects[:3]:
            project.refresh_from_db()
            first = services.milestone_add(
                project=project, title="完成设计", due_on=date(2022, 3, 31), by=committee_staff
            )
            services.milestone_add(project=project, title="完工验收", due_on=date(2022, 11, 30), by=committee_staff)
            services.milestone_report(milestone=first, progress=100, note="设计已完成。", by=committee_staff)
        return ballot, projects

    return make


def test_the_public_page_shows_votes_status_progress_and_milestones_after_the_ballot_closed(client, year_of_projects):
    _ballot, projects = year_of_projects(4)
    response = client.get(url("public"), {"year": 2022})
    assert response.status_code == 200
    text = text_of(response)
    assert "候选项目 4 个，票决确定正式项目 3 个" in text
    row = re.search(rf'<tr id="project-{projects[0].pk}">(.*?)</tr>', response.text, re.S).group(1)
    assert '<td class="votes" data-label="得票">5' in row and "实施中" in row and "完成设计" in row
    assert '<progress max="100" value="50"' in row
    loser = re.search(rf'<tr id="project-{projects[3].pk}">(.*?)</tr>', response.text, re.S).group(1)
    assert '<td class="votes" data-label="得票">0' in loser and "未通过" in loser
    assert "<script" not in _main(response) and "style=" not in response.text


def test_votes_stay_hidden_while_the_ballot_is_open(client, year_of_projects):
    _ballot, projects = year_of_projects(4, close=False)
    response = client.get(url("public"), {"year": 2022})
    row = re.search(rf'<tr id="project-{projects[0].pk}">(.*?)</tr>', response.text, re.S).group(1)
    assert '<td class="votes" data-label="得票">—' in row and "候选" in row


def test_without_projects_this_year_the_page_shows_the_latest_year_and_links_the_years(client, year_of_projects):
    _ballot, projects = year_of_projects(3)
    response = client.get(url("public"))
    assert response.context["year"] == 2022
    assert [p.pk for p in response.context["projects"]] == [p.pk for p in projects]


def test_a_year_asked_for_is_shown_even_when_empty_with_links_to_the_years(client, year_of_projects):
    year_of_projects(3)
    response = client.get(url("public"), {"year": timezone.localdate().year})
    assert response.context["year"] == timezone.localdate().year
    assert response.context["projects"] == []
    assert "?county=430529&amp;year=2022" in response.text


def test_the_public_page_costs_the_same_queries_for_few_and_many_projects(
    client, year_of_projects, django_assert_max_num_queries
):
    year_of_projects(4)
    with CaptureQueriesContext(connection) as small:
        client.get(url("public"), {"year": 2022})
    year_of_projects(12)  # a second ballot of the same session, with its own milestones
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("public"), {"year": 2022})
    assert len(response.context["projects"]) == 16


def test_the_detail_page_shows_milestones_reports_and_supervision_but_no_names(
    client, year_of_projects, committee_staff
):
    _ballot, projects = year_of_projects(4)
    project = projects[0]
    services.supervision_record(
        project=project,
        kind="inspection",
        held_on=date(2022, 5, 10),
        participants="县人大常委会副主任刘某",
        findings="进度正常，注意施工安全。",
        by=committee_staff,
    )
    response = client.get(url("public_detail", project.pk))
    text = text_of(response)
    assert response.status_code == 200
    assert "完成设计" in text and "设计已完成。" in text and "进度正常，注意施工安全。" in text
    assert "得票 5（应参加投票代表 5 名），第 1 名，通过" in text
    assert "刘某" not in text and committee_staff.username not in text


def test_the_detail_page_costs_the_same_queries_with_more_records(
    client, year_of_projects, committee_staff, django_assert_max_num_queries
):
    _ballot, projects = year_of_projects(3)
    project = projects[0]
    with CaptureQueriesContext(connection) as small:
        client.get(url("public_detail", project.pk))
    for i in range(5):
        services.milestone_add(project=project, title=f"节点{i}", due_on=date(2022, 10, 1), by=committee_staff)
        services.supervision_record(
            project=project,
            kind="inquiry",
            held_on=date(2022, 6, i + 1),
            participants="",
            findings="询问。",
            by=committee_staff,
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url("public_detail", project.pk)).status_code == 200


def test_an_unknown_project_is_404(client, db):
    assert client.get(url("public_detail", 999999)).status_code == 404
