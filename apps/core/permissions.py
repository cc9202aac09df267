"""Who may write: the one check every service and admin page asks before changing a record.

Reads are scoped by `apps.core.scope` (`Model.objects.visible_to(user)`); a write also needs a
staff role that writes (committee or township staff), the model permission where one is named,
and the target inside the writer's own scope, not merely above it (a township's staff read the
county's lecture hall but do not change it)."""

from django.core.exceptions import PermissionDenied

from apps.core.models import Region, User
from apps.core.scope import scope_for

STAFF_WRITER_ROLES = frozenset({User.Role.COMMITTEE, User.Role.TOWNSHIP})


def is_staff_writer(user: User) -> bool:
    return user.is_superuser or user.role in STAFF_WRITER_ROLES


def in_write_scope(user: User, target) -> bool:
    """Whether `target` lies inside the user's own scope: a region path (str), a Region, or a
    scoped record (one query)."""
    scope = scope_for(user)
    if scope.unrestricted:
        return True
    if isinstance(target, str):
        return scope.contains_path(target)
    if isinstance(target, Region):
        return scope.contains_path(target.path)
    return scope.covers(target)


def may_write(user: User | None, target=None, permission: str | None = None) -> bool:
    """`None` is the system itself (a task, a migration), which may always write."""
    if user is None:
        return True
    if not is_staff_writer(user):
        return False
    if permission is not None and not user.has_perm(permission):
        return False
    return target is None or in_write_scope(user, target)


def require_staff_writer(user: User | None, target=None, permission: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may write `target` (see `may_write`)."""
    if not may_write(user, target, permission):
        raise PermissionDenied
