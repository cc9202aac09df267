"""Reads of the groups app: who belongs where, and the representatives' portal lists (each a fixed
number of queries)."""

from datetime import date

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from apps.core.models import Region, User
from apps.core.permissions import STAFF_WRITER_ROLES
from apps.core.scope import ancestor_paths
from apps.groups.models import Activity, ActivityGroup, Campaign, ProblemSolved
from apps.representatives.models import Representative


def lives_in(rep: Representative, region: Region) -> bool:
    """The domain rule of every group record: a representative belongs to the county or township
    whose region contains their township."""
    return rep.township.path.startswith(region.path)


def members_on(group: ActivityGroup, day: date):
    """Representatives who were members of the group on `day`."""
    current = Q(group_memberships__left_on__isnull=True) | Q(group_memberships__left_on__gte=day)
    return Representative.objects.filter(
        current, group_memberships__group=group, group_memberships__joined_on__lte=day
    ).distinct()


def groups_of(representative: Representative, day: date | None = None):
    """The active groups the representative belongs to (on `day`, today by default)."""
    day = day or timezone.localdate()
    current = Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=day)
    return ActivityGroup.objects.filter(
        current, is_active=True, memberships__representative=representative, memberships__joined_on__lte=day
    ).distinct()


def staff_responsible_for(region: Region) -> list[User]:
    """Committee or township staff whose scope is exactly this region: they confirm its records."""
    staff = User.objects.filter(role__in=STAFF_WRITER_ROLES, is_active=True, regions=region)
    return list(staff.distinct().order_by("pk"))


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


def group_activities(group: ActivityGroup):
    """The group's activities, newest first."""
    return group.activities.select_related("group").order_by("-date", "-pk")


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
