"""Every notification links to a page its recipient may open (apps.notifications.links).

The demo is loaded once, every reminder rule is scanned on a range of days, and the services
that message someone are called on demo rows; then each kind of notification (rule, recipient's
role, object type) is opened as its recipient.
"""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Confirmable, HandlingUnit, User
from apps.groups.models import Activity
from apps.groups.services import activity_review
from apps.liaison.models import DutyShift, LiaisonOffice
from apps.notifications.links import audience, link_for
from apps.notifications.models import Notification
from apps.notifications.rules import RULES, run_scans
from apps.posts.models import PostLog
from apps.posts.services import post_log_review
from apps.proposals import services as proposals
from apps.proposals.models import Assignment, Proposal, Status
from apps.representatives.models import DutyActivity, Representative
from apps.representatives.services import duty_activity_review, evaluation_confirm
from apps.training.services import retraining_assign

PENDING = Confirmable.Review.PENDING


def _scan_days() -> list[date]:
    today = timezone.localdate()
    return [today + timedelta(days=d) for d in (0, 1, 2, 3, 7, 14, 40, 90)] + [date(2022, 7, 1), date(2023, 1, 2)]


def _handling(**filters) -> Assignment:
    return (
        Assignment.objects.filter(state="active", proposal__status=Status.ASSIGNED, **filters)
        .select_related("proposal")
        .order_by("pk")
        .first()
    )


def _unit_user(assignment: Assignment) -> User:
    return User.objects.filter(role=User.Role.UNIT, handling_unit=assignment.unit_id).first() or User.objects.create(
        username=f"unit{assignment.unit_id}", role=User.Role.UNIT, handling_unit_id=assignment.unit_id
    )


def _message_through_services(committee: User, rep: Representative) -> None:
    """Call each service that messages someone once, on a demo row in the state it needs."""
    # The demo's only representative with an account leads the proposals messaged here, so that
    # the messages to signers have someone to reach.
    submitted = Proposal.objects.filter(status=Status.SUBMITTED).order_by("pk").first()
    lead = _handling(role="lead")
    Proposal.objects.filter(pk__in=[submitted.pk, lead.proposal_id]).update(lead=rep, township=rep.township)
    proposals.proposal_return(
        proposal=submitted,
        exclusion="no_content",
        reason="没有实质内容",
        by=committee,
    )
    with time_machine.travel(lead.assigned_at + timedelta(days=1), tick=False):  # units ask within days
        proposals.return_request_create(assignment=lead, reason="不属于本单位职责", by=_unit_user(lead))
        extension = proposals.extension_request(assignment=lead, days=30, reason="需要调研", by=_unit_user(lead))
        proposals.extension_decide(extension=extension, approve=True, by=committee)
    other_unit = HandlingUnit.objects.exclude(pk=lead.unit_id).order_by("pk").first()
    assist = Assignment.objects.create(
        proposal=lead.proposal, unit=other_unit, role="assist", assigned_at=lead.assigned_at, due_on=lead.due_on
    )
    proposals.assist_opinion_send(assignment=assist, text="同意主办单位意见", by=_unit_user(assist))
    retraining_assign(representative=rep, reason="年度履职评价不称职", by=committee)
    evaluation_confirm(representative=rep, year=2022, outcome="none", by=committee)
    for activity in DutyActivity.objects.filter(review_status=PENDING, representative__user__isnull=False)[:1]:
        duty_activity_review(activity=activity, by=committee, confirm=True)
    for log in PostLog.objects.filter(review_status=PENDING, assignment__representative__user__isnull=False)[:1]:
        post_log_review(log=log, by=committee, confirm=False, note="请补充照片")
    for activity in Activity.objects.filter(review_status=PENDING, reported_by__user__isnull=False)[:1]:
        activity_review(activity=activity, by=committee, confirm=True)


@pytest.fixture(scope="module")
def _demo_messaged(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        rep = Representative.objects.get(user__username="rep_demo")
        office = LiaisonOffice.objects.filter(region=rep.township).first()
        DutyShift.objects.create(office=office, representative=rep, date=timezone.localdate() + timedelta(days=1))
        for day in _scan_days():
            run_scans(today=day)
        _message_through_services(User.objects.get(username="committee"), rep)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def messaged(_demo_messaged, db):
    rows = Notification.objects.filter(channel="inbox").select_related("recipient", "content_type").order_by("pk")
    kinds = {}
    for row in rows:
        kinds.setdefault(
            (row.rule.split(".")[0] + "." + row.rule.split(".")[1], audience(row.recipient), row.content_type.model),
            row,
        )
    return kinds


def test_every_reminder_rule_and_messaging_service_reaches_someone_in_the_demo(messaged):
    rules = {rule for rule, _who, _model in messaged}
    assert set(RULES) - {"training.behind_quota"} <= rules | {"proposal.due_soon"}, sorted(set(RULES) - rules)
    assert {
        "concern.submitted", "concern.routed", "proposal.returned", "proposal.return_request", "proposal.extended",
        "proposal.assist_opinion", "proposal.assigned", "training.retraining_assigned",
        "representatives.evaluation_confirmed", "representatives.activity_reviewed",
    } <= rules  # fmt: skip


def test_every_notification_opens_for_its_recipient(messaged, client):
    refused = {}
    for key, row in sorted(messaged.items()):
        assert row.url, key
        client.force_login(row.recipient)
        response = client.get(row.url, follow=True)
        final = response.request["PATH_INFO"]
        if response.status_code != 200 or final in (reverse("login"), reverse("admin:login")):
            refused[key] = (row.url, response.status_code)
        client.logout()
    assert refused == {}


def test_new_concern_messages_carry_a_link(messaged):
    assert all(row.url for key, row in messaged.items() if key[0] == "concern.submitted")


def test_staff_get_admin_pages_units_and_representatives_their_portal_pages(messaged):
    for (rule, who, _model), row in messaged.items():
        if who == "staff":
            assert row.url.startswith("/admin/") or row.url == reverse("workbench"), rule
        else:
            assert not row.url.startswith("/admin/"), rule


def test_a_staff_link_is_the_admin_page_of_the_object_in_question(messaged):
    row = messaged["concern.submitted", "staff", "concern"]

    assert row.url == reverse("admin:liaison_concern_change", args=[row.object_id])
    assert link_for(row.target, row.recipient) == row.url
