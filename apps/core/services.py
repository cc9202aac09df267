import socket

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.audit import audit_batch
from apps.core.models import Region, TaskHeartbeat, User
from apps.core.roles import group_name


@audit_batch()
@transaction.atomic
def user_apply_role(*, user: User) -> User:
    """Make the account's groups and admin access follow its role (staff roles use the admin)."""
    role_groups = Group.objects.filter(name__startswith="role:")
    user.groups.remove(*role_groups)
    if user.role:
        user.groups.add(Group.objects.get(name=group_name(user.role)))
    is_staff = user.is_superuser or user.role in User.STAFF_ROLES
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    return user


@audit_batch()  # a new account's role, regions, groups and staff flag: one permission-change row
@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    full_name: str = "",
    regions: list[Region] | tuple = (),
    handling_unit=None,
) -> User:
    user = User(username=username, role=role, full_name=full_name, handling_unit=handling_unit)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.regions.set(regions)
    return user_apply_role(user=user)


def heartbeat_record(*, name: str) -> TaskHeartbeat:
    """Note that a periodic task ran now; one row per task, updated in place."""
    now = timezone.now()
    host = socket.gethostname()
    updated = TaskHeartbeat.objects.filter(name=name).update(last_run_at=now, hostname=host, runs=F("runs") + 1)
    if not updated:
        TaskHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "hostname": host, "runs": 1})
    return TaskHeartbeat.objects.get(name=name)
