"""A handling unit's home: its open items of every kind, merged and sorted by due date."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.core.models import User
from apps.liaison.models import Concern
from apps.livelihood.models import Milestone, Project
from apps.portal.selectors.unit_home import awaiting_reply, open_concerns, unfinished_milestones
from apps.proposals.models import Assignment, AssistOpinion, Proposal, Reply, Status
from tests.factories import HandlingUnitFactory, SessionFactory
from tests.livelihood.factories import ProjectFactory

TODAY = date(2022, 6, 15)
HOME = reverse("unit_home")
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(9))), tick=False):
        yield TODAY


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


@pytest.fixture
def other_unit(county):
    return HandlingUnitFactory(region=county, name="县交通运输局")


def aware(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def add_assignment(
    unit, session, lead, *, due_on, role="lead", status=Status.ASSIGNED, title="关于修缮校舍的建议", **kw
):
    proposal = Proposal.objects.create(
        session=session,
        title=title,
        content="内容",
        category="education",
        lead=lead,
        township=lead.township,
        status=status,
        round=kw.pop("round", 1),
        created_by=_clerk(),
    )
    return Assignment.objects.create(
        proposal=proposal, unit=unit, role=role, assigned_at=aware(TODAY - timedelta(days=60)), due_on=due_on, **kw
    )


def add_reply(assignment, *, round=1):
    return Reply.objects.create(
        assignment=assignment,
        round=round,
        outcome="A",
        text="已解决。",
        replied_by=_clerk(),
        replied_at=aware(TODAY - timedelta(days=1)),
        on_time=True,
    )


def add_concern(unit, region, *, resolve_due_on, status=Concern.Status.ROUTED, category="roads"):
    return Concern.objects.create(
        tracking_code=f"H{next(_codes):011d}",
        region=region,
        category=category,
        description="村道塌方",
        consented_at=aware(TODAY - timedelta(days=20)),
        accept_due_on=TODAY - timedelta(days=15),
        resolve_due_on=resolve_due_on,
        status=status,
        route=Concern.Route.UNIT,
        unit=unit,
    )


def add_project(unit, session, *, status=Project.Status.IN_PROGRESS, title="城区供水管网改造"):
    return ProjectFactory(session=session, responsible_unit=unit, status=status, title=title)


def add_milestone(project, *, due_on, completed_on=None, parent=None, title="完成招标"):
    return Milestone.objects.create(
        project=project, parent=parent, title=title, due_on=due_on, completed_on=completed_on
    )


def _clerk():
    user, _ = User.objects.get_or_create(username="clerk", defaults={"role": User.Role.COMMITTEE})
    return user


def agenda(client):
    response = client.get(HOME)
    assert response.status_code == 200
    return response.context["agenda"]


# --- what is listed --------------------------------------------------------------------------------


def test_it_lists_each_kind_of_open_item_with_a_link_to_where_the_unit_acts(
    login, unit_staff, unit, session, rep_a, township_a
):
    reply = add_assignment(unit, session, rep_a, due_on=TODAY + timedelta(days=30), title="关于修缮校舍的建议")
    opinion = add_assignment(
        unit, session, rep_a, due_on=TODAY + timedelta(days=60), role="assist", opinion_due_on=TODAY + timedelta(days=5)
    )
    concern = add_concern(unit, township_a, resolve_due_on=TODAY + timedelta(days=10))
    project = add_project(unit, session)
    add_milestone(project, due_on=TODAY + timedelta(days=20), title="完成招标")

    items = agenda(login(unit_staff)).items

    assert [(i.kind, i.url, i.due_on) for i in items] == [
        ("opinion", reverse("proposals:unit_detail", args=[opinion.pk]), TODAY + timedelta(days=5)),
        ("concern", reverse("liaison:concern_detail", args=[concern.pk]), TODAY + timedelta(days=10)),
        ("milestone", reverse("livelihood:unit_project", args=[project.pk]), TODAY + timedelta(days=20)),
        ("reply", reverse("proposals:unit_detail", args=[reply.pk]), TODAY + timedelta(days=30)),
    ]
    text = login(unit_staff).get(HOME).text
    assert "关于修缮校舍的建议" in text and "道路交通" in text and "城区供水管网改造" in text and "完成招标" in text
    assert concern.display_code in text


def test_it_leaves_out_what_is_already_done(login, unit_staff, unit, session, rep_a, township_a):
    replied = add_assignment(unit, session, rep_a, due_on=TODAY - timedelta(days=3))
    add_reply(replied)
    advised = add_assignment(unit, session, rep_a, due_on=TODAY, role="assist")
    AssistOpinion.objects.create(assignment=advised, text="同意主办单位意见。", sent_by=_clerk())
    add_assignment(unit, session, rep_a, due_on=TODAY, status=Status.REPLIED)
    add_assignment(unit, session, rep_a, due_on=TODAY, status=Status.CLOSED)
    add_assignment(unit, session, rep_a, due_on=TODAY, state=Assignment.State.RETURNED)
    add_concern(unit, township_a, resolve_due_on=TODAY, status=Concern.Status.RESOLVED)
    add_concern(unit, township_a, resolve_due_on=TODAY, status=Concern.Status.CLOSED)
    project = add_project(unit, session)
    add_milestone(project, due_on=TODAY, completed_on=TODAY - timedelta(days=1))
    parent = add_milestone(project, due_on=TODAY, title="上级节点")
    leaf = add_milestone(project, due_on=TODAY + timedelta(days=1), parent=parent, title="下级节点")
    add_milestone(add_project(unit, session, status=Project.Status.CANDIDATE), due_on=TODAY)

    result = agenda(login(unit_staff))

    # Only the leaf of the open milestone tree is to do; progress is reported on leaves.
    assert [(i.kind, i.detail) for i in result.items] == [("milestone", leaf.title)]
    assert result.total == 1


def test_a_new_handling_round_needs_a_new_reply(login, unit_staff, unit, session, rep_a):
    again = add_assignment(unit, session, rep_a, due_on=TODAY + timedelta(days=30), status=Status.REHANDLING, round=2)
    add_reply(again, round=1)

    assert [i.url for i in agenda(login(unit_staff)).items] == [reverse("proposals:unit_detail", args=[again.pk])]


def test_it_leaves_out_the_items_of_another_unit(login, unit_staff, unit, other_unit, session, rep_a, township_a):
    add_assignment(other_unit, session, rep_a, due_on=TODAY)
    add_concern(other_unit, township_a, resolve_due_on=TODAY)
    add_milestone(add_project(other_unit, session), due_on=TODAY)
    mine = add_concern(unit, township_a, resolve_due_on=TODAY)

    result = agenda(login(unit_staff))

    assert [i.url for i in result.items] == [reverse("liaison:concern_detail", args=[mine.pk])]
    assert (result.total, result.overdue) == (1, 0)


# --- order and overdue -----------------------------------------------------------------------------


def test_overdue_items_come_first_are_marked_and_undated_ones_last(login, unit_staff, unit, session, rep_a, township_a):
    project = add_project(unit, session)
    undated = add_concern(unit, township_a, resolve_due_on=None)
    later = add_milestone(project, due_on=TODAY + timedelta(days=3), title="后")
    due_today = add_assignment(unit, session, rep_a, due_on=TODAY)
    late = add_concern(unit, township_a, resolve_due_on=TODAY - timedelta(days=2))
    latest_overdue = add_milestone(project, due_on=TODAY - timedelta(days=1), title="逾期节点")

    client = login(unit_staff)
    result = agenda(client)

    assert [(i.due_on, i.overdue) for i in result.items] == [
        (late.resolve_due_on, True),
        (latest_overdue.due_on, True),
        (due_today.due_on, False),
        (later.due_on, False),
        (undated.resolve_due_on, False),
    ]
    assert (result.total, result.overdue) == (5, 2)
    text = client.get(HOME).text
    assert text.count('class="badge overdue"') == 2
    assert "其中 2 项已逾期" in text


def test_it_shows_the_earliest_items_and_counts_the_rest(login, unit_staff, unit, township_a, settings):
    settings.RENDA_PORTAL = {**settings.RENDA_PORTAL, "HOME_LIST_SIZE": 3}
    concerns = [add_concern(unit, township_a, resolve_due_on=TODAY + timedelta(days=d)) for d in (5, 1, 4, 2, 3)]

    client = login(unit_staff)
    result = agenda(client)

    assert [i.due_on for i in result.items] == [TODAY + timedelta(days=d) for d in (1, 2, 3)]
    assert (result.total, result.more) == (5, 2)
    assert "另有 2 项" in client.get(HOME).text
    assert len(concerns) == 5


def test_an_empty_home_says_so(login, unit_staff):
    text = login(unit_staff).get(HOME).text
    assert "暂无待办事项" in text
    assert reverse("proposals:unit_list") in text and reverse("livelihood:unit_list") in text


def test_the_query_count_does_not_grow_with_the_items(
    login, unit_staff, unit, session, rep_a, township_a, django_assert_max_num_queries
):
    def grow(n):
        project = add_project(unit, session)
        for i in range(n):
            add_assignment(unit, session, rep_a, due_on=TODAY + timedelta(days=i), role="lead" if i % 2 else "assist")
            add_concern(unit, township_a, resolve_due_on=TODAY - timedelta(days=i))
            add_milestone(project, due_on=TODAY + timedelta(days=i))

    client = login(unit_staff)
    grow(2)
    # session, user, unit, the page of items, the count, the overdue count, the unit's region
    with django_assert_max_num_queries(7) as small:
        assert agenda(client).total == 6
    grow(28)
    with django_assert_max_num_queries(7) as large:
        assert agenda(client).total == 90
    assert len(large.captured_queries) == len(small.captured_queries)


# --- who may see it --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["representative_user", "staff_a", "committee_staff"])
def test_other_roles_are_refused(login, who, request):
    assert login(request.getfixturevalue(who)).get(HOME).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_unit_staff_land_on_their_home(login, unit_staff):
    response = login(unit_staff).get(reverse("landing"))
    assert response.status_code == 302 and response.url == HOME


def test_the_union_parts_carry_no_ordering_which_sqlite_refuses(db):
    """The demo runs on SQLite, which refuses ORDER BY inside a UNION's parts."""
    assert not any(part(1).ordered for part in (awaiting_reply, open_concerns, unfinished_milestones))
