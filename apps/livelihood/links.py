"""The pages livelihood notifications open, by recipient (apps.notifications.links)."""

from django.urls import reverse

from apps.livelihood.models import Ballot, Milestone, Supervision
from apps.notifications.links import admin_page, fixed, register


def register_links() -> None:
    for model in (Milestone, Supervision):
        register(
            model,
            staff=admin_page("project"),
            unit=lambda row, _user: reverse("livelihood:unit_project", args=[row.project_id]),
        )
    register(Ballot, representative=fixed("livelihood:my"))
