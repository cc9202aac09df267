"""Notices (通报): the body names each late or perfunctory unit with its items and days overdue; publishing
tells every named unit; a printable page and PDF in the committee's style; an optional public page."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import Notification
from apps.proposals import services
from apps.proposals.models import Notice
from apps.proposals.services import ProposalError
from tests.factories import HandlingUnitFactory


def _later(assignment, days):
    """A moment `days` days after the assignment's deadline, at noon."""
    moment = timezone.make_aware(
        timezone.datetime.combine(assignment.due_on + timedelta(days=days), timezone.datetime.min.time())
    )
    return moment + timedelta(hours=12)


def _assign(session, rep, by, committee, unit, title):
    proposal = services.proposal_create(lead=rep, session=session, title=title, content="内容", category="other", by=by)
    services.proposal_submit(proposal=proposal, by=by)
    services.proposal_accept(proposal=proposal, by=committee)
    [assignment] = services.proposal_assign(proposal=proposal, units=[(unit, "lead")], by=committee)
    return assignment


@pytest.fixture
def notice(lead_assignment, session, committee_staff):
    with time_machine.travel(_later(lead_assignment, 15)):
        return services.notice_draft(session=session, by=committee_staff)


@pytest.fixture
def published(notice, committee_staff):
    return services.notice_publish(notice=notice, by=committee_staff)


def _detail(notice):
    return reverse("proposals:notice_detail", args=[notice.pk])


# --- the body -----------------------------------------------------------------------------------


def test_the_body_lists_each_late_item_with_its_number_title_and_days_overdue(notice, lead_assignment):
    proposal = lead_assignment.proposal
    assert f"第{proposal.number}号《{proposal.title}》" in notice.body
    assert "逾期未答复，已逾期15天" in notice.body
    assert "一、县教育局：逾期未答复1件" in notice.body
    assert list(notice.units.values_list("name", flat=True)) == ["县教育局"]


def test_late_and_perfunctory_answers_are_named_too(lead_assignment, unit_staff, session, committee_staff, settings):
    # A deployment that does not require contact first: the reply comes late and without any.
    settings.RENDA_PROPOSALS = {**settings.RENDA_PROPOSALS, "REQUIRE_CONTACT_BEFORE_REPLY": False}
    with time_machine.travel(_later(lead_assignment, 4)):
        services.reply_submit(assignment=lead_assignment, outcome="A", text="已解决。", by=unit_staff)
    with time_machine.travel(_later(lead_assignment, 30)):
        notice = services.notice_draft(session=session, by=committee_staff)
    assert "逾期4天答复，答复前未与代表沟通" in notice.body
    assert "逾期未答复0件，逾期答复1件，未与代表沟通即答复1件" in notice.body


def test_a_session_without_late_units_says_so(assigned, session, committee_staff):
    notice = services.notice_draft(session=session, by=committee_staff)
    assert "均按期答复" in notice.body and not notice.units.exists()


def test_drafting_costs_the_same_queries_with_more_late_items(
    lead_assignment, session, rep_a, representative_user, committee_staff, unit, unit2
):
    def draft():
        with time_machine.travel(_later(lead_assignment, 10)), CaptureQueriesContext(connection) as queries:
            services.notice_draft(session=session, by=committee_staff)
        return len(queries)

    few = draft()
    for i in range(4):
        _assign(session, rep_a, representative_user, committee_staff, unit if i % 2 else unit2, f"第{i}件建议")
    assert Notice.objects.count() == 1
    assert draft() == few
    assert "县交通运输局" in Notice.objects.order_by("-pk").first().body


# --- publishing ---------------------------------------------------------------------------------


def test_publishing_tells_every_named_unit_in_the_inbox_and_where_configured_by_email_and_sms(
    notice, committee_staff, unit_staff, unit2_staff, settings
):
    settings.RENDA_NOTIFICATIONS = {**settings.RENDA_NOTIFICATIONS, "CHANNELS": ["inbox", "email", "sms"]}
    unit_staff.email, unit_staff.phone = "edu@example.invalid", "13900002222"
    unit_staff.save()
    services.notice_publish(notice=notice, by=committee_staff)
    notice.refresh_from_db()
    assert notice.published_at is not None and notice.published_by == committee_staff
    sent = Notification.objects.filter(rule="proposal.notice")
    assert set(sent.values_list("recipient__username", "channel")) == {
        ("unit_staff", "inbox"),
        ("unit_staff", "email"),
        ("unit_staff", "sms"),
    }  # the assisting unit of the same proposal is not named
    assert sent.first().url == _detail(notice)


def test_without_sms_configured_no_sms_is_queued(notice, committee_staff, unit_staff, settings):
    settings.RENDA_NOTIFICATIONS = {**settings.RENDA_NOTIFICATIONS, "CHANNELS": ["inbox"]}
    unit_staff.phone = "13900002222"
    unit_staff.save()
    services.notice_publish(notice=notice, by=committee_staff)
    assert list(Notification.objects.filter(rule="proposal.notice").values_list("channel", flat=True)) == ["inbox"]


def test_a_notice_is_published_once(published, committee_staff):
    with pytest.raises(ProposalError, match="已经发布"):
        services.notice_publish(notice=published, by=committee_staff)


def test_publishing_in_the_admin_notifies_the_units(login, notice, committee_staff, unit_staff):
    client = login(committee_staff)
    change = reverse("admin:proposals_notice_change", args=[notice.pk])
    page = client.get(change).content.decode()
    assert 'value="publish"' in page and _detail(notice) in page
    data = {"action": "publish", "_selected_action": [notice.pk]}
    client.post(reverse("admin:proposals_notice_changelist"), data)
    assert Notification.objects.filter(rule="proposal.notice", recipient=unit_staff).exists()


def test_staff_make_a_published_notice_public_but_cannot_change_its_text(login, published, committee_staff):
    change = reverse("admin:proposals_notice_change", args=[published.pk])
    login(committee_staff).post(change, {"is_public": "on", "title": "改过的标题"})
    published.refresh_from_db()
    assert published.is_public and published.title != "改过的标题"


# --- who reads it -------------------------------------------------------------------------------


@pytest.fixture
def other_unit_staff(county):
    from apps.core import services as core_services
    from apps.core.models import User

    other = HandlingUnitFactory(region=county, name="县民政局")
    return core_services.user_create(username="other_unit", password=None, role=User.Role.UNIT, handling_unit=other)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("unit", 200), ("other_unit", 404), ("staff_b", 404), ("anonymous", 404)],
)
def test_a_published_notice_opens_for_the_named_units_and_staff(
    login, personas, other_unit_staff, published, persona, expected
):
    user = other_unit_staff if persona == "other_unit" else personas[persona]
    assert login(user).get(_detail(published)).status_code == expected


def test_a_draft_is_a_preview_for_staff_only(login, committee_staff, unit_staff, notice):
    page = login(committee_staff).get(_detail(notice)).content.decode()
    assert "草稿，尚未发布" in page
    assert login(unit_staff).get(_detail(notice)).status_code == 404


def test_a_public_notice_opens_for_everyone(client, published):
    assert client.get(_detail(published)).status_code == 404
    published.is_public = True
    published.save()
    page = client.get(_detail(published))
    assert page.status_code == 200
    content = page.content.decode()
    assert "城步苗族自治县人民代表大会常务委员会" in content and published.title in content
    assert "逾期未答复，已逾期15天" in content


def test_the_printable_page_is_in_the_committees_style_with_a_print_button_and_pdf(login, unit_staff, published):
    content = login(unit_staff).get(_detail(published)).content.decode()
    assert "notice-print.css" in content and "data-print" in content
    assert reverse("proposals:notice_pdf", args=[published.pk]) in content
    assert "县教育局：" in content  # addressed to the units it names


def test_the_pdf_is_the_same_notice(login, unit_staff, published):
    response = login(unit_staff).get(reverse("proposals:notice_pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_is_404_for_units_it_does_not_name(login, other_unit_staff, published):
    response = login(other_unit_staff).get(reverse("proposals:notice_pdf", args=[published.pk]))
    assert response.status_code == 404


# --- the unit's list ----------------------------------------------------------------------------


def test_units_find_their_notices_from_their_home_page(login, unit_staff, other_unit_staff, published, notice):
    client = login(unit_staff)
    assert reverse("proposals:unit_notices") in client.get(reverse("unit_home")).content.decode()
    content = client.get(reverse("proposals:unit_notices")).content.decode()
    assert _detail(published) in content
    other = login(other_unit_staff).get(reverse("proposals:unit_notices")).content.decode()
    assert _detail(published) not in other


def test_the_unit_notice_list_costs_the_same_queries_with_more_notices(
    login, unit_staff, published, session, committee_staff, lead_assignment, django_assert_max_num_queries
):
    client = login(unit_staff)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("proposals:unit_notices"))
    for _i in range(4):
        with time_machine.travel(_later(lead_assignment, 20)):
            extra = services.notice_draft(session=session, by=committee_staff)
        services.notice_publish(notice=extra, by=committee_staff)
    with django_assert_max_num_queries(len(one)):
        content = client.get(reverse("proposals:unit_notices")).content.decode()
    assert content.count("/proposals/notices/") == 5


def test_public_notices_are_listed_on_the_public_proposals_page(client, published):
    assert _detail(published) not in client.get(reverse("proposals:public_list")).content.decode()
    published.is_public = True
    published.save()
    assert _detail(published) in client.get(reverse("proposals:public_list")).content.decode()
