"""Adding and correcting proposals and notices in the back office goes through the services: a refusal is
drawn on the form with what the person typed, and every correction leaves a row on the timeline."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.proposals import services
from apps.proposals.models import Proposal, ProposalEvent, Status
from apps.proposals.services import ProposalError
from tests.factories import RepresentativeFactory
from tests.proposals.test_admin import _add_data, _change_data


@pytest.fixture
def submitted(draft, representative_user):
    services.proposal_submit(proposal=draft, by=representative_user)
    draft.refresh_from_db()
    return draft


def _change_url(obj) -> str:
    return reverse(f"admin:proposals_{obj._meta.model_name}_change", args=[obj.pk])


# --- adding ---------------------------------------------------------------------------------------


def test_a_refused_paper_proposal_is_drawn_again_with_the_typed_title_and_the_reason(
    login, committee_staff, session, rep_a, township_a, county_term
):
    # The form accepts a co-signer of this term; only the service knows they have left office.
    resigned = RepresentativeFactory(
        name="钱离任", township=township_a, term=county_term, status="resigned", status_changed_on=date(2022, 3, 1)
    )
    data = _add_data(session, rep_a, cosigners=[resigned.pk], title="关于修建钱家村便民桥的建议")
    response = login(committee_staff).post(reverse("admin:proposals_proposal_add"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "钱离任不符合" in content
    assert response.context["adminform"].form["title"].value() == "关于修建钱家村便民桥的建议"
    assert not Proposal.objects.exists()
    assert not ProposalEvent.objects.exists()


# --- correcting a proposal ------------------------------------------------------------------------


def test_a_correction_in_the_back_office_writes_a_timeline_row(login, committee_staff, submitted):
    client = login(committee_staff)
    url = _change_url(submitted)
    response = client.post(url, _change_data(client.get(url), title="关于修缮儒林镇中学校舍的建议", category="health"))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.title, submitted.category, submitted.status) == (
        "关于修缮儒林镇中学校舍的建议",
        "health",
        Status.SUBMITTED,
    )
    event = submitted.events.get(action="edit")
    assert (event.by, event.from_status, event.to_status) == (committee_staff, Status.SUBMITTED, Status.SUBMITTED)
    assert "建议标题" in event.note and "类别" in event.note


def test_saving_the_page_unchanged_writes_no_timeline_row(login, committee_staff, submitted):
    client = login(committee_staff)
    url = _change_url(submitted)
    assert client.post(url, _change_data(client.get(url))).status_code == 302
    assert not submitted.events.filter(action="edit").exists()


def test_a_correction_the_service_refuses_is_drawn_again_with_the_input_kept(login, committee_staff, accepted):
    # Rows keyed in before the content was required: the form checks only the fields it shows,
    # the service the whole proposal.
    Proposal.objects.filter(pk=accepted.pk).update(content="")
    client = login(committee_staff)
    url = _change_url(accepted)
    response = client.post(url, _change_data(client.get(url), category="health"))
    assert response.status_code == 200
    assert response.context["adminform"].form["category"].value() == "health"
    assert response.context["adminform"].form.non_field_errors()
    accepted.refresh_from_db()
    assert accepted.category != "health"
    assert not accepted.events.filter(action="edit").exists()


def test_the_service_refuses_a_field_the_state_keeps_fixed(committee_staff, accepted):
    with pytest.raises(ProposalError) as refused:
        services.proposal_correct(proposal=accepted, changes={"title": "改过的标题"}, by=committee_staff)
    assert "title" in refused.value.error_dict
    accepted.refresh_from_db()
    assert accepted.title != "改过的标题"


def test_staff_of_another_township_cannot_correct_a_proposal(staff_b, submitted):
    with pytest.raises(PermissionDenied):
        services.proposal_correct(proposal=submitted, changes={"category": "health"}, by=staff_b)
    submitted.refresh_from_db()
    assert submitted.category != "health"


# --- correcting a notice --------------------------------------------------------------------------


@pytest.fixture
def notice(session, committee_staff):
    return services.notice_draft(session=session, by=committee_staff)


def test_a_draft_notice_is_corrected_through_the_service(login, committee_staff, notice):
    url = _change_url(notice)
    response = login(committee_staff).post(url, {"title": "关于建议办理情况的通报（修订）", "body": notice.body})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "关于建议办理情况的通报（修订）"
    assert notice.history.first().history_user == committee_staff


def test_a_published_notices_text_is_refused_by_the_service(committee_staff, notice):
    services.notice_publish(notice=notice, by=committee_staff)
    with pytest.raises(ProposalError) as refused:
        services.notice_update(notice=notice, changes={"body": "改过的正文"}, by=committee_staff)
    assert "body" in refused.value.error_dict
    services.notice_update(notice=notice, changes={"is_public": True}, by=committee_staff)
    notice.refresh_from_db()
    assert notice.is_public and notice.body != "改过的正文"


def test_township_staff_cannot_correct_the_countys_notice(staff_a, notice):
    with pytest.raises(PermissionDenied):
        services.notice_update(notice=notice, changes={"title": "改过的标题"}, by=staff_a)
