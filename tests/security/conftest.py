"""One small world for the security sweep: an object of every kind in township A, owned by the
personas of tests/conftest.py, and users of the same roles in other scopes who must not reach them.

Rows are written straight to the tables (the services are tested in each app); what matters
here is only who may open them.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.core import services as core_services
from apps.core.models import CountySettings, User
from apps.groups.models import Activity, ActivityGroup, Campaign, GroupMembership, Inspection, ProblemSolved
from apps.liaison.models import (
    Concern,
    ConcernPhoto,
    ConcernReturnRequest,
    DutyShift,
    Funding,
    LiaisonOffice,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
)
from apps.livelihood.models import Ballot, Idea, Project
from apps.notifications.models import Notification
from apps.posts.models import PostAssignment, PostLog, PostLogPhoto
from apps.proposals.models import (
    Assignment,
    AssignmentBatch,
    Extension,
    Notice,
    Proposal,
    Reply,
    ReturnRequest,
    Status,
    Supervision,
)
from apps.representatives.models import Constituency, DutyActivity, Evaluation, VoterRating
from apps.training.models import Attendance, Retraining
from tests.factories import CountyFactory, HandlingUnitFactory, SessionFactory, TermFactory
from tests.posts.factories import DutyPostFactory, PostRoleFactory
from tests.training.factories import HallFactory, InstructorFactory, LectureFactory

DAY = datetime.date(2022, 6, 1)
# Smallest files the upload checks accept by content.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.RENDA_DASHBOARD = {**settings.RENDA_DASHBOARD, "REPORT_DIR": str(tmp_path / "reports")}


def _user(username, role, **kwargs):
    return core_services.user_create(username=username, password=None, role=role, full_name=username, **kwargs)


@pytest.fixture
def outsiders(county, township_b, staff_b, rep_b):
    """Users of every role whose scope holds none of township A's objects."""
    elsewhere = CountyFactory(code="430528", name="新宁县")
    rep_b.user = _user("rep_b_user", User.Role.REPRESENTATIVE)
    rep_b.save()
    unit2 = HandlingUnitFactory(region=county, name="县交通运输局")
    return SimpleNamespace(
        committee=_user("committee_elsewhere", User.Role.COMMITTEE, regions=[elsewhere]),
        staff_b=staff_b,
        liaison_b=_user("liaison_b", User.Role.LIAISON, regions=[township_b]),
        representative=rep_b.user,
        unit=_user("unit2_staff", User.Role.UNIT, handling_unit=unit2),
    )


@pytest.fixture
def world(personas, county, township_a, county_term, unit, rep_a, liaison_a):
    """One object of every kind in township A (or of its unit and representative)."""
    users = SimpleNamespace(**{k: v for k, v in personas.items() if v is not None}, liaison=liaison_a)
    w = SimpleNamespace(users=users, county=county, township=township_a, unit=unit, rep=rep_a)
    w.session = SessionFactory(term=county_term, number=1)
    w.township_term = TermFactory(region=township_a, number=18)
    w.county_settings = CountySettings.objects.create(county=county, site_name="城步代表工作平台")
    w.township_session = SessionFactory(term=w.township_term, number=1)
    w.township_unit = HandlingUnitFactory(region=township_a, name="儒林镇农业综合服务中心")
    _representatives(w)
    _proposals(w)
    _liaison(w)
    _training(w)
    _posts(w)
    _groups(w)
    _livelihood(w)
    _dashboard(w)
    _export_job(w)
    _otp(w)
    w.notification = Notification.objects.create(
        rule="security.sample",
        content_type=ContentType.objects.get_for_model(Proposal),
        object_id=w.proposal.pk,
        recipient=users.representative,
        due_on=DAY,
        subject="样例提醒",
    )
    return w


def _representatives(w):
    u = w.users
    w.constituency = Constituency.objects.create(term=w.rep.term, number=1, name="儒林第一选区", township=w.township)
    w.duty_activity = DutyActivity.objects.create(
        representative=w.rep,
        kind="meeting",
        date=DAY,
        place="儒林镇",
        description="列席镇人代会",
        created_by=u.representative,
    )
    w.voter_rating = VoterRating.objects.create(
        representative=w.rep, year=2022, held_on=DAY, satisfied=30, basic=2, dissatisfied=1, recorded_by=u.staff_a
    )
    w.evaluation = Evaluation.objects.create(representative=w.rep, year=2022, points=80, grade="excellent")


def _proposals(w):
    u, now = w.users, timezone.now()
    w.proposal = Proposal.objects.create(
        session=w.session,
        title="关于修缮儒林镇中心小学校舍的建议",
        content="校舍年久失修。",
        category="education",
        lead=w.rep,
        township=w.township,
        created_by=u.representative,
        status=Status.ASSIGNED,
        submitted_at=now,
        assigned_at=now,
    )
    w.assignment = Assignment.objects.create(
        proposal=w.proposal, unit=w.unit, role="lead", assigned_at=now, due_on=DAY + datetime.timedelta(days=90)
    )
    w.draft = Proposal.objects.create(
        session=w.session,
        title="关于硬化白云村通组公路的建议",
        content="道路泥泞。",
        category="transport",
        lead=w.rep,
        township=w.township,
        created_by=u.representative,
    )
    w.reply = Reply.objects.create(
        assignment=w.assignment, outcome="A", text="已安排维修。", replied_by=u.unit, replied_at=now, on_time=True
    )
    w.reply.letter.save("reply.pdf", ContentFile(PDF))
    w.return_request = ReturnRequest.objects.create(assignment=w.assignment, reason="非本单位职责", requested_by=u.unit)
    w.extension = Extension.objects.create(assignment=w.assignment, days=30, reason="需要调研", requested_by=u.unit)
    w.supervision = Supervision.objects.create(
        proposal=w.proposal, method="visit", supervised_on=DAY, supervisor="杨主任", notes="走访", recorded_by=u.staff_a
    )
    w.batch = AssignmentBatch.objects.create(
        session=w.township_session, title="交办会", held_on=DAY, created_by=u.staff_a
    )
    w.notice = Notice.objects.create(session=w.township_session, title="通报", body="内容", created_by=u.staff_a)


def _liaison(w):
    u = w.users
    w.office = LiaisonOffice.objects.create(name="儒林镇代表联系群众工作室", region=w.township)
    w.funding = Funding.objects.create(office=w.office, year=2022, amount=Decimal("5000"), source="县财政")
    times = {"starts_at": datetime.time(9), "ends_at": datetime.time(11)}
    w.schedule = ReceptionSchedule.objects.create(office=w.office, days_of_month="9,19", **times)
    w.reception_day = ReceptionDay.objects.create(office=w.office, date=DAY, **times)
    w.shift = DutyShift.objects.create(office=w.office, representative=w.rep, date=DAY, reception_day=w.reception_day)
    w.reception_record = ReceptionRecord.objects.create(
        office=w.office, received_on=DAY, matter="反映路灯不亮", recorded_by=u.liaison
    )
    w.concern = Concern.objects.create(
        tracking_code="SEC000000001",
        region=w.township,
        office=w.office,
        category="roads",
        description="村道塌方，影响出行。",
        name="王大妈",
        phone="13812345678",
        consented_at=timezone.now(),
        accept_due_on=DAY,
        status=Concern.Status.ROUTED,
        unit=w.unit,
        representative=w.rep,
    )
    w.concern_return_request = ConcernReturnRequest.objects.create(
        concern=w.concern, unit=w.unit, reason="不属于本单位职责", requested_by=u.unit
    )
    w.concern_photo = ConcernPhoto(concern=w.concern)
    w.concern_photo.image.save("photo.jpg", ContentFile(JPEG))


def _training(w):
    w.hall = HallFactory(region=w.township)
    w.instructor = InstructorFactory(hall=w.hall, name="龙书记")
    w.lecture = LectureFactory(instructor=w.instructor, topic="代表法解读")
    w.lecture.materials.save("slides.pdf", ContentFile(PDF))
    w.attendance = Attendance.objects.create(lecture=w.lecture, representative=w.rep, status="present")
    w.retraining = Retraining.objects.create(representative=w.rep, reason="履职积分不足")


def _posts(w):
    u = w.users
    w.post = DutyPostFactory(title="儒林镇矛盾纠纷调解岗", township=w.township, role=PostRoleFactory(name="调解员"))
    w.post_assignment = PostAssignment.objects.create(
        post=w.post, representative=w.rep, started_on=DAY, assigned_by=u.staff_a
    )
    w.post_log = PostLog.objects.create(
        assignment=w.post_assignment, date=DAY, content="调解两户宅基地纠纷。", created_by=u.representative
    )
    w.post_log_photo = PostLogPhoto(log=w.post_log)
    w.post_log_photo.image.save("log.jpg", ContentFile(JPEG))


def _groups(w):
    u = w.users
    w.group = ActivityGroup.objects.create(name="儒林镇教育卫生组", theme="教育卫生", region=w.township)
    GroupMembership.objects.create(group=w.group, representative=w.rep, joined_on=DAY)
    w.activity = Activity.objects.create(
        group=w.group, kind="talk", title="微宣讲", date=DAY, region=w.township, recorded_by=u.staff_a
    )
    w.campaign = Campaign.objects.create(name="我为群众办实事", region=w.township, started_on=DAY)
    w.problem = ProblemSolved.objects.create(
        campaign=w.campaign,
        representative=w.rep,
        township=w.township,
        date=DAY,
        problem="路灯不亮",
        recorded_by=u.staff_a,
    )
    w.inspection = Inspection.objects.create(
        kind="inspection",
        region=w.township,
        year=2022,
        batch_no=1,
        topic="农村饮水安全",
        started_on=DAY,
        created_by=u.staff_a,
    )


def _livelihood(w):
    w.idea = Idea.objects.create(region=w.township, title="修建村级文化广场", description="建议内容。", source="staff")
    w.project = Project.objects.create(
        session=w.township_session,
        region=w.township,
        number=1,
        title="儒林镇自来水管网改造",
        description="项目内容。",
        responsible_unit=w.unit,
        investment=Decimal("120.50"),
        completion_due=datetime.date(2022, 12, 31),
        status=Project.Status.APPROVED,
    )
    # The township's ballot (hidden from other townships) and the county's (rep_a votes in it).
    ballot = {
        "title": "2022年民生实事项目票决",
        "min_vote_ratio": Decimal("0.5"),
        "closes_at": timezone.now() + datetime.timedelta(days=1),
        "status": Ballot.Status.OPEN,
    }
    w.ballot = Ballot.objects.create(session=w.township_session, region=w.township, **ballot)
    w.county_ballot = Ballot.objects.create(session=w.session, region=w.county, **ballot)


def _otp(w):
    from django.apps import apps

    if apps.is_installed("django_otp.plugins.otp_totp"):  # two-factor is being added this session
        from django_otp.plugins.otp_totp.models import TOTPDevice

        w.totp_device = TOTPDevice.objects.create(user=w.users.staff_a, name="staff_a phone", confirmed=True)


def _dashboard(w):
    # The report is being built this session: imported here so the rest works without it.
    from apps.dashboard.models import ReportJob
    from apps.dashboard.services import report_file

    path = w.township.path
    w.report_job = ReportJob.objects.create(
        requested_by=w.users.staff_a,
        scope_paths=path,
        region_path=path,
        region=w.township,
        scope_label=w.township.name,
        year=2022,
        period_key="2022",
        status=ReportJob.Status.DONE,
        pdf_name="security-sample.pdf",
    )
    report_file(w.report_job.pdf_name).parent.mkdir(parents=True, exist_ok=True)
    report_file(w.report_job.pdf_name).write_bytes(PDF)


def _export_job(w):
    from apps.core.export_jobs import export_file, write_workbook
    from apps.core.models import ExportJob

    w.export_job = ExportJob.objects.create(
        requested_by=w.users.staff_a,
        model_label="liaison.concern",
        title="群众意见",
        region_path=w.township.path,
        status=ExportJob.Status.DONE,
        file_name="security-sample.xlsx",
    )
    export_file(w.export_job.file_name).parent.mkdir(parents=True, exist_ok=True)
    write_workbook(export_file(w.export_job.file_name), ["编号"], [["1"]], title="群众意见")
