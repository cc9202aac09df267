"""The proposal portals: handling units, representatives and the public, through their views."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.proposals import services
from apps.proposals.models import (
    AssistOpinion,
    ContactRecord,
    CoSigner,
    Extension,
    Feedback,
    Proposal,
    Reply,
    ReturnRequest,
    Status,
)
from tests.factories import RepresentativeFactory, SessionFactory
from tests.images import PNG
from tests.proposals.steps import proposal_assigned

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

UNIT_ACTIONS = ["unit_plan", "unit_contact", "unit_opinion", "unit_reply", "unit_extension", "unit_return"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url(name, *args):
    return reverse(f"proposals:{name}", args=args)


def letter(content=PDF, name="答复函.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def contact(assignment, user):
    return services.contact_record_add(
        assignment=assignment, kind="visit", contacted_on=timezone.localdate(), summary="上门走访代表", by=user
    )


def replied(assignment, user):
    contact(assignment, user)
    return services.reply_submit(
        assignment=assignment, outcome="A", text="已拨付资金维修校舍。", letter=letter(), by=user
    )


@pytest.fixture
def assist_assignment(assigned, unit2):
    return assigned.assignments.get(unit=unit2)


def make_assigned(n, *, session, lead, lead_user, committee, unit, **fields):
    for i in range(n):
        units = [(unit, "lead")]
        proposal_assigned(
            session=session, lead=lead, lead_user=lead_user, by=committee, units=units, title=f"建议{i}", **fields
        )


# --- who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["unit_list", "mine", "new", "public_list"])
def test_portal_lists_need_login_except_the_public_one(client, db, name):
    response = client.get(url(name))
    if name == "public_list":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert reverse("login") in response.url


def test_anonymous_visitors_are_sent_to_login_from_detail_pages_and_forms(client, lead_assignment):
    proposal = lead_assignment.proposal
    targets = [("get", url("unit_detail", lead_assignment.pk)), ("get", url("mine_detail", proposal.pk))]
    targets += [("post", url(action, lead_assignment.pk)) for action in UNIT_ACTIONS]
    targets += [("post", url("mine_feedback", proposal.pk))]
    for method, target in targets:
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert reverse("login") in response.url


@pytest.mark.parametrize("persona", ["representative", "committee", "staff_a"])
def test_unit_pages_are_403_for_everyone_but_unit_staff(login, personas, lead_assignment, persona):
    client = login(personas[persona])
    assert client.get(url("unit_list")).status_code == 403
    assert client.get(url("unit_detail", lead_assignment.pk)).status_code == 403
    response = client.post(url("unit_plan", lead_assignment.pk), {"plan-plan": "x"})
    assert response.status_code == 403
    lead_assignment.refresh_from_db()
    assert lead_assignment.handling_plan == ""


@pytest.mark.parametrize("persona", ["unit", "committee", "staff_a"])
def test_representative_pages_are_403_for_accounts_without_a_representative(login, personas, draft, persona):
    client = login(personas[persona])
    for target in [url("mine"), url("new"), url("mine_detail", draft.pk)]:
        assert client.get(target).status_code == 403, target
    assert client.post(url("mine_submit", draft.pk)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_another_units_assignment_is_404_on_the_detail_and_every_form(login, unit_staff, assist_assignment):
    client = login(unit_staff)  # assist_assignment belongs to unit2
    assert client.get(url("unit_detail", assist_assignment.pk)).status_code == 404
    for action in UNIT_ACTIONS:
        assert client.post(url(action, assist_assignment.pk), {}).status_code == 404, action
    assert not AssistOpinion.objects.exists()
    assert not ContactRecord.objects.exists()


def test_a_representative_cannot_open_or_act_on_anothers_proposal(login, rep_b_user, draft):
    client = login(rep_b_user)
    assert client.get(url("mine_detail", draft.pk)).status_code == 404
    for action in ["mine_submit", "mine_cosign", "mine_withdraw", "mine_feedback"]:
        assert client.post(url(action, draft.pk), {"agree": "yes"}).status_code == 404, action
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_cosigner_may_read_but_not_submit_or_rate(login, joint_draft, cosigner_rep):
    client = login(cosigner_rep.user)
    assert client.get(url("mine_detail", joint_draft.pk)).status_code == 200
    assert client.post(url("mine_submit", joint_draft.pk)).status_code == 403
    assert client.post(url("mine_feedback", joint_draft.pk), {}).status_code == 403
    joint_draft.refresh_from_db()
    assert joint_draft.status == Status.DRAFT


def test_unit_staff_land_on_their_unit_home_which_links_their_proposal_list(login, unit_staff, lead_assignment):
    client = login(unit_staff)
    assert client.get(reverse("landing")).url == reverse("unit_home")
    text = client.get(reverse("unit_home")).text
    assert "县教育局" in text and url("unit_list") in text


# --- handling-unit list ---------------------------------------------------------------------------


def test_the_unit_list_shows_its_assignments_with_role_deadline_and_badges(login, unit_staff, lead_assignment):
    response = login(unit_staff).get(url("unit_list"))
    assert response.status_code == 200
    text = response.text
    assert "关于修缮儒林镇中心小学校舍的建议" in text
    assert "杨秀英" in text and "主办" in text and "未沟通" in text
    assert lead_assignment.due_on.isoformat() in text
    assert "已逾期" not in text


def test_the_unit_list_marks_overdue_assignments(login, unit_staff, lead_assignment):
    with time_machine.travel(lead_assignment.due_on + timedelta(days=1)):
        text = login(unit_staff).get(url("unit_list")).text
    assert "已逾期" in text


def test_the_unit_list_filters_by_handling_status(login, unit_staff, lead_assignment):
    replied(lead_assignment, unit_staff)
    client = login(unit_staff)
    title = "关于修缮儒林镇中心小学校舍的建议"
    assert title not in client.get(url("unit_list")).text  # default: still to handle
    replied_page = client.get(url("unit_list"), {"status": "replied"}).text
    assert title in replied_page and "已沟通" in replied_page and "已答复" in replied_page
    assert title in client.get(url("unit_list"), {"status": "all"}).text


def test_the_unit_list_costs_the_same_queries_with_more_proposals(
    login, unit_staff, session, rep_a, representative_user, committee_staff, unit, django_assert_max_num_queries
):
    client = login(unit_staff)
    grow = {"session": session, "lead": rep_a, "lead_user": representative_user, "committee": committee_staff}
    make_assigned(3, unit=unit, **grow)
    # session, user, count, page of rows, the unit's name
    with django_assert_max_num_queries(5) as small:
        assert client.get(url("unit_list"), {"status": "all"}).status_code == 200
    make_assigned(12, unit=unit, **grow)
    with django_assert_max_num_queries(5) as large:
        response = client.get(url("unit_list"), {"status": "all"})
    assert len(response.context["rows"]) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


# --- handling-unit detail and forms ---------------------------------------------------------------


def test_the_lead_unit_sees_the_proposal_and_the_forms_it_needs(login, unit_staff, lead_assignment, joint_draft):
    response = login(unit_staff).get(url("unit_detail", lead_assignment.pk))
    assert response.status_code == 200
    text = response.text
    assert "校舍年久失修" in text and "县交通运输局" in text and "协办" in text
    assert set(response.context["forms"]) == {"plan", "contact", "reply", "extension", "return"}
    assert url("unit_reply", lead_assignment.pk) in text


def test_the_lead_unit_reads_assisting_opinions(login, unit_staff, unit2_staff, lead_assignment, assist_assignment):
    services.assist_opinion_send(assignment=assist_assignment, text="建议纳入年度维修计划", by=unit2_staff)
    assert "建议纳入年度维修计划" in login(unit_staff).get(url("unit_detail", lead_assignment.pk)).text


def test_an_assisting_unit_gets_the_opinion_form_not_the_reply_form(login, unit2_staff, assist_assignment):
    response = login(unit2_staff).get(url("unit_detail", assist_assignment.pk))
    assert set(response.context["forms"]) == {"plan", "contact", "opinion", "return"}


def test_the_unit_saves_a_handling_plan(login, unit_staff, lead_assignment):
    response = login(unit_staff).post(url("unit_plan", lead_assignment.pk), {"plan-plan": "局长牵头，六月前完成维修。"})
    assert response.status_code == 302
    assert response.url == url("unit_detail", lead_assignment.pk)
    lead_assignment.refresh_from_db()
    assert lead_assignment.handling_plan == "局长牵头，六月前完成维修。"
    assert lead_assignment.proposal.events.filter(action="plan").exists()


def test_a_blank_plan_is_refused_next_to_the_field(login, unit_staff, lead_assignment):
    response = login(unit_staff).post(url("unit_plan", lead_assignment.pk), {"plan-plan": ""})
    assert response.status_code == 400
    assert response.context["forms"]["plan"].errors["plan"]
    assert 'id="id_plan-plan_error"' in response.text
    assert not lead_assignment.proposal.events.filter(action="plan").exists()


def test_the_unit_records_a_contact(login, unit_staff, lead_assignment):
    data = {
        "contact-kind": "visit",
        "contact-contacted_on": timezone.localdate().isoformat(),
        "contact-summary": "面商",
    }
    assert login(unit_staff).post(url("unit_contact", lead_assignment.pk), data).status_code == 302
    record = ContactRecord.objects.get()
    assert (record.assignment, record.kind, record.recorded_by) == (lead_assignment, "visit", unit_staff)


def test_a_contact_in_the_future_is_refused(login, unit_staff, lead_assignment):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {"contact-kind": "phone", "contact-contacted_on": tomorrow.isoformat(), "contact-summary": "电话"}
    response = login(unit_staff).post(url("unit_contact", lead_assignment.pk), data)
    assert response.status_code == 400
    assert "沟通日期不能晚于今天" in response.text
    assert not ContactRecord.objects.exists()


def test_an_assisting_unit_sends_its_opinion_once(login, unit2_staff, assist_assignment):
    client = login(unit2_staff)
    target = url("unit_opinion", assist_assignment.pk)
    assert client.post(target, {"opinion-text": "同意主办单位方案"}).status_code == 302
    assert AssistOpinion.objects.get().text == "同意主办单位方案"
    response = client.post(target, {"opinion-text": "再发一次"})
    assert response.status_code == 400
    assert "协办意见已经发送过了" in response.text
    assert AssistOpinion.objects.count() == 1


def test_the_lead_unit_replies_with_a_letter(login, unit_staff, lead_assignment):
    contact(lead_assignment, unit_staff)
    data = {"reply-outcome": "A", "reply-text": "已完成维修。", "reply-letter": letter(name="scan.PDF")}
    response = login(unit_staff).post(url("unit_reply", lead_assignment.pk), data)
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert (reply.outcome, reply.text, reply.replied_by) == ("A", "已完成维修。", unit_staff)
    assert reply.letter.name.endswith(".pdf")
    lead_assignment.proposal.refresh_from_db()
    assert lead_assignment.proposal.status == Status.REPLIED


def test_an_image_letter_is_accepted_and_named_by_its_content(login, unit_staff, lead_assignment):
    contact(lead_assignment, unit_staff)
    upload = SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")
    data = {"reply-outcome": "B", "reply-text": "列入明年计划。", "reply-letter": upload}
    assert login(unit_staff).post(url("unit_reply", lead_assignment.pk), data).status_code == 302
    assert Reply.objects.get().letter.name.endswith(".png")


def test_no_reply_before_contacting_the_representative(login, unit_staff, lead_assignment):
    data = {"reply-outcome": "A", "reply-text": "已完成。", "reply-letter": letter()}
    response = login(unit_staff).post(url("unit_reply", lead_assignment.pk), data)
    assert response.status_code == 400
    assert "答复前须先与代表沟通" in response.text
    assert not Reply.objects.exists()
    lead_assignment.proposal.refresh_from_db()
    assert lead_assignment.proposal.status == Status.ASSIGNED


def test_a_text_file_renamed_pdf_is_not_a_letter(login, unit_staff, lead_assignment):
    contact(lead_assignment, unit_staff)
    fake = SimpleUploadedFile("答复函.pdf", "这不是PDF".encode(), content_type="application/pdf")
    data = {"reply-outcome": "A", "reply-text": "已完成。", "reply-letter": fake}
    response = login(unit_staff).post(url("unit_reply", lead_assignment.pk), data)
    assert response.status_code == 400
    assert response.context["forms"]["reply"].errors["letter"]
    assert "不是这几种格式" in response.text
    assert not Reply.objects.exists()


def test_a_letter_over_ten_megabytes_is_refused(login, unit_staff, lead_assignment):
    contact(lead_assignment, unit_staff)
    big = letter(PDF + b"0" * (10 * 1024 * 1024))
    data = {"reply-outcome": "A", "reply-text": "已完成。", "reply-letter": big}
    response = login(unit_staff).post(url("unit_reply", lead_assignment.pk), data)
    assert response.status_code == 400
    assert "10 MB" in response.context["forms"]["reply"].errors["letter"][0]
    assert not Reply.objects.exists()


def test_a_reply_needs_a_letter_unless_the_representative_wanted_none(
    login, unit_staff, session, rep_a, representative_user, committee_staff, unit
):
    make_assigned(
        1,
        session=session,
        lead=rep_a,
        lead_user=representative_user,
        committee=committee_staff,
        unit=unit,
        reference_only=True,
    )
    assignment = Proposal.objects.get().assignments.get()
    contact(assignment, unit_staff)
    client = login(unit_staff)
    assert (
        client.post(url("unit_reply", assignment.pk), {"reply-outcome": "D", "reply-text": "留作参考。"}).status_code
        == 302
    )
    assert Reply.objects.get().letter.name == ""


def test_a_missing_letter_is_refused_for_an_ordinary_proposal(login, unit_staff, lead_assignment):
    contact(lead_assignment, unit_staff)
    response = login(unit_staff).post(url("unit_reply", lead_assignment.pk), {"reply-outcome": "A", "reply-text": "x"})
    assert response.status_code == 400
    assert response.context["forms"]["reply"].errors["letter"]
    assert not Reply.objects.exists()


def test_an_assisting_unit_cannot_reply_and_is_told_why(login, unit2_staff, assist_assignment):
    contact(assist_assignment, unit2_staff)
    data = {"reply-outcome": "A", "reply-text": "x", "reply-letter": letter()}
    response = login(unit2_staff).post(url("unit_reply", assist_assignment.pk), data)
    assert response.status_code == 400
    assert "协办单位不直接答复代表" in response.text
    assert not Reply.objects.exists()


def test_outcome_choices_show_the_configured_labels(login, unit_staff, lead_assignment, settings):
    settings.RENDA_PROPOSALS = {**settings.RENDA_PROPOSALS, "OUTCOME_LABELS": {"A": "甲类 已经解决"}}
    text = login(unit_staff).get(url("unit_detail", lead_assignment.pk)).text
    assert "甲类 已经解决" in text
    assert "B 所提问题正在解决或者列入规划逐步解决" in text  # not configured: the NPC wording


def test_the_unit_asks_for_an_extension(login, unit_staff, lead_assignment):
    data = {"extension-days": "30", "extension-reason": "需协调省级资金"}
    assert login(unit_staff).post(url("unit_extension", lead_assignment.pk), data).status_code == 302
    extension = Extension.objects.get()
    assert (extension.days, extension.decision) == (30, "pending")


def test_an_extension_beyond_the_limit_is_refused(login, unit_staff, lead_assignment):
    data = {"extension-days": "200", "extension-reason": "x"}
    response = login(unit_staff).post(url("unit_extension", lead_assignment.pk), data)
    assert response.status_code == 400
    assert response.context["forms"]["extension"].errors["days"]
    assert not Extension.objects.exists()


def test_the_unit_asks_to_return_a_misassigned_proposal(login, unit_staff, lead_assignment):
    response = login(unit_staff).post(url("unit_return", lead_assignment.pk), {"return-reason": "不属于本单位职责"})
    assert response.status_code == 302
    assert ReturnRequest.objects.get().decision == "pending"
    # A second request while the first waits is neither offered nor accepted.
    client = login(unit_staff)
    assert "return" not in client.get(url("unit_detail", lead_assignment.pk)).context["forms"]
    assert client.post(url("unit_return", lead_assignment.pk), {"return-reason": "再申请"}).status_code == 400
    assert ReturnRequest.objects.count() == 1


def test_a_return_request_after_the_window_is_refused(login, unit_staff, lead_assignment):
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        client = login(unit_staff)
        assert "return" not in client.get(url("unit_detail", lead_assignment.pk)).context["forms"]
        response = client.post(url("unit_return", lead_assignment.pk), {"return-reason": "不属于本单位职责"})
    assert response.status_code == 400
    assert "工作日" in response.text
    assert not ReturnRequest.objects.exists()


def test_after_the_reply_the_reply_form_is_gone(login, unit_staff, lead_assignment):
    replied(lead_assignment, unit_staff)
    response = login(unit_staff).get(url("unit_detail", lead_assignment.pk))
    assert "reply" not in response.context["forms"]
    assert "已拨付资金维修校舍" in response.text


# --- representative portal ------------------------------------------------------------------------


def test_my_list_shows_led_and_cosigned_proposals_and_what_waits_for_me(
    login, joint_draft, draft, cosigner_rep, representative_user
):
    services.proposal_submit(proposal=joint_draft, by=representative_user)
    response = login(cosigner_rep.user).get(url("mine"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["todo"]] == [joint_draft.pk]
    assert "待确认附议" in response.text
    assert "关于修缮儒林镇中心小学校舍的建议" not in response.text  # rep_a's own, not co-signed
    lead_page = login(representative_user).get(url("mine"))
    assert {p.pk for p in lead_page.context["page"].object_list} == {joint_draft.pk, draft.pk}
    assert lead_page.context["todo"] == []


def test_my_list_asks_the_lead_to_rate_a_reply(login, lead_assignment, unit_staff, representative_user):
    replied(lead_assignment, unit_staff)
    response = login(representative_user).get(url("mine"))
    assert [p.pk for p in response.context["todo"]] == [lead_assignment.proposal_id]
    assert "答复待评价" in response.text


def test_my_list_costs_the_same_queries_with_more_proposals(
    login, session, rep_a, cosigner_rep, representative_user, django_assert_max_num_queries
):
    def grow(n):
        for i in range(n):
            services.proposal_create(
                lead=rep_a, session=session, title=f"领衔{i}", content="x", category="other", by=representative_user
            )
            other = services.proposal_create(
                lead=cosigner_rep,
                session=session,
                title=f"附议{i}",
                content="x",
                category="other",
                by=cosigner_rep.user,
                cosigners=[rep_a],
            )
            services.proposal_submit(proposal=other, by=cosigner_rep.user)

    client = login(representative_user)
    grow(2)
    # session, user, representative, count, page of rows, the to-do list
    with django_assert_max_num_queries(6) as small:
        client.get(url("mine"))
    grow(6)
    with django_assert_max_num_queries(6) as large:
        response = client.get(url("mine"))
    assert len(response.context["todo"]) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def _new_data(session, **extra):
    return {
        "session": session.pk,
        "period": "session",
        "title": "关于增设村级卫生室的建议",
        "content": "偏远村组就医难。",
        "category": "health",
        "publication": "full",
        "formation": "visit",
        "wants_contact": "on",
        **extra,
    }


def test_a_representative_saves_a_draft_with_cosigners(login, representative_user, session, rep_a, cosigner_rep):
    data = _new_data(session, cosigners=[cosigner_rep.pk], action="draft")
    response = login(representative_user).post(url("new"), data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == url("mine_detail", proposal.pk)
    assert (proposal.status, proposal.lead, proposal.number) == (Status.DRAFT, rep_a, None)
    assert list(proposal.cosigners.values_list("representative", flat=True)) == [cosigner_rep.pk]


def test_a_representative_submits_at_once(login, representative_user, session):
    login(representative_user).post(url("new"), _new_data(session, action="submit"))
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.number) == (Status.SUBMITTED, 1)


def test_the_new_form_offers_only_sessions_and_cosigners_of_the_same_term(
    login, representative_user, session, rep_a, rep_b, cosigner_rep, county, township_a
):
    other_term_rep = RepresentativeFactory(name="其他届代表", township=township_a, level="township")
    SessionFactory(term=other_term_rep.term, number=1)
    form = login(representative_user).get(url("new")).context["form"]
    assert set(form.fields["cosigners"].queryset) == {rep_b, cosigner_rep}
    assert list(form.fields["session"].queryset) == [session]


def test_an_incomplete_proposal_is_refused_and_nothing_is_saved(login, representative_user, session):
    response = login(representative_user).post(url("new"), _new_data(session, title="", action="submit"))
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    assert not Proposal.objects.exists()


def test_a_representative_without_a_term_is_told_so(login, representative_user, rep_a):
    rep_a.term = None
    rep_a.level = "national"
    rep_a.save()
    response = login(representative_user).get(url("new"))
    assert response.status_code == 200
    assert "没有登记届次" in response.text
    assert "form" not in response.context


def test_a_representative_who_left_office_cannot_propose(login, representative_user, rep_a, session):
    rep_a.status = "resigned"
    rep_a.status_changed_on = timezone.localdate()
    rep_a.save()
    response = login(representative_user).post(url("new"), _new_data(session, action="submit"))
    assert response.status_code == 400
    assert "只有在任代表才能提出建议" in response.text
    assert not Proposal.objects.exists()


def test_my_proposal_page_shows_cosigners_assignments_and_timeline(login, representative_user, lead_assignment):
    response = login(representative_user).get(url("mine_detail", lead_assignment.proposal_id))
    assert response.status_code == 200
    text = response.text
    assert "县教育局" in text and "县交通运输局" in text and "交办" in text
    assert lead_assignment.due_on.isoformat() in text


def test_the_lead_submits_a_draft_from_its_page(login, representative_user, draft):
    response = login(representative_user).post(url("mine_submit", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_submitting_twice_is_refused_with_a_message(login, representative_user, draft):
    client = login(representative_user)
    client.post(url("mine_submit", draft.pk))
    response = client.post(url("mine_submit", draft.pk))
    assert response.status_code == 400
    assert "不能提交" in response.text


@pytest.mark.parametrize(("agree", "confirmed"), [("yes", True), ("no", False)])
def test_a_cosigner_confirms_or_declines(login, joint_draft, cosigner_rep, agree, confirmed):
    client = login(cosigner_rep.user)
    assert client.post(url("mine_cosign", joint_draft.pk), {"agree": agree}).status_code == 302
    cosigner = CoSigner.objects.get()
    assert bool(cosigner.confirmed_at) is confirmed
    assert bool(cosigner.declined_at) is not confirmed
    # Answered once: a confirmed co-signer is told so; one who declined no longer sees the proposal.
    assert client.post(url("mine_cosign", joint_draft.pk), {"agree": "yes"}).status_code == (400 if confirmed else 404)


def test_a_cosign_answer_must_be_yes_or_no(login, joint_draft, cosigner_rep):
    response = login(cosigner_rep.user).post(url("mine_cosign", joint_draft.pk), {"agree": "maybe"})
    assert response.status_code == 400
    assert not CoSigner.objects.filter(confirmed_at__isnull=False).exists()
    assert not CoSigner.objects.filter(declined_at__isnull=False).exists()


def test_a_joint_proposal_is_withdrawn_only_with_every_cosigner(login, joint_draft, cosigner_rep, representative_user):
    services.cosign_respond(proposal=joint_draft, representative=cosigner_rep, agree=True, by=cosigner_rep.user)
    response = login(representative_user).post(url("mine_withdraw", joint_draft.pk))
    assert response.status_code == 400
    assert "刘建国" in response.text
    assert login(cosigner_rep.user).post(url("mine_withdraw", joint_draft.pk)).status_code == 302
    assert login(representative_user).post(url("mine_withdraw", joint_draft.pk)).status_code == 302
    joint_draft.refresh_from_db()
    assert joint_draft.status == Status.WITHDRAWN


def test_the_lead_rates_a_reply_and_the_proposal_closes(login, lead_assignment, unit_staff, representative_user):
    replied(lead_assignment, unit_staff)
    client = login(representative_user)
    page = client.get(url("mine_detail", lead_assignment.proposal_id))
    assert page.context["feedback_form"] is not None
    assert 'type="radio"' in page.text
    data = {"feedback-attitude": "satisfied", "feedback-result": "basic", "feedback-reasons": ""}
    assert client.post(url("mine_feedback", lead_assignment.proposal_id), data).status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == Status.CLOSED
    assert Feedback.objects.get().result == "basic"


def test_dissatisfied_without_reasons_is_refused_and_nothing_changes(
    login, lead_assignment, unit_staff, representative_user
):
    replied(lead_assignment, unit_staff)
    data = {"feedback-attitude": "satisfied", "feedback-result": "dissatisfied", "feedback-reasons": " "}
    response = login(representative_user).post(url("mine_feedback", lead_assignment.proposal_id), data)
    assert response.status_code == 400
    assert response.context["feedback_form"].errors["reasons"]
    assert 'id="id_feedback-reasons_error"' in response.text
    assert not Feedback.objects.exists()
    assert Proposal.objects.get().status == Status.REPLIED


def test_dissatisfied_with_reasons_sends_it_back_to_the_unit(login, lead_assignment, unit_staff, representative_user):
    replied(lead_assignment, unit_staff)
    data = {"feedback-attitude": "dissatisfied", "feedback-result": "dissatisfied", "feedback-reasons": "资金未落实"}
    assert login(representative_user).post(url("mine_feedback", lead_assignment.proposal_id), data).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.status, proposal.round) == (Status.REHANDLING, 2)
    # The unit is asked for a second reply.
    unit_page = login(unit_staff).get(url("unit_detail", lead_assignment.pk))
    assert "reply" in unit_page.context["forms"]


# --- reply letters --------------------------------------------------------------------------------


@pytest.fixture
def reply(lead_assignment, unit_staff, joint_draft, cosigner_rep):
    # Make cosigner_rep a co-signer of the replied proposal too.
    CoSigner.objects.create(proposal=lead_assignment.proposal, representative=cosigner_rep)
    return replied(lead_assignment, unit_staff)


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 200), ("cosigner", 200), ("unit", 200), ("assisting_unit", 404), ("other_rep", 404), ("staff_b", 404)],
)
def test_a_reply_letter_is_served_only_to_its_readers(
    login, reply, representative_user, cosigner_rep, unit_staff, unit2_staff, rep_b_user, staff_b, who, status
):
    users = {
        "lead": representative_user,
        "cosigner": cosigner_rep.user,
        "unit": unit_staff,
        "assisting_unit": unit2_staff,
        "other_rep": rep_b_user,
        "staff_b": staff_b,
    }
    response = login(users[who]).get(url("reply_letter", reply.pk))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF


def test_committee_staff_of_the_county_may_read_a_letter(login, reply, committee_staff):
    assert login(committee_staff).get(url("reply_letter", reply.pk)).status_code == 200


def test_a_reply_letter_needs_login(client, reply):
    response = client.get(url("reply_letter", reply.pk))
    assert response.status_code == 302
    assert reverse("login") in response.url


# --- public pages ---------------------------------------------------------------------------------


def test_the_public_list_shows_assigned_proposals_that_may_be_published(
    client, lead_assignment, draft, session, rep_a, representative_user, committee_staff, unit
):
    make_assigned(
        1,
        session=session,
        lead=rep_a,
        lead_user=representative_user,
        committee=committee_staff,
        unit=unit,
        publication="none",
    )
    services.proposal_create(
        lead=rep_a, session=session, title="未提交的草稿", content="x", category="other", by=representative_user
    )
    response = client.get(url("public_list"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].object_list] == [lead_assignment.proposal_id]
    assert "未提交的草稿" not in response.text


def test_the_public_list_filters_by_session(client, lead_assignment, county_term):
    other = SessionFactory(term=county_term, number=2)
    assert list(client.get(url("public_list"), {"session": other.pk}).context["page"].object_list) == []
    filtered = client.get(url("public_list"), {"session": lead_assignment.proposal.session_id})
    assert len(filtered.context["page"].object_list) == 1


def test_the_public_list_finds_a_proposal_by_its_title_lead_or_unit(client, lead_assignment):
    proposal = lead_assignment.proposal
    for words in (proposal.title[:4], proposal.lead.name, lead_assignment.unit.name[-3:]):
        found = client.get(url("public_list"), {"q": words}).context["page"].object_list
        assert [p.pk for p in found] == [proposal.pk], words
    assert list(client.get(url("public_list"), {"q": "没有这样的建议"}).context["page"].object_list) == []


def test_the_public_page_shows_content_and_replies_with_full_consent(client, lead_assignment, unit_staff, rep_a):
    reply = replied(lead_assignment, unit_staff)
    text = client.get(url("public_detail", lead_assignment.proposal_id)).text
    assert "校舍年久失修" in text and "已拨付资金维修校舍" in text
    assert rep_a.phone not in text
    assert url("reply_letter", reply.pk) not in text


def test_the_public_page_shows_only_the_title_without_full_consent(client, lead_assignment, unit_staff, rep_a):
    Proposal.objects.filter(pk=lead_assignment.proposal_id).update(publication="title_only")
    replied(lead_assignment, unit_staff)
    text = client.get(url("public_detail", lead_assignment.proposal_id)).text
    assert "关于修缮儒林镇中心小学校舍的建议" in text
    assert "校舍年久失修" not in text and "已拨付资金维修校舍" not in text
    assert rep_a.phone not in text


def test_a_proposal_without_publication_consent_is_404_to_the_public(client, lead_assignment):
    Proposal.objects.filter(pk=lead_assignment.proposal_id).update(publication="none")
    assert client.get(url("public_detail", lead_assignment.proposal_id)).status_code == 404


def test_a_draft_is_404_to_the_public(client, draft):
    assert client.get(url("public_detail", draft.pk)).status_code == 404


def test_the_public_list_costs_the_same_queries_with_more_proposals(
    client, session, rep_a, representative_user, committee_staff, unit, django_assert_max_num_queries
):
    grow = {"session": session, "lead": rep_a, "lead_user": representative_user, "committee": committee_staff}
    make_assigned(3, unit=unit, **grow)
    # count, the session filter's options, page of rows, the public notices
    with django_assert_max_num_queries(4) as small:
        client.get(url("public_list"))
    make_assigned(12, unit=unit, **grow)
    with django_assert_max_num_queries(4) as large:
        response = client.get(url("public_list"))
    assert len(response.context["page"].object_list) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_lead_edits_a_draft_in_the_portal(login, representative_user, rep_a, session):
    from apps.proposals import services as proposal_services

    proposal = proposal_services.proposal_create(
        lead=rep_a, session=session, title="旧标题", content="内容", category="education", by=representative_user
    )
    client = login(representative_user)
    edit = reverse("proposals:mine_edit", args=[proposal.pk])
    assert client.get(edit).status_code == 200
    data = {
        "session": session.pk,
        "period": "session",
        "title": "新标题",
        "content": "新内容",
        "category": "education",
        "publication": "full",
        "formation": "visit",
        "action": "submit",
    }
    assert client.post(edit, data).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.status) == ("新标题", Status.SUBMITTED)
    assert client.get(edit).status_code == 403  # submitted: no longer editable
