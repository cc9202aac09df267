"""Routing a concern with a deadline and instructions, moving the deadline, and a unit's request to send
a concern back that staff decide."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.core import services as core_services
from apps.core.models import User
from apps.core.workdays import add_workdays
from apps.liaison import services
from apps.liaison.models import Concern, ConcernEvent, ConcernReturnRequest
from apps.liaison.services import ConcernError
from apps.notifications.models import Notification
from tests.factories import HandlingUnitFactory

Status = Concern.Status
Decision = ConcernReturnRequest.Decision
CHANGELIST = "admin:liaison_concern_changelist"
REQUESTS = "admin:liaison_concernreturnrequest_changelist"


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def accepted(concern_a, staff_a):
    return services.concern_accept(concern=concern_a, by=staff_a)


@pytest.fixture
def routed(accepted, staff_a, unit, unit_staff):
    return services.concern_route(
        concern=accepted, route="unit", unit=unit, instructions="请三日内到现场查看。", by=staff_a
    )


@pytest.fixture
def unit_b_staff(county):
    other = HandlingUnitFactory(region=county, name="县水利局")
    return core_services.user_create(username="unit_b_staff", password=None, role=User.Role.UNIT, handling_unit=other)


def _detail(concern):
    return reverse("liaison:concern_detail", args=[concern.pk])


def _return_url(concern):
    return reverse("liaison:concern_return", args=[concern.pk])


# --- routing with a deadline and instructions ---------------------------------------------------


def test_routing_without_a_date_gives_the_working_days_of_the_settings(routed, settings):
    expected = add_workdays(timezone.localdate(), settings.RENDA_LIAISON["RESOLVE_WORKDAYS"])
    assert routed.resolve_due_on == expected
    assert routed.instructions == "请三日内到现场查看。"


def test_routing_takes_the_deadline_staff_chose_and_tells_the_unit(accepted, staff_a, unit, unit_staff):
    due = timezone.localdate() + timedelta(days=40)
    services.concern_route(concern=accepted, route="unit", unit=unit, due_on=due, by=staff_a)
    accepted.refresh_from_db()
    assert accepted.resolve_due_on == due
    note = Notification.objects.get(rule="concern.routed", recipient=unit_staff)
    assert note.due_on == due


def test_a_deadline_in_the_past_is_refused(accepted, staff_a, unit):
    with pytest.raises(ConcernError, match="不能早于今天"):
        services.concern_route(
            concern=accepted, route="unit", unit=unit, due_on=timezone.localdate() - timedelta(days=1), by=staff_a
        )
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


def test_the_route_form_offers_the_default_deadline_and_takes_instructions(login, staff_a, accepted, unit):
    client = login(staff_a)
    action = {"action": "route_concerns", "_selected_action": [accepted.pk]}
    form = client.post(reverse(CHANGELIST), action).context["form"]
    assert form.fields["due_on"].initial == services.resolve_due_default()
    due = timezone.localdate() + timedelta(days=20)
    data = {**action, "apply": "1", "route": "unit", "unit": unit.pk, "due_on": due.isoformat()}
    client.post(reverse(CHANGELIST), {**data, "instructions": "请联系反映人。"})
    accepted.refresh_from_db()
    assert (accepted.status, accepted.resolve_due_on, accepted.instructions) == (Status.ROUTED, due, "请联系反映人。")


def test_the_unit_sees_the_deadline_and_the_instructions(login, unit_staff, routed):
    page = login(unit_staff).get(_detail(routed)).content.decode()
    assert "请三日内到现场查看。" in page
    assert routed.resolve_due_on.strftime("%Y-%m-%d") in page


def test_citizens_never_see_the_instructions(client, routed):
    page = client.get(reverse("liaison:track"), {"code": routed.tracking_code}).content.decode()
    assert "请三日内到现场查看" not in page


# --- moving the deadline ------------------------------------------------------------------------


def test_staff_move_the_deadline_and_the_history_keeps_both_dates(routed, staff_a, unit_staff):
    old = routed.resolve_due_on
    new = old + timedelta(days=10)
    services.concern_deadline_change(concern=routed, due_on=new, reason="需要协调多个部门", by=staff_a)
    routed.refresh_from_db()
    assert routed.resolve_due_on == new
    event = ConcernEvent.objects.get(concern=routed, action="deadline_change")
    assert event.by == staff_a
    assert old.isoformat() in event.note and new.isoformat() in event.note and "协调" in event.note
    assert Notification.objects.filter(rule="concern.deadline_changed", recipient=unit_staff).exists()


@pytest.mark.parametrize(
    ("days", "reason", "message"), [(5, " ", "原因"), (-1, "推迟", "不能早于今天"), (0, "同一天", "相同")]
)
def test_a_bad_deadline_change_is_refused(routed, staff_a, days, reason, message):
    due = routed.resolve_due_on if days == 0 else timezone.localdate() + timedelta(days=days)
    with pytest.raises(ConcernError, match=message):
        services.concern_deadline_change(concern=routed, due_on=due, reason=reason, by=staff_a)
    assert not ConcernEvent.objects.filter(action="deadline_change").exists()


def test_staff_move_the_deadline_from_the_change_page(login, staff_a, routed):
    client = login(staff_a)
    change = reverse("admin:liaison_concern_change", args=[routed.pk])
    assert 'value="change_deadline"' in client.get(change).content.decode()
    new = routed.resolve_due_on + timedelta(days=7)
    data = {"action": "change_deadline", "_selected_action": [routed.pk], "apply": "1", "from_change": "1"}
    response = client.post(reverse(CHANGELIST), {**data, "due_on": new.isoformat(), "reason": "群众要求延后"})
    assert response.status_code == 302 and response["Location"] == change
    routed.refresh_from_db()
    assert routed.resolve_due_on == new


def test_another_townships_staff_cannot_move_the_deadline(login, staff_b, routed):
    data = {"action": "change_deadline", "_selected_action": [routed.pk], "apply": "1"}
    due = routed.resolve_due_on + timedelta(days=7)
    login(staff_b).post(reverse(CHANGELIST), {**data, "due_on": due.isoformat(), "reason": "x"})
    routed.refresh_from_db()
    assert routed.resolve_due_on != due


# --- a unit sends a concern back ----------------------------------------------------------------


def test_a_unit_asks_to_send_back_and_the_office_is_told(login, unit_staff, staff_a, liaison_a, routed):
    client = login(unit_staff)
    assert _return_url(routed) in client.get(_detail(routed)).content.decode()
    response = client.post(_return_url(routed), {"reason": "属于水利局职责"})
    assert response.status_code == 302
    request = ConcernReturnRequest.objects.get()
    assert (request.unit, request.decision, request.requested_by) == (routed.unit, Decision.PENDING, unit_staff)
    told = set(Notification.objects.filter(rule="concern.return_request").values_list("recipient", flat=True))
    assert {staff_a.pk, liaison_a.pk} <= told
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED  # the unit keeps it until staff decide
    assert _return_url(routed) not in client.get(_detail(routed)).content.decode()  # one pending request


def test_a_request_without_a_reason_is_shown_on_the_form(login, unit_staff, routed):
    response = login(unit_staff).post(_return_url(routed), {"reason": ""})
    assert response.status_code == 400
    assert "请说明申请退回的理由" in response.content.decode()
    assert not ConcernReturnRequest.objects.exists()


def test_only_the_unit_it_was_routed_to_may_ask(login, unit_b_staff, representative_user, routed):
    assert login(unit_b_staff).post(_return_url(routed), {"reason": "x"}).status_code == 404
    assert login(representative_user).post(_return_url(routed), {"reason": "x"}).status_code == 403
    assert not ConcernReturnRequest.objects.exists()


def test_representatives_cannot_send_back_through_the_service(for_rep_concern, representative_user):
    with pytest.raises(ConcernError, match="不是转给本单位"):
        services.concern_return_request(concern=for_rep_concern, reason="不归我管", by=representative_user)


@pytest.fixture
def for_rep_concern(accepted, staff_a, rep_a, representative_user):
    return services.concern_route(concern=accepted, route="representative", representative=rep_a, by=staff_a)


@pytest.fixture
def pending(routed, unit_staff):
    return services.concern_return_request(concern=routed, reason="属于水利局职责", by=unit_staff)


def test_approving_sends_the_concern_back_to_the_office_for_routing(pending, staff_a, unit_staff):
    services.concern_return_decide(request=pending, approve=True, by=staff_a, note="改转水利局")
    concern = Concern.objects.get(pk=pending.concern_id)
    assert (concern.status, concern.unit, concern.route) == (Status.ACCEPTED, None, "")
    assert ConcernEvent.objects.filter(concern=concern, action="return_approved", by=staff_a).exists()
    assert Notification.objects.filter(rule="concern.return_decided", recipient=unit_staff).exists()
    with pytest.raises(ConcernError, match="已经决定过"):
        services.concern_return_decide(request=pending, approve=False, by=staff_a)


def test_refusing_leaves_the_concern_with_the_unit(login, pending, staff_a, unit_staff):
    services.concern_return_decide(request=pending, approve=False, by=staff_a, note="属于本单位职责")
    concern = Concern.objects.get(pk=pending.concern_id)
    assert (concern.status, concern.unit_id) == (Status.ROUTED, pending.unit_id)
    page = login(unit_staff).get(_detail(concern)).content.decode()
    assert "不同意退回" in page and "属于本单位职责" in page


def test_routing_elsewhere_settles_a_pending_request(pending, staff_a, rep_a):
    concern = Concern.objects.get(pk=pending.concern_id)
    services.concern_route(concern=concern, route="representative", representative=rep_a, by=staff_a)
    pending.refresh_from_db()
    assert pending.decision == Decision.APPROVED


def test_staff_decide_in_the_admin(login, staff_a, pending):
    client = login(staff_a)
    assert client.get(reverse(REQUESTS)).status_code == 200
    change = reverse("admin:liaison_concernreturnrequest_change", args=[pending.pk])
    assert 'value="approve"' in client.get(change).content.decode()
    data = {"action": "approve", "_selected_action": [pending.pk], "apply": "1", "note": "改转"}
    response = client.post(reverse(REQUESTS), data)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.decision, pending.decided_by) == (Decision.APPROVED, staff_a)


def test_liaison_staff_of_the_township_may_decide(login, liaison_a, pending):
    data = {"action": "reject", "_selected_action": [pending.pk], "apply": "1", "note": ""}
    login(liaison_a).post(reverse(REQUESTS), data)
    pending.refresh_from_db()
    assert pending.decision == Decision.REJECTED


def test_another_townships_staff_neither_see_nor_decide(login, staff_b, pending):
    client = login(staff_b)
    assert client.get(reverse(REQUESTS)).context["cl"].result_count == 0
    change = reverse("admin:liaison_concernreturnrequest_change", args=[pending.pk])
    assert client.get(change).status_code == 404
    client.post(reverse(REQUESTS), {"action": "approve", "_selected_action": [pending.pk], "apply": "1"})
    pending.refresh_from_db()
    assert pending.decision == Decision.PENDING


def test_units_cannot_open_the_back_office_list(login, unit_staff, pending):
    response = login(unit_staff).get(reverse(REQUESTS))
    assert response.status_code == 302


def test_the_deadline_default_counts_working_days_not_calendar_days(db, settings):
    # 2026-09-30 is the eve of the National Day holiday: 15 working days end well after 15 calendar days.
    start = date(2026, 9, 30)
    assert services.resolve_due_default(start) > start + timedelta(days=15)
