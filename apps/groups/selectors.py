"""Reads of the groups app for the representatives' portal; each a fixed number of queries."""

from datetime import date

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from apps.core.scope import ancestor_paths
from apps.groups.models import Activity, ActivityGroup, Campaign, ProblemSolved
from apps.groups.services import groups_of
from apps.representatives.models import Representative


def my_groups(representative: Representative):
    """The active groups the representative belongs to today, with their people and sizes."""
    today = timezone.localdate()
    current = Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=today)
    return (
        ActivityGroup.objects.filter(pk__in=groups_of(representative).values("pk"))
        .select_related("region", "leader", "liaison_member")
        .annotate(size=Count("memberships", filter=current & Q(memberships__joined_on__lte=today), distinct=True))
        .order_by("region__path", "name")
    )


def my_activities(representative: Representative):
    """Activities the representative took part in or reported, newest first."""
    mine = Q(participants=representative) | Q(reported_by=representative)
    ids = Activity.objects.filter(mine).values("pk")
    return Activity.objects.filter(pk__in=ids).select_related("group").order_by("-date", "-pk")


def my_problems(representative: Representative):
    return (
        ProblemSolved.objects.filter(representative=representative).select_related("campaign").order_by("-date", "-pk")
    )


def open_campaigns(representative: Representative, day: date | None = None):
    """Campaigns running today that the representative's township takes part in."""
    day = day or timezone.localdate()
    paths = ancestor_paths(representative.township.path)
    return Campaign.objects.open_on(day).filter(region__path__in=paths).order_by("-started_on", "name")


def get_group_for_member(representative: Representative, pk: int) -> ActivityGroup:
    """A group the representative belongs to today; any other group is not found (404)."""
    group = my_groups(representative).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def group_members(group: ActivityGroup):
    today = timezone.localdate()
    return (
        Representative.objects.filter(
            Q(group_memberships__left_on__isnull=True) | Q(group_memberships__left_on__gte=today),
            group_memberships__group=group,
            group_memberships__joined_on__lte=today,
        )
        .select_related("township")
        .distinct()
        .by_stroke()
    )


def members_of_my_groups(representative: Representative):
    """Everyone the representative may name as a participant: the members of their groups."""
    today = timezone.localdate()
    return (
        Representative.objects.filter(
            Q(group_memberships__left_on__isnull=True) | Q(group_memberships__left_on__gte=today),
            group_memberships__group__in=groups_of(representative).values("pk"),
            group_memberships__joined_on__lte=today,
        )
        .exclude(pk=representative.pk)
        .distinct()
        .by_stroke()
    )
