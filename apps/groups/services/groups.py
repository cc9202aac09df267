"""Writes of groups and their members."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import Region, User
from apps.core.permissions import require_staff_writer
from apps.groups.models import ActivityGroup, GroupMembership
from apps.groups.selectors import lives_in
from apps.groups.services.common import GroupError, check_changeable, check_upper_region, day_label
from apps.representatives.choices import Status
from apps.representatives.models import Representative

GROUP_FIELDS = ("name", "theme", "leader", "liaison_member", "liaison_name", "is_active")


def _check_group(group: ActivityGroup) -> None:
    errors = {}
    leader, liaison = group.leader, group.liaison_member
    if leader is not None and not lives_in(leader, group.region):
        errors["leader"] = _("组长%(rep)s不是%(region)s的代表。") % {"rep": leader, "region": group.region}
    if liaison is not None and liaison.role != User.Role.COMMITTEE:
        errors["liaison_member"] = _("联系的常委会组成人员须是常委会工作人员账号。")
    if liaison is not None and group.liaison_name:
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
    require_staff_writer(by, region)
    check_upper_region(region)
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
    require_staff_writer(by, group.region)
    check_changeable("group_update", changes, GROUP_FIELDS)
    for name, value in changes.items():
        setattr(group, name, value.strip() if isinstance(value, str) else value)
    group.full_clean()
    _check_group(group)
    group.save()
    leader = group.leader
    if leader is not None and not group.memberships.filter(representative=leader, left_on__isnull=True).exists():
        _member_add(group, leader, timezone.localdate())
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
    require_staff_writer(by, group.region)
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
    require_staff_writer(by, group.region)
    if membership.left_on is not None:
        raise GroupError(_("%(m)s已于%(date)s退出。") % {"m": membership, "date": day_label(membership.left_on)})
    if group.leader_id == membership.representative_id:
        raise GroupError(_("%(rep)s是组长，请先更换组长再办理退出。") % {"rep": membership.representative})
    if left_on < membership.joined_on:
        raise GroupError(
            {"left_on": _("退出日期不能早于加入日期（%(date)s）。") % {"date": day_label(membership.joined_on)}}
        )
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    return membership
