"""Post work logs waiting for staff to confirm them, on the staff workbench."""

from django.utils.translation import gettext_lazy

from apps.core.workbench import register
from apps.posts.models import PostLog
from apps.representatives.workbench import awaiting_review, reported_by_line


def _describe(log: PostLog) -> tuple[str, str]:
    return log.content, reported_by_line(log.assignment.representative.name, log.date)


def register_sources() -> None:
    register(awaiting_review(PostLog, key="post_log", label=gettext_lazy("岗位工作记录待确认"),
                             related=("assignment__representative",), describe=_describe, order=43))  # fmt: skip
