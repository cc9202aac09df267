"""Post work logs waiting for staff to confirm them, on the staff workbench."""

from django.utils.translation import gettext_lazy

from apps.core.models import Confirmable
from apps.core.workbench import WorkSource, register
from apps.posts.models import PostLog
from apps.representatives.workbench import reported_by_line


def logs_to_confirm(user):
    return (
        PostLog.objects.visible_to(user)
        .filter(review_status=Confirmable.Review.PENDING)
        .select_related("assignment__representative")
    )


def _describe(log: PostLog) -> tuple[str, str]:
    return log.content, reported_by_line(log.assignment.representative.name, log.date)


def register_sources() -> None:
    register(WorkSource(key="post_log", label=gettext_lazy("岗位工作记录待确认"), permission="posts.change_postlog",
                        rows=logs_to_confirm, describe=_describe, order=43))  # fmt: skip
