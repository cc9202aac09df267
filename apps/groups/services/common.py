"""What the groups services share: the domain error, the region rule of county-or-township records,
the reviewers' notifications and the review step."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.confirmation import ReviewError, record_review
from apps.core.models import Confirmable, Region, User
from apps.groups.selectors import lives_in, staff_responsible_for
from apps.notifications.services import notification_queue
from apps.representatives.models import Representative


class GroupError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it."""


def day_label(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def check_changeable(service: str, changes: dict, fields: Iterable[str]) -> None:
    """An update service changes only the fields it names; any other is the caller's mistake."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"{service}() does not change {sorted(unknown)}")


def check_upper_region(region: Region) -> None:
    if region.level == Region.Level.VILLAGE:
        raise GroupError({"region": _("所属区域须为县或乡镇，不能是村（社区）。")})


def representatives(reps: Iterable[Representative]) -> list[Representative]:
    """The representatives fresh from the database with their townships, in a stable order."""
    pks = [r.pk for r in reps]
    return list(Representative.objects.filter(pk__in=pks).select_related("township").order_by("pk"))


def outsider_errors(reps: list[Representative], region: Region) -> list[str]:
    """Staff may name anyone of the record's region (a group's activity may have guests)."""
    outsiders = [r for r in reps if not lives_in(r, region)]
    if outsiders:
        return [
            _("以下代表不是%(region)s的代表：%(names)s")
            % {"region": region, "names": "、".join(r.name for r in outsiders)}
        ]
    return []


def notify_staff(rule: str, record, region: Region, subject: str) -> None:
    """Tell the staff who confirm the region's records that one waits for them."""
    notification_queue(
        rule=rule,
        target=record,
        recipients=staff_responsible_for(region),
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


def notify_reviewed(rule: str, record, user: User, subject: str) -> None:
    notification_queue(
        rule=rule,
        target=record,
        recipients=[user],
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


def review(record: Confirmable, by: User, confirm: bool, note: str, permission: str):
    if not by.has_perm(permission):
        raise PermissionDenied
    try:
        return record_review(record=record, by=by, confirm=confirm, note=note)
    except ReviewError as error:
        raise GroupError(str(error)) from None
