"""Who may see the statistics dashboard, and over which regions."""

from django.core.exceptions import PermissionDenied

from apps.core.models import User
from apps.core.scope import Scope, scope_for

from .models import EVERYWHERE, ReportJob

# Liaison-office staff see their office's work in the liaison app; the dashboard's county and
# township totals are for the committee and the township people's congresses.
DASHBOARD_ROLES = {User.Role.COMMITTEE, User.Role.TOWNSHIP}


def dashboard_scope(user) -> Scope:
    """The regions whose figures `user` may see; PermissionDenied for everyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    if user.is_superuser:
        return scope_for(user)
    if user.role not in DASHBOARD_ROLES:
        raise PermissionDenied
    scope = scope_for(user)
    if not scope.region_paths:
        raise PermissionDenied
    return scope


def scope_covers_job(scope: Scope, job: ReportJob) -> bool:
    """Whether every region of the report lies in `scope`; a report of everywhere only for
    whoever sees everywhere."""
    if scope.unrestricted:
        return True
    return job.paths != (EVERYWHERE,) and all(scope.contains_path(path) for path in job.paths)
