"""A small year of known rows in townships A and B (and the county), and rows of other years
that must never count in 2022."""

import datetime
from dataclasses import dataclass

import pytest

from apps.groups.models import Activity
from apps.liaison.models import Concern
from apps.livelihood.models import Idea, Project
from apps.proposals.models import ContactRecord, Proposal, Status
from apps.training.models import Attendance, Lecture, LectureHall
from tests.dashboard import factories as f
from tests.factories import SessionFactory, VillageFactory
from tests.groups.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    CampaignFactory,
    MembershipFactory,
    ProblemFactory,
)
from tests.livelihood.factories import IdeaFactory, ProjectFactory
from tests.posts.factories import DutyPostFactory, PostAssignmentFactory
from tests.training.factories import AttendanceFactory, HallFactory, InstructorFactory, LectureFactory

D = datetime.date
S = Concern.Status


@dataclass
class KnownYear:
    session: object
    township_a: object
    township_b: object


@pytest.fixture
def session(county_term):
    return SessionFactory(term=county_term, number=1, opened_on=D(2022, 1, 5))


def concerns(township_a, township_b):
    village = VillageFactory(parent=township_a)
    f.concern(region=township_a, day=D(2022, 3, 1), status=S.CLOSED, rating="satisfied")
    f.concern(region=township_a, day=D(2022, 4, 1), status=S.RESOLVED, rating="dissatisfied")
    f.concern(region=township_a, day=D(2022, 5, 1), status=S.ROUTED)
    f.concern(region=village, day=D(2022, 12, 31), status=S.CLOSED, rating="basic")  # counts for township A
    f.concern(region=township_b, day=D(2022, 1, 1), status=S.CLOSED, rating="satisfied")
    f.concern(region=township_b, day=D(2021, 12, 31), status=S.CLOSED, rating="satisfied")  # the year before
    f.concern(region=township_a, day=D(2023, 1, 1), status=S.CLOSED, rating="satisfied")  # the year after


def proposals(*, session, rep_a, rep_b, unit, by):
    """A1 visited, answered A on time, satisfied, closed; A2 assigned, nothing yet; B1 phoned,
    answered B late, basically satisfied. A draft and a recess proposal do not join the cohort."""
    day = D(2022, 1, 20)
    a1 = f.proposal(session=session, lead=rep_a, by=by, status=Status.CLOSED)
    a2 = f.proposal(session=session, lead=rep_a, by=by)
    b1 = f.proposal(session=session, lead=rep_b, by=by, status=Status.REPLIED)
    f.proposal(session=session, lead=rep_a, by=by, status=Status.DRAFT)
    recess = f.proposal(
        session=session, lead=rep_a, by=by, period=Proposal.Period.RECESS, assigned_at=f.at(D(2022, 6, 1))
    )
    for p in (a1, a2, b1, recess):
        f.assignment(proposal=p, unit=unit, day=day)
    first, _second, third = (p.assignments.get() for p in (a1, a2, b1))
    f.contact(assignment=first, kind=ContactRecord.Kind.VISIT, day=D(2022, 2, 1), by=by)
    f.contact(assignment=third, kind=ContactRecord.Kind.PHONE, day=D(2022, 2, 1), by=by)
    f.reply(assignment=first, outcome="A", day=D(2022, 2, 10), on_time=True, by=by)
    f.reply(assignment=third, outcome="B", day=D(2022, 6, 10), on_time=False, by=by)
    f.feedback(proposal=a1, result="satisfied")
    f.feedback(proposal=b1, result="basic")


def training(county, township_a, township_b):
    county_hall = LectureHall.objects.filter(region=county).first() or HallFactory(
        region=county, level=LectureHall.Level.COUNTY, name="县人大代表培训讲堂"
    )
    hall_a, hall_b = HallFactory(region=township_a), HallFactory(region=township_b)
    lecture_a = LectureFactory(instructor=InstructorFactory(hall=hall_a), date=D(2022, 3, 15))
    LectureFactory(instructor=lecture_a.instructor, date=D(2022, 9, 15))
    LectureFactory(instructor=lecture_a.instructor, date=D(2022, 10, 15), status=Lecture.Status.PLANNED)
    lecture_b = LectureFactory(instructor=InstructorFactory(hall=hall_b), date=D(2022, 4, 1))
    LectureFactory(instructor=InstructorFactory(hall=county_hall), date=D(2021, 11, 1))  # the year before
    return lecture_a, lecture_b


def attendance(lecture_a, lecture_b, reps):
    first, second, third = reps
    AttendanceFactory(lecture=lecture_a, representative=first)
    AttendanceFactory(lecture=lecture_a, representative=second)
    AttendanceFactory(lecture=lecture_a, representative=third, status=Attendance.Status.ABSENT)
    AttendanceFactory(lecture=lecture_b, representative=first)


def posts(township_a, township_b, rep_a):
    held = DutyPostFactory(township=township_a, capacity=2)
    DutyPostFactory(township=township_a, capacity=1)
    DutyPostFactory(township=township_a, capacity=5, is_active=False)
    DutyPostFactory(township=township_b, capacity=1)
    PostAssignmentFactory(post=held, representative=rep_a, started_on=D(2022, 2, 1))


def groups(county, township_a, rep_a, rep_b, by):
    group = ActivityGroupFactory(region=county)
    MembershipFactory(group=group, representative=rep_a)
    MembershipFactory(group=group, representative=rep_b)
    for day in (D(2022, 3, 1), D(2022, 8, 1)):
        ActivityFactory(group=group, date=day, reported_by=rep_a, recorded_by=by)
    ActivityFactory(
        group=group, date=D(2022, 9, 1), reported_by=rep_a, recorded_by=by, review_status=Activity.Review.PENDING
    )
    ActivityFactory(group=group, date=D(2021, 9, 1), reported_by=rep_a, recorded_by=by)
    ActivityFactory(group=None, region=township_a, date=D(2022, 5, 1), reported_by=rep_a, recorded_by=by)
    campaign = CampaignFactory(region=county)
    ProblemFactory.create_batch(2, campaign=campaign, representative=rep_a, recorded_by=by)
    ProblemFactory(campaign=campaign, representative=rep_b, recorded_by=by)
    ProblemFactory(campaign=campaign, representative=rep_b, recorded_by=by, review_status=Activity.Review.PENDING)
    ProblemFactory(campaign=campaign, representative=rep_b, recorded_by=by, is_solved=False)
    f.inspection(region=county, started_on=D(2022, 5, 10), by=by)
    f.inspection(region=county, started_on=D(2021, 5, 10), by=by)


def livelihood(session, township_a, township_b):
    ProjectFactory(session=session, status=Project.Status.COMPLETED)
    ProjectFactory(session=session, status=Project.Status.IN_PROGRESS)
    ProjectFactory(session=session, status=Project.Status.NOT_APPROVED)
    for region, day, status in (
        (township_a, D(2022, 10, 1), Idea.Status.SHORTLISTED),
        (township_a, D(2022, 11, 1), Idea.Status.NEW),
        (township_b, D(2021, 11, 1), Idea.Status.NEW),
    ):
        idea = IdeaFactory(region=region, status=status)
        Idea.objects.filter(pk=idea.pk).update(submitted_at=f.at(day))


@pytest.fixture
def known_year(county, township_a, township_b, session, rep_a, rep_b, unit, committee_staff, neighbour_a):
    by = committee_staff
    concerns(township_a, township_b)
    proposals(session=session, rep_a=rep_a, rep_b=rep_b, unit=unit, by=by)
    lecture_a, lecture_b = training(county, township_a, township_b)
    attendance(lecture_a, lecture_b, [rep_a, neighbour_a, rep_b])
    posts(township_a, township_b, rep_a)
    groups(county, township_a, rep_a, rep_b, by)
    livelihood(session, township_a, township_b)
    return KnownYear(session=session, township_a=township_a, township_b=township_b)


@pytest.fixture
def neighbour_a(township_a, county_term):
    from tests.factories import RepresentativeFactory

    return RepresentativeFactory(name="龙秀兰", township=township_a, term=county_term)
