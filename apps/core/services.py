import socket
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.audit import audit_batch
from apps.core.models import CalendarDay, HolidayYear, Region, TaskHeartbeat, User
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


def heartbeat_record(*, name: str, detail: str = "") -> TaskHeartbeat:
    """Note that a periodic task ran now; one row per task, updated in place."""
    now = timezone.now()
    fields = {"last_run_at": now, "hostname": socket.gethostname(), "detail": detail[:300]}
    updated = TaskHeartbeat.objects.filter(name=name).update(runs=F("runs") + 1, **fields)
    if not updated:
        TaskHeartbeat.objects.get_or_create(name=name, defaults={**fields, "runs": 1})
    return TaskHeartbeat.objects.get(name=name)


def totp_device_add(*, user: User, name: str):
    """A confirmed TOTP device for a staff account: how the first superuser of a production
    deployment (where the admin asks staff for a code) gets into the admin at all."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice(user=user, name=name, confirmed=True)
    device.full_clean()
    device.save()
    return device


# --- housekeeping (beat tasks; each run is a heartbeat with what it did) ----------------------


def housekeeping_run(*, name: str, work: Callable[[], str]) -> str:
    """Run one housekeeping task and record its run and result for the admin, failures too."""
    try:
        detail = work()
    except Exception as error:
        heartbeat_record(name=name, detail=_("出错：%(error)s") % {"error": f"{type(error).__name__}: {error}"})
        raise
    heartbeat_record(name=name, detail=detail)
    return detail


def _files_text(n: int) -> str:
    return ngettext("删除 %(n)d 个文件", "删除 %(n)d 个文件", n) % {"n": n}


def job_files_expire_old() -> str:
    from apps.core.jobs import job_files_expire_all

    days = settings.RENDA_HOUSEKEEPING["JOB_FILE_RETENTION_DAYS"]
    return _files_text(job_files_expire_all(older_than=timedelta(days=days)))


def leftovers_remove_old() -> str:
    from apps.core.jobs import leftovers_remove

    hours = settings.RENDA_HOUSEKEEPING["LEFTOVER_HOURS"]
    return _files_text(leftovers_remove(older_than=timedelta(hours=hours)))


# --- the holiday calendar ---------------------------------------------------------------------


@transaction.atomic
def holiday_year_save(*, year: int, days: list, source: str = "", note: str = "") -> HolidayYear:
    """Enter a year's schedule (from a file, or the demo): the days given become the year's days,
    each addition, change and removal kept in the days' history."""
    holiday_year, _created = HolidayYear.objects.get_or_create(year=year)
    holiday_year.source = source or holiday_year.source
    holiday_year.note = note or holiday_year.note
    holiday_year.full_clean()
    holiday_year.save()
    wanted = {day.date: day for day in days}
    for old in holiday_year.days.exclude(date__in=list(wanted)):
        old.delete()
    current = {day.date: day for day in holiday_year.days.all()}
    for when, day in sorted(wanted.items()):
        row = current.get(when) or CalendarDay(holiday_year=holiday_year, date=when)
        if row.pk and (row.kind, row.name) == (day.kind, day.name):
            continue
        row.kind, row.name = day.kind, day.name
        row.full_clean(validate_unique=row.pk is None)
        row.save()
    return holiday_year
