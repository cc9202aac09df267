"""The back office calls the services: every action shows what the rules refuse and changes nothing then."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.proposals import services
from apps.proposals.models import (
    Assignment,
    AssignmentBatch,
    CoSigner,
    Notice,
    Proposal,
    ProposalEvent,
    ReturnRequest,
    Status,
    Supervision,
)
from tests.factories import HandlingUnitFactory, RepresentativeFactory

CHANGELIST = "admin:proposals_proposal_changelist"


def _proposal(session, rep, by, title="关于改善农村道路的建议", *, submit=True, accept=False, committee=None):
    proposal = services.proposal_create(
        lead=rep, session=session, title=title, content="道路破损严重。", category="transport", by=by
    )
    if submit:
        services.proposal_submit(proposal=proposal, by=by)
    if accept:
        services.proposal_accept(proposal=proposal, by=committee)
    proposal.refresh_from_db()
    return proposal


def _act(client, action, objects, url=CHANGELIST, **data):
    return client.post(reverse(url), {"action": action, "_selected_action": [o.pk for o in objects], **data})


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def submitted(draft, representative_user):
    services.proposal_submit(proposal=draft, by=representative_user)
    draft.refresh_from_db()
    return draft


@pytest.fixture
def proposal_b(session, rep_b, committee_staff):
    return _proposal(session, rep_b, committee_staff, "关于茅坪镇饮水工程的建议")


# --- who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("committee", 200), ("staff_a", 200), ("unit", 302), ("representative", 302), ("anonymous", 302)],
)
def test_only_staff_reach_the_proposal_list(login, personas, persona, expected):
    response = login(personas[persona]).get(reverse(CHANGELIST))
    assert response.status_code == expected
    if expected == 302:
        assert reverse("admin:login") in response["Location"]


def test_township_staff_see_only_their_townships_proposals(login, staff_a, submitted, proposal_b):
    client = login(staff_a)
    response = client.get(reverse(CHANGELIST))
    shown = {p.pk for p in response.context["cl"].result_list}
    assert shown == {submitted.pk}
    assert client.get(reverse("admin:proposals_proposal_change", args=[proposal_b.pk])).status_code == 404
    assert client.get(reverse("admin:proposals_proposal_change", args=[submitted.pk])).status_code == 200


def test_township_staff_cannot_act_on_proposals(login, staff_a, submitted):
    client = login(staff_a)
    assert client.get(reverse("admin:proposals_proposal_assign", args=[submitted.pk])).status_code == 403
    _act(client, "accept_proposals", [submitted])
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_out_of_scope_pages_are_404(login, staff_a, proposal_b):
    assert login(staff_a).get(reverse("admin:proposals_proposal_assign", args=[proposal_b.pk])).status_code == 404


def test_the_list_searches_by_number_title_and_lead(login, committee_staff, submitted, proposal_b):
    client = login(committee_staff)

    def found(term, **filters):
        return {p.pk for p in client.get(reverse(CHANGELIST), {"q": term, **filters}).context["cl"].result_list}

    assert found(str(proposal_b.number)) == {proposal_b.pk}
    assert found(f"第{submitted.number}号") == {submitted.pk}
    assert found(str(submitted.number), township=proposal_b.township_id) == set()  # the filter still applies
    assert found("饮水") == {proposal_b.pk}
    assert found("杨秀英") == {submitted.pk}


def test_the_list_costs_the_same_number_of_queries_however_many_proposals(
    login, committee_staff, session, rep_a, rep_b, unit, django_assert_max_num_queries
):
    client = login(committee_staff)
    url = reverse(CHANGELIST)

    def add(n):
        for i in range(n):
            p = _proposal(
                session, rep_a if i % 2 else rep_b, committee_staff, f"建议{i}", accept=True, committee=committee_staff
            )
            services.proposal_assign(proposal=p, units=[(unit, "lead")], by=committee_staff)

    add(2)
    client.get(url)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 10


# --- adding and editing -------------------------------------------------------------------------


def _add_data(session, lead, **extra):
    return {
        "session": session.pk,
        "period": "session",
        "lead": lead.pk,
        "title": "关于建设儒林镇农贸市场的建议",
        "content": "现有市场狭小。",
        "category": "economy",
        "publication": "full",
        "formation": "visit",
        "wants_contact": "on",
        "submit_now": "on",
        **extra,
    }


def test_a_paper_proposal_is_created_and_submitted_through_the_services(
    login, committee_staff, session, rep_a, cosigner_rep
):
    client = login(committee_staff)
    response = client.post(
        reverse("admin:proposals_proposal_add"), _add_data(session, rep_a, cosigners=[cosigner_rep.pk])
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.number, proposal.status, proposal.created_by) == (1, Status.SUBMITTED, committee_staff)
    assert proposal.township == rep_a.township
    assert list(proposal.events.values_list("action", flat=True)) == ["create", "submit"]
    cosigner = proposal.cosigners.get()
    assert cosigner.representative == cosigner_rep and cosigner.confirmed_at is None
    assert response["Location"].endswith(reverse("admin:proposals_proposal_change", args=[proposal.pk])) or (
        response["Location"] == reverse(CHANGELIST)
    )


def test_cosigners_who_signed_on_paper_are_confirmed_by_the_staff_member(
    login, committee_staff, session, rep_a, cosigner_rep
):
    data = _add_data(session, rep_a, cosigners=[cosigner_rep.pk], cosigners_signed="on")
    login(committee_staff).post(reverse("admin:proposals_proposal_add"), data)
    cosigner = CoSigner.objects.get()
    assert cosigner.confirmed_at is not None
    assert (cosigner.answered_via, cosigner.recorded_by) == (CoSigner.Source.PAPER, committee_staff)
    event = ProposalEvent.objects.get(action="cosign_recorded")
    assert event.by == committee_staff


def test_the_add_form_starts_on_the_latest_session_of_the_staff_members_congress(login, committee_staff, session):
    form = login(committee_staff).get(reverse("admin:proposals_proposal_add")).context["adminform"].form
    assert form.initial["session"] == session.pk


def test_a_draft_can_be_saved_without_a_number(login, committee_staff, session, rep_a):
    data = _add_data(session, rep_a)
    del data["submit_now"]
    login(committee_staff).post(reverse("admin:proposals_proposal_add"), data)
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.number) == (Status.DRAFT, None)


def test_a_lead_who_left_office_cannot_propose(login, committee_staff, session, township_a, county_term):
    resigned = RepresentativeFactory(
        name="赵退休", township=township_a, term=county_term, status="resigned", status_changed_on=date(2022, 3, 1)
    )
    response = login(committee_staff).post(reverse("admin:proposals_proposal_add"), _add_data(session, resigned))
    assert response.status_code == 200
    assert "只有在任代表才能提出建议" in response.content.decode()
    assert not Proposal.objects.exists()


def _change_data(response, **changes):
    """The change form as the browser would post it back, with `changes` applied."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{name}": management[name].value() for name in management.fields}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False):
            data[name] = value
    return data | changes


def test_title_and_content_are_editable_only_while_submitted(login, committee_staff, submitted):
    client = login(committee_staff)
    url = reverse("admin:proposals_proposal_change", args=[submitted.pk])
    response = client.post(url, _change_data(client.get(url), title="改正后的标题", category="education"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.title, submitted.status) == ("改正后的标题", Status.SUBMITTED)


def test_workflow_fields_stay_read_only(login, committee_staff, assigned):
    client = login(committee_staff)
    url = reverse("admin:proposals_proposal_change", args=[assigned.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    assert set(form.fields) == {"category", "publication"}
    client.post(url, _change_data(page, title="被改掉", status="closed", is_complex="on", category="other"))
    assigned.refresh_from_db()
    assert (assigned.title, assigned.status, assigned.is_complex, assigned.category) == (
        "关于修缮儒林镇中心小学校舍的建议",
        Status.ASSIGNED,
        False,
        "other",
    )


def test_the_change_page_shows_the_timeline_and_the_buttons_for_the_state(login, committee_staff, accepted):
    response = login(committee_staff).get(reverse("admin:proposals_proposal_change", args=[accepted.pk]))
    content = response.content.decode()
    assert reverse("admin:proposals_proposal_assign", args=[accepted.pk]) in content
    labels = [str(b["label"]) for b in response.context["workflow_buttons"]]
    assert labels == ["交办", "退回", "并案", "列为重点督办"]
    assert "受理" in content and "提交" in content  # the timeline


# --- review actions -----------------------------------------------------------------------------


def test_accepting_submitted_proposals(login, committee_staff, submitted, proposal_b):
    response = _act(login(committee_staff), "accept_proposals", [submitted, proposal_b])
    assert response.status_code == 302
    assert set(Proposal.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
    assert "已受理2件建议" in _messages(response)


def test_a_representatives_draft_is_out_of_reach_of_staff_actions(login, committee_staff, draft, proposal_b):
    # A draft is its author's until submitted: the admin neither lists it nor acts on it.
    response = _act(login(committee_staff), "accept_proposals", [draft, proposal_b])
    assert draft.title not in _messages(response)
    draft.refresh_from_db()
    proposal_b.refresh_from_db()
    assert (draft.status, proposal_b.status) == (Status.DRAFT, Status.ACCEPTED)


def test_accepting_a_returned_proposal_shows_why_and_changes_nothing(login, committee_staff, draft, proposal_b):
    draft.status = Status.RETURNED
    draft.save()
    response = _act(login(committee_staff), "accept_proposals", [draft, proposal_b])
    messages = _messages(response)
    assert "没有任何改动" in messages
    assert draft.title in messages
    draft.refresh_from_db()
    proposal_b.refresh_from_db()
    assert (draft.status, proposal_b.status) == (Status.RETURNED, Status.SUBMITTED)


def test_an_action_from_the_change_page_returns_there(login, committee_staff, submitted):
    response = _act(login(committee_staff), "accept_proposals", [submitted], from_change="1")
    assert response["Location"] == reverse("admin:proposals_proposal_change", args=[submitted.pk])


def test_return_asks_for_the_exclusion_and_a_reason(login, committee_staff, submitted, representative_user):
    client = login(committee_staff)
    page = _act(client, "return_proposals", [submitted])
    assert page.status_code == 200
    assert "退回理由" in page.content.decode()
    blank = _act(client, "return_proposals", [submitted], apply="1", exclusion="personal", reason="")
    assert blank.status_code == 200
    assert blank.context["form"].errors["reason"]
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    done = _act(client, "return_proposals", [submitted], apply="1", exclusion="personal", reason="属于个人具体问题")
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.exclusion, submitted.return_reason) == (
        Status.RETURNED,
        "personal",
        "属于个人具体问题",
    )


def test_return_of_an_assigned_proposal_is_refused(login, committee_staff, assigned):
    response = _act(login(committee_staff), "return_proposals", [assigned], apply="1", exclusion="other", reason="x")
    assert "不能退回" in _messages(response)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED


def test_merge_offers_proposals_of_the_same_session(login, committee_staff, submitted, proposal_b):
    client = login(committee_staff)
    page = _act(client, "merge_proposals", [proposal_b])
    assert list(page.context["form"].fields["into"].queryset) == [submitted]
    _act(client, "merge_proposals", [proposal_b], apply="1", into=submitted.pk)
    proposal_b.refresh_from_db()
    assert (proposal_b.status, proposal_b.merged_into) == (Status.MERGED, submitted)


def test_marking_a_key_proposal_needs_a_leader(login, committee_staff, assigned):
    client = login(committee_staff)
    response = _act(client, "mark_key", [assigned], apply="1", leader="")
    assert response.status_code == 200
    _act(client, "mark_key", [assigned], apply="1", leader="县人大常委会主任")
    assigned.refresh_from_db()
    assert (assigned.is_key, assigned.supervising_leader) == (True, "县人大常委会主任")


def test_recording_supervision(login, committee_staff, assigned):
    data = {
        "method": "visit",
        "supervised_on": timezone.localdate().isoformat(),
        "supervisor": "张主任",
        "notes": "实地查看",
    }
    _act(login(committee_staff), "record_supervision", [assigned], apply="1", **data)
    supervision = Supervision.objects.get()
    assert (supervision.proposal, supervision.method, supervision.recorded_by) == (assigned, "visit", committee_staff)


def test_supervising_a_proposal_not_yet_assigned_is_refused(login, committee_staff, submitted):
    data = {"method": "visit", "supervised_on": timezone.localdate().isoformat(), "supervisor": "张主任", "notes": "x"}
    response = _act(login(committee_staff), "record_supervision", [submitted], apply="1", **data)
    assert "不能督办" in _messages(response)
    assert not Supervision.objects.exists()


# --- assignment of one proposal -----------------------------------------------------------------


def test_the_assign_page_lists_the_active_units(login, committee_staff, accepted, unit, unit2, county):
    HandlingUnitFactory(region=county, name="县已撤销局", is_active=False)
    response = login(committee_staff).get(reverse("admin:proposals_proposal_assign", args=[accepted.pk]))
    assert [u.name for u, _f in response.context["form"].unit_rows()] == sorted(["县教育局", "县交通运输局"])


def test_assigning_with_a_lead_and_an_assisting_unit(login, committee_staff, accepted, unit, unit2):
    url = reverse("admin:proposals_proposal_assign", args=[accepted.pk])
    data = {f"role_{unit.pk}": "lead", f"role_{unit2.pk}": "assist", "is_complex": "on"}
    response = login(committee_staff).post(url, data)
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.status, accepted.is_complex) == (Status.ASSIGNED, True)
    assert dict(accepted.assignments.values_list("unit__name", "role")) == {
        "县教育局": "lead",
        "县交通运输局": "assist",
    }
    lead = accepted.assignments.get(role="lead")
    assert lead.due_on == services.reply_due_on(timezone.localdate(), complex_=True)


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ({}, "至少选择"),
        ({"unit": "assist"}, "主办或分办"),
        ({"unit": "lead", "unit2": "lead"}, "只能有一个主办"),
        ({"unit": "lead", "unit2": "separate"}, "不能同时使用"),
    ],
)
def test_invalid_role_combinations_are_refused(login, committee_staff, accepted, unit, unit2, roles, message):
    units = {"unit": unit, "unit2": unit2}
    data = {f"role_{units[name].pk}": role for name, role in roles.items()}
    response = login(committee_staff).post(reverse("admin:proposals_proposal_assign", args=[accepted.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED
    assert not Assignment.objects.exists()


def test_separate_units_each_answer(login, committee_staff, accepted, unit, unit2):
    data = {f"role_{unit.pk}": "separate", f"role_{unit2.pk}": "separate"}
    login(committee_staff).post(reverse("admin:proposals_proposal_assign", args=[accepted.pk]), data)
    assert sorted(Assignment.objects.values_list("role", flat=True)) == ["separate", "separate"]


def test_a_submitted_proposal_is_not_offered_for_assignment(login, committee_staff, submitted):
    response = login(committee_staff).get(reverse("admin:proposals_proposal_assign", args=[submitted.pk]))
    assert response.status_code == 302
    assert "待交办" in _messages(response)


# --- on-site assignment ---------------------------------------------------------------------


@pytest.fixture
def second(session, rep_b, committee_staff):
    # A title that a spreadsheet would run as a formula.
    return _proposal(
        session, rep_b, committee_staff, "=1+1关于茅坪镇道路的建议", accept=True, committee=committee_staff
    )


def _on_site_data(rows, **meeting):
    data = {"title": "十八届一次会议建议现场交办会", "held_on": "2022-01-20", "place": "县人大常委会会议室", **meeting}
    for proposal, lead, assist, is_complex in rows:
        data[f"p{proposal.pk}-lead"] = lead.pk
        data[f"p{proposal.pk}-assist"] = [u.pk for u in assist]
        if is_complex:
            data[f"p{proposal.pk}-is_complex"] = "on"
    return data


def test_the_on_site_action_takes_only_accepted_proposals(login, committee_staff, second, proposal_b):
    response = _act(login(committee_staff), "assign_on_site", [second, proposal_b])
    assert response.status_code == 302
    assert "不是待交办状态" in _messages(response)


def test_on_site_assignment_assigns_every_proposal_and_prints_the_list(
    login, committee_staff, accepted, second, unit, unit2
):
    client = login(committee_staff)
    start = _act(client, "assign_on_site", [accepted, second])
    page = client.get(start["Location"])
    assert page.status_code == 200
    assert [row.proposal for row in page.context["rows"]] == [accepted, second]
    data = _on_site_data([(accepted, unit, [unit2], False), (second, unit2, [], True)])
    response = client.post(start["Location"], data)
    batch = AssignmentBatch.objects.get()
    assert response["Location"] == reverse("admin:proposals_assignmentbatch_print", args=[batch.pk])
    assert (batch.title, batch.place, batch.created_by) == (
        "十八届一次会议建议现场交办会",
        "县人大常委会会议室",
        committee_staff,
    )
    assert set(Assignment.objects.values_list("proposal__number", "unit__name", "role", "batch")) == {
        (1, "县教育局", "lead", batch.pk),
        (1, "县交通运输局", "assist", batch.pk),
        (2, "县交通运输局", "lead", batch.pk),
    }
    second.refresh_from_db()
    assert second.is_complex and second.status == Status.ASSIGNED

    listing = client.get(response["Location"]).content.decode()
    assert "县教育局（主办）、县交通运输局（协办）" in listing
    assert "=1+1关于茅坪镇道路的建议" in listing and "<script>" not in listing
    assert "css/admin/proposals/assignmentbatch/print.css" in listing


def test_the_assignment_list_exports_to_a_formula_safe_workbook(login, committee_staff, accepted, second, unit, unit2):
    client = login(committee_staff)
    start = _act(client, "assign_on_site", [accepted, second])
    client.post(start["Location"], _on_site_data([(accepted, unit, [], False), (second, unit2, [], False)]))
    batch = AssignmentBatch.objects.get()
    response = client.get(reverse("admin:proposals_assignmentbatch_xlsx", args=[batch.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("建议编号", "建议标题", "领衔代表", "承办单位及办理方式", "答复期限")
    assert rows[1][:4] == (1, "关于修缮儒林镇中心小学校舍的建议", "杨秀英", "县教育局（主办）")
    assert rows[2][1] == "'=1+1关于茅坪镇道路的建议"
    assert all(not str(cell).startswith("=") for row in rows for cell in row if cell is not None)


def test_the_batch_page_links_to_the_list_and_the_workbook(login, committee_staff, accepted, unit, session):
    batch = services.assign_on_site(
        session=session,
        title="交办会",
        held_on=date(2022, 1, 20),
        plan=[(accepted, [(unit, "lead")], False)],
        by=committee_staff,
    )
    client = login(committee_staff)
    content = client.get(reverse("admin:proposals_assignmentbatch_change", args=[batch.pk])).content.decode()
    assert reverse("admin:proposals_assignmentbatch_print", args=[batch.pk]) in content
    assert reverse("admin:proposals_assignmentbatch_xlsx", args=[batch.pk]) in content
    listing = client.get(reverse("admin:proposals_assignmentbatch_changelist")).content.decode()
    assert reverse("admin:proposals_assignmentbatch_print", args=[batch.pk]) in listing


def test_the_assignment_list_needs_view_and_export_permissions(
    login, committee_staff, staff_b, accepted, unit, session
):
    batch = services.assign_on_site(
        session=session,
        title="交办会",
        held_on=date(2022, 1, 20),
        plan=[(accepted, [(unit, "lead")], False)],
        by=committee_staff,
    )
    listing = reverse("admin:proposals_assignmentbatch_print", args=[batch.pk])
    workbook = reverse("admin:proposals_assignmentbatch_xlsx", args=[batch.pk])
    assert login(staff_b).get(listing).status_code == 404  # outside a township's scope
    group = committee_staff.groups.first()
    group.permissions.remove(Permission.objects.get(codename="export_proposal"))
    client = login(committee_staff)
    assert client.get(listing).status_code == 200
    assert client.get(workbook).status_code == 403
    group.permissions.remove(
        *Permission.objects.filter(codename__in=["view_assignmentbatch", "change_assignmentbatch"])
    )
    assert login(committee_staff).get(listing).status_code == 403


def test_on_site_assignment_is_all_or_nothing_and_names_the_refused_proposal(
    login, committee_staff, accepted, second, unit, unit2
):
    client = login(committee_staff)
    start = _act(client, "assign_on_site", [accepted, second])
    # Meanwhile the second proposal is returned: the meeting cannot assign it.
    services.proposal_return(proposal=second, exclusion="other", reason="重复提出", by=committee_staff)
    response = client.post(
        start["Location"], _on_site_data([(accepted, unit, [unit2], False), (second, unit2, [], False)])
    )
    assert response.status_code == 200
    text = _messages(response)
    assert "没有任何改动" in text and second.title in text and "不能交办" in text
    failed = [row for row in response.context["rows"] if row.non_field_errors()]
    assert [row.proposal for row in failed] == [second]
    assert not AssignmentBatch.objects.exists()
    assert not Assignment.objects.exists()
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


def test_a_lead_unit_cannot_also_assist(login, committee_staff, accepted, unit):
    client = login(committee_staff)
    start = _act(client, "assign_on_site", [accepted])
    response = client.post(start["Location"], _on_site_data([(accepted, unit, [unit], False)]))
    assert response.status_code == 200
    assert "主办单位不能同时作为协办单位" in response.content.decode()
    assert not AssignmentBatch.objects.exists()


# --- requests of units ------------------------------------------------------------------------


def test_approving_a_return_request_sends_the_proposal_back_for_assignment(
    login, committee_staff, lead_assignment, unit_staff
):
    request = services.return_request_create(assignment=lead_assignment, reason="不属于本单位职责", by=unit_staff)
    url = "admin:proposals_returnrequest_changelist"
    response = _act(login(committee_staff), "approve", [request], url=url, apply="1", note="同意，重新交办")
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.decided_by, request.decision_note) == (
        "approved",
        committee_staff,
        "同意，重新交办",
    )
    lead_assignment.proposal.refresh_from_db()
    assert lead_assignment.proposal.status == Status.ACCEPTED


def test_a_decided_return_request_cannot_be_decided_again(login, committee_staff, lead_assignment, unit_staff):
    request = services.return_request_create(assignment=lead_assignment, reason="职责不符", by=unit_staff)
    client = login(committee_staff)
    url = "admin:proposals_returnrequest_changelist"
    _act(client, "reject", [request], url=url, apply="1", note="属于本单位职责")
    response = _act(client, "approve", [request], url=url, apply="1")
    assert "已经决定过" in _messages(response)
    request.refresh_from_db()
    assert request.decision == ReturnRequest.Decision.REJECTED


def test_approving_an_extension_moves_the_deadline(login, committee_staff, lead_assignment, unit_staff):
    due = lead_assignment.due_on
    extension = services.extension_request(assignment=lead_assignment, days=30, reason="需协调资金", by=unit_staff)
    page = login(committee_staff).get(reverse("admin:proposals_extension_change", args=[extension.pk]))
    assert [b["action"] for b in page.context["workflow_buttons"]] == ["approve", "reject"]
    _act(login(committee_staff), "approve", [extension], url="admin:proposals_extension_changelist")
    lead_assignment.refresh_from_db()
    assert lead_assignment.due_on == due + timedelta(days=30)


def test_the_assignment_list_flags_overdue_answers(login, committee_staff, lead_assignment):
    url = reverse("admin:proposals_assignment_changelist")
    with time_machine.travel(lead_assignment.due_on + timedelta(days=3)):
        overdue = login(committee_staff).get(url, {"overdue": "yes"}).context["cl"].result_list
    assert [a.pk for a in overdue] == [lead_assignment.pk]
    assert list(login(committee_staff).get(url, {"overdue": "yes"}).context["cl"].result_list) == []


def test_assignments_are_read_only_in_the_admin(login, committee_staff, lead_assignment):
    client = login(committee_staff)
    url = reverse("admin:proposals_assignment_change", args=[lead_assignment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"due_on": "2030-01-01"}).status_code == 403


# --- notices --------------------------------------------------------------------------------


def test_a_notice_is_generated_edited_and_published(login, committee_staff, lead_assignment, session):
    with time_machine.travel(lead_assignment.due_on + timedelta(days=5)):
        # Logged in inside the travel: a session from "months ago" would have expired.
        response = login(committee_staff).post(reverse("admin:proposals_notice_generate"), {"session": session.pk})
    client = login(committee_staff)
    assert client.get(reverse("admin:proposals_notice_add"))["Location"] == reverse("admin:proposals_notice_generate")
    notice = Notice.objects.get()
    assert response["Location"] == reverse("admin:proposals_notice_change", args=[notice.pk])
    assert "县教育局" in notice.body and list(notice.units.values_list("name", flat=True)) == ["县教育局"]

    url = reverse("admin:proposals_notice_change", args=[notice.pk])
    client.post(url, {"title": "关于县教育局逾期答复的通报", "body": notice.body + "\n请限期整改。"})
    notice.refresh_from_db()
    assert notice.title == "关于县教育局逾期答复的通报" and notice.body.endswith("请限期整改。")

    _act(client, "publish", [notice], url="admin:proposals_notice_changelist")
    notice.refresh_from_db()
    assert notice.published_at is not None
    again = _act(client, "publish", [notice], url="admin:proposals_notice_changelist")
    assert "已经发布" in _messages(again)
    # Published, the text is fixed; whether the public may read it can still change.
    assert set(client.get(url).context["adminform"].form.fields) == {"is_public"}
