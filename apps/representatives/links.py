"""The pages representatives' notifications open, by recipient (apps.notifications.links)."""

from apps.notifications.links import fixed, register
from apps.representatives.models import DutyActivity, Evaluation


def register_links() -> None:
    register(DutyActivity, representative=fixed("representatives:duty_record", query=lambda a: f"?year={a.date.year}"))
    register(Evaluation, representative=fixed("representatives:duty_record", query=lambda e: f"?year={e.year}"))
