"""Hand-offs that never dead-end: co-signers who answer on paper, and follow-up closed from the admin."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.proposals import services
from apps.proposals.forms import ReplyForm
from apps.proposals.models import CoSigner, ProposalEvent, Reply, Status
from apps.proposals.services import ProposalError
from tests.proposals.steps import rate, reply_after_contact

CHANGELIST = "admin:proposals_proposal_changelist"


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _cosigners_url(proposal):
    return reverse("admin:proposals_proposal_cosigners", args=[proposal.pk])


# --- co-signers on paper ------------------------------------------------------------------------


def test_staff_record_a_confirmation_given_by_phone_and_the_proposal_can_be_accepted(
    joint_submitted, cosigner_rep, committee_staff
):
    with pytest.raises(ProposalError, match="附议代表没有确认"):
        services.proposal_accept(proposal=joint_submitted, by=committee_staff)
    services.cosigner_record(proposal=joint_submitted, representative=cosigner_rep, source="phone", by=committee_staff)
    cosigner = CoSigner.objects.get(proposal=joint_submitted)
    assert cosigner.confirmed_at is not None
    assert (cosigner.answered_via, cosigner.recorded_by) == (CoSigner.Source.PHONE, committee_staff)
    event = ProposalEvent.objects.get(proposal=joint_submitted, action="cosign_recorded")
    assert event.by == committee_staff and "电话" in event.note and cosigner_rep.name in event.note
    services.proposal_accept(proposal=joint_submitted, by=committee_staff)
    joint_submitted.refresh_from_db()
    assert joint_submitted.status == Status.ACCEPTED


def test_staff_cannot_claim_a_portal_confirmation_or_answer_twice(joint_submitted, cosigner_rep, committee_staff):
    with pytest.raises(ProposalError, match="确认附议的方式"):
        services.cosigner_record(
            proposal=joint_submitted, representative=cosigner_rep, source="portal", by=committee_staff
        )
    services.cosign_respond(proposal=joint_submitted, representative=cosigner_rep, agree=False, by=cosigner_rep.user)
    with pytest.raises(ProposalError, match="已经答复"):
        services.cosigner_record(
            proposal=joint_submitted, representative=cosigner_rep, source="paper", by=committee_staff
        )
    assert not ProposalEvent.objects.filter(action="cosign_recorded").exists()


def test_a_cosigner_who_declines_is_removed_with_the_reason_in_the_timeline(
    joint_submitted, cosigner_rep, committee_staff
):
    with pytest.raises(ProposalError, match="原因"):
        services.cosigner_remove(proposal=joint_submitted, representative=cosigner_rep, reason=" ", by=committee_staff)
    assert joint_submitted.cosigners.exists()
    services.cosigner_remove(
        proposal=joint_submitted,
        representative=cosigner_rep,
        reason="本人电话表示不附议",
        source="phone",
        by=committee_staff,
    )
    assert not joint_submitted.cosigners.exists()
    event = ProposalEvent.objects.get(proposal=joint_submitted, action="cosign_removed")
    assert "本人电话表示不附议" in event.note and cosigner_rep.name in event.note
    services.proposal_accept(proposal=joint_submitted, by=committee_staff)


def test_cosigners_cannot_be_changed_once_the_proposal_is_accepted(joint_submitted, cosigner_rep, committee_staff):
    services.cosigner_record(proposal=joint_submitted, representative=cosigner_rep, source="paper", by=committee_staff)
    services.proposal_accept(proposal=joint_submitted, by=committee_staff)
    with pytest.raises(ProposalError, match="不能移除附议代表"):
        services.cosigner_remove(
            proposal=joint_submitted, representative=cosigner_rep, reason="不附议", by=committee_staff
        )


def test_the_change_page_offers_the_cosigner_page_while_someone_has_not_confirmed(
    login, joint_submitted, cosigner_rep, committee_staff
):
    client = login(committee_staff)
    change = reverse("admin:proposals_proposal_change", args=[joint_submitted.pk])
    assert _cosigners_url(joint_submitted) in client.get(change).content.decode()
    services.cosigner_record(proposal=joint_submitted, representative=cosigner_rep, source="paper", by=committee_staff)
    assert _cosigners_url(joint_submitted) not in client.get(change).content.decode()


def test_staff_confirm_on_the_cosigner_page(login, joint_submitted, cosigner_rep, committee_staff):
    client = login(committee_staff)
    cosigner = joint_submitted.cosigners.get()
    assert client.get(_cosigners_url(joint_submitted)).status_code == 200
    data = {"cosigner": cosigner.pk, "decision": "confirm", "source": "in_person", "note": "人代会期间当面确认"}
    response = client.post(_cosigners_url(joint_submitted), data)
    assert response.status_code == 302
    cosigner.refresh_from_db()
    assert cosigner.answered_via == CoSigner.Source.IN_PERSON and cosigner.confirmed_at is not None
    assert "已登记" in _messages(response)


def test_removing_on_the_cosigner_page_needs_a_reason(login, joint_submitted, committee_staff):
    client = login(committee_staff)
    data = {"cosigner": joint_submitted.cosigners.get().pk, "decision": "remove", "source": "phone", "note": ""}
    response = client.post(_cosigners_url(joint_submitted), data)
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert joint_submitted.cosigners.exists()
    data["note"] = "电话联系，本人不同意附议"
    assert client.post(_cosigners_url(joint_submitted), data).status_code == 302
    assert not joint_submitted.cosigners.exists()


def test_a_refusal_of_the_service_is_shown_on_the_cosigner_form(login, joint_submitted, cosigner_rep, committee_staff):
    cosigner = joint_submitted.cosigners.get()
    services.cosign_respond(proposal=joint_submitted, representative=cosigner_rep, agree=False, by=cosigner_rep.user)
    data = {"cosigner": cosigner.pk, "decision": "confirm", "source": "paper"}
    response = login(committee_staff).post(_cosigners_url(joint_submitted), data)
    assert response.status_code == 200
    assert "已经答复过" in " ".join(response.context["form"].non_field_errors())


@pytest.mark.parametrize(
    ("persona", "expected"), [("committee", 200), ("staff_b", 404), ("staff_a", 403), ("unit", 302)]
)
def test_the_cosigner_page_is_for_staff_who_may_change_the_proposal(
    login, personas, joint_submitted, persona, expected
):
    response = login(personas[persona]).get(_cosigners_url(joint_submitted))
    assert response.status_code == expected


# --- closing a proposal in follow-up ------------------------------------------------------------


@pytest.fixture
def in_follow_up(lead_assignment, unit_staff, rep_a, representative_user):
    reply_after_contact(lead_assignment, unit_staff, outcome="B")
    proposal = lead_assignment.proposal
    rate(proposal, rep_a, representative_user, result="basic")
    proposal.refresh_from_db()
    assert proposal.status == Status.FOLLOW_UP
    return proposal


def test_the_change_page_of_a_proposal_in_follow_up_offers_closing(login, in_follow_up, committee_staff):
    change = reverse("admin:proposals_proposal_change", args=[in_follow_up.pk])
    page = login(committee_staff).get(change).content.decode()
    assert 'value="close_follow_up"' in page


def test_staff_close_a_proposal_in_follow_up_from_the_admin(login, in_follow_up, committee_staff):
    client = login(committee_staff)
    action = {"action": "close_follow_up", "_selected_action": [in_follow_up.pk], "from_change": "1"}
    form_page = client.post(reverse(CHANGELIST), action)
    assert form_page.status_code == 200 and "落实情况" in form_page.content.decode()
    response = client.post(reverse(CHANGELIST), {**action, "apply": "1", "note": "道路已于十月完工。"})
    assert response.status_code == 302
    in_follow_up.refresh_from_db()
    assert (in_follow_up.status, in_follow_up.carried_over) == (Status.CLOSED, False)
    event = ProposalEvent.objects.filter(proposal=in_follow_up).last()
    assert (event.action, event.note, event.by) == ("close", "道路已于十月完工。", committee_staff)


def test_closing_follow_up_can_carry_the_proposal_over(login, in_follow_up, committee_staff):
    action = {"action": "close_follow_up", "_selected_action": [in_follow_up.pk], "apply": "1"}
    login(committee_staff).post(reverse(CHANGELIST), {**action, "note": "年底未完工", "carried_over": "on"})
    in_follow_up.refresh_from_db()
    assert (in_follow_up.status, in_follow_up.carried_over) == (Status.CLOSED, True)


def test_closing_a_proposal_not_in_follow_up_changes_nothing(login, lead_assignment, committee_staff):
    proposal = lead_assignment.proposal
    action = {"action": "close_follow_up", "_selected_action": [proposal.pk], "apply": "1", "note": "完成"}
    response = login(committee_staff).post(reverse(CHANGELIST), action)
    assert "不能跟踪办结" in _messages(response)
    proposal.refresh_from_db()
    assert proposal.status == Status.ASSIGNED


# --- the unit's reply form: errors at the top, the letter kept ----------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _letter(name="盖章答复函.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _reply_url(assignment):
    return reverse("proposals:unit_reply", args=[assignment.pk])


def test_a_refused_reply_says_so_at_the_top_and_links_to_the_form(login, unit_staff, lead_assignment):
    # No contact record yet: the service refuses the reply.
    data = {"reply-outcome": "A", "reply-text": "已完成维修。", "reply-letter": _letter()}
    response = login(unit_staff).post(_reply_url(lead_assignment), data)
    assert response.status_code == 400
    page = response.content.decode()
    summary = page.index('id="form-errors"')
    assert summary < page.index('id="reply-form"')  # above the form, near the top of the page
    assert summary < page.index('id="proposal-h"')
    assert "“答复”没有提交成功" in page and "答复前须先与代表沟通" in page[summary:]
    assert 'href="#reply-form"' in page
    # Each form posts to its page's summary, so a refused submission lands on it.
    assert f'action="{_reply_url(lead_assignment)}#form-errors"' in page


def test_the_letter_of_a_refused_reply_is_kept_for_the_next_try(login, unit_staff, lead_assignment, media):
    client = login(unit_staff)
    data = {"reply-outcome": "A", "reply-text": "", "reply-letter": _letter()}
    response = client.post(_reply_url(lead_assignment), data)
    assert response.status_code == 400
    form = response.context["forms"]["reply"]
    assert form.errors["text"] and form.kept_name == "盖章答复函.pdf"
    assert "已保留您选择的答复函“盖章答复函.pdf”" in response.content.decode()
    token = form["kept_letter"].value()
    assert token and f'value="{token}"' in response.content.decode()
    services.contact_record_add(
        assignment=lead_assignment, kind="visit", contacted_on=timezone.localdate(), summary="走访", by=unit_staff
    )
    again = {"reply-outcome": "A", "reply-text": "已完成维修。", "reply-kept_letter": token}
    assert client.post(_reply_url(lead_assignment), again).status_code == 302
    reply = Reply.objects.get()
    assert reply.letter.name.endswith(".pdf")
    with reply.letter.open("rb") as stored:
        assert stored.read() == PDF


def test_a_kept_letter_belongs_to_its_assignment(login, unit_staff, lead_assignment):
    client = login(unit_staff)
    data = {"reply-outcome": "A", "reply-text": "", "reply-letter": _letter()}
    token = client.post(_reply_url(lead_assignment), data).context["forms"]["reply"]["kept_letter"].value()
    other = lead_assignment.proposal.assignments.exclude(pk=lead_assignment.pk).get()
    data = {"reply-outcome": "A", "reply-text": "x", "reply-kept_letter": token}
    form = ReplyForm(data, prefix="reply", assignment=other)
    assert not form.is_valid() and form.errors["letter"]


class _DownCache:
    """A cache that keeps nothing, as with Redis down (ForgivingRedisCache answers like this)."""

    def add(self, *args, **kwargs):
        return False

    def get(self, *args, **kwargs):
        return None


def test_a_letter_that_cannot_be_kept_must_be_chosen_again_and_the_page_says_so(
    login, unit_staff, lead_assignment, monkeypatch
):
    monkeypatch.setattr("apps.proposals.forms.cache", _DownCache())
    data = {"reply-outcome": "A", "reply-text": "", "reply-letter": _letter()}
    response = login(unit_staff).post(_reply_url(lead_assignment), data)
    assert "请在表单中重新选择答复函文件" in response.content.decode()
    form = response.context["forms"]["reply"]
    assert form.kept_name == "" and not form["kept_letter"].value()
    assert form["outcome"].value() == "A"  # the other input is kept


def test_the_lead_sees_that_staff_recorded_a_cosigners_paper_confirmation(
    login, joint_submitted, cosigner_rep, committee_staff, representative_user
):
    services.cosigner_record(proposal=joint_submitted, representative=cosigner_rep, source="paper", by=committee_staff)
    page = login(representative_user).get(reverse("proposals:mine_detail", args=[joint_submitted.pk])).content.decode()
    assert "纸质签名，工作人员登记" in page
    assert "工作人员登记附议确认" in page  # in the timeline
