"""Staff workbenches (待办): what waits on committee, township and liaison staff, overdue first, in scope."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Confirmable, User
from apps.core.workbench import sources
from apps.liaison.models import Concern
from apps.proposals.models import Assignment, Extension, Notice, Proposal, ReturnRequest, Status
from apps.representatives.models import DutyActivity
from tests.factories import SessionFactory

TODAY = date(2022, 6, 15)
WORKBENCH = reverse("workbench")
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(9))), tick=False):
        yield TODAY


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1)


def aware(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def add_concern(region, *, status=Concern.Status.SUBMITTED, accept_due_on=TODAY, resolve_due_on=None, **kw):
    return Concern.objects.create(
        tracking_code=f"W{next(_codes):011d}",
        region=region,
        category="roads",
        description="村道塌方",
        consented_at=aware(TODAY - timedelta(days=5)),
        accept_due_on=accept_due_on,
        resolve_due_on=resolve_due_on,
        status=status,
        **kw,
    )


def _clerk():
    user, _ = User.objects.get_or_create(username="clerk", defaults={"role": User.Role.COMMITTEE})
    return user


def add_proposal(session, lead, *, status=Status.SUBMITTED, title="关于修缮村级公路的建议"):
    return Proposal.objects.create(
        session=session,
        title=title,
        content="内容",
        category="transport",
        lead=lead,
        township=lead.township,
        status=status,
        submitted_at=aware(TODAY - timedelta(days=2)),
        created_by=_clerk(),
    )


def add_activity(rep, *, description="走访选民"):
    return DutyActivity.objects.create(
        representative=rep, kind="visit", date=TODAY - timedelta(days=3), place="村部", description=description,
        created_by=_clerk(),
    )  # fmt: skip


def bench(client):
    response = client.get(WORKBENCH)
    assert response.status_code == 200
    return response.context["agenda"]


# --- what is listed --------------------------------------------------------------------------------


def test_every_feature_app_registers_its_sources():
    keys = {s.key for s in sources()}
    assert {"concern_accept", "concern_handle", "proposal_review", "proposal_assign", "return_request"} <= keys
    assert {"extension", "notice", "duty_activity", "group_activity", "problem_solved", "post_log"} <= keys


def test_committee_staff_see_each_kind_linking_to_the_admin_page_where_they_act(
    login, committee_staff, township_a, session, rep_a, unit
):
    concern = add_concern(township_a, accept_due_on=TODAY + timedelta(days=1))
    proposal = add_proposal(session, rep_a)
    accepted = add_proposal(session, rep_a, status=Status.ACCEPTED, title="关于加强校园安全的建议")
    assigned = add_proposal(session, rep_a, status=Status.ASSIGNED, title="已交办")
    assignment = Assignment.objects.create(
        proposal=assigned, unit=unit, role="lead", assigned_at=aware(TODAY), due_on=TODAY + timedelta(days=90)
    )
    back = ReturnRequest.objects.create(assignment=assignment, reason="不属于本单位职责", requested_by=_clerk())
    longer = Extension.objects.create(assignment=assignment, days=30, reason="需要调研", requested_by=_clerk())
    notice = Notice.objects.create(session=session, title="关于办理进度的通报", body="正文", created_by=_clerk())
    activity = add_activity(rep_a)

    urls = {(i.kind, i.url) for i in bench(login(committee_staff)).items}

    assert urls == {
        ("concern_accept", reverse("admin:liaison_concern_change", args=[concern.pk])),
        ("proposal_review", reverse("admin:proposals_proposal_change", args=[proposal.pk])),
        ("proposal_assign", reverse("admin:proposals_proposal_change", args=[accepted.pk])),
        ("return_request", reverse("admin:proposals_returnrequest_change", args=[back.pk])),
        ("extension", reverse("admin:proposals_extension_change", args=[longer.pk])),
        ("notice", reverse("admin:proposals_notice_change", args=[notice.pk])),
        ("duty_activity", reverse("admin:representatives_dutyactivity_change", args=[activity.pk])),
    }
    for _kind, url in urls:
        assert login(committee_staff).get(url).status_code == 200


def test_overdue_items_come_first_are_marked_and_undated_ones_last(login, staff_a, township_a, rep_a):
    later = add_concern(township_a, accept_due_on=TODAY + timedelta(days=2))
    late = add_concern(township_a, accept_due_on=TODAY - timedelta(days=1))
    later_late = add_concern(
        township_a, status=Concern.Status.ACCEPTED, accept_due_on=TODAY, resolve_due_on=TODAY - timedelta(days=3)
    )
    activity = add_activity(rep_a)

    result = bench(login(staff_a))

    assert [(i.url, i.overdue) for i in result.items] == [
        (reverse("admin:liaison_concern_change", args=[later_late.pk]), True),
        (reverse("admin:liaison_concern_change", args=[late.pk]), True),
        (reverse("admin:liaison_concern_change", args=[later.pk]), False),
        (reverse("admin:representatives_dutyactivity_change", args=[activity.pk]), False),
    ]
    assert (result.total, result.overdue) == (4, 2)
    text = login(staff_a).get(WORKBENCH).text
    assert text.count('class="badge overdue"') == 2
    assert "其中 2 项已逾期" in text


def test_done_items_are_left_out(login, staff_a, township_a, rep_a):
    add_concern(township_a, status=Concern.Status.RESOLVED)
    add_concern(township_a, status=Concern.Status.ROUTED, route=Concern.Route.REPRESENTATIVE, representative=rep_a)
    activity = add_activity(rep_a)
    activity.review_status = Confirmable.Review.CONFIRMED
    activity.save()

    assert bench(login(staff_a)).total == 0
    assert "暂无待办事项" in login(staff_a).get(WORKBENCH).text


def test_township_staff_see_their_township_only(login, staff_a, staff_b, township_a, township_b, rep_a, rep_b):
    mine = add_concern(township_a)
    add_concern(township_b)
    add_activity(rep_b)

    assert [i.url for i in bench(login(staff_a)).items] == [reverse("admin:liaison_concern_change", args=[mine.pk])]


def test_liaison_staff_see_their_office_townships_concerns_but_no_records_to_confirm(
    login, liaison_a, township_a, township_b, rep_a, session
):
    mine = add_concern(township_a)
    add_concern(township_b)
    add_activity(rep_a)
    add_proposal(session, rep_a)

    items = bench(login(liaison_a)).items

    assert [(i.kind, i.url) for i in items] == [
        ("concern_accept", reverse("admin:liaison_concern_change", args=[mine.pk]))
    ]
    assert login(liaison_a).get(items[0].url).status_code == 200


def test_the_query_count_does_not_grow_with_the_items(
    login, committee_staff, township_a, rep_a, session, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            add_concern(township_a, accept_due_on=TODAY + timedelta(days=i - 3))
            add_concern(township_a, status=Concern.Status.ACCEPTED, resolve_due_on=TODAY + timedelta(days=i))
            add_proposal(session, rep_a, status=Status.ACCEPTED if i % 2 else Status.SUBMITTED)
            add_activity(rep_a)

    client = login(committee_staff)
    grow(2)
    with django_assert_max_num_queries(20) as small:
        assert bench(client).total == 8
    grow(30)
    with django_assert_max_num_queries(20) as large:
        assert bench(client).total == 128
    assert len(large.captured_queries) == len(small.captured_queries)


# --- who may see it, and where they land ------------------------------------------------------------


@pytest.mark.parametrize("who", ["committee_staff", "staff_a", "liaison_a"])
def test_staff_land_on_their_workbench(login, who, request):
    response = login(request.getfixturevalue(who)).get(reverse("landing"))
    assert response.status_code == 302 and response.url == WORKBENCH


@pytest.mark.parametrize("who", ["representative_user", "unit_staff"])
def test_other_roles_are_sent_to_the_admin_login(login, who, request):
    response = login(request.getfixturevalue(who)).get(WORKBENCH)
    assert response.status_code == 302 and reverse("admin:login") in response.url


def test_the_admin_links_to_the_workbench_and_the_dashboard_by_name(login, committee_staff):
    text = login(committee_staff).get(reverse("admin:index")).text
    assert f'href="{WORKBENCH}"' in text
    assert "统计分析" in text and "履职统计（按年度、届次）" not in text
    assert 'id="workbench-link"' in login(committee_staff).get(reverse("admin:liaison_concern_changelist")).text
