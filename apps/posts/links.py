"""The pages post notifications open, by recipient (apps.notifications.links)."""

from apps.notifications.links import fixed, register
from apps.posts.models import PostLog


def register_links() -> None:
    register(PostLog, representative=fixed("posts:mine"))
