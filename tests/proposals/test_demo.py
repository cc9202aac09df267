"""`manage.py load_demo` loads the Chengbu proposals: the seed article's 132, and open work in every other state."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase, override_settings
from django.utils import timezone

from apps.core.models import CongressSession, User
from apps.notifications.models import Notification
from apps.proposals import selectors
from apps.proposals.models import (
    Assignment,
    ContactRecord,
    CoSigner,
    Proposal,
    ProposalEvent,
    Rating,
    Reply,
    Status,
)
from apps.proposals.selectors import Rate

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
BATCH = "城步县十八届人大一次会议代表建议现场交办会"
SEED_TITLE = "关于请求加快实施丹口镇双龙至午子坡道路扩建的建议"


def _first_session() -> CongressSession:
    return CongressSession.objects.get(term__region__code="430529", term__number=18, number=1)


@override_settings(PASSWORD_HASHERS=FAST_HASHING)
class TestChengbuDemoProposals(TestCase):
    """One load, many readings of it."""

    @classmethod
    def setUpTestData(cls):
        out = StringIO()
        call_command("load_demo", stdout=out)
        cls.output = out.getvalue()
        cls.session = _first_session()
        cls.in_session = Proposal.objects.filter(session=cls.session, period=Proposal.Period.SESSION)

    def test_the_seed_figures_hold_for_the_132_session_proposals(self):
        full = Rate(132, 132)
        for proposals in (
            selectors.cohort(year=2022),
            selectors.cohort(session=self.session).filter(period=Proposal.Period.SESSION),
        ):
            rates = selectors.rates(proposals)
            assert rates["visit_rate"] == full
            assert rates["reply_rate"] == full
            assert rates["on_time_reply_rate"] == full
            assert rates["satisfaction_rate"] == full
            assert rates["closure_rate"] == full
        assert self.in_session.count() == 132
        assert set(self.in_session.values_list("status", flat=True)) == {Status.CLOSED}
        assert sorted(self.in_session.values_list("number", flat=True)) == list(range(1, 133))

    def test_all_132_were_assigned_at_the_on_site_meeting_and_closed_by_mid_december(self):
        assignments = Assignment.objects.filter(proposal__in=self.in_session)
        leads = assignments.filter(role=Assignment.Role.LEAD)

        assert set(assignments.values_list("batch__title", "batch__held_on")) == {(BATCH, date(2022, 1, 20))}
        assert leads.count() == 132
        assert set(leads.values_list("due_on", flat=True)) == {date(2022, 4, 20)}
        assert all(a.assigned_at.date() == date(2022, 1, 20) for a in assignments)
        assert 0 < assignments.filter(role=Assignment.Role.ASSIST).count() < 132
        closed = [timezone.localdate(p.closed_at) for p in self.in_session]
        assert min(closed) >= date(2022, 4, 1)
        assert max(closed) <= date(2022, 12, 15)

    def test_the_2022_timeline_is_realistic(self):
        submitted = {timezone.localdate(p.submitted_at) for p in self.in_session}
        contacts = ContactRecord.objects.filter(assignment__proposal__in=self.in_session)
        replies = Reply.objects.filter(assignment__proposal__in=self.in_session)
        events = ProposalEvent.objects.filter(proposal__in=self.in_session)
        history = Proposal.history.filter(id__in=self.in_session.values("pk"))

        assert submitted <= {date(2022, 1, 6), date(2022, 1, 7)}
        assert all(date(2022, 2, 1) <= c.contacted_on <= date(2022, 3, 31) for c in contacts)
        assert all(c.kind in ContactRecord.IN_PERSON for c in contacts)
        assert all(date(2022, 3, 1) <= timezone.localdate(r.replied_at) <= date(2022, 4, 20) for r in replies)
        assert all(r.on_time for r in replies)
        assert {e.at.year for e in events} == {2022}
        assert {h.history_date.year for h in history} == {2022}
        for proposal in self.in_session.filter(number__lte=20):
            times = list(proposal.events.order_by("pk").values_list("at", flat=True))
            assert times == sorted(times), proposal
        # Old reminders do not clutter today's inboxes.
        assert not Notification.objects.filter(object_id__in=self.in_session.values("pk"), rule="proposal.replied")

    def test_topics_go_to_matching_units_and_some_are_joint(self):
        seed = self.in_session.get(title=SEED_TITLE)
        school = self.in_session.filter(title__contains="中心学校").first()
        joint = self.in_session.annotate(n=Count("cosigners")).filter(n__gt=0)

        assert seed.assignments.get(role="lead").unit.name == "县交通运输局"
        assert seed.lead.township.name == "丹口镇"
        assert school.assignments.get(role="lead").unit.name == "县教育局"
        assert 15 <= joint.count() <= 40
        assert not CoSigner.objects.filter(proposal__in=joint, confirmed_at__isnull=True)
        assert self.in_session.filter(is_key=True).count() == 6
        assert set(self.in_session.values_list("lead__term", flat=True)) == {self.session.term_id}

    def test_every_status_appears_among_the_sessions_proposals(self):
        statuses = set(Proposal.objects.filter(session=self.session).values_list("status", flat=True))

        assert statuses == set(Status.values)
        returned = Proposal.objects.get(session=self.session, status=Status.RETURNED)
        assert returned.exclusion and returned.return_reason
        assert Proposal.objects.get(session=self.session, status=Status.MERGED).merged_into is not None
        assert CoSigner.objects.filter(proposal__status=Status.SUBMITTED, confirmed_at__isnull=True).exists()

    def test_unit_edu_has_open_work_one_item_overdue(self):
        today = timezone.localdate()
        unit_edu = User.objects.get(username="unit_edu")
        open_work = selectors.unit_assignments(unit_edu.handling_unit_id).filter(
            proposal__status__in=[Status.ASSIGNED, Status.REHANDLING]
        )

        assert open_work.count() >= 2
        assert open_work.filter(due_on__lt=today, replied_at__isnull=True).exists()
        assigned = Assignment.objects.filter(proposal__status=Status.ASSIGNED, role="lead", state="active")
        assert assigned.filter(due_on__range=(today, today + timedelta(days=14))).exists()
        assert Notification.objects.filter(recipient=unit_edu, status=Notification.Status.SENT).exists()

    def test_rep_demo_leads_open_proposals_and_is_asked_to_cosign(self):
        rep = User.objects.get(username="rep_demo").representative
        led = Proposal.objects.filter(lead=rep, period=Proposal.Period.RECESS)

        assert set(led.values_list("status", flat=True)) >= {Status.DRAFT, Status.REPLIED}
        assert CoSigner.objects.filter(representative=rep, confirmed_at__isnull=True).exists()
        rehandling = Proposal.objects.get(session=self.session, status=Status.REHANDLING)
        assert rehandling.round == 2
        assert rehandling.feedback.get(round=1).result == Rating.DISSATISFIED

    def test_the_command_prints_a_summary(self):
        assert "代表建议：县十八届人大一次会议建议 132 件" in self.output
        assert "走访 132 件，答复 132 件，满意 132 件，办结 132 件" in self.output


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHING


def _counts() -> dict[str, int]:
    models = [Proposal, ProposalEvent, Assignment, Reply, CoSigner, ContactRecord, Notification, User]
    models += [Proposal.history.model, Assignment.history.model]
    return {m._meta.label: m._default_manager.count() for m in models}


@pytest.mark.django_db
def test_loading_twice_creates_nothing_new():
    call_command("load_demo", stdout=StringIO())
    counts = _counts()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert _counts() == counts
    assert counts["proposals.Proposal"] > 132
    assert "本次新建 0 件" in out.getvalue()
