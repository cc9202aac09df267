"""Writes of activities: staff record them (confirmed at once), representatives report them in the
portal or check in with the 活动码, and staff confirm or reject what was reported."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import Region, User
from apps.core.permissions import require_staff_writer
from apps.groups.models import Activity, ActivityGroup
from apps.groups.selectors import groups_of, members_on
from apps.groups.services.common import (
    GroupError,
    check_changeable,
    check_upper_region,
    day_label,
    notify_reviewed,
    notify_staff,
    outsider_errors,
    representatives,
    review,
)
from apps.representatives.models import Representative

ACTIVITY_FIELDS = ("kind", "title", "date", "place", "summary", "wishes_fulfilled", "people_reached", "problems_solved")


def _activity_errors(data: dict) -> dict:
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = _("请填写活动名称。")
    day = data.get("date")
    if day and day > timezone.localdate():
        errors["date"] = _("活动日期不能晚于今天。")
    for name in ("wishes_fulfilled", "people_reached", "problems_solved"):
        if (data.get(name) or 0) < 0:
            errors[name] = _("数量不能为负数。")
    return errors


def _non_members(reps: list[Representative], group: ActivityGroup, day: date) -> list[Representative]:
    members = set(members_on(group, day).values_list("pk", flat=True))
    return [r for r in reps if r.pk not in members]


def _write_activity(activity: Activity, data: dict, participants: list[Representative]) -> Activity:
    for name in ACTIVITY_FIELDS:
        if name in data:
            value = data[name]
            setattr(activity, name, value.strip() if isinstance(value, str) else value)
    activity.full_clean()
    activity.save()
    activity.participants.set(participants)
    return activity


def _activity_region(*, group: ActivityGroup | None, region: Region | None) -> Region:
    if group is not None:
        return group.region
    if region is None:
        raise GroupError({"region": _("不属于小组的活动请选择所属区域。")})
    check_upper_region(region)
    return region


@transaction.atomic
def activity_record(
    *,
    kind: str,
    title: str,
    date: date,
    participants: Iterable[Representative],
    by: User,
    group: ActivityGroup | None = None,
    region: Region | None = None,
    **details,
) -> Activity:
    """Staff record an activity; it is confirmed at once (staff are the reviewers)."""
    if group is not None:
        group = ActivityGroup.objects.select_related("region").get(pk=group.pk)
    region = _activity_region(group=group, region=region)
    require_staff_writer(by, region)
    reps = representatives(participants)
    data = {"kind": kind, "title": title, "date": date, **details}
    errors = _activity_errors(data)
    if problems := outsider_errors(reps, region):
        errors["participants"] = problems
    if errors:
        raise GroupError(errors)
    activity = Activity(
        group=group,
        region=region,
        recorded_by=by,
        review_status=Activity.Review.CONFIRMED,
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )
    return _write_activity(activity, data, reps)


@transaction.atomic
def activity_update(
    *, activity: Activity, by: User, participants: Iterable[Representative] | None = None, **changes
) -> Activity:
    """Staff correct an activity; a rejected one stays rejected (the representative reports anew)."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("region", "group").get(pk=activity.pk)
    require_staff_writer(by, activity.region)
    check_changeable("activity_update", changes, ACTIVITY_FIELDS)
    data = {name: getattr(activity, name) for name in ACTIVITY_FIELDS} | changes
    errors = _activity_errors(data)
    reps = representatives(participants) if participants is not None else list(activity.participants.all())
    if problems := outsider_errors(reps, activity.region):
        errors["participants"] = problems
    if errors:
        raise GroupError(errors)
    return _write_activity(activity, data, reps)


@transaction.atomic
def activity_check_in(*, activity: Activity, representative: Representative, by: User) -> bool:
    """A representative checks in with the activity's 活动码 and joins its participants, under the
    rule staff recording follows (a representative of the activity's region); it counts on the
    duty record once the activity is confirmed, as any participation. False when already in."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("region").get(pk=activity.pk)
    if activity.review_status == Activity.Review.REJECTED:
        raise GroupError(_("这次活动的登记已被退回，不能签到，请联系工作人员。"))
    if activity.participants.filter(pk=representative.pk).exists():
        return False
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if problems := outsider_errors([rep], activity.region):
        raise GroupError(problems)
    activity.participants.add(rep)
    return True


def _report_errors(rep: Representative, group: ActivityGroup | None, day: date, reps: list[Representative]) -> dict:
    """A group's activity is reported by one of its members, with members as participants; an
    activity of one's own has only oneself as participant."""
    if group is None:
        return {"participants": _("不属于小组的活动只能填报本人参加。")} if any(r.pk != rep.pk for r in reps) else {}
    if not groups_of(rep, day).filter(pk=group.pk).exists():
        raise GroupError({"group": _("您在%(date)s不是“%(group)s”的成员。") % {"date": day_label(day), "group": group}})
    if outsiders := _non_members(reps, group, day):
        names = "、".join(r.name for r in outsiders)
        return {"participants": _("以下代表在活动当天不是本小组成员：%(names)s") % {"names": names}}
    return {}


@transaction.atomic
def activity_report(
    *,
    representative: Representative,
    kind: str,
    title: str,
    date: date,
    by: User,
    group: ActivityGroup | None = None,
    participants: Iterable[Representative] = (),
    **details,
) -> Activity:
    """A representative reports an activity in the portal; it waits for staff to confirm it."""
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if by.pk is None or rep.user_id != by.pk:
        raise PermissionDenied
    data = {"kind": kind, "title": title, "date": date, **details}
    reps = representatives([rep, *participants])
    if group is not None:
        group = ActivityGroup.objects.select_related("region").get(pk=group.pk)
    errors = _activity_errors(data) | _report_errors(rep, group, date, reps)
    if errors:
        raise GroupError(errors)
    region = group.region if group is not None else rep.township
    activity = _write_activity(Activity(group=group, region=region, reported_by=rep, recorded_by=by), data, reps)
    subject = _("%(rep)s填报了代表活动“%(title)s”，请确认。") % {"rep": rep, "title": activity.title}
    notify_staff("groups.activity_reported", activity, activity.region, subject)
    return activity


@transaction.atomic
def activity_review(*, activity: Activity, by: User, confirm: bool, note: str = "") -> Activity:
    """Staff confirm a reported activity (it then counts) or reject it with a reason; the
    representative who reported it is told in the portal inbox."""
    activity = review(activity, by, confirm, note, "groups.change_activity")
    reporter = Representative.objects.select_related("user").filter(pk=activity.reported_by_id).first()
    if reporter is not None and reporter.user_id:
        values = {"date": day_label(activity.date), "title": activity.title, "note": activity.review_note}
        subject = (
            _("您填报的%(date)s活动“%(title)s”已确认。") % values
            if activity.is_confirmed
            else _("您填报的%(date)s活动“%(title)s”未通过：%(note)s") % values
        )
        notify_reviewed("groups.activity_reviewed", activity, reporter.user, subject)
    return activity
