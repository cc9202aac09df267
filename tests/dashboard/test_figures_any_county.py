"""Figures that must hold on any county's data, not only the demo's (issue 13): each defect on a
small data set built for it, asserting the numerator and denominator the dashboard shows."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from apps.core.models import Region
from apps.core.scope import scope_for
from apps.dashboard.figures import build_dashboard, period_for_term, period_for_year
from apps.groups.models import Inspection
from apps.liaison.models import Funding, LiaisonOffice
from apps.livelihood.models import Project
from apps.posts.services import duty_post_save
from apps.proposals import services
from apps.proposals.models import Assignment, Proposal, Status
from apps.training.models import Lecture
from tests.dashboard import factories as f
from tests.factories import HandlingUnitFactory, RepresentativeFactory, SessionFactory, TermFactory, VillageFactory
from tests.livelihood.factories import ProjectFactory
from tests.posts.factories import DutyPostFactory, PostAssignmentFactory
from tests.proposals.steps import proposal_assigned, reply_after_contact
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

pytestmark = pytest.mark.django_db

D = datetime.date
SEPARATE, LEAD, ASSIST = Assignment.Role.SEPARATE, Assignment.Role.LEAD, Assignment.Role.ASSIST


def board_of(user, year=2022, **kwargs):
    return build_dashboard(scope=scope_for(user), period=period_for_year(year), scope_label="", **kwargs)


def ratio(board, key):
    figure = board.figure(key)
    return figure.numerator, figure.denominator


def table(board, key):
    return next(t for s in board.sections for t in s.tables if t.key == key)


def rows_by_name(board, key):
    return {row[0]: row[1:] for row in table(board, key).rows}


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1, opened_on=D(2022, 1, 5))


@pytest.fixture
def unit2(county):
    return HandlingUnitFactory(region=county, name="县交通运输局")


@pytest.fixture
def unit3(county):
    return HandlingUnitFactory(region=county, name="县水利局")


# --- 分办: every separate unit answers -------------------------------------------------------------


@pytest.fixture
def two_separate_units_one_reply(session, rep_a, unit, unit2, committee_staff):
    """One proposal handled by two separate lead units (分办); only 县教育局 has replied."""
    proposal = f.proposal(session=session, lead=rep_a, by=committee_staff, status=Status.ASSIGNED)
    first = f.assignment(proposal=proposal, unit=unit, day=D(2022, 1, 20), role=SEPARATE)
    f.assignment(proposal=proposal, unit=unit2, day=D(2022, 1, 20), role=SEPARATE)
    f.reply(assignment=first, outcome="A", day=D(2022, 2, 10), on_time=True, by=committee_staff)
    return proposal


def test_two_separate_units_with_one_reply_are_not_answered(two_separate_units_one_reply, committee_staff, unit2):
    board = board_of(committee_staff)
    assert ratio(board, "proposals.reply_rate") == (0, 1)
    assert ratio(board, "proposals.on_time_reply_rate") == (0, 1)
    assert rows_by_name(board, "proposals.by_township")["儒林镇"] == [1, 0, 0, 0]  # 建议, 现场交办, 已答复, 已办结
    second = two_separate_units_one_reply.assignments.get(unit=unit2)
    f.reply(assignment=second, outcome="B", day=D(2022, 6, 10), on_time=False, by=committee_staff)
    board = board_of(committee_staff)
    assert ratio(board, "proposals.reply_rate") == (1, 1)
    assert ratio(board, "proposals.on_time_reply_rate") == (0, 1)  # one of the two was late
    assert rows_by_name(board, "proposals.by_township")["儒林镇"] == [1, 0, 1, 0]


def test_each_separate_unit_has_its_own_row(two_separate_units_one_reply, committee_staff, unit, unit2):
    rows = rows_by_name(board_of(committee_staff), "proposals.by_unit")
    # 主办, 分办, 答复, 按期答复, 代表评价, 满意, 协办, 协办意见, 按期送达, 退回调整
    assert rows[unit.name] == [0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert rows[unit2.name] == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


# --- a unit that hands its assignment back ---------------------------------------------------------


def _at(day, hour=10):
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), tick=False)


def _assign(session, rep, by, units):
    with _at(D(2022, 1, 20)):
        return proposal_assigned(session=session, lead=rep, units=units, by=by, title="关于修缮村道的建议")


def _reply(proposal, unit, by):
    with _at(D(2022, 1, 24)):
        reply_after_contact(proposal.assignments.get(unit=unit), by)


def _hand_back(proposal, unit, by):
    with _at(D(2022, 1, 25)):
        request = services.return_request_create(
            assignment=proposal.assignments.get(unit=unit), reason="不属于本单位职责", by=by
        )
        services.return_request_decide(request=request, approve=True, by=by)
    proposal.refresh_from_db()


def test_a_reply_from_a_unit_that_handed_the_assignment_back_does_not_answer(
    session, rep_a, unit, unit2, committee_staff
):
    proposal = _assign(session, rep_a, committee_staff, [(unit, SEPARATE), (unit2, SEPARATE)])
    _reply(proposal, unit, committee_staff)
    _hand_back(proposal, unit, committee_staff)  # replied, then handed back: 县交通运输局 alone answers now
    assert proposal.status == Status.ASSIGNED
    board = board_of(committee_staff)
    assert ratio(board, "proposals.reply_rate") == (0, 1)
    rows = rows_by_name(board, "proposals.by_unit")
    assert rows[unit.name][0:3] == [0, 0, 0]  # nothing counted for it but the hand-back
    assert rows[unit.name][-1] == 1
    assert rows[unit2.name][0:3] == [0, 1, 0]


def test_when_the_unit_still_waited_for_hands_back_the_proposal_is_answered(
    session, rep_a, unit, unit2, committee_staff
):
    proposal = _assign(session, rep_a, committee_staff, [(unit, SEPARATE), (unit2, SEPARATE)])
    _reply(proposal, unit, committee_staff)
    _hand_back(proposal, unit2, committee_staff)
    assert proposal.status == Status.REPLIED  # its status and the figures agree
    assert ratio(board_of(committee_staff), "proposals.reply_rate") == (1, 1)


# --- lead and assisting units; the totals reconcile -------------------------------------------------


@pytest.fixture
def mixed_handling(session, rep_a, rep_b, unit, unit2, unit3, committee_staff):
    """Three proposals: 县教育局 leads with 县交通运输局 assisting (its opinion sent in time), 县教育局
    leads alone, and 县交通运输局 and 县水利局 handle one separately. One rating, satisfied."""
    by = committee_staff
    led = f.proposal(session=session, lead=rep_a, by=by, status=Status.REPLIED)
    lead = f.assignment(proposal=led, unit=unit, day=D(2022, 1, 20), role=LEAD)
    assist = f.assignment(proposal=led, unit=unit2, day=D(2022, 1, 20), role=ASSIST)
    Assignment.objects.filter(pk=assist.pk).update(opinion_due_on=D(2022, 2, 20))
    f.opinion(assignment=assist, day=D(2022, 2, 1), by=by)
    f.reply(assignment=lead, outcome="A", day=D(2022, 3, 1), on_time=True, by=by)
    f.feedback(proposal=led, result="satisfied")
    alone = f.proposal(session=session, lead=rep_a, by=by)
    f.assignment(proposal=alone, unit=unit, day=D(2022, 1, 20), role=LEAD)
    split = f.proposal(session=session, lead=rep_b, by=by)
    for separate in (unit2, unit3):
        f.assignment(proposal=split, unit=separate, day=D(2022, 1, 20), role=SEPARATE)


def test_assisting_units_have_their_own_columns(mixed_handling, committee_staff, unit, unit2, unit3):
    rows = rows_by_name(board_of(committee_staff), "proposals.by_unit")
    # 主办, 分办, 答复, 按期答复, 代表评价, 满意, 协办, 协办意见, 按期送达, 退回调整
    assert rows[unit.name] == [2, 0, 1, 1, 1, 1, 0, 0, 0, 0]
    assert rows[unit2.name] == [0, 1, 0, 0, 0, 0, 1, 1, 1, 0]  # its assisting gives it no answer, no rating
    assert rows[unit3.name] == [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def test_the_unit_totals_reconcile_with_the_proposal_count_and_the_page_says_how(
    mixed_handling, committee_staff, login
):
    board = board_of(committee_staff)
    proposals = board.figure("proposals.count").value
    units = table(board, "proposals.by_unit")
    lead_units, separate_units = units.totals[1], units.totals[2]
    assert (proposals, lead_units, separate_units) == (3, 2, 2)
    # Each proposal has one 主办, or 分办 units of which all but one are extra unit-assignments.
    assert "交办建议 3 件 = 主办 2 件 + 分办 1 件（由 2 个单位件次分别答复）" in units.note
    assert lead_units + 1 == proposals
    html = login(committee_staff).get("/dashboard/", {"period": "y2022"}).content.decode()
    assert re.search(r'data-note="proposals.by_unit">交办建议 3 件 = 主办 2 件 \+ 分办 1 件', html)


# --- recess proposals ------------------------------------------------------------------------------


@pytest.fixture
def late_night_recess(county_term, rep_a, unit, committee_staff):
    """A recess proposal assigned at 23:40 on 31 December 2025 (local time): 15:40 UTC that day,
    and already 2026 nowhere; answered on time and rated. No session opens in 2025."""
    session = SessionFactory(term=county_term, number=4, opened_on=D(2024, 1, 8))
    proposal = f.proposal(
        session=session,
        lead=rep_a,
        by=committee_staff,
        period=Proposal.Period.RECESS,
        status=Status.CLOSED,
        assigned_at=timezone.make_aware(datetime.datetime(2025, 12, 31, 23, 40)),
    )
    assignment = f.assignment(proposal=proposal, unit=unit, day=D(2025, 12, 31))
    f.reply(assignment=assignment, outcome="A", day=D(2026, 1, 20), on_time=True, by=committee_staff)
    f.feedback(proposal=proposal, result="basic")
    return proposal


def test_a_recess_proposal_at_2340_on_31_december_counts_in_that_year(late_night_recess, committee_staff, login):
    board = board_of(committee_staff, year=2025)
    assert board.figure("proposals.count").value == 0  # no session in 2025
    assert board.figure("proposals.recess").value == 1
    assert ratio(board, "proposals.recess.reply_rate") == (1, 1)
    assert ratio(board, "proposals.recess.on_time_reply_rate") == (1, 1)
    assert ratio(board, "proposals.recess.satisfaction_rate") == (1, 1)
    assert ratio(board, "proposals.recess.fully_satisfied_rate") == (0, 1)
    assert ratio(board, "proposals.recess.closure_rate") == (1, 1)
    assert board_of(committee_staff, year=2026).figure("proposals.recess").value == 0
    client = login(committee_staff)
    assert client.get(board.figure("proposals.recess").url).context["cl"].result_count == 1
    answered = board.figure("proposals.recess.reply_rate").url
    assert client.get(answered).context["cl"].result_count == 1
    later = board_of(committee_staff, year=2026).figure("proposals.recess").url
    assert client.get(later).context["cl"].result_count == 0


def test_recess_proposals_have_their_outcomes_units_and_townships(late_night_recess, committee_staff, unit):
    board = board_of(committee_staff, year=2025)
    outcomes = {row[0][0]: row[1] for row in table(board, "proposals.recess.outcomes").rows}
    assert outcomes == {"A": 1, "B": 0, "C": 0, "D": 0}
    assert rows_by_name(board, "proposals.recess.by_unit")[unit.name][:6] == [1, 0, 1, 1, 1, 1]
    assert rows_by_name(board, "proposals.recess.by_township")["儒林镇"] == [1, 0, 1, 1]


def test_the_whole_year_adds_session_and_recess_proposals(
    two_separate_units_one_reply, committee_staff, rep_a, unit, session, login
):
    recess = f.proposal(
        session=session, lead=rep_a, by=committee_staff, period=Proposal.Period.RECESS, assigned_at=f.at(D(2022, 7, 1))
    )
    f.reply(
        assignment=f.assignment(proposal=recess, unit=unit, day=D(2022, 7, 1)),
        outcome="A",
        day=D(2022, 7, 20),
        on_time=True,
        by=committee_staff,
    )
    board = board_of(committee_staff)
    assert (board.figure("proposals.count").value, board.figure("proposals.recess").value) == (1, 1)
    assert board.figure("proposals.all.count").value == 2
    assert ratio(board, "proposals.all.reply_rate") == (1, 2)  # the 分办 one waits for its second unit
    assert ratio(board, "proposals.recess.reply_rate") == (1, 1)
    assert ratio(board, "proposals.reply_rate") == (0, 1)
    client = login(committee_staff)
    assert client.get(board.figure("proposals.all.count").url).context["cl"].result_count == 2
    assert client.get(board.figure("proposals.all.reply_rate").url).context["cl"].result_count == 1
    assert client.get(board.figure("proposals.reply_rate").url).context["cl"].result_count == 0


# --- sessions by region ----------------------------------------------------------------------------


@pytest.fixture
def township_session(township_a, committee_staff, unit):
    """儒林镇's own congress opens a session in 2022: two township representatives' proposals to it
    (and one in its recess) and a livelihood project it votes on. Neither is the county congress's."""
    term = TermFactory(region=township_a, number=7, started_on=D(2021, 11, 1))
    session = SessionFactory(term=term, number=1, opened_on=D(2022, 2, 10))
    rep = RepresentativeFactory(township=township_a, term=term, level="township")
    for _n in range(2):
        proposal = f.proposal(session=session, lead=rep, by=committee_staff)
        f.assignment(proposal=proposal, unit=unit, day=D(2022, 2, 20))
    recess = f.proposal(
        session=session, lead=rep, by=committee_staff, period=Proposal.Period.RECESS, assigned_at=f.at(D(2022, 5, 1))
    )
    f.assignment(proposal=recess, unit=unit, day=D(2022, 5, 1))
    ProjectFactory(session=session, status=Project.Status.IN_PROGRESS)
    return term


@pytest.fixture
def county_year(session, rep_a, unit, committee_staff):
    proposal = f.proposal(session=session, lead=rep_a, by=committee_staff)
    f.assignment(proposal=proposal, unit=unit, day=D(2022, 1, 20))
    ProjectFactory(session=session, status=Project.Status.IN_PROGRESS)


def test_a_township_session_joins_no_county_figure(county_year, township_session, committee_staff, staff_a):
    board = board_of(committee_staff)
    assert board.figure("proposals.count").value == 1
    assert board.figure("proposals.recess").value == 0
    assert (board.figure("livelihood.collected").value, board.figure("livelihood.voted").value) == (1, 1)
    # 儒林镇's dashboard: the county congress's proposals of its representatives, its own projects.
    own = board_of(staff_a)
    assert own.figure("proposals.count").value == 1
    assert own.figure("livelihood.collected").value == 1
    assert own.figure("livelihood.voted").value == 1


def test_a_term_period_follows_the_same_rules(county_year, township_session, county_term, committee_staff, login):
    for term in (county_term, township_session):
        board = build_dashboard(scope=scope_for(committee_staff), period=period_for_term(term), scope_label="")
        assert board.figure("proposals.count").value == 1, term
        assert board.figure("livelihood.collected").value == 1, term
    html = login(committee_staff).get("/dashboard/", {"period": f"t{township_session.pk}"}).content.decode()
    assert re.search(r'data-figure="proposals.count">.*?data-value><a [^>]*>1<', html, re.S)


# --- inspections and surveys apart from law-enforcement checks ---------------------------------------


def test_a_law_enforcement_check_is_not_an_inspection_batch(county, committee_staff, login):
    f.inspection(region=county, started_on=D(2022, 4, 1), by=committee_staff, batch_no=1)
    survey = f.inspection(region=county, started_on=D(2022, 5, 1), by=committee_staff, batch_no=2)
    Inspection.objects.filter(pk=survey.pk).update(kind=Inspection.Kind.SURVEY)
    check = f.inspection(region=county, started_on=D(2022, 6, 1), by=committee_staff, batch_no=3)
    Inspection.objects.filter(pk=check.pk).update(kind=Inspection.Kind.ENFORCEMENT, topic="食品安全法执法检查")
    board = board_of(committee_staff)
    assert board.figure("groups.inspections").value == 2
    assert board.figure("groups.enforcement_checks").value == 1
    client = login(committee_staff)
    assert client.get(board.figure("groups.inspections").url).context["cl"].result_count == 2
    assert client.get(board.figure("groups.enforcement_checks").url).context["cl"].result_count == 1


# --- posts: a year's figures and snapshots -----------------------------------------------------------


@pytest.fixture
def posts_of_2022(township_a, rep_a, committee_staff):
    """A post closed on 30 June 2022 (its holder left with it), a post set up in 2023, and a post
    held all year by the same representative."""
    closed = DutyPostFactory(township=township_a, set_up_on=D(2021, 3, 1), closed_on=D(2022, 6, 30), is_active=False)
    PostAssignmentFactory(post=closed, representative=rep_a, started_on=D(2021, 3, 1), ended_on=D(2022, 6, 30))
    DutyPostFactory(township=township_a, set_up_on=D(2023, 2, 1))
    held = DutyPostFactory(township=township_a, set_up_on=D(2022, 1, 1), capacity=2)
    PostAssignmentFactory(post=held, representative=rep_a, started_on=D(2022, 1, 10))


def test_a_post_that_closed_mid_year_counts_in_its_year_and_not_after(posts_of_2022, committee_staff, login):
    board = board_of(committee_staff)
    assert board.figure("posts.count").value == 2  # the closed one and the one held; not next year's
    assert board.figure("posts.capacity").value == 3
    assert board.figure("posts.held_during").value == 1  # one representative, on both posts
    assert ratio(board, "posts.filled") == (1, 1)  # on 31 December: one post open, held
    assert board.figure("posts.filled").note == "截至 2022-12-31"
    assert board.figure("posts.holders").note == "截至 2022-12-31"
    later = board_of(committee_staff, year=2023)
    assert later.figure("posts.count").value == 2  # the one held and the one set up in 2023
    earlier = board_of(committee_staff, year=2021)
    assert earlier.figure("posts.count").value == 1
    client = login(committee_staff)
    assert client.get(board.figure("posts.count").url).context["cl"].result_count == 2
    assert client.get(board.figure("posts.held_during").url).context["cl"].result_count == 2  # two assignments


def test_stopping_a_post_in_the_admin_records_the_day_it_closed(township_a, committee_staff):
    post = DutyPostFactory(township=township_a)
    post.is_active = False
    with _at(D(2024, 5, 6)):
        duty_post_save(post=post, by=committee_staff)
    post.refresh_from_db()
    assert post.closed_on == D(2024, 5, 6)
    assert board_of(committee_staff, year=2024).figure("posts.count").value == 1
    assert board_of(committee_staff, year=2025).figure("posts.count").value == 0


# --- recorded and now shown: office funding, new stations, the instructors' quota ---------------------


@pytest.fixture
def offices_and_instructors(township_a, township_b):
    """儒林镇: an office with 20,000 yuan of 县财政专项 and 30,000 of 乡镇财政 for 2022, a station
    set up in March 2022 and one set up in 2019; 茅坪镇: an office with 20,000 of 县财政专项 and
    5,000 for 2021. Instructors: 两次 given (met), one given and one only planned (not met)."""
    office_a = LiaisonOffice.objects.create(name="儒林镇工作室", region=township_a)
    for name, day in (("新站", D(2022, 3, 15)), ("老站", D(2019, 5, 1))):
        LiaisonOffice.objects.create(
            name=name,
            region=VillageFactory(parent=township_a),
            level=LiaisonOffice.Level.STATION,
            parent=office_a,
            established_on=day,
        )
    office_b = LiaisonOffice.objects.create(name="茅坪镇工作室", region=township_b)
    for office, year, amount, source in (
        (office_a, 2022, "20000", "县财政专项"),
        (office_a, 2022, "30000", "乡镇财政"),
        (office_b, 2022, "20000", "县财政专项"),
        (office_b, 2021, "5000", "县财政专项"),
    ):
        Funding.objects.create(office=office, year=year, amount=Decimal(amount), source=source)
    hall = HallFactory(region=township_a)
    met, behind = InstructorFactory(hall=hall, name="龙书记"), InstructorFactory(hall=hall, name="杨主席")
    LectureFactory.create_batch(2, instructor=met, date=D(2022, 5, 1))
    LectureFactory(instructor=behind, date=D(2022, 6, 1))
    LectureFactory(instructor=behind, date=D(2022, 11, 1), status=Lecture.Status.PLANNED)


def test_the_offices_funding_by_source_and_the_stations_set_up_in_the_year(
    offices_and_instructors, committee_staff, login
):
    board = board_of(committee_staff)
    offices = table(board, "liaison.offices")
    assert offices.columns[4:] == ["乡镇财政", "县财政专项", "经费合计（元）"]
    rows = rows_by_name(board, "liaison.offices")
    assert rows["儒林镇"] == [1, 2, 1, Decimal("30000"), Decimal("20000"), Decimal("50000")]
    assert rows["茅坪镇"] == [1, 0, 0, 0, Decimal("20000"), Decimal("20000")]  # not the 2021 funding
    assert board.figure("liaison.stations_added").value == 1
    assert board.figure("liaison.funding").value == Decimal("70000")
    client = login(committee_staff)
    assert client.get(board.figure("liaison.stations_added").url).context["cl"].result_count == 1
    assert client.get(board.figure("liaison.funding").url).context["cl"].result_count == 3
    narrowed = board_of(committee_staff, region=Region.objects.get(name="茅坪镇"))
    assert client.get(narrowed.figure("liaison.funding").url).context["cl"].result_count == 1


def test_who_met_the_instructors_quota(offices_and_instructors, committee_staff, login):
    board = board_of(committee_staff)
    assert ratio(board, "training.instructors_on_quota") == (1, 2)
    assert {row[0]: row[2:] for row in table(board, "training.instructors").rows} == {
        "龙书记": [2, 2, "是"],
        "杨主席": [1, 2, "否"],  # the planned lecture is not given yet
    }
    response = login(committee_staff).get(board.figure("training.instructors_on_quota").url)
    assert [i.name for i in response.context["cl"].result_list] == ["龙书记"]
    assert ratio(board_of(committee_staff, year=2023), "training.instructors_on_quota") == (0, 2)
