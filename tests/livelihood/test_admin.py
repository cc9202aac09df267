"""The livelihood back office calls the services: what the rules refuse is shown and changes nothing."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.livelihood import services
from apps.livelihood.models import (
    Ballot,
    BallotItem,
    BallotTally,
    BallotVoter,
    Idea,
    Milestone,
    PaperBatch,
    Project,
    Supervision,
)


def admin(name, *args):
    return reverse(f"admin:livelihood_{name}", args=args)


def text_of(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def act(client, model, action, objects, **data):
    return client.post(
        admin(f"{model}_changelist"), {"action": action, "_selected_action": [o.pk for o in objects], **data}
    )


def citizen_idea(township, title="白云村饮水管网改造", phone="13812345678"):
    idea, _created = services.idea_submit(
        region=township,
        title=title,
        description="管网老化，夏天经常停水。",
        source=Idea.Source.CITIZEN,
        proposer_name="王大妈",
        proposer_phone=phone,
        consent=True,
    )
    return idea


@pytest.fixture
def idea_a(township_a):
    return citizen_idea(township_a)


@pytest.fixture
def idea_b(township_b):
    return citizen_idea(township_b, "茅坪镇卫生院改造", "13987654321")


@pytest.fixture
def open_ballot(open_selection):
    return open_selection()


# --- who gets in ---------------------------------------------------------------------------------

PAGES = ["idea_changelist", "project_changelist", "ballot_changelist"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("committee", 200),
        ("staff_a", 200),
        ("staff_b", 200),
        ("unit", 302),
        ("representative", 302),
        ("anonymous", 302),
    ],
)
def test_only_staff_reach_the_lists(login, personas, name, persona, expected):
    response = login(personas[persona]).get(admin(name))
    assert response.status_code == expected
    if expected == 302:
        assert reverse("admin:login") in response["Location"]


def _ballot_pages(ballot, project):
    return {
        "paper": admin("ballot_paper", ballot.pk),
        "voters": admin("ballot_voters", ballot.pk),
        "milestone": admin("project_milestone", project.pk),
        "supervision": admin("project_supervision", project.pk),
        "import": admin("project_import"),
        "add_ballot": admin("ballot_add"),
        "add_project": admin("project_add"),
    }


STAFF_PAGES = ["paper", "voters", "milestone", "supervision", "import", "add_ballot", "add_project"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("committee", 200),
        ("staff_a", 403),
        ("staff_b", 403),
        ("unit", 302),
        ("representative", 302),
        ("anonymous", 302),
    ],
)
def test_the_ballot_and_project_pages_follow_the_permission_matrix(
    login, personas, open_ballot, committee_staff, persona, expected
):
    ballot, _projects, _reps = open_ballot
    pages = _ballot_pages(ballot, _approved(committee_staff))
    client = login(personas[persona])
    got = {key: client.get(page).status_code for key, page in pages.items()}
    assert got == dict.fromkeys(STAFF_PAGES, expected)


def _approved(committee_staff) -> Project:
    """An approved project of the same session as the open ballot's (a ballot of its own)."""
    ballot = Ballot.objects.get()
    project = services.project_shortlist(
        session=ballot.session,
        ideas=[],
        title="城区供水管网改造",
        description="改造供水管网 12 公里。",
        responsible_unit=ballot.items.first().project.responsible_unit,
        investment=800,
        completion_due=date(2022, 12, 31),
        by=committee_staff,
    )
    Project.objects.filter(pk=project.pk).update(status=Project.Status.APPROVED)
    project.refresh_from_db()
    return project


def test_township_staff_see_only_their_townships_ideas(login, staff_b, idea_a, idea_b):
    client = login(staff_b)
    shown = {i.pk for i in client.get(admin("idea_changelist")).context["cl"].result_list}
    assert shown == {idea_b.pk}
    assert client.get(admin("idea_change", idea_a.pk)).status_code == 404
    act(client, "idea", "decline_ideas", [idea_a], apply="1", note="不属于本镇。")
    idea_a.refresh_from_db()
    assert idea_a.status == Idea.Status.NEW


def test_the_idea_list_filters_by_township(login, committee_staff, staff_a, idea_a, idea_b, township_a, township_b):
    client = login(committee_staff)
    listed = client.get(admin("idea_changelist"), {"township": township_a.pk})
    assert [i.pk for i in listed.context["cl"].result_list] == [idea_a.pk]
    lookups = [pk for pk, _name in listed.context["cl"].filter_specs[-1].lookup_choices]
    assert township_a.pk in lookups and township_b.pk in lookups
    own = login(staff_a).get(admin("idea_changelist"))
    assert [pk for pk, _name in own.context["cl"].filter_specs[-1].lookup_choices] == [township_a.pk]


def test_the_phone_is_masked_for_staff_without_the_personal_data_permission(login, committee_staff, liaison_a, idea_a):
    assert "13812345678" in login(committee_staff).get(admin("idea_change", idea_a.pk)).content.decode()
    listing = login(liaison_a).get(admin("idea_changelist")).content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    page = login(liaison_a).get(admin("idea_change", idea_a.pk)).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_the_idea_list_costs_the_same_queries_however_many_ideas(
    login, committee_staff, township_a, django_assert_max_num_queries
):
    client = login(committee_staff)
    for i in range(2):
        citizen_idea(township_a, f"项目{i}")
    client.get(admin("idea_changelist"))
    with CaptureQueriesContext(connection) as small:
        client.get(admin("idea_changelist"))
    for i in range(10):
        citizen_idea(township_a, f"更多项目{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(admin("idea_changelist"))
    assert len(response.context["cl"].result_list) == 12


# --- ideas ---------------------------------------------------------------------------------------


def test_a_units_idea_is_entered_through_the_service(login, committee_staff, township_a, unit):
    client = login(committee_staff)
    response = client.post(
        admin("idea_add"),
        {
            "source": "unit",
            "unit": unit.pk,
            "region": township_a.pk,
            "title": "儒林镇中心小学运动场改造",
            "description": "塑胶跑道破损，需要翻新。",
            "estimated_cost": "150",
        },
    )
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert idea.source == Idea.Source.UNIT and idea.unit == unit and idea.submitted_by == committee_staff


def test_a_units_idea_without_the_unit_is_refused(login, committee_staff, township_a):
    response = login(committee_staff).post(
        admin("idea_add"),
        {"source": "unit", "region": township_a.pk, "title": "项目", "description": "内容。"},
    )
    assert response.status_code == 200 and "请选择提出建议的单位" in text_of(response)
    assert not Idea.objects.exists()


def test_shortlisting_ideas_makes_a_candidate_prefilled_from_them(
    login, committee_staff, idea_a, idea_b, session, unit
):
    client = login(committee_staff)
    response = act(client, "idea", "shortlist_ideas", [idea_a, idea_b])
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.context["form"].initial["title"] == idea_a.title
    data = {
        "session": session.pk,
        "title": "饮水安全巩固提升工程",
        "description": "两镇供水管网改造。",
        "responsible_unit": unit.pk,
        "investment": "320",
        "completion_due": "2022-12-31",
    }
    done = client.post(response.url, data)
    project = Project.objects.get()
    assert done.status_code == 302 and done.url == admin("project_change", project.pk)
    assert project.number == 1 and project.status == Project.Status.CANDIDATE
    assert set(project.ideas.values_list("status", flat=True)) == {Idea.Status.SHORTLISTED}


def test_township_staff_cannot_shortlist(login, staff_a, idea_a):
    client = login(staff_a)
    assert client.get(admin("idea_shortlist") + f"?ids={idea_a.pk}").status_code == 403


def test_merging_and_declining_go_through_the_services(login, committee_staff, idea_a, township_a):
    duplicate = citizen_idea(township_a, "白云村饮水管网改造（重复）")
    client = login(committee_staff)
    act(client, "idea", "merge_ideas", [duplicate], apply="1", into=idea_a.pk)
    duplicate.refresh_from_db()
    assert duplicate.status == Idea.Status.MERGED and duplicate.merged_into == idea_a
    refused = act(client, "idea", "decline_ideas", [idea_a], apply="1", note="")
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    act(client, "idea", "decline_ideas", [idea_a], apply="1", note="已列入县水利局年度计划。")
    idea_a.refresh_from_db()
    assert idea_a.status == Idea.Status.DECLINED and idea_a.feasibility_note == "已列入县水利局年度计划。"


def test_declining_a_mixed_selection_changes_nothing_and_names_the_refused(login, committee_staff, idea_a, township_a):
    other = citizen_idea(township_a, "另一条建议")
    client = login(committee_staff)
    act(client, "idea", "decline_ideas", [other], apply="1", note="重复。")
    response = act(client, "idea", "decline_ideas", [idea_a, other], apply="1", note="不予采纳。")
    assert "操作未执行" in messages_of(response)
    idea_a.refresh_from_db()
    assert idea_a.status == Idea.Status.NEW


# --- projects ------------------------------------------------------------------------------------


def test_a_candidate_is_added_and_edited_through_the_services(login, committee_staff, session, unit):
    client = login(committee_staff)
    response = client.post(
        admin("project_add"),
        {
            "session": session.pk,
            "title": "县城第三幼儿园建设",
            "description": "新建幼儿园一所，12 个班。",
            "responsible_unit": unit.pk,
            "investment": "2600",
            "completion_due": "2022-12-31",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302 and project.number == 1
    page = client.get(admin("project_change", project.pk))
    assert page.context["adminform"].form.fields["completion_due"].widget.input_type == "date"
    data = _change_data(page, title="县城第三幼儿园新建工程", lead_leader="副县长张某")
    client.post(admin("project_change", project.pk), data)
    project.refresh_from_db()
    assert project.title == "县城第三幼儿园新建工程" and project.lead_leader == "副县长张某"


def _change_data(page, **changes) -> dict:
    """The project page's form as shown, with `changes` typed in."""
    data = {**page.context["adminform"].form.initial, **changes}
    data = {k: v.pk if hasattr(v, "pk") else v for k, v in data.items() if v is not None}
    data.update({
        "milestones-TOTAL_FORMS": 0, "milestones-INITIAL_FORMS": 0,
        "supervisions-TOTAL_FORMS": 0, "supervisions-INITIAL_FORMS": 0,
        "ballot_items-TOTAL_FORMS": 0, "ballot_items-INITIAL_FORMS": 0,
    })  # fmt: skip
    return data


def test_editing_a_candidate_already_put_to_the_vote_is_refused_on_the_form_with_the_input_kept(
    login, committee_staff, open_ballot
):
    _ballot, projects, _reps = open_ballot
    project = projects[0]
    client = login(committee_staff)
    page = client.get(admin("project_change", project.pk))
    data = _change_data(page, title="改过名称的候选项目", lead_leader="副县长李某")
    response = client.post(admin("project_change", project.pk), data)
    assert response.status_code == 200
    assert "项目已提交票决" in text_of(response)
    assert response.context["adminform"].form.non_field_errors()
    assert 'value="改过名称的候选项目"' in response.content.decode()
    project.refresh_from_db()
    assert project.title != "改过名称的候选项目" and project.lead_leader != "副县长李某"


def test_milestones_and_supervision_are_added_on_their_pages(login, committee_staff, open_ballot):
    project = _approved(committee_staff)
    client = login(committee_staff)
    response = client.post(
        admin("project_milestone", project.pk), {"title": "完成招标", "due_on": "2022-04-30", "weight": 1}
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.project == project
    bad = client.post(
        admin("project_supervision", project.pk), {"kind": "inspection", "held_on": "2030-01-01", "findings": "x"}
    )
    assert bad.status_code == 200 and "监督日期不能晚于今天" in text_of(bad)
    assert not Supervision.objects.exists()
    good = client.post(
        admin("project_supervision", project.pk),
        {"kind": "inspection", "held_on": "2022-05-10", "participants": "常委会视察组", "findings": "进度正常。"},
    )
    assert good.status_code == 302 and Supervision.objects.get().recorded_by == committee_staff


# --- ballots -------------------------------------------------------------------------------------


def test_a_ballot_is_created_and_opened_through_the_services(
    login, committee_staff, session, make_candidates, make_voters
):
    projects = make_candidates(4)
    make_voters(3)
    client = login(committee_staff)
    closes = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        admin("ballot_add"),
        {
            "session": session.pk,
            "kind": "selection",
            "title": "2022年民生实事项目票决",
            "candidates": [p.pk for p in reversed(projects)],
            "closes_at": closes,
            "slots": 2,
            "min_vote_ratio": "0.5",
            "base": "eligible",
        },
    )
    ballot = Ballot.objects.get()
    assert response.status_code == 302
    assert list(ballot.items.order_by("position").values_list("project", flat=True)) == [p.pk for p in projects]
    assert ballot.max_choices == 2 and ballot.status == Ballot.Status.DRAFT
    act(client, "ballot", "open_ballots", [ballot])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN and ballot.eligible_count == 3


def test_more_slots_than_candidates_is_refused_on_the_form_with_the_input_kept(
    login, committee_staff, session, make_candidates
):
    projects = make_candidates(2)
    closes = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(committee_staff).post(
        admin("ballot_add"),
        {
            "session": session.pk,
            "kind": "selection",
            "title": "二〇二二年民生实事票决",
            "candidates": [p.pk for p in projects],
            "closes_at": closes,
            "slots": 3,
            "min_vote_ratio": "0.5",
            "base": "eligible",
        },
    )
    assert response.status_code == 200
    assert "应选项目数不能多于候选项目数" in text_of(response)
    assert response.context["adminform"].form.non_field_errors()
    assert 'value="二〇二二年民生实事票决"' in response.content.decode()
    assert not Ballot.objects.exists()
    assert not BallotItem.objects.exists() and not BallotTally.objects.exists()


def test_paper_batch_errors_are_shown_and_nothing_is_counted(login, committee_staff, open_ballot):
    ballot, projects, _reps = open_ballot
    client = login(committee_staff)
    url = admin("ballot_paper", ballot.pk)
    counts = {f"p{p.pk}_for": 0 for p in projects}

    too_many_for_one = client.post(url, {**counts, "sheets": 2, f"p{projects[0].pk}_for": 3})
    assert "一个项目的票数不能多于本批选票张数" in text_of(too_many_for_one)
    beyond_roll = client.post(url, {**counts, "sheets": 6})
    assert "将超过应参加投票代表数 5" in text_of(beyond_roll)
    too_many_marks = client.post(url, {**dict.fromkeys(counts, 2), "sheets": 2})  # 10 marks on 2 sheets of 3
    assert "赞成票总数不能多于" in text_of(too_many_marks)
    negative = client.post(url, {**counts, "sheets": 1, f"p{projects[0].pk}_for": -1})
    assert negative.status_code == 200 and negative.context["form"].errors[f"p{projects[0].pk}_for"]
    assert not PaperBatch.objects.exists()
    assert sum(BallotTally.objects.filter(ballot=ballot).values_list("count", flat=True)) == 0


def test_paper_and_online_sheets_are_counted_together_and_the_result_ranks_them(login, committee_staff, open_ballot):
    ballot, projects, reps = open_ballot
    for rep in reps[:2]:
        services.ballot_vote(ballot=ballot, representative=rep, choices={projects[0].pk: "for", projects[1].pk: "for"})
    client = login(committee_staff)
    change = client.get(admin("ballot_change", ballot.pk))
    assert "2 + 0 / 5" in text_of(change)
    assert projects[0].title in text_of(change)
    counts = {f"p{p.pk}_for": 0 for p in projects}
    counts.update({f"p{projects[0].pk}_for": 3, f"p{projects[2].pk}_for": 3, f"p{projects[1].pk}_for": 1})
    done = client.post(admin("ballot_paper", ballot.pk), {**counts, "sheets": 3})
    assert done.status_code == 302
    closed = act(client, "ballot", "close_ballots", [ballot], from_change="1")
    assert closed.status_code == 302 and closed.url == admin("ballot_results", ballot.pk)
    results = client.get(closed.url)
    table = text_of(results)
    assert "应参加投票代表 5 名；已收回选票 5 张（网上 2 张，纸质 3 张）" in table
    rows = [(r.title, r.votes, r.rank, r.outcome) for r in results.context["results"]]
    assert rows[:3] == [
        (projects[0].title, 5, 1, "approved"),
        (projects[2].title, 3, 2, "approved"),
        (projects[1].title, 3, 2, "approved"),
    ] or rows[:3] == [
        (projects[0].title, 5, 1, "approved"),
        (projects[1].title, 3, 2, "approved"),
        (projects[2].title, 3, 2, "approved"),
    ]
    xlsx = client.get(admin("ballot_results_xlsx", ballot.pk))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_tie_at_the_cut_offers_a_revote_of_the_tied_projects(login, committee_staff, open_selection):
    ballot, projects, reps = open_selection(candidates=4, slots=2)
    # 5 voters, two marks each: p0 gets 4, p1 and p2 get 3 each -> one slot left for two tied projects.
    sheets = [(0, 1), (0, 2), (0, 1), (0, 2), (1, 2)]
    for rep, marks in zip(reps, sheets, strict=True):
        services.ballot_vote(ballot=ballot, representative=rep, choices={projects[i].pk: "for" for i in marks})
    client = login(committee_staff)
    act(client, "ballot", "close_ballots", [ballot])
    results = client.get(admin("ballot_results", ballot.pk))
    assert "2 个项目得票相同" in text_of(results)
    revote_url = admin("ballot_revote", ballot.pk)
    assert revote_url in results.content.decode()
    page = client.get(revote_url)
    assert page.context["form"].initial["slots"] == 1
    closes = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    created = client.post(revote_url, {"title": "再次票决", "slots": 1, "closes_at": closes})
    revote = Ballot.objects.get(revote_of=ballot)
    assert created.status_code == 302
    assert set(revote.items.values_list("project", flat=True)) == {projects[1].pk, projects[2].pk}


def test_the_voter_list_names_who_voted_but_nothing_of_what(login, committee_staff, open_ballot):
    ballot, projects, reps = open_ballot
    services.ballot_vote(ballot=ballot, representative=reps[0], choices={projects[0].pk: "for"})
    page = login(committee_staff).get(admin("ballot_voters", ballot.pk))
    text = text_of(page)
    assert reps[0].name in text and reps[1].name not in text
    assert all(p.title not in text for p in projects)
    assert BallotVoter.objects.count() == 1


def test_results_wait_until_the_ballot_closes(login, committee_staff, open_ballot):
    ballot, _projects, _reps = open_ballot
    client = login(committee_staff)
    response = client.get(admin("ballot_results", ballot.pk))
    assert response.status_code == 302 and response.url == admin("ballot_change", ballot.pk)
    assert client.get(admin("ballot_results_xlsx", ballot.pk)).status_code == 403


def test_township_staff_cannot_open_or_close_a_ballot(login, staff_a, open_ballot):
    ballot, _projects, _reps = open_ballot
    act(login(staff_a), "ballot", "close_ballots", [ballot])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
