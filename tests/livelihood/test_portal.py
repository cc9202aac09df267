"""The representatives' ballot page and ideas, and the handling units' progress pages."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.livelihood import services
from apps.livelihood.models import Ballot, BallotTally, BallotVoter, Idea, ProgressReport
from apps.representatives.choices import Level
from tests.factories import (
    CountyFactory,
    HandlingUnitFactory,
    RepresentativeFactory,
    SessionFactory,
    TermFactory,
    TownshipFactory,
)


def url(name, *args):
    return reverse(f"livelihood:{name}", args=args)


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.text))


def tallies(ballot) -> dict:
    return {(t.project_id, t.option): t.count for t in BallotTally.objects.filter(ballot=ballot)}


@pytest.fixture
def ballot(open_selection):
    return open_selection()


# --- the ballot page -----------------------------------------------------------------------------


def test_the_portal_lists_open_ballots_with_vote_or_already_voted(login, ballot):
    open_ballot, _projects, reps = ballot
    client = login(reps[0].user)
    page = client.get(url("my"))
    assert page.status_code == 200
    assert url("ballot_vote", open_ballot.pk) in page.text
    services.ballot_vote(ballot=open_ballot, representative=reps[0], choices={})
    page = client.get(url("my"))
    assert url("ballot_vote", open_ballot.pk) not in page.text and "已投票" in page.text


def test_the_sheet_shows_every_candidate_with_its_number_investment_unit_and_date(login, ballot):
    open_ballot, _projects, reps = ballot
    response = login(reps[0].user).get(url("ballot_vote", open_ballot.pk))
    assert response.status_code == 200
    text = text_of(response)
    assert "最多选择 3 个" in text and "120.50" in text and "县教育局" in text and "-12-31" in text
    assert response.text.count('type="checkbox" name="projects"') == 5
    assert "<script" not in response.text.split("<main", 1)[1]  # the site's menu script is in <head>


def test_an_eligible_representative_votes_once_and_never_sees_the_choice_again(login, ballot):
    open_ballot, projects, reps = ballot
    client = login(reps[0].user)
    response = client.post(url("ballot_vote", open_ballot.pk), {"projects": [projects[0].pk, projects[2].pk]})
    assert response.status_code == 302 and response.url == url("ballot_done", open_ballot.pk)
    done = client.get(response.url)
    assert "选票已经记录" in text_of(done)
    assert projects[0].title not in done.text
    counts = tallies(open_ballot)
    assert counts[(projects[0].pk, "for")] == counts[(projects[2].pk, "for")] == 1
    assert sum(counts.values()) == 2
    again = client.get(url("ballot_vote", open_ballot.pk))
    assert "您已经投过票" in text_of(again) and 'name="projects"' not in again.text


def test_a_second_tab_posting_after_the_vote_gets_already_voted_and_the_tallies_stay(login, ballot):
    open_ballot, projects, reps = ballot
    client = login(reps[1].user)
    # Both tabs loaded the sheet before either was posted.
    client.get(url("ballot_vote", open_ballot.pk))
    client.post(url("ballot_vote", open_ballot.pk), {"projects": [projects[0].pk]})
    before = tallies(open_ballot)
    second = client.post(url("ballot_vote", open_ballot.pk), {"projects": [projects[1].pk, projects[2].pk]})
    assert second.status_code == 400
    assert "您已经投过票" in text_of(second)
    assert tallies(open_ballot) == before
    assert BallotVoter.objects.filter(ballot=open_ballot).count() == 1
    assert Ballot.objects.get(pk=open_ballot.pk).sheets_online == 1


def test_choosing_more_than_allowed_is_refused_on_the_page_and_counts_nothing(login, ballot):
    open_ballot, projects, reps = ballot
    client = login(reps[0].user)
    response = client.post(url("ballot_vote", open_ballot.pk), {"projects": [p.pk for p in projects[:4]]})
    assert response.status_code == 400
    assert "最多只能选择 3 个项目" in text_of(response)
    assert not BallotVoter.objects.exists() and sum(tallies(open_ballot).values()) == 0


def test_a_blank_sheet_is_a_vote(login, ballot):
    open_ballot, _projects, reps = ballot
    response = login(reps[0].user).post(url("ballot_vote", open_ballot.pk), {})
    assert response.status_code == 302
    assert Ballot.objects.get(pk=open_ballot.pk).sheets_online == 1


def test_a_representative_of_another_term_gets_403(login, ballot, township_a):
    open_ballot, _projects, _reps = ballot
    township_rep = RepresentativeFactory(township=township_a, level=Level.TOWNSHIP)
    from apps.core import services as core_services

    township_rep.user = core_services.user_create(username="township_rep", password=None, role="representative")
    township_rep.save()
    response = login(township_rep.user).get(url("ballot_vote", open_ballot.pk))
    assert response.status_code == 403
    assert login(township_rep.user).post(url("ballot_vote", open_ballot.pk), {}).status_code == 403
    assert not BallotVoter.objects.exists()


def test_a_ballot_of_another_county_is_404(login, ballot, committee_staff, unit):
    _open_ballot, _projects, reps = ballot
    other_county = CountyFactory(code="430528", name="新宁县")
    term = TermFactory(region=other_county)
    session = SessionFactory(term=term)
    RepresentativeFactory(township=TownshipFactory(parent=other_county), term=term)
    project = services.project_shortlist(
        session=session,
        ideas=[],
        title="新宁县项目",
        description="内容。",
        responsible_unit=HandlingUnitFactory(region=other_county),
        investment=10,
        completion_due=date(2022, 12, 31),
        by=committee_staff,
    )
    foreign = services.ballot_create(
        session=session,
        kind="selection",
        title="新宁县票决",
        projects=[project],
        closes_at=timezone.now() + timedelta(hours=1),
        slots=1,
        by=committee_staff,
    )
    services.ballot_open(ballot=foreign, by=committee_staff)
    client = login(reps[0].user)
    assert client.get(url("ballot_vote", foreign.pk)).status_code == 404
    assert client.post(url("ballot_vote", foreign.pk), {"projects": [project.pk]}).status_code == 404
    assert client.get(url("ballot_done", foreign.pk)).status_code == 404


def test_a_draft_ballot_is_404(login, session, make_candidates, make_voters, committee_staff):
    projects = make_candidates(2)
    rep = make_voters(1)[0]
    draft = services.ballot_create(
        session=session,
        kind="selection",
        title="未开始",
        projects=projects,
        closes_at=timezone.now() + timedelta(hours=1),
        slots=1,
        by=committee_staff,
    )
    assert login(rep.user).get(url("ballot_vote", draft.pk)).status_code == 404


def test_a_closed_ballot_refuses_the_vote(login, ballot, committee_staff):
    open_ballot, projects, reps = ballot
    client = login(reps[0].user)
    client.get(url("ballot_vote", open_ballot.pk))
    services.ballot_close(ballot=open_ballot, by=committee_staff)
    page = client.get(url("ballot_vote", open_ballot.pk))
    assert "投票已经结束" in text_of(page) and 'name="projects"' not in page.text
    response = client.post(url("ballot_vote", open_ballot.pk), {"projects": [projects[0].pk]})
    assert response.status_code == 400 and "投票已经结束" in text_of(response)
    assert not BallotVoter.objects.exists()


def test_a_ballot_past_its_closing_time_refuses_the_vote(login, ballot):
    open_ballot, projects, reps = ballot
    with time_machine.travel(open_ballot.closes_at + timedelta(minutes=1)):
        response = login(reps[0].user).post(url("ballot_vote", open_ballot.pk), {"projects": [projects[0].pk]})
    assert response.status_code == 400 and "投票已经截止" in text_of(response)
    assert not BallotVoter.objects.exists()


def test_the_satisfaction_poll_asks_for_every_project(login, open_selection, session, committee_staff):
    selection, projects, reps = open_selection(candidates=3, slots=2)
    for rep in reps:
        services.ballot_vote(ballot=selection, representative=rep, choices={p.pk: "for" for p in projects[:2]})
    services.ballot_close(ballot=selection, by=committee_staff)
    poll = services.ballot_create(
        session=session,
        kind="satisfaction",
        title="满意度测评",
        projects=projects[:2],
        closes_at=timezone.now() + timedelta(hours=1),
        by=committee_staff,
    )
    services.ballot_open(ballot=poll, by=committee_staff)
    client = login(reps[0].user)
    page = client.get(url("ballot_vote", poll.pk))
    assert page.text.count('type="radio"') == 6
    half = client.post(url("ballot_vote", poll.pk), {f"p{projects[0].pk}": "satisfied"})
    assert half.status_code == 400 and "请对这个项目选择满意、基本满意或不满意" in text_of(half)
    full = client.post(url("ballot_vote", poll.pk), {f"p{projects[0].pk}": "satisfied", f"p{projects[1].pk}": "basic"})
    assert full.status_code == 302
    counts = tallies(poll)
    assert counts[(projects[0].pk, "satisfied")] == 1 and counts[(projects[1].pk, "basic")] == 1


@pytest.mark.parametrize("persona", ["committee", "unit", "staff_a"])
def test_people_who_are_not_representatives_get_403(login, personas, ballot, persona):
    open_ballot, _projects, _reps = ballot
    client = login(personas[persona])
    assert client.get(url("my")).status_code == 403
    assert client.get(url("ballot_vote", open_ballot.pk)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, ballot):
    open_ballot, _projects, _reps = ballot
    response = client.get(url("ballot_vote", open_ballot.pk))
    assert response.status_code == 302 and "/accounts/login/" in response.url


# --- representatives' ideas ----------------------------------------------------------------------


def test_a_representative_proposes_an_idea_and_sees_its_status(login, representative_user, rep_a, township_a):
    client = login(representative_user)
    form = client.get(url("idea_propose"))
    assert form.context["form"].initial["township"] == township_a.pk
    response = client.post(
        url("idea_propose"),
        {"township": township_a.pk, "title": "儒林镇农贸市场改造", "description": "市场棚顶漏雨，地面积水严重。"},
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.source == Idea.Source.REPRESENTATIVE and idea.representative == rep_a
    assert idea.submitted_by == representative_user and idea.proposer_phone == ""
    page = client.get(url("my"))
    assert "儒林镇农贸市场改造" in page.text and "待筛选" in page.text


def test_a_representatives_bad_idea_is_refused_and_nothing_saved(login, representative_user, township_a):
    response = login(representative_user).post(url("idea_propose"), {"township": township_a.pk, "title": ""})
    assert response.status_code == 400 and "请填写项目名称" in text_of(response)
    assert not Idea.objects.exists()


def test_the_portal_lists_only_the_representatives_own_ideas(login, representative_user, rep_a, rep_b, township_b):
    services.idea_submit(
        region=township_b,
        title="别人的建议",
        description="内容内容内容内容。",
        source="representative",
        representative=rep_b,
    )
    assert "别人的建议" not in login(representative_user).get(url("my")).text


# --- handling units ------------------------------------------------------------------------------


@pytest.fixture
def approved(open_selection, committee_staff):
    """Three approved projects of the unit with two milestones each."""
    selection, projects, reps = open_selection(candidates=4, slots=3)
    for rep in reps:
        services.ballot_vote(ballot=selection, representative=rep, choices={p.pk: "for" for p in projects[:3]})
    services.ballot_close(ballot=selection, by=committee_staff)
    for project in projects[:3]:
        project.refresh_from_db()
        services.milestone_add(project=project, title="招标", due_on=date(2022, 3, 1), by=committee_staff)
        services.milestone_add(project=project, title="完工", due_on=date(2030, 12, 1), by=committee_staff)
    return projects


def test_unit_staff_see_their_projects_and_report_progress(login, unit_staff, approved):
    client = login(unit_staff)
    listing = client.get(url("unit_list"))
    assert listing.status_code == 200
    assert all(p.title in listing.text for p in approved[:3]) and approved[3].title not in listing.text
    assert "1 个节点逾期" in text_of(listing)
    project = approved[0]
    milestone = project.milestones.get(title="招标")
    response = client.post(
        url("unit_project", project.pk),
        {"milestone": milestone.pk, "progress": 100, "note": "已完成招标。", "reported_on": "2022-02-20"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.progress == 50 and project.status == "in_progress"
    assert ProgressReport.objects.get().reported_by == unit_staff


def test_a_bad_progress_report_is_refused_and_nothing_is_saved(login, unit_staff, approved):
    project = approved[0]
    milestone = project.milestones.get(title="招标")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = login(unit_staff).post(
        url("unit_project", project.pk),
        {"milestone": milestone.pk, "progress": 120, "note": "", "reported_on": tomorrow},
    )
    assert response.status_code == 400
    text = text_of(response)
    assert "100" in text and "请填写进展情况" in text and "填报日期不能晚于今天" in text
    assert not ProgressReport.objects.exists()


def test_another_units_staff_get_404_and_others_403(login, approved, personas, county):
    from apps.core import services as core_services

    other_unit = HandlingUnitFactory(region=county, name="县交通运输局")
    stranger = core_services.user_create(username="other_unit", password=None, role="unit", handling_unit=other_unit)
    project = approved[0]
    assert login(stranger).get(url("unit_project", project.pk)).status_code == 404
    assert login(stranger).post(url("unit_project", project.pk), {"progress": 100}).status_code == 404
    assert approved[3].title not in login(stranger).get(url("unit_list")).text
    for persona in ("committee", "staff_a", "representative"):
        assert login(personas[persona]).get(url("unit_project", project.pk)).status_code == 403
    assert login(None).get(url("unit_list")).status_code == 302


def test_a_candidate_that_was_not_approved_is_404_for_its_unit(login, unit_staff, approved):
    assert login(unit_staff).get(url("unit_project", approved[3].pk)).status_code == 404


def test_the_unit_list_costs_the_same_queries_with_more_projects(
    login, unit_staff, approved, open_selection, committee_staff, django_assert_max_num_queries
):
    client = login(unit_staff)
    client.get(url("unit_list"))
    with CaptureQueriesContext(connection) as small:
        client.get(url("unit_list"))
    more, projects, reps = open_selection(candidates=6, slots=5, min_vote_ratio=0)
    for rep in reps:
        services.ballot_vote(ballot=more, representative=rep, choices={p.pk: "for" for p in projects[:5]})
    services.ballot_close(ballot=more, by=committee_staff)
    for project in projects[:5]:
        services.milestone_add(project=project, title="开工", due_on=date(2022, 5, 1), by=committee_staff)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("unit_list"))
    assert len(response.context["rows"]) == 8


@pytest.mark.django_db(transaction=True)
def test_two_tabs_posting_at_the_same_moment_make_one_vote(open_selection):
    import threading

    from django.db import connection as default_connection
    from django.test import Client

    ballot, projects, reps = open_selection()
    user = reps[0].user
    barrier = threading.Barrier(2)
    statuses = []

    def post(choice):
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            statuses.append(client.post(url("ballot_vote", ballot.pk), {"projects": [choice.pk]}).status_code)
        finally:
            default_connection.close()

    threads = [threading.Thread(target=post, args=(p,)) for p in projects[:2]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 400]
    assert BallotVoter.objects.filter(ballot=ballot).count() == 1
    assert sum(tallies(ballot).values()) == 1
    assert Ballot.objects.get(pk=ballot.pk).sheets_online == 1
