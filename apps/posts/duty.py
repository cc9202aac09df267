"""The posts' part of the duty record: posts held in the year, and work logged at them.

A post held counts once per assignment running at any time in the year; a work log counts once
staff confirm it. Pending and rejected logs are shown on the record but earn nothing.
"""

from collections import Counter
from datetime import date

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.posts.models import PostAssignment, PostLog
from apps.representatives.duty import DutyEntry, DutySource, count_each, newest_first

POST_HELD = "post_held"
POST_LOG = "post_log"


def entries(representative, year: int) -> list[DutyEntry]:
    """Two queries: the assignments of the year, and the logs dated in it."""
    assignments = (
        PostAssignment.objects.during_year(year)
        .filter(representative=representative)
        .select_related("post__role")
        .order_by("-started_on", "-pk")
    )
    logs = (
        PostLog.objects.filter(assignment__representative=representative, date__year=year)
        .select_related("assignment__post")
        .order_by("-date", "-pk")
    )
    url = reverse("posts:mine")
    found = [_held_entry(a, year, url) for a in assignments] + [_log_entry(log, url) for log in logs]
    return newest_first(found)


def _held_entry(assignment: PostAssignment, year: int, url: str) -> DutyEntry:
    post = assignment.post
    ended = assignment.ended_on
    return DutyEntry(
        kind=POST_HELD,
        on=max(assignment.started_on, date(year, 1, 1)),
        title=_("%(post)s（%(role)s）") % {"post": post.title, "role": post.role.name},
        counts=True,
        status=_("%(date)s离岗") % {"date": ended.strftime("%Y-%m-%d")} if ended else _("在岗"),
        url=url,
    )


def _log_entry(log: PostLog, url: str) -> DutyEntry:
    return DutyEntry(
        kind=POST_LOG,
        on=log.date,
        title=_("%(post)s：%(content)s")
        % {"post": log.assignment.post.title, "content": Truncator(log.content).chars(40)},
        counts=log.is_confirmed,
        status=log.get_review_status_display(),
        url=url,
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """Two grouped queries for the whole queryset of representatives."""
    held = PostAssignment.objects.during_year(year)
    logged = PostLog.objects.filter(date__year=year, review_status=PostLog.Review.CONFIRMED)
    return count_each(
        representatives, {POST_HELD: (held, "representative"), POST_LOG: (logged, "assignment__representative")}
    )


SOURCE = DutySource(
    key="posts",
    label=gettext_lazy("履职岗位"),
    kinds={POST_HELD: gettext_lazy("履职岗位在岗"), POST_LOG: gettext_lazy("岗位工作记录")},
    entries=entries,
    counts=counts,
    order=30,
)
