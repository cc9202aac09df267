"""The pages proposal notifications open, by recipient (apps.notifications.links): staff the
proposal's admin page, units their assignment's page, representatives their proposal's page."""

from django.urls import reverse

from apps.notifications.links import admin_page, register
from apps.proposals.models import Assignment, AssistOpinion, Extension, Notice, Proposal


def _unit_page(proposal_id: int, recipient) -> str:
    mine = Assignment.objects.filter(proposal_id=proposal_id, unit_id=recipient.handling_unit_id)
    pk = mine.order_by("state", "-pk").values_list("pk", flat=True).first()
    return reverse("proposals:unit_detail", args=[pk]) if pk else reverse("proposals:unit_list")


def _mine_page(proposal_id: int) -> str:
    return reverse("proposals:mine_detail", args=[proposal_id])


def register_links() -> None:
    register(Notice, unit=lambda notice, _user: reverse("proposals:notice_detail", args=[notice.pk]))
    register(
        Proposal,
        unit=lambda proposal, user: _unit_page(proposal.pk, user),
        representative=lambda proposal, _user: _mine_page(proposal.pk),
    )
    register(
        Assignment,
        staff=admin_page("proposal"),
        unit=lambda assignment, user: _unit_page(assignment.proposal_id, user),
        representative=lambda assignment, _user: _mine_page(assignment.proposal_id),
    )
    for model in (AssistOpinion, Extension):
        register(
            model,
            staff=lambda row, _user: reverse("admin:proposals_proposal_change", args=[row.assignment.proposal_id]),
            unit=lambda row, user: _unit_page(row.assignment.proposal_id, user),
            representative=lambda row, _user: _mine_page(row.assignment.proposal_id),
        )
