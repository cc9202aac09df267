"""Collection and shortlisting, ballot set-up, the roles, and the reads that must not grow with data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.core.roles import group_name
from apps.livelihood import selectors, services
from apps.livelihood.models import Ballot, BallotTally, Idea, Project
from apps.livelihood.services import LivelihoodError
from apps.notifications.models import Notification
from tests.factories import SessionFactory, VillageFactory
from tests.livelihood.conftest import later
from tests.livelihood.factories import IdeaFactory, MilestoneFactory, ProjectFactory

CITIZEN = {
    "title": "修建白云村文化广场",
    "description": "村里缺少活动场地。",
    "source": Idea.Source.CITIZEN,
    "proposer_name": "王大妈",
    "proposer_phone": "138 1234 5678",
    "consent": True,
}


# --- ideas --------------------------------------------------------------------------------------


def test_a_citizen_idea_is_saved_with_consent_and_the_staff_told(township_a, staff_a, committee_staff, staff_b):
    idea, created = services.idea_submit(region=township_a, submission_key="k1", **CITIZEN)
    assert created
    assert (idea.status, idea.proposer_phone, idea.region) == ("new", "13812345678", township_a)
    assert idea.consented_at is not None
    told = set(
        Notification.objects.filter(rule="livelihood.idea_submitted").values_list("recipient__username", flat=True)
    )
    assert told == {"staff_a", "committee"}


def test_the_same_form_posted_twice_makes_one_idea(township_a):
    first, _ = services.idea_submit(region=township_a, submission_key="k1", **CITIZEN)
    again, created = services.idea_submit(region=township_a, submission_key="k1", **CITIZEN)
    assert (again.pk, created) == (first.pk, False)
    assert Idea.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": False}, "同意隐私说明"),
        ({"proposer_name": ""}, "姓名和手机号码"),
        ({"proposer_phone": ""}, "姓名和手机号码"),
        ({"proposer_phone": "0739-1234567"}, "11 位手机号码"),
        ({"title": ""}, "项目名称"),
        ({"estimated_cost": Decimal("-1")}, "估算投资"),
    ],
)
def test_a_bad_citizen_idea_is_refused_and_nothing_saved(township_a, change, message):
    with pytest.raises(LivelihoodError, match=message):
        services.idea_submit(region=township_a, **{**CITIZEN, **change})
    assert not Idea.objects.exists()


def test_ideas_of_representatives_and_units_need_their_proposer(township_a, rep_a, unit, representative_user):
    with pytest.raises(LivelihoodError, match="代表"):
        services.idea_submit(region=township_a, title="t", description="d", source="representative")
    idea, _ = services.idea_submit(
        region=township_a,
        title="t",
        description="d",
        source="representative",
        representative=rep_a,
        by=representative_user,
    )
    assert (idea.representative, idea.submitted_by, idea.consented_at) == (rep_a, representative_user, None)
    with pytest.raises(LivelihoodError, match="单位"):
        services.idea_submit(region=township_a, title="t", description="d", source="unit")


def test_a_village_idea_belongs_to_its_township(township_a):
    idea, _ = services.idea_submit(region=VillageFactory(parent=township_a), **CITIZEN)
    assert idea.region == township_a


def test_declining_needs_a_reason_and_only_once(township_a, committee_staff):
    idea = IdeaFactory(region=township_a)
    with pytest.raises(LivelihoodError, match="理由"):
        services.idea_decline(idea=idea, note=" ", by=committee_staff)
    services.idea_decline(idea=idea, note="不属于政府投资范围。", by=committee_staff)
    with pytest.raises(LivelihoodError, match="不能不予采纳"):
        services.idea_decline(idea=idea, note="再次", by=committee_staff)
    idea.refresh_from_db()
    assert (idea.status, idea.feasibility_note) == ("declined", "不属于政府投资范围。")


def test_merged_duplicates_follow_their_idea_into_the_candidate(township_a, township_b, session, unit, committee_staff):
    main, duplicate, later_duplicate = (IdeaFactory(region=township_a) for _ in range(3))
    services.idea_merge(idea=duplicate, into=main, by=committee_staff)
    with pytest.raises(LivelihoodError, match="自己"):
        services.idea_merge(idea=main, into=main, by=committee_staff)
    with pytest.raises(LivelihoodError, match="只能合并到"):
        services.idea_merge(idea=later_duplicate, into=duplicate, by=committee_staff)
    project = _shortlist(session, unit, committee_staff, ideas=[main])
    services.idea_merge(idea=later_duplicate, into=main, by=committee_staff)
    states = dict(Idea.objects.values_list("pk", "status"))
    links = dict(Idea.objects.values_list("pk", "project"))
    assert [states[i.pk] for i in (main, duplicate, later_duplicate)] == ["shortlisted", "merged", "merged"]
    assert {links[i.pk] for i in (main, duplicate, later_duplicate)} == {project.pk}


# --- shortlist ----------------------------------------------------------------------------------


def _shortlist(session, unit, by, ideas=(), **kwargs):
    return services.project_shortlist(
        session=session,
        ideas=list(ideas),
        title=kwargs.pop("title", "城区学校扩容"),
        description="新建教学楼。",
        responsible_unit=unit,
        investment=Decimal("800"),
        completion_due=date(2022, 12, 31),
        by=by,
        **kwargs,
    )


def test_candidates_are_numbered_per_session_and_belong_to_the_county(session, county, unit, committee_staff):
    other_session = SessionFactory(term=session.term, number=2)
    numbers = [_shortlist(s, unit, committee_staff).number for s in (session, session, other_session, session)]
    assert numbers == [1, 2, 1, 3]
    assert set(Project.objects.values_list("region", flat=True)) == {county.pk}


def test_handled_ideas_or_ideas_of_another_county_are_not_shortlisted(session, township_a, unit, committee_staff):
    from tests.factories import CountyFactory, TownshipFactory

    declined = IdeaFactory(region=township_a, status="declined")
    foreign = IdeaFactory(region=TownshipFactory(parent=CountyFactory(code="430528")))
    for idea, message in ((declined, "已经处理过"), (foreign, "不属于")):
        with pytest.raises(LivelihoodError, match=message):
            _shortlist(session, unit, committee_staff, ideas=[idea])
    assert not Project.objects.exists()


def test_a_candidate_is_edited_until_it_is_put_to_the_vote(session, unit, committee_staff, make_voters):
    project = _shortlist(session, unit, committee_staff)
    services.project_update(project=project, title="城区学校扩容（一期）", by=committee_staff)
    with pytest.raises(LivelihoodError, match="不能修改"):
        services.project_update(project=project, status="approved", by=committee_staff)
    make_voters(2)
    other = _shortlist(session, unit, committee_staff, title="另一项目")
    ballot = services.ballot_create(
        session=session,
        kind="selection",
        title="票决",
        projects=[project, other],
        closes_at=later(),
        slots=1,
        by=committee_staff,
    )
    services.ballot_open(ballot=ballot, by=committee_staff)
    with pytest.raises(LivelihoodError, match="已提交票决"):
        services.project_update(project=project, investment=Decimal("1"), by=committee_staff)
    services.project_update(project=project, lead_leader="副县长 李明", by=committee_staff)
    project.refresh_from_db()
    assert (project.title, project.lead_leader, project.investment) == ("城区学校扩容（一期）", "副县长 李明", 800)


# --- ballot set-up ------------------------------------------------------------------------------


def test_a_ballot_keeps_the_given_order_and_zero_counters(session, make_candidates, committee_staff):
    projects = make_candidates(4)
    ordered = [projects[2], projects[0], projects[3], projects[1]]
    ballot = services.ballot_create(
        session=session,
        kind="selection",
        title="票决",
        projects=ordered,
        closes_at=later(),
        slots=3,
        max_choices=3,
        by=committee_staff,
    )
    assert [i.project_id for i in ballot.items.order_by("position")] == [p.pk for p in ordered]
    assert sorted(BallotTally.objects.filter(ballot=ballot).values_list("project", "option", "count")) == sorted(
        (p.pk, "for", 0) for p in projects
    )
    assert (ballot.status, ballot.region, ballot.eligible_count) == ("draft", session.term.region, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"slots": None}, "应选项目数"),
        ({"slots": 4}, "不能多于候选项目数"),
        ({"max_choices": 5}, "每票最多选择"),
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, "截止时间"),
        ({"kind": "other"}, "请选择票决或满意度测评"),
        ({"projects": []}, "请选择项目"),
    ],
)
def test_a_bad_ballot_is_refused(session, make_candidates, committee_staff, kwargs, message):
    arguments = {
        "session": session,
        "kind": "selection",
        "title": "票决",
        "projects": make_candidates(3),
        "closes_at": later(),
        "slots": 2,
        "by": committee_staff,
        **kwargs,
    }
    with pytest.raises(LivelihoodError, match=message):
        services.ballot_create(**arguments)
    assert not Ballot.objects.exists()


def test_candidates_of_another_session_or_on_another_open_ballot_are_refused(session, make_candidates, committee_staff):
    other = make_candidates(2, of=SessionFactory(term=session.term, number=2))
    mine = make_candidates(2)
    with pytest.raises(LivelihoodError, match="本次会议的候选项目"):
        services.ballot_create(
            session=session,
            kind="selection",
            title="票决",
            projects=mine + other,
            closes_at=later(),
            slots=1,
            by=committee_staff,
        )
    services.ballot_create(
        session=session, kind="selection", title="票决", projects=mine, closes_at=later(), slots=1, by=committee_staff
    )
    with pytest.raises(LivelihoodError, match="另一场未结束的投票"):
        services.ballot_create(
            session=session,
            kind="selection",
            title="票决二",
            projects=mine,
            closes_at=later(),
            slots=1,
            by=committee_staff,
        )


def test_a_ballot_without_voters_does_not_open(session, make_candidates, committee_staff):
    ballot = services.ballot_create(
        session=session,
        kind="selection",
        title="票决",
        projects=make_candidates(2),
        closes_at=later(),
        slots=1,
        by=committee_staff,
    )
    with pytest.raises(LivelihoodError, match="没有在任代表"):
        services.ballot_open(ballot=ballot, by=committee_staff)
    ballot.refresh_from_db()
    assert ballot.status == "draft"


def test_opening_tells_the_voters(open_selection):
    _ballot, _projects, reps = open_selection(voters=3)
    told = set(Notification.objects.filter(rule="livelihood.ballot_open").values_list("recipient", flat=True))
    assert told == {r.user_id for r in reps}


# --- who sees ideas; what each role holds --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (
            "committee",
            {"add_ballot", "change_ballot", "add_paperbatch", "view_ballotvoter", "export_project"},
            {"view_ballottally"},
        ),
        (
            "township",
            {"add_idea", "view_idea_personal", "view_project", "view_ballot"},
            {"add_ballot", "view_ballotvoter", "view_ballottally"},
        ),
        ("liaison", {"view_idea"}, {"view_idea_personal", "add_idea", "view_ballot"}),
        ("unit", set(), {"view_project", "view_milestone", "add_progressreport"}),
        ("representative", set(), {"view_ballot", "view_idea"}),
    ],
)
def test_each_role_holds_its_livelihood_permissions(db, role, has, lacks):
    perms = set(
        Group.objects.get(name=group_name(role))
        .permissions.filter(content_type__app_label="livelihood")
        .values_list("codename", flat=True)
    )
    assert has <= perms
    assert not lacks & perms


# --- reads pinned at two sizes -------------------------------------------------------------------


def _year_of_projects(session, unit, n):
    for _ in range(n):
        project = ProjectFactory(session=session, responsible_unit=unit, status="in_progress")
        MilestoneFactory(project=project)
        MilestoneFactory(project=project, parent=MilestoneFactory(project=project))


def _read_public(county):
    return [
        (
            p.title,
            p.votes,
            p.rank,
            p.grade,
            p.responsible_unit.name,
            p.session.term.region.name,
            [m.title for m in p.milestones.all()],
        )
        for p in selectors.public_projects(county, 2022)
    ]


def test_the_public_projects_cost_two_queries_whatever_their_number(
    session, county, unit, open_selection, committee_staff, django_assert_num_queries
):
    ballot, projects, reps = open_selection(candidates=3, slots=2, voters=3)
    for rep in reps:
        services.ballot_vote(ballot=ballot, representative=rep, choices={projects[0].pk: "for", projects[1].pk: "for"})
    services.ballot_close(ballot=ballot, by=committee_staff)
    _year_of_projects(session, unit, 2)
    with django_assert_num_queries(2):
        small = _read_public(county)
    _year_of_projects(session, unit, 20)
    with django_assert_num_queries(2):
        large = _read_public(county)
    assert len(small) == 5 and len(large) == 25
    votes = {title: (v, rank) for title, v, rank, *_rest in large}
    assert votes[projects[0].title] == (3, 1)
    assert votes[projects[2].title] == (0, 3)
    assert all(len(milestones) == 3 for title, *_r, milestones in large if title.startswith("民生实事项目"))
    SessionFactory(term=session.term, number=2, opened_on=date(2023, 1, 6))
    assert selectors.public_projects(county, 2023).count() == 0


def test_open_ballots_for_a_representative_cost_one_query_whatever_their_number(
    session, make_candidates, make_voters, committee_staff, django_assert_num_queries
):
    reps = make_voters(2)

    def add_ballots(n):
        for _ in range(n):
            ballot = services.ballot_create(
                session=session,
                kind="selection",
                title="票决",
                projects=make_candidates(2),
                closes_at=later(),
                slots=1,
                by=committee_staff,
            )
            services.ballot_open(ballot=ballot, by=committee_staff)
            services.ballot_vote(ballot=ballot, representative=reps[1], choices={})

    def read():
        return [(b.title, b.voted, b.session.term.region.name, b.region.name) for b in selectors.open_ballots_for(rep)]

    rep = type(reps[0]).objects.select_related("township").get(pk=reps[0].pk)
    add_ballots(1)
    with django_assert_num_queries(1):
        assert len(read()) == 1
    add_ballots(6)
    with django_assert_num_queries(1):
        assert len(read()) == 7
