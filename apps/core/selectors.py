from django.db.models import Q

from apps.core.models import AuditEvent, Region, User
from apps.core.scope import scope_for


def users_visible_to(viewer, qs):
    """Accounts a staff member may manage: those whose regions, unit or representative record
    lie in the viewer's regions."""
    scope = scope_for(viewer)
    if scope.unrestricted:
        return qs
    q = Q(pk__in=[])
    for path in scope.region_paths:
        q |= (
            Q(regions__path__startswith=path)
            | Q(handling_unit__region__path__startswith=path)
            | Q(representative__township__path__startswith=path)
        )
    return qs.filter(pk__in=qs.model.objects.filter(q).values("pk"))


def townships_in_scope(user):
    """The townships a user works in (all of them for county staff), in their official order."""
    return Region.objects.filter(level=Region.Level.TOWNSHIP).in_scope(scope_for(user), strict=True).order_by("path")


def audit_events_visible_to(user, qs=None):
    """Superusers: every row. An auditor: the rows of their regions; one whose regions include a
    whole tree's root (a county of its own) also sees the rows that have no region."""
    qs = AuditEvent.objects.all() if qs is None else qs
    scope = scope_for(user)
    if scope.unrestricted:
        return qs
    if getattr(user, "role", "") != User.Role.AUDITOR:
        return qs.none()
    q = Q(pk__in=[])
    for path in scope.region_paths:
        q |= Q(region_path__startswith=path)
    if any(path.count("/") == 2 for path in scope.region_paths):
        q |= Q(region_path="")
    return qs.filter(q)
