"""The pages training notifications open, by recipient (apps.notifications.links)."""

from apps.notifications.links import fixed, register
from apps.training.models import Instructor, Retraining


def register_links() -> None:
    for model in (Instructor, Retraining):
        register(model, representative=fixed("training:my_lectures"))
