"""A representative's home: what needs them now, their inbox, their record."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Confirmable, User
from apps.core.workdays import year_calendar
from apps.groups.models import Activity
from apps.liaison.models import Concern, DutyShift, ReceptionDay
from apps.livelihood.models import Ballot, BallotVoter
from apps.notifications.models import Notification
from apps.portal.selectors.representative_home import rejected_records
from apps.proposals.models import Assignment, CoSigner, Feedback, Proposal, ProposalEvent, Reply, Status
from apps.representatives.models import DutyActivity
from apps.training.models import Lecture
from tests.factories import HandlingUnitFactory, RepresentativeFactory
from tests.groups.factories import CampaignFactory, ProblemFactory
from tests.posts.factories import DutyPostFactory, PostAssignmentFactory, PostLogFactory
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

TODAY = date(2022, 6, 15)
HOME = reverse("representatives:mine")
REJECTED = Confirmable.Review.REJECTED
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(timezone.make_aware(datetime.combine(TODAY, time(9))), tick=False):
        yield TODAY


def aware(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _clerk():
    user, _ = User.objects.get_or_create(username="clerk", defaults={"role": User.Role.COMMITTEE})
    return user


def home(client):
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def block(response, key):
    """The items of one block of the home page."""
    return next(b for b in response.context["todo"].blocks if b.key == key).items


# --- proposals -----------------------------------------------------------------------------------------


def add_proposal(session, lead, *, status=Status.SUBMITTED, title="关于修缮校舍的建议", round=1):
    return Proposal.objects.create(
        session=session,
        title=title,
        content="内容",
        category="education",
        lead=lead,
        township=lead.township,
        status=status,
        round=round,
        created_by=_clerk(),
    )


def add_returned(session, lead, *, title="关于修建村部的建议"):
    proposal = add_proposal(session, lead, status=Status.RETURNED, title=title)
    proposal.return_reason = "属于具体司法案件，请通过司法途径解决。"
    proposal.save()
    ProposalEvent.objects.create(
        proposal=proposal, action="return", from_status=Status.SUBMITTED, to_status=Status.RETURNED, by=_clerk()
    )
    return proposal


def add_replied(session, lead, *, replied_on=TODAY - timedelta(days=3), title="关于修缮校舍的建议"):
    proposal = add_proposal(session, lead, status=Status.REPLIED, title=title)
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=HandlingUnitFactory(region=session.term.region),
        role="lead",
        assigned_at=aware(TODAY - timedelta(days=90)),
        due_on=TODAY,
    )
    Reply.objects.create(
        assignment=assignment,
        outcome="A",
        text="已解决。",
        replied_by=_clerk(),
        replied_at=aware(replied_on),
        on_time=True,
    )
    return proposal


def test_replies_the_lead_has_not_rated_are_listed_with_their_deadline(
    login, representative_user, rep_a, rep_b, session
):
    fresh = add_replied(session, rep_a, replied_on=TODAY - timedelta(days=3), title="新答复的建议")
    late = add_replied(session, rep_a, replied_on=TODAY - timedelta(days=60), title="早已答复的建议")
    rated = add_replied(session, rep_a)
    Feedback.objects.create(proposal=rated, round=1, representative=rep_a, attitude="satisfied", result="satisfied")
    add_proposal(session, rep_a, status=Status.CLOSED)
    cosigned = add_replied(session, rep_b)  # only the lead rates the answer
    CoSigner.objects.create(proposal=cosigned, representative=rep_a, confirmed_at=aware(TODAY))

    items = block(home(login(representative_user)), "feedback")

    assert [(i.url, i.overdue) for i in items] == [
        (reverse("proposals:mine_detail", args=[late.pk]), True),
        (reverse("proposals:mine_detail", args=[fresh.pk]), False),
    ]
    # 20 working days after the reply, the feedback reminder's deadline.
    assert items[1].when == date(2022, 7, 8)


def test_cosigning_invitations_still_open_are_listed(login, representative_user, rep_a, rep_b, session):
    asked = add_proposal(session, rep_b, title="请我附议的建议")
    CoSigner.objects.create(proposal=asked, representative=rep_a)
    confirmed = add_proposal(session, rep_b)
    CoSigner.objects.create(proposal=confirmed, representative=rep_a, confirmed_at=aware(TODAY))
    declined = add_proposal(session, rep_b)
    CoSigner.objects.create(proposal=declined, representative=rep_a, declined_at=aware(TODAY))
    too_late = add_proposal(session, rep_b, status=Status.ACCEPTED)
    CoSigner.objects.create(proposal=too_late, representative=rep_a)
    someone_else = add_proposal(session, rep_a)
    CoSigner.objects.create(proposal=someone_else, representative=rep_b)

    response = home(login(representative_user))

    assert [i.url for i in block(response, "cosign")] == [reverse("proposals:mine_detail", args=[asked.pk])]
    assert "请我附议的建议" in response.text and rep_b.name in response.text


# --- liaison -------------------------------------------------------------------------------------------


def add_shift(office, rep, day, *, attendance=DutyShift.Attendance.PENDING, reception=False):
    reception_day = None
    if reception:
        reception_day, _ = ReceptionDay.objects.get_or_create(
            office=office, date=day, defaults={"starts_at": time(9), "ends_at": time(11, 30)}
        )
    return DutyShift.objects.create(
        office=office, representative=rep, date=day, attendance=attendance, reception_day=reception_day
    )


def test_shifts_and_reception_days_of_the_coming_days_are_listed(
    login, representative_user, rep_a, rep_b, office_a, settings
):
    settings.RENDA_PORTAL = {**settings.RENDA_PORTAL, "HOME_DAYS_AHEAD": 14}
    reception = add_shift(office_a, rep_a, TODAY + timedelta(days=3), reception=True)
    plain = add_shift(office_a, rep_a, TODAY)
    add_shift(office_a, rep_a, TODAY + timedelta(days=15))
    add_shift(office_a, rep_a, TODAY - timedelta(days=1))
    add_shift(office_a, rep_a, TODAY + timedelta(days=5), attendance=DutyShift.Attendance.EXCUSED)
    add_shift(office_a, rep_b, TODAY + timedelta(days=2))

    items = block(home(login(representative_user)), "shifts")

    assert [i.when for i in items] == [plain.date, reception.date]
    assert items[1].detail == "接待日 09:00–11:30"
    assert {i.url for i in items} == {reverse("liaison:my_shifts")}


def add_concern(rep, *, status=Concern.Status.ROUTED, resolve_due_on=TODAY + timedelta(days=10)):
    return Concern.objects.create(
        tracking_code=f"R{next(_codes):011d}",
        region=rep.township,
        category="water",
        description="自来水停水三天",
        consented_at=aware(TODAY - timedelta(days=20)),
        accept_due_on=TODAY - timedelta(days=15),
        resolve_due_on=resolve_due_on,
        status=status,
        route=Concern.Route.REPRESENTATIVE,
        representative=rep,
    )


def test_concerns_routed_to_them_and_still_open_are_listed_overdue_first(login, representative_user, rep_a, rep_b):
    due = add_concern(rep_a, resolve_due_on=TODAY + timedelta(days=5))
    overdue = add_concern(rep_a, resolve_due_on=TODAY - timedelta(days=1))
    add_concern(rep_a, status=Concern.Status.RESOLVED)
    add_concern(rep_b)

    response = home(login(representative_user))
    items = block(response, "concerns")

    assert [(i.url, i.overdue) for i in items] == [
        (reverse("liaison:concern_detail", args=[overdue.pk]), True),
        (reverse("liaison:concern_detail", args=[due.pk]), False),
    ]
    assert "自来水停水三天" not in response.text  # the citizen's words stay on the handler's page
    assert 'class="badge overdue"' in response.text


# --- training and livelihood ---------------------------------------------------------------------------


def test_planned_lectures_of_their_halls_in_the_coming_days_are_listed(
    login, representative_user, township_a, township_b
):
    teacher = InstructorFactory(hall=HallFactory(region=township_a))
    coming = LectureFactory(
        instructor=teacher, date=TODAY + timedelta(days=5), status=Lecture.Status.PLANNED, starts_at=time(14, 30)
    )
    LectureFactory(instructor=teacher, date=TODAY + timedelta(days=6), status=Lecture.Status.CANCELLED)
    LectureFactory(instructor=teacher, date=TODAY + timedelta(days=30), status=Lecture.Status.PLANNED)
    LectureFactory(instructor=teacher, date=TODAY - timedelta(days=1), status=Lecture.Status.HELD)
    elsewhere = InstructorFactory(hall=HallFactory(region=township_b))
    LectureFactory(instructor=elsewhere, date=TODAY + timedelta(days=5), status=Lecture.Status.PLANNED)

    items = block(home(login(representative_user)), "lectures")

    assert [(i.title, i.when) for i in items] == [(coming.topic, coming.date)]
    assert items[0].detail.endswith("14:30")


def add_ballot(session, region, *, status=Ballot.Status.OPEN, title="2022年民生实事项目票决"):
    return Ballot.objects.create(
        session=session,
        region=region,
        title=title,
        min_vote_ratio=Decimal("0.5"),
        status=status,
        closes_at=aware(TODAY + timedelta(days=3), 18),
    )


def test_open_ballots_they_have_not_voted_in_are_listed(login, representative_user, rep_a, session, county):
    waiting = add_ballot(session, county)
    voted = add_ballot(session, county, title="已投的票决")
    BallotVoter.objects.create(ballot=voted, representative=rep_a, channel="online")
    add_ballot(session, county, status=Ballot.Status.CLOSED)

    response = home(login(representative_user))
    items = block(response, "ballots")

    assert [i.url for i in items] == [reverse("livelihood:ballot_vote", args=[waiting.pk])]
    assert "2022-06-18 18:00 截止" in response.text


# --- records staff did not confirm ----------------------------------------------------------------------


def reject(record, *, days_ago=2, note="内容不实"):
    record.review_status = REJECTED
    record.reviewed_at = aware(TODAY - timedelta(days=days_ago))
    record.review_note = note
    record.save()
    return record


def add_activity(rep, text="走访选民十户", **kw):
    return DutyActivity.objects.create(
        representative=rep,
        kind="voters",
        date=TODAY - timedelta(days=7),
        place="白云村",
        description=text,
        created_by=_clerk(),
        **kw,
    )


def test_records_staff_rejected_lately_are_listed_to_report_again(
    login, representative_user, rep_a, rep_b, township_a, county
):
    reject(add_activity(rep_a, "走访选民十户"), note="缺少走访名单")
    reject(add_activity(rep_a, "很久以前的记录"), days_ago=90)
    add_activity(rep_a, "已确认的记录", review_status=Confirmable.Review.CONFIRMED)
    reject(add_activity(rep_b, "别人的记录"))
    post = PostAssignmentFactory(post=DutyPostFactory(township=township_a), representative=rep_a)
    reject(PostLogFactory(assignment=post, content="调解邻里纠纷"))
    activity = Activity.objects.create(
        kind="talk",
        title="微宣讲进村",
        date=TODAY - timedelta(days=3),
        region=township_a,
        reported_by=rep_a,
        recorded_by=_clerk(),
    )
    reject(activity)
    problem = ProblemFactory(campaign=CampaignFactory(region=county), representative=rep_a, recorded_by=_clerk())
    reject(problem)

    response = home(login(representative_user))
    items = block(response, "rejected")

    assert sorted(i.title for i in items) == sorted(["走访选民十户", "调解邻里纠纷", "微宣讲进村", problem.problem])
    assert {i.url for i in items} == {
        reverse("representatives:activities"),
        reverse("posts:mine"),
        reverse("groups:mine"),
    }
    assert "缺少走访名单" in response.text


# --- inbox, record, empty state ---------------------------------------------------------------------------


def notify(user, subject, *, read=False):
    return Notification.objects.create(
        rule="test.home",
        content_type=ContentType.objects.get_for_model(User),
        object_id=next(_codes),
        recipient=user,
        due_on=TODAY,
        subject=subject,
        url="/proposals/mine/",
        status=Notification.Status.SENT,
        sent_at=aware(TODAY, 8),
        read_at=aware(TODAY, 8) if read else None,
    )


def test_the_inbox_shows_the_latest_unread_messages_and_their_count(login, representative_user, unit_staff):
    for i in range(7):
        notify(representative_user, f"未读消息{i}")
    notify(representative_user, "已读消息", read=True)
    notify(unit_staff, "别人的消息")

    response = home(login(representative_user))

    inbox = response.context["inbox"]
    assert inbox.unread == 7 and len(inbox.latest_unread) == 5
    assert "7 条未读消息" in response.text
    assert "已读消息" not in response.text and "别人的消息" not in response.text
    assert reverse("notifications:inbox") in response.text


def test_an_empty_home_reads_well_and_keeps_the_record_and_details(login, representative_user, rep_a):
    response = home(login(representative_user))

    assert response.context["todo"].count == 0
    text = response.text
    assert "暂无待办事项" in text and "没有未读消息" in text
    assert "没有待评价的建议答复" in text and "近期没有安排值班和接待日" in text
    assert reverse("representatives:duty_record") in text and rep_a.phone in text
    assert 'id="duty-summary"' in text


def test_another_representatives_home_shows_nothing_of_theirs(login, rep_b, session, office_a, rep_a):
    other = User.objects.create(username="rep_b_user", role=User.Role.REPRESENTATIVE)
    rep_b.user = other
    rep_b.save()
    add_replied(session, rep_a)
    add_concern(rep_a)
    add_shift(office_a, rep_a, TODAY)

    assert home(login(other)).context["todo"].count == 0


# --- cost and access ----------------------------------------------------------------------------------


def grow(start, stop, *, rep, other, session, office, teacher, county, user):
    for i in range(start, stop):
        add_replied(session, rep, title=f"答复{i}")
        add_returned(session, rep, title=f"退回{i}")
        CoSigner.objects.create(proposal=add_proposal(session, other, title=f"附议{i}"), representative=rep)
        if i <= 14:  # one shift a day at the office, up to the last day the home looks at
            add_shift(office, rep, TODAY + timedelta(days=i), reception=i % 2 == 0)
        LectureFactory(instructor=teacher, date=TODAY + timedelta(days=i % 14), status=Lecture.Status.PLANNED)
        add_ballot(session, county, title=f"票决{i}")
        add_concern(rep, resolve_due_on=TODAY + timedelta(days=i - 5))
        reject(add_activity(rep, f"记录{i}"))
        notify(user, f"消息{i}")


def test_the_query_count_does_not_grow_with_the_items(
    login, representative_user, rep_a, session, office_a, county, township_a, django_assert_max_num_queries
):
    other = RepresentativeFactory(township=township_a, term=rep_a.term)
    teacher = InstructorFactory(hall=HallFactory(region=township_a))
    data = {"rep": rep_a, "other": other, "session": session, "office": office_a, "county": county}
    data.update(teacher=teacher, user=representative_user)
    client = login(representative_user)
    grow(0, 2, **data)
    # The holiday calendar is reference data read once per year into the cache, not per page.
    year_calendar(TODAY.year)
    # session, user, representative; one per duty source for the points; one per block; two for the inbox
    with django_assert_max_num_queries(25) as small:
        assert home(client).context["todo"].count == 16
    grow(2, 30, **data)
    with django_assert_max_num_queries(25) as large:
        todo = home(client).context["todo"]
    # Each block shows at most HOME_LIST_SIZE (20) items; a shift a day for the 15 days ahead.
    assert {b.key: len(b.items) for b in todo.blocks} == {
        "feedback": 20,
        "returned": 20,
        "cosign": 20,
        "shifts": 15,
        "lectures": 20,
        "ballots": 20,
        "concerns": 20,
        "rejected": 20,
    }
    assert len(large.captured_queries) == len(small.captured_queries)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("who", ["unit_staff", "staff_a", "committee_staff"])
def test_accounts_without_a_representative_are_refused(login, who, request):
    assert login(request.getfixturevalue(who)).get(HOME).status_code == 403


def test_rejected_records_union_parts_carry_no_ordering_which_sqlite_refuses(db):
    """The demo runs on SQLite, which refuses ORDER BY inside a UNION's parts."""
    union = rejected_records(None, date(2022, 1, 1))
    assert all(not q.order_by and not q.default_ordering for q in union.query.combined_queries)


def test_a_returned_proposal_waits_in_the_todo_list_with_its_reason(login, representative_user, rep_a, session):
    returned = add_returned(session, rep_a)

    todo = home(login(representative_user)).context["todo"]

    [block] = [b for b in todo.blocks if b.key == "returned"]
    assert [(i.url, i.when) for i in block.items] == [(reverse("proposals:mine_detail", args=[returned.pk]), TODAY)]
    assert "属于具体司法案件" in block.items[0].detail
    assert "被退回的建议" in login(representative_user).get(HOME).text


def test_the_home_shows_points_so_far_and_no_mid_year_grade(login, representative_user, rep_a):
    text = home(login(representative_user)).text

    assert "截至目前履职积分" in text and "年度结束后" in text
    assert "不称职" not in text and "等次：" not in text
