"""Reads of the posts app: counting posts per township, and the representative's own posts."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from apps.core.models import Region
from apps.core.selectors import townships_in_scope
from apps.posts.models import DutyPost, PostAssignment, PostLog


@dataclass
class TownshipPosts:
    township: Region | None  # None for the total row
    posts: int = 0
    capacity: int = 0
    filled: int = 0  # posts with at least one holder on the day
    held: int = 0  # places taken on the day
    holders: int = 0  # representatives holding at least one post on the day

    @property
    def fill_percent(self) -> float | None:
        return round(100 * self.filled / self.posts, 1) if self.posts else None


def held_on(day: date):
    """An annotation for DutyPost querysets: how many representatives hold the post on `day`."""
    current = (
        PostAssignment.objects.current_on(day)
        .filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(current), 0)


def post_counts_by_township(*, user, as_of: date) -> list[TownshipPosts]:
    """Active posts, places, filled posts and holders per township in the user's scope on
    `as_of`, with a total row last. Three queries however many posts and townships."""
    townships = list(townships_in_scope(user).order_by("parent__sort_order", "sort_order", "code"))
    rows = {t.pk: TownshipPosts(township=t) for t in townships}
    current = PostAssignment.objects.current_on(as_of)
    posts = (
        DutyPost.objects.filter(township__in=rows, is_active=True)
        .annotate(has_holder=Exists(current.filter(post=OuterRef("pk"))))
        .values("township")
        .annotate(posts=Count("pk"), capacity=Sum("capacity"), filled=Count("pk", filter=Q(has_holder=True)))
        .order_by()
    )
    for figures in posts:
        row = rows[figures["township"]]
        row.posts, row.capacity, row.filled = figures["posts"], figures["capacity"] or 0, figures["filled"]
    holders = (
        current.filter(post__township__in=rows, post__is_active=True)
        .values("post__township")
        .annotate(held=Count("pk"), holders=Count("representative", distinct=True))
        .order_by()
    )
    for figures in holders:
        row = rows[figures["post__township"]]
        row.held, row.holders = figures["held"], figures["holders"]
    return [*rows.values(), _total(rows.values())]


def _total(rows) -> TownshipPosts:
    total = TownshipPosts(township=None)
    for row in rows:
        for name in ("posts", "capacity", "filled", "held", "holders"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


# --- the representative's portal ----------------------------------------------------------------


def assignments_of(representative):
    """Current posts first, then past ones; each with its logs (newest first) and their photos."""
    logs = PostLog.objects.order_by("-date", "-pk").prefetch_related("photos")
    return (
        PostAssignment.objects.filter(representative=representative)
        .select_related("post__role", "post__township", "post__village")
        .prefetch_related(Prefetch("logs", queryset=logs))
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on", "-pk")
    )


def assignment_of(representative, pk) -> PostAssignment:
    """The representative's own assignment; 404 for anyone else's."""
    try:
        return PostAssignment.objects.select_related("post__role", "post__township").get(
            pk=pk, representative=representative
        )
    except (PostAssignment.DoesNotExist, ValueError):
        raise Http404 from None


def log_of(representative, pk) -> PostLog:
    """A log at one of the representative's own posts; 404 for anyone else's."""
    try:
        return PostLog.objects.select_related("assignment__post__role").get(
            pk=pk, assignment__representative=representative
        )
    except (PostLog.DoesNotExist, ValueError):
        raise Http404 from None
