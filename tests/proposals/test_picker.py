"""The co-signer picker on the new-proposal form: checkboxes under a search box. With no script,
its 筛选 button posts the form back, which keeps what was typed and shows the matching names."""

import re
from html import unescape

import pytest
from django.urls import reverse

from apps.proposals.models import Proposal
from tests.factories import RepresentativeFactory
from tests.proposals.test_portals import _new_data

NEW = reverse("proposals:new")


@pytest.fixture
def many(township_b, county_term):
    return [RepresentativeFactory(name=f"王{i}号", township=township_b, term=county_term) for i in range(5)]


def _shown(html: str, rep) -> bool:
    """Whether rep's checkbox is in a visible (not hidden) row."""
    at = html.index(f'value="{rep.pk}"')
    row = html.rindex("<li", 0, at)
    return " hidden" not in html[row:at]


def test_it_offers_every_cosigner_as_a_checkbox_with_a_search_box(login, representative_user, session, cosigner_rep):
    html = login(representative_user).get(NEW).text
    assert 'type="search"' in html and 'name="cosigners_q"' in html
    assert f'type="checkbox" name="cosigners" value="{cosigner_rep.pk}"' in html
    assert "Ctrl" not in html


def test_filtering_without_script_keeps_the_draft_and_shows_the_matches_and_the_chosen(
    login, representative_user, session, cosigner_rep, many
):
    data = _new_data(session, cosigners=[many[0].pk], cosigners_q="刘建", picker="cosigners", title="校舍维修")
    response = login(representative_user).post(NEW, data)
    assert response.status_code == 200 and not Proposal.objects.exists()
    html = unescape(response.text)
    assert 'value="校舍维修"' in html and 'value="刘建"' in html
    assert _shown(html, cosigner_rep) and _shown(html, many[0])
    assert not any(_shown(html, rep) for rep in many[1:])
    assert re.search(rf'value="{many[0].pk}" id="id_cosigners_\d+" checked>', html)
    assert "errorlist" not in html


def test_the_filter_matches_the_township_too(login, representative_user, session, cosigner_rep, many):
    data = _new_data(session, cosigners_q="茅坪", picker="cosigners")
    html = login(representative_user).post(NEW, data).text
    assert all(_shown(html, rep) for rep in many) and not _shown(html, cosigner_rep)


def test_a_filtered_list_still_saves_only_the_same_terms_representatives(
    login, representative_user, session, cosigner_rep, township_a
):
    elsewhere = RepresentativeFactory(name="其他届代表", township=township_a, level="township")
    data = _new_data(session, cosigners=[elsewhere.pk], cosigners_q="其他", action="draft")
    response = login(representative_user).post(NEW, data)
    assert response.status_code == 400 and response.context["form"].errors["cosigners"]
    assert not Proposal.objects.exists()


def test_editing_a_draft_can_filter_too_and_keeps_unticked_boxes_unticked(
    login, representative_user, session, cosigner_rep, rep_a
):
    client = login(representative_user)
    client.post(NEW, _new_data(session, cosigners=[cosigner_rep.pk], action="draft"))
    proposal = Proposal.objects.get()
    edit = reverse("proposals:mine_edit", args=[proposal.pk])
    data = _new_data(session, cosigners_q="刘", picker="cosigners")
    data.pop("wants_contact")
    response = client.post(edit, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["cosigners"] == [] and form.initial["wants_contact"] is False
    assert proposal.cosigners.count() == 1
