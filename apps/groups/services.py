"""Writes of the groups app: groups and their members, activities, campaigns' problems solved,
inspections and their suggestions.

Every function is one transaction; GroupError carries a message for the person who tried, and a
refusal leaves nothing behind. What staff enter is confirmed at once; what representatives report
in the portal waits for staff to confirm it, and only then counts toward the duty record.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.confirmation import ReviewError, record_review
from apps.core.models import Region, User
from apps.core.scope import scope_for
from apps.core.uploads import file_kind, stored_name
from apps.groups.models import (
    Activity,
    ActivityGroup,
    Campaign,
    GroupMembership,
    Inspection,
    InspectionSuggestion,
    ProblemSolved,
)
from apps.notifications.services import notification_queue
from apps.representatives.choices import Status
from apps.representatives.models import Representative

STAFF_WRITERS = {User.Role.COMMITTEE, User.Role.TOWNSHIP}
ACTIVITY_FIELDS = ("kind", "title", "date", "place", "summary", "wishes_fulfilled", "people_reached", "problems_solved")
GROUP_FIELDS = ("name", "theme", "leader", "liaison_member", "liaison_name", "is_active")
CAMPAIGN_FIELDS = ("name", "region", "started_on", "ended_on", "description")
INSPECTION_FIELDS = ("kind", "topic", "started_on", "ended_on", "organiser", "status", "report")

# Reports are read in offices: PDF and Word files, recognised by their first bytes.
# Recognised by content (apps.core.uploads): any zip or OLE file is not yet a Word file.
REPORT_KINDS = ("pdf", "doc", "docx")
REPORT_MAX_BYTES_DEFAULT = 20 * 1024 * 1024


class GroupError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it."""


def config(key: str, default):
    return getattr(settings, "RENDA_GROUPS", {}).get(key, default)


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


# --- who may write ---------------------------------------------------------------------------


def is_staff_writer(user: User) -> bool:
    return user.is_superuser or user.role in STAFF_WRITERS


def covers_region(user: User, region: Region) -> bool:
    """Whether the region lies inside the user's own scope (not merely above it)."""
    scope = scope_for(user)
    return scope.unrestricted or any(region.path.startswith(p) for p in scope.region_paths)


def _require_staff_for(by: User, region: Region) -> None:
    if not is_staff_writer(by) or not covers_region(by, region):
        raise PermissionDenied


def _check_upper_region(region: Region) -> None:
    if region.level == Region.Level.VILLAGE:
        raise GroupError({"region": _("所属区域须为县或乡镇，不能是村（社区）。")})


def lives_in(rep: Representative, region: Region) -> bool:
    return rep.township.path.startswith(region.path)


# --- groups and members ------------------------------------------------------------------------


def _check_group(group: ActivityGroup) -> None:
    errors = {}
    if group.leader_id and not lives_in(group.leader, group.region):
        errors["leader"] = _("组长%(rep)s不是%(region)s的代表。") % {"rep": group.leader, "region": group.region}
    if group.liaison_member_id and group.liaison_member.role != User.Role.COMMITTEE:
        errors["liaison_member"] = _("联系的常委会组成人员须是常委会工作人员账号。")
    if group.liaison_member_id and group.liaison_name:
        errors["liaison_name"] = _("已选择账号时不用再填写姓名。")
    if errors:
        raise GroupError(errors)


@transaction.atomic
def group_create(
    *,
    name: str,
    theme: str,
    region: Region,
    by: User,
    leader: Representative | None = None,
    liaison_member: User | None = None,
    liaison_name: str = "",
    joined_on: date | None = None,
) -> ActivityGroup:
    """A new group; its leader becomes its first member."""
    _require_staff_for(by, region)
    _check_upper_region(region)
    group = ActivityGroup(
        name=name.strip(),
        theme=theme.strip(),
        region=region,
        leader=leader,
        liaison_member=liaison_member,
        liaison_name=liaison_name.strip(),
    )
    group.full_clean()
    _check_group(group)
    group.save()
    if leader is not None:
        _member_add(group, leader, joined_on or timezone.localdate())
    return group


@transaction.atomic
def group_update(*, group: ActivityGroup, by: User, **changes) -> ActivityGroup:
    """Change a group's name, theme, leader, liaison or state; a new leader joins if not a member."""
    group = ActivityGroup.objects.select_for_update().select_related("region").get(pk=group.pk)
    _require_staff_for(by, group.region)
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"group_update() does not change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    group.full_clean()
    _check_group(group)
    group.save()
    if group.leader_id and not group.memberships.filter(representative=group.leader_id, left_on__isnull=True).exists():
        _member_add(group, group.leader, timezone.localdate())
    return group


def _member_add(group: ActivityGroup, rep: Representative, joined_on: date) -> GroupMembership:
    if rep.status != Status.SERVING:
        raise GroupError(
            _("%(rep)s目前不是在任代表（%(status)s），不能加入小组。")
            % {"rep": rep, "status": rep.get_status_display()}
        )
    if not lives_in(rep, group.region):
        raise GroupError(_("%(rep)s不是%(region)s的代表，不能加入本小组。") % {"rep": rep, "region": group.region})
    if group.memberships.filter(representative=rep, left_on__isnull=True).exists():
        raise GroupError(_("%(rep)s已是“%(group)s”的成员。") % {"rep": rep, "group": group})
    membership = GroupMembership(group=group, representative=rep, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def group_member_add(
    *, group: ActivityGroup, representative: Representative, joined_on: date, by: User
) -> GroupMembership:
    group = ActivityGroup.objects.select_for_update().select_related("region").get(pk=group.pk)
    _require_staff_for(by, group.region)
    if not group.is_active:
        raise GroupError(_("小组“%(group)s”已撤销，不能再加入成员。") % {"group": group})
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    return _member_add(group, rep, joined_on)


@transaction.atomic
def group_member_remove(*, membership: GroupMembership, left_on: date, by: User) -> GroupMembership:
    """The representative leaves the group on `left_on`; the leader must be replaced first."""
    membership = (
        GroupMembership.objects.select_for_update(of=("self",)).select_related("group__region").get(pk=membership.pk)
    )
    group = membership.group
    _require_staff_for(by, group.region)
    if membership.left_on is not None:
        raise GroupError(_("%(m)s已于%(date)s退出。") % {"m": membership, "date": _day(membership.left_on)})
    if group.leader_id == membership.representative_id:
        raise GroupError(_("%(rep)s是组长，请先更换组长再办理退出。") % {"rep": membership.representative})
    if left_on < membership.joined_on:
        raise GroupError(
            {"left_on": _("退出日期不能早于加入日期（%(date)s）。") % {"date": _day(membership.joined_on)}}
        )
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    return membership


def members_on(group: ActivityGroup, day: date):
    """Representatives who were members of the group on `day`."""
    current = Q(group_memberships__left_on__isnull=True) | Q(group_memberships__left_on__gte=day)
    return Representative.objects.filter(
        current, group_memberships__group=group, group_memberships__joined_on__lte=day
    ).distinct()


# --- activities --------------------------------------------------------------------------------


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


def _participant_errors(reps: list[Representative], *, region: Region) -> list[str]:
    """Staff may record anyone of the activity's region (a group's activity may have guests)."""
    outsiders = [r for r in reps if not lives_in(r, region)]
    if outsiders:
        return [
            _("以下代表不是%(region)s的代表：%(names)s")
            % {"region": region, "names": "、".join(r.name for r in outsiders)}
        ]
    return []


def _non_members(reps: list[Representative], group: ActivityGroup, day: date) -> list[Representative]:
    members = set(members_on(group, day).values_list("pk", flat=True))
    return [r for r in reps if r.pk not in members]


def _representatives(reps: Iterable[Representative]) -> list[Representative]:
    pks = [r.pk for r in reps]
    return list(Representative.objects.filter(pk__in=pks).select_related("township").order_by("pk"))


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
    _check_upper_region(region)
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
    _require_staff_for(by, region)
    reps = _representatives(participants)
    data = {"kind": kind, "title": title, "date": date, **details}
    errors = _activity_errors(data)
    if problems := _participant_errors(reps, region=region):
        errors["participants"] = problems
    if errors:
        raise GroupError(errors)
    now = timezone.now()
    activity = Activity(
        group=group,
        region=region,
        recorded_by=by,
        review_status=Activity.Review.CONFIRMED,
        reviewed_by=by,
        reviewed_at=now,
    )
    return _write_activity(activity, data, reps)


@transaction.atomic
def activity_update(
    *, activity: Activity, by: User, participants: Iterable[Representative] | None = None, **changes
) -> Activity:
    """Staff correct an activity; a rejected one stays rejected (the representative reports anew)."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("region", "group").get(pk=activity.pk)
    _require_staff_for(by, activity.region)
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_update() does not change {sorted(unknown)}")
    data = {name: getattr(activity, name) for name in ACTIVITY_FIELDS} | changes
    errors = _activity_errors(data)
    reps = _representatives(participants) if participants is not None else list(activity.participants.all())
    if problems := _participant_errors(reps, region=activity.region):
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
    if problems := _participant_errors([rep], region=activity.region):
        raise GroupError(problems)
    activity.participants.add(rep)
    return True


def groups_of(representative: Representative, day: date | None = None):
    """The active groups the representative belongs to (on `day`, today by default)."""
    day = day or timezone.localdate()
    current = Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gte=day)
    return ActivityGroup.objects.filter(
        current, is_active=True, memberships__representative=representative, memberships__joined_on__lte=day
    ).distinct()


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
    """A representative reports an activity in the portal; it waits for staff to confirm it.

    A group's activity is reported by one of its members (the leader is one), with members as
    participants; an activity of one's own has only oneself as participant."""
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if by.pk is None or rep.user_id != by.pk:
        raise PermissionDenied
    data = {"kind": kind, "title": title, "date": date, **details}
    errors = _activity_errors(data)
    reps = _representatives([rep, *participants])
    if group is not None:
        group = ActivityGroup.objects.select_related("region").get(pk=group.pk)
        if not groups_of(rep, date).filter(pk=group.pk).exists():
            raise GroupError({"group": _("您在%(date)s不是“%(group)s”的成员。") % {"date": _day(date), "group": group}})
        if outsiders := _non_members(reps, group, date):
            errors["participants"] = _("以下代表在活动当天不是本小组成员：%(names)s") % {
                "names": "、".join(r.name for r in outsiders)
            }
        region = group.region
    else:
        if any(r.pk != rep.pk for r in reps):
            errors["participants"] = _("不属于小组的活动只能填报本人参加。")
        region = rep.township
    if errors:
        raise GroupError(errors)
    activity = Activity(group=group, region=region, reported_by=rep, recorded_by=by)
    activity = _write_activity(activity, data, reps)
    _notify_staff_of_report(activity, rep)
    return activity


def staff_responsible_for(region: Region) -> list[User]:
    """Committee or township staff whose scope is exactly this region: they confirm its records."""
    return list(User.objects.filter(role__in=STAFF_WRITERS, is_active=True, regions=region).distinct().order_by("pk"))


def _notify_staff_of_report(activity: Activity, rep: Representative) -> None:
    _notify_staff(
        "groups.activity_reported",
        activity,
        activity.region,
        _("%(rep)s填报了代表活动“%(title)s”，请确认。") % {"rep": rep, "title": activity.title},
    )


def _notify_staff(rule: str, record, region: Region, subject: str) -> None:
    notification_queue(
        rule=rule,
        target=record,
        recipients=staff_responsible_for(region),
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


def _review(record, by: User, confirm: bool, note: str, permission: str):
    if not by.has_perm(permission):
        raise PermissionDenied
    try:
        return record_review(record=record, by=by, confirm=confirm, note=note)
    except ReviewError as error:
        raise GroupError(str(error)) from None


@transaction.atomic
def activity_review(*, activity: Activity, by: User, confirm: bool, note: str = "") -> Activity:
    """Staff confirm a reported activity (it then counts) or reject it with a reason; the
    representative who reported it is told in the portal inbox."""
    activity = _review(activity, by, confirm, note, "groups.change_activity")
    reporter = Representative.objects.select_related("user").filter(pk=activity.reported_by_id).first()
    if reporter is not None and reporter.user_id:
        values = {"date": _day(activity.date), "title": activity.title, "note": activity.review_note}
        subject = (
            _("您填报的%(date)s活动“%(title)s”已确认。") % values
            if activity.is_confirmed
            else _("您填报的%(date)s活动“%(title)s”未通过：%(note)s") % values
        )
        _notify_reviewed("groups.activity_reviewed", activity, reporter.user, subject)
    return activity


def _notify_reviewed(rule: str, record, user: User, subject: str) -> None:
    notification_queue(
        rule=rule,
        target=record,
        recipients=[user],
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


# --- campaigns and problems solved -------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *, name: str, region: Region, started_on: date, by: User, ended_on: date | None = None, description: str = ""
) -> Campaign:
    _require_staff_for(by, region)
    _check_upper_region(region)
    campaign = Campaign(
        name=name.strip(), region=region, started_on=started_on, ended_on=ended_on, description=description
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by: User, **changes) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("region").get(pk=campaign.pk)
    _require_staff_for(by, campaign.region)
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"campaign_update() does not change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(campaign, name, value)
    _require_staff_for(by, campaign.region)
    _check_upper_region(campaign.region)
    campaign.full_clean()
    outside = campaign.problems.filter(Q(date__lt=campaign.started_on) | Q(date__gt=campaign.ended_on or date.max))
    if outside.exists():
        raise GroupError(_("已有办实事记录的日期在新的起止日期之外，请先核对这些记录。"))
    campaign.save()
    return campaign


def _problem_errors(campaign: Campaign, rep: Representative, day: date, problem: str) -> dict:
    errors = {}
    if not problem.strip():
        errors["problem"] = _("请填写群众反映的问题。")
    if not lives_in(rep, campaign.region):
        errors["representative"] = _("%(rep)s不是%(region)s的代表，不能登记“%(campaign)s”的记录。") % {
            "rep": rep,
            "region": campaign.region,
            "campaign": campaign,
        }
    if day > timezone.localdate():
        errors["date"] = _("日期不能晚于今天。")
    elif day < campaign.started_on or (campaign.ended_on and day > campaign.ended_on):
        end = _day(campaign.ended_on) if campaign.ended_on else _("今天")
        errors["date"] = _("日期须在活动期间（%(start)s至%(end)s）。") % {
            "start": _day(campaign.started_on),
            "end": end,
        }
    return errors


def _write_problem(problem: ProblemSolved, errors: dict) -> ProblemSolved:
    if errors:
        raise GroupError(errors)
    problem.full_clean()
    problem.save()
    return problem


@transaction.atomic
def problem_record(
    *,
    campaign: Campaign,
    representative: Representative,
    date: date,
    problem: str,
    by: User,
    action_taken: str = "",
    is_solved: bool = True,
) -> ProblemSolved:
    """Staff enter a problem solved; it is confirmed at once."""
    campaign = Campaign.objects.select_related("region").get(pk=campaign.pk)
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if not is_staff_writer(by) or not covers_region(by, rep.township):
        raise PermissionDenied
    if not Campaign.objects.visible_to(by).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    record = ProblemSolved(
        campaign=campaign,
        representative=rep,
        township=rep.township,
        date=date,
        problem=problem.strip(),
        action_taken=action_taken.strip(),
        is_solved=is_solved,
        recorded_by=by,
        review_status=ProblemSolved.Review.CONFIRMED,
        reviewed_by=by,
        reviewed_at=timezone.now(),
    )
    return _write_problem(record, _problem_errors(campaign, rep, date, problem))


@transaction.atomic
def problem_report(
    *,
    campaign: Campaign,
    representative: Representative,
    date: date,
    problem: str,
    by: User,
    action_taken: str = "",
    is_solved: bool = True,
) -> ProblemSolved:
    """A representative logs a problem solved in the portal; staff of the township confirm it."""
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if by.pk is None or rep.user_id != by.pk:
        raise PermissionDenied
    campaign = Campaign.objects.select_related("region").get(pk=campaign.pk)
    record = ProblemSolved(
        campaign=campaign,
        representative=rep,
        township=rep.township,
        date=date,
        problem=problem.strip(),
        action_taken=action_taken.strip(),
        is_solved=is_solved,
        recorded_by=by,
    )
    record = _write_problem(record, _problem_errors(campaign, rep, date, problem))
    subject = _("%(rep)s登记了“%(campaign)s”办实事记录，请确认。") % {"rep": rep, "campaign": campaign}
    _notify_staff("groups.problem_reported", record, rep.township, subject)
    return record


@transaction.atomic
def problem_review(*, problem: ProblemSolved, by: User, confirm: bool, note: str = "") -> ProblemSolved:
    problem = _review(problem, by, confirm, note, "groups.change_problemsolved")
    rep = Representative.objects.select_related("user").get(pk=problem.representative_id)
    if rep.user_id and problem.recorded_by_id == rep.user_id:
        values = {"date": _day(problem.date), "campaign": problem.campaign, "note": problem.review_note}
        subject = (
            _("您登记的%(date)s“%(campaign)s”办实事记录已确认。") % values
            if problem.is_confirmed
            else _("您登记的%(date)s“%(campaign)s”办实事记录未通过：%(note)s") % values
        )
        _notify_reviewed("groups.problem_reviewed", problem, rep.user, subject)
    return problem


# --- inspections and surveys -------------------------------------------------------------------


def report_file_kind(upload) -> str | None:
    kind = file_kind(upload)
    return kind if kind in REPORT_KINDS else None


def _named_by_kind(upload):
    # Stored with the extension of what the file really is, whatever the upload was called.
    upload.name = stored_name(upload, report_file_kind(upload))
    return upload


def report_file_errors(upload) -> list[str]:
    if not upload:
        return []
    limit = config("REPORT_MAX_BYTES", REPORT_MAX_BYTES_DEFAULT)
    if upload.size > limit:
        return [_("报告附件不能超过%(mb)s MB。") % {"mb": limit // (1024 * 1024)}]
    if report_file_kind(upload) is None:
        return [_("“%(name)s”不是PDF或Word文件。") % {"name": upload.name}]
    return []


def _inspection_errors(inspection: Inspection, upload) -> dict:
    errors = {}
    if not inspection.topic.strip():
        errors["topic"] = _("请填写视察调研的主题。")
    if inspection.status == Inspection.Status.DONE and inspection.started_on > timezone.localdate():
        errors["status"] = _("开始日期在今天之后，不能标为已完成。")
    if problems := report_file_errors(upload):
        errors["report_file"] = problems
    return errors


def _next_batch_no(region: Region, year: int) -> int:
    # The region row is the lock: two batches created at once for the same region wait for each
    # other here, so the second one sees the first one's number.
    Region.objects.select_for_update().filter(pk=region.pk).first()
    last = Inspection.objects.filter(region=region, year=year).aggregate(n=Max("batch_no"))["n"]
    return (last or 0) + 1


@transaction.atomic
def inspection_create(
    *,
    kind: str,
    region: Region,
    topic: str,
    started_on: date,
    by: User,
    ended_on: date | None = None,
    organiser: str = "",
    status: str = Inspection.Status.PLANNED,
    report: str = "",
    report_file=None,
    participants: Iterable[Representative] = (),
) -> Inspection:
    """A new batch, numbered next in its region and year."""
    _require_staff_for(by, region)
    _check_upper_region(region)
    inspection = Inspection(
        kind=kind,
        region=region,
        topic=topic.strip(),
        started_on=started_on,
        ended_on=ended_on,
        organiser=organiser.strip(),
        status=status,
        report=report,
        created_by=by,
        year=started_on.year,
        batch_no=0,
    )
    errors = _inspection_errors(inspection, report_file)
    if errors:
        raise GroupError(errors)
    inspection.full_clean(exclude=["batch_no", "year", "report_file"])
    inspection.batch_no = _next_batch_no(region, started_on.year)
    if report_file:
        inspection.report_file = _named_by_kind(report_file)
    inspection.save()
    _set_participants(inspection, participants)
    return inspection


@transaction.atomic
def inspection_update(*, inspection: Inspection, by: User, report_file=None, **changes) -> Inspection:
    """Change a batch's details; its number stays, so it cannot move to another year."""
    inspection = Inspection.objects.select_for_update().select_related("region").get(pk=inspection.pk)
    _require_staff_for(by, inspection.region)
    unknown = set(changes) - set(INSPECTION_FIELDS)
    if unknown:
        raise TypeError(f"inspection_update() does not change {sorted(unknown)}")
    for name, value in changes.items():
        setattr(inspection, name, value.strip() if isinstance(value, str) else value)
    errors = _inspection_errors(inspection, report_file)
    if inspection.started_on.year != inspection.year:
        errors["started_on"] = _("批次按年度编号，开始日期须在%(year)s年内。") % {"year": inspection.year}
    if errors:
        raise GroupError(errors)
    if report_file:
        inspection.report_file = _named_by_kind(report_file)
    inspection.full_clean()
    inspection.save()
    return inspection


def _set_participants(inspection: Inspection, participants: Iterable[Representative]) -> None:
    reps = _representatives(participants)
    outsiders = [r for r in reps if not lives_in(r, inspection.region)]
    if outsiders:
        raise GroupError(
            {
                "participants": _("以下代表不是%(region)s的代表：%(names)s")
                % {"region": inspection.region, "names": "、".join(r.name for r in outsiders)}
            }
        )
    inspection.participants.set(reps)


@transaction.atomic
def inspection_set_participants(
    *, inspection: Inspection, participants: Iterable[Representative], by: User
) -> Inspection:
    inspection = Inspection.objects.select_for_update().select_related("region").get(pk=inspection.pk)
    _require_staff_for(by, inspection.region)
    _set_participants(inspection, participants)
    return inspection


def _check_proposal(proposal, by: User) -> None:
    from apps.proposals.models import Proposal

    if proposal is not None and not Proposal.objects.visible_to(by).filter(pk=proposal.pk).exists():
        raise GroupError({"proposal": _("所选代表建议不在您的管辖范围内。")})


@transaction.atomic
def inspection_suggestion_add(*, inspection: Inspection, text: str, by: User, proposal=None) -> InspectionSuggestion:
    inspection = Inspection.objects.select_related("region").get(pk=inspection.pk)
    _require_staff_for(by, inspection.region)
    if not text.strip():
        raise GroupError({"text": _("请填写意见建议的内容。")})
    _check_proposal(proposal, by)
    suggestion = InspectionSuggestion(inspection=inspection, text=text.strip(), proposal=proposal)
    suggestion.full_clean()
    suggestion.save()
    return suggestion


@transaction.atomic
def inspection_suggestion_update(*, suggestion: InspectionSuggestion, text: str, by: User) -> InspectionSuggestion:
    suggestion = InspectionSuggestion.objects.select_related("inspection__region").get(pk=suggestion.pk)
    _require_staff_for(by, suggestion.inspection.region)
    if not text.strip():
        raise GroupError({"text": _("请填写意见建议的内容。")})
    suggestion.text = text.strip()
    suggestion.save(update_fields=["text"])
    return suggestion


@transaction.atomic
def inspection_suggestion_link_proposal(
    *, suggestion: InspectionSuggestion, proposal, by: User
) -> InspectionSuggestion:
    """Link the suggestion to the proposal it became (or unlink it with None)."""
    suggestion = InspectionSuggestion.objects.select_related("inspection__region").get(pk=suggestion.pk)
    _require_staff_for(by, suggestion.inspection.region)
    _check_proposal(proposal, by)
    suggestion.proposal = proposal
    suggestion.save(update_fields=["proposal"])
    return suggestion
