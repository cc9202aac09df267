"""Who may do what in the livelihood app, beyond the admin's model permissions."""

from apps.core.models import User
from apps.core.permissions import may_write
from apps.livelihood.models import Project


def can_report_progress(user: User, project: Project) -> bool:
    """The responsible unit's staff, and committee or township staff whose own regions hold the
    project (staff above cannot see it, staff of another township neither)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role == User.Role.UNIT:
        return user.handling_unit_id == project.responsible_unit_id
    return may_write(user, project.region)
