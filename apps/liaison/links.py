"""The pages liaison notifications open, by recipient (apps.notifications.links)."""

from django.urls import reverse

from apps.liaison.models import Concern, ConcernReturnRequest, DutyShift
from apps.notifications.links import fixed, register


def _handler_page(concern: Concern, recipient) -> str:
    """The concern's page for whoever it is routed to; a representative it was only addressed to
    finds it among their concerns once staff route it."""
    routed_to_them = concern.unit_id and concern.unit_id == recipient.handling_unit_id
    routed_to_them = routed_to_them or (concern.representative_id and concern.representative.user_id == recipient.pk)
    if routed_to_them:
        return reverse("liaison:concern_detail", args=[concern.pk])
    return reverse("liaison:unit_concerns" if recipient.role == "unit" else "liaison:my_concerns")


def register_links() -> None:
    register(Concern, unit=_handler_page, representative=_handler_page)
    register(DutyShift, representative=fixed("liaison:my_shifts"))
    # A send-back decided: the concern's page while the unit keeps it, its list once it went back.
    register(ConcernReturnRequest, unit=lambda request, user: _handler_page(request.concern, user))
