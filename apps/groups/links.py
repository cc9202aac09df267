"""The pages group notifications open, by recipient (apps.notifications.links)."""

from apps.groups.models import Activity, ProblemSolved
from apps.notifications.links import fixed, register


def register_links() -> None:
    for model in (Activity, ProblemSolved):
        register(model, representative=fixed("groups:mine"))
