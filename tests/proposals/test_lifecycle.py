"""Every transition of a proposal, and every invalid one: a clear error and nothing changed."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications.models import Notification
from apps.proposals import services
from apps.proposals.models import Assignment, Proposal, ProposalEvent, Status
from apps.proposals.services import ProposalError
from tests.proposals.steps import rate, reply_after_contact


def _statuses(proposal):
    return list(ProposalEvent.objects.filter(proposal=proposal).values_list("action", "to_status"))


def test_submission_numbers_proposals_per_session(draft, session, rep_a, representative_user):
    other = services.proposal_create(
        lead=rep_a, session=session, title="第二件", content="内容", category="other", by=representative_user
    )
    services.proposal_submit(proposal=draft, by=representative_user)
    services.proposal_submit(proposal=other, by=representative_user)
    draft.refresh_from_db()
    other.refresh_from_db()
    assert (draft.number, other.number) == (1, 2)
    assert draft.status == Status.SUBMITTED


def test_a_joint_proposal_waits_for_every_cosigner(joint_submitted, cosigner_rep, committee_staff):
    proposal = joint_submitted
    request = Notification.objects.get(rule="proposal.cosign_request")
    assert request.recipient == cosigner_rep.user
    with pytest.raises(ProposalError, match="附议代表没有确认"):
        services.proposal_accept(proposal=proposal, by=committee_staff)
    services.cosign_respond(proposal=proposal, representative=cosigner_rep, agree=True, by=cosigner_rep.user)
    with pytest.raises(ProposalError, match="已经答复过"):
        services.cosign_respond(proposal=proposal, representative=cosigner_rep, agree=True, by=cosigner_rep.user)
    assert services.proposal_accept(proposal=proposal, by=committee_staff).status == Status.ACCEPTED


def test_return_needs_an_exclusion_and_a_reason(draft, representative_user, committee_staff):
    services.proposal_submit(proposal=draft, by=representative_user)
    with pytest.raises(ProposalError, match="理由"):
        services.proposal_return(proposal=draft, exclusion="personal", reason=" ", by=committee_staff)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    services.proposal_return(proposal=draft, exclusion="personal", reason="属于个人具体问题", by=committee_staff)
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED
    assert Notification.objects.filter(rule="proposal.returned", recipient=representative_user).exists()


def test_merge_into_another_proposal_of_the_session(accepted, session, rep_a, representative_user, committee_staff):
    other = services.proposal_create(
        lead=rep_a, session=session, title="同类建议", content="内容", category="education", by=representative_user
    )
    services.proposal_submit(proposal=other, by=representative_user)
    with pytest.raises(ProposalError):
        services.proposal_merge(proposal=other, into=other, by=committee_staff)
    services.proposal_merge(proposal=other, into=accepted, by=committee_staff)
    other.refresh_from_db()
    assert (other.status, other.merged_into) == (Status.MERGED, accepted)


def test_withdrawing_a_joint_proposal_needs_every_cosigner(joint_submitted, rep_a, cosigner_rep, representative_user):
    proposal = joint_submitted
    services.cosign_respond(proposal=proposal, representative=cosigner_rep, agree=True, by=cosigner_rep.user)
    with pytest.raises(ProposalError, match="刘建国"):
        services.proposal_withdraw(proposal=proposal, representative=rep_a, by=representative_user)
    services.proposal_withdraw(proposal=proposal, representative=cosigner_rep, by=cosigner_rep.user)
    services.proposal_withdraw(proposal=proposal, representative=rep_a, by=representative_user)
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN


def test_assignment_sets_deadlines_and_tells_the_units(assigned, unit_staff, unit2_staff):
    lead = assigned.assignments.get(role="lead")
    assist = assigned.assignments.get(role="assist")
    today = timezone.localdate()
    assert lead.due_on == services.reply_due_on(today, complex_=False)
    assert assist.opinion_due_on == today + timedelta(days=30)
    assert assigned.status == Status.ASSIGNED
    recipients = set(Notification.objects.filter(rule="proposal.assigned").values_list("recipient", flat=True))
    assert recipients == {unit_staff.pk, unit2_staff.pk}


def test_complex_proposals_get_six_months():
    assert services.reply_due_on(date(2022, 1, 10), complex_=True) == date(2022, 7, 10)
    assert services.reply_due_on(date(2022, 1, 10), complex_=False) == date(2022, 4, 10)


@pytest.mark.parametrize(
    ("units", "message"),
    [
        ([], "至少选择"),
        ([("unit", "assist")], "主办或分办"),
        ([("unit", "lead"), ("unit2", "lead")], "只能有一个主办"),
        ([("unit", "lead"), ("unit2", "separate")], "不能同时使用"),
        ([("unit", "lead"), ("unit", "assist")], "重复"),
    ],
)
def test_invalid_assignments_are_refused_and_nothing_is_written(accepted, unit, unit2, committee_staff, units, message):
    by_name = {"unit": unit, "unit2": unit2}
    with pytest.raises(ProposalError, match=message):
        services.proposal_assign(proposal=accepted, units=[(by_name[u], r) for u, r in units], by=committee_staff)
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED
    assert not Assignment.objects.exists()


def test_a_draft_cannot_be_assigned(draft, unit, committee_staff):
    with pytest.raises(ProposalError, match="草稿"):
        services.proposal_assign(proposal=draft, units=[(unit, "lead")], by=committee_staff)


def test_on_site_assignment_is_all_or_nothing(accepted, draft, unit, committee_staff, session):
    from apps.proposals.models import AssignmentBatch

    with pytest.raises(ProposalError) as refused:
        services.assign_on_site(
            session=session,
            title="现场交办会",
            held_on=date(2022, 1, 20),
            by=committee_staff,
            plan=[(accepted, [(unit, "lead")], False), (draft, [(unit, "lead")], False)],
        )
    assert set(refused.value.message_dict) == {str(draft.pk)}
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED
    assert not Assignment.objects.exists()
    assert not AssignmentBatch.objects.exists()


def test_on_site_assignment_sets_each_proposals_complexity(
    accepted, rep_a, unit, committee_staff, session, representative_user
):
    other = services.proposal_create(
        lead=rep_a, session=session, title="第二件", content="内容", category="other", by=representative_user
    )
    services.proposal_submit(proposal=other, by=representative_user)
    services.proposal_accept(proposal=other, by=committee_staff)
    batch = services.assign_on_site(
        session=session,
        title="现场交办会",
        held_on=date(2022, 1, 20),
        by=committee_staff,
        plan=[(accepted, [(unit, "lead")], False), (other, [(unit, "lead")], True)],
    )
    due = {a.proposal_id: a.due_on for a in batch.assignments.all()}
    today = timezone.localdate()
    assert due == {
        accepted.pk: services.reply_due_on(today, complex_=False),
        other.pk: services.reply_due_on(today, complex_=True),
    }


def test_the_return_window_counts_working_days_across_national_day(accepted, unit, committee_staff, unit_staff):
    # Assigned on 29 Sep 2022: 1-7 Oct are holidays, 8-9 Oct (a weekend) are working days.
    with time_machine.travel(timezone.make_aware(timezone.datetime(2022, 9, 29, 10)), tick=False):
        lead = services.proposal_assign(proposal=accepted, units=[(unit, "lead")], by=committee_staff)[0]
    with time_machine.travel(timezone.make_aware(timezone.datetime(2022, 10, 13, 10)), tick=False):
        request = services.return_request_create(assignment=lead, reason="不属于本单位职责", by=unit_staff)
    assert request.decision == "pending"
    with time_machine.travel(timezone.make_aware(timezone.datetime(2022, 10, 14, 10)), tick=False):
        request.delete()
        with pytest.raises(ProposalError, match="7个工作日"):
            services.return_request_create(assignment=lead, reason="不属于本单位职责", by=unit_staff)


def test_an_approved_return_of_the_only_lead_sends_it_back_to_staff(lead_assignment, unit_staff, committee_staff):
    request = services.return_request_create(assignment=lead_assignment, reason="职责不符", by=unit_staff)
    services.return_request_decide(request=request, approve=True, by=committee_staff)
    lead_assignment.proposal.refresh_from_db()
    assert lead_assignment.proposal.status == Status.ACCEPTED
    with pytest.raises(ProposalError, match="已经决定"):
        services.return_request_decide(request=request, approve=False, by=committee_staff)


def test_no_reply_without_a_contact_record(lead_assignment, unit_staff):
    with pytest.raises(ProposalError, match="沟通"):
        services.reply_submit(assignment=lead_assignment, outcome="A", text="已解决", by=unit_staff)
    assert not lead_assignment.replies.exists()


def test_assisting_units_send_opinions_not_replies(assigned, unit2, unit2_staff, unit_staff):
    assist = assigned.assignments.get(unit=unit2)
    with pytest.raises(ProposalError, match="协办单位不直接答复"):
        services.reply_submit(assignment=assist, outcome="A", text="x", by=unit2_staff)
    services.assist_opinion_send(assignment=assist, text="同意主办单位方案", by=unit2_staff)
    assert Notification.objects.filter(rule="proposal.assist_opinion", recipient=unit_staff).exists()


def test_reply_reaches_every_signer_and_satisfied_feedback_closes(
    lead_assignment, unit_staff, rep_a, representative_user
):
    reply = reply_after_contact(lead_assignment, unit_staff)
    assert reply.on_time
    proposal = lead_assignment.proposal
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLIED
    assert Notification.objects.filter(rule="proposal.replied", recipient=representative_user).exists()
    rate(proposal, rep_a, representative_user, result="satisfied")
    proposal.refresh_from_db()
    assert proposal.status == Status.CLOSED
    assert [a for a, _s in _statuses(proposal)][-3:] == ["contact", "reply", "close"]


def test_dissatisfied_feedback_needs_reasons_and_starts_a_new_round(
    lead_assignment, unit_staff, rep_a, representative_user
):
    reply_after_contact(lead_assignment, unit_staff)
    proposal = lead_assignment.proposal
    with pytest.raises(ProposalError, match="理由"):
        rate(proposal, rep_a, representative_user, result="dissatisfied")
    rate(proposal, rep_a, representative_user, result="dissatisfied", reasons="资金没有落实")
    proposal.refresh_from_db()
    lead_assignment.refresh_from_db()
    assert (proposal.status, proposal.round) == (Status.REHANDLING, 2)
    assert lead_assignment.due_on == timezone.localdate() + timedelta(days=30)
    reply = services.reply_submit(assignment=lead_assignment, outcome="B", text="已列入明年计划", by=unit_staff)
    assert reply.round == 2
    rate(proposal, rep_a, representative_user, result="basic")
    proposal.refresh_from_db()
    assert proposal.status == Status.FOLLOW_UP
    services.follow_up_close(proposal=proposal, by=unit_staff, note="结转明年办理", carried_over=True)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.carried_over) == (Status.CLOSED, True)


def test_only_the_lead_representative_rates(lead_assignment, unit_staff, cosigner_rep):
    reply_after_contact(lead_assignment, unit_staff)
    with pytest.raises(ProposalError, match="领衔代表"):
        rate(lead_assignment.proposal, cosigner_rep, cosigner_rep.user, result="satisfied")


def test_an_extension_moves_the_deadline_once_approved(lead_assignment, unit_staff, committee_staff):
    due = lead_assignment.due_on
    with pytest.raises(ProposalError, match="1到90"):
        services.extension_request(assignment=lead_assignment, days=200, reason="x", by=unit_staff)
    ext = services.extension_request(assignment=lead_assignment, days=30, reason="需协调省级资金", by=unit_staff)
    services.extension_decide(extension=ext, approve=True, by=committee_staff)
    lead_assignment.refresh_from_db()
    assert lead_assignment.due_on == due + timedelta(days=30)
    ext.refresh_from_db()
    assert ext.approver == committee_staff


def test_a_late_reply_is_marked_late(lead_assignment, unit_staff):
    with time_machine.travel(lead_assignment.due_on + timedelta(days=2)):
        reply = reply_after_contact(lead_assignment, unit_staff)
    assert not reply.on_time


def test_supervision_and_key_marking(assigned, committee_staff):
    services.supervision_record(
        proposal=assigned,
        method="visit",
        supervised_on=timezone.localdate(),
        supervisor="张主任",
        notes="实地查看",
        by=committee_staff,
    )
    with pytest.raises(ProposalError, match="督办领导"):
        services.proposal_mark_key(proposal=assigned, leader="", by=committee_staff)
    services.proposal_mark_key(proposal=assigned, leader="县人大常委会主任", by=committee_staff)
    assigned.refresh_from_db()
    assert assigned.is_key and assigned.supervisions.count() == 1


def test_a_notice_names_overdue_units(lead_assignment, session, committee_staff):
    with time_machine.travel(lead_assignment.due_on + timedelta(days=5)):
        notice = services.notice_draft(session=session, by=committee_staff)
    assert "县教育局" in notice.body and "逾期未答复1件" in notice.body
    services.notice_publish(notice=notice, by=committee_staff)
    with pytest.raises(ProposalError):
        services.notice_publish(notice=notice, by=committee_staff)


def test_a_returned_proposal_is_edited_and_submitted_again(draft, representative_user, committee_staff, cosigner_rep):
    services.proposal_submit(proposal=draft, by=representative_user)
    services.proposal_return(proposal=draft, exclusion="no_content", reason="内容不具体", by=committee_staff)
    services.proposal_update(
        proposal=draft, by=representative_user, cosigners=[cosigner_rep], content="校舍屋顶漏雨，需维修资金50万元。"
    )
    services.proposal_submit(proposal=draft, by=representative_user)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Status.SUBMITTED, 1)  # keeps its number
    assert list(draft.cosigners.values_list("representative", flat=True)) == [cosigner_rep.pk]


def test_a_submitted_proposal_cannot_be_edited(draft, representative_user):
    services.proposal_submit(proposal=draft, by=representative_user)
    with pytest.raises(ProposalError, match="不能修改"):
        services.proposal_update(proposal=draft, by=representative_user, title="新标题")
    draft.refresh_from_db()
    assert draft.title != "新标题"


def test_signers_must_be_serving_representatives_of_the_sessions_term(session, rep_a, representative_user, township_a):
    from tests.factories import RepresentativeFactory, TermFactory

    township_rep = RepresentativeFactory(
        name="乡镇代表", township=township_a, level="township", term=TermFactory(region=township_a)
    )
    with pytest.raises(ProposalError, match="乡镇代表"):
        services.proposal_create(
            lead=rep_a,
            session=session,
            title="t",
            content="c",
            category="other",
            by=representative_user,
            cosigners=[township_rep],
        )
    assert not Proposal.objects.exists()
