"""Supervision by the standing committee: supervision records, key proposals, and notices (通报)."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import CongressSession, User
from apps.core.numerals import chinese_number
from apps.core.permissions import require_staff_writer
from apps.notifications.services import notification_queue
from apps.proposals.models import (
    HANDLING,
    Notice,
    Proposal,
    Status,
    Supervision,
)
from apps.proposals.selectors import notice_items
from apps.proposals.services._common import (
    ProposalError,
    apply_changes,
    local_today,
    lock,
    log_event,
    require_status,
    unit_users,
)


@transaction.atomic
def supervision_record(
    *, proposal: Proposal, method: str, supervised_on: date, supervisor: str, notes: str, by: User
) -> Supervision:
    proposal = lock(proposal)
    require_status(proposal, *HANDLING, Status.REPLIED, action=_("督办"))
    supervision = Supervision(
        proposal=proposal,
        method=method,
        supervised_on=supervised_on,
        supervisor=supervisor,
        notes=notes,
        recorded_by=by,
    )
    supervision.full_clean()
    supervision.save()
    log_event(proposal, "supervise", by, supervision.get_method_display())
    return supervision


@transaction.atomic
def proposal_mark_key(*, proposal: Proposal, leader: str, by: User) -> Proposal:
    proposal = lock(proposal)
    require_status(proposal, Status.ACCEPTED, *HANDLING, Status.REPLIED, action=_("列为重点督办"))
    if not leader.strip():
        raise ProposalError(_("重点督办建议须明确督办领导。"))
    proposal.is_key, proposal.supervising_leader = True, leader
    proposal.save()
    log_event(proposal, "mark_key", by, leader)
    return proposal


def _notice_item_line(n: int, item) -> str:
    name = _("第%(number)s号《%(title)s》") if item.number else _("《%(title)s》")
    facts = []
    if not item.answered:
        facts.append(
            _("答复期限%(due)s，逾期未答复，已逾期%(days)s天")
            % {"due": item.due_on.isoformat(), "days": item.days_overdue}
        )
    elif item.days_overdue:
        facts.append(_("逾期%(days)s天答复") % {"days": item.days_overdue})
    if item.answered and not item.contacted:
        facts.append(_("答复前未与代表沟通"))
    return f"    {n}. {name % {'number': item.number, 'title': item.title}}：{'，'.join(facts)}。"


def _notice_unit_lines(n: int, row) -> list[str]:
    items = row.items
    counts = {
        "unit": row.unit.name,
        "overdue": sum(1 for i in items if not i.answered),
        "late": sum(1 for i in items if i.answered and i.days_overdue),
        "no_contact": sum(1 for i in items if i.answered and not i.contacted),
    }
    head = _("%(unit)s：逾期未答复%(overdue)s件，逾期答复%(late)s件，未与代表沟通即答复%(no_contact)s件。") % counts
    return [f"{chinese_number(n)}、{head}", *(_notice_item_line(k, item) for k, item in enumerate(items, 1))]


def notice_body(*, session: CongressSession, rows) -> str:
    """The notice's text: each unit named with its items (number, title) and days overdue."""
    if not rows:
        return _("%(session)s的代表建议，所有承办单位均按期答复，并在答复前与代表进行了沟通。") % {"session": session}
    lines = [_("现将%(session)s代表建议办理中逾期答复或敷衍答复的情况通报如下：") % {"session": session}, ""]
    for n, row in enumerate(rows, 1):
        lines += _notice_unit_lines(n, row)
    lines += ["", _("请以上单位高度重视，认真整改，尽快与代表当面沟通，并在规定期限内书面答复代表。")]
    return "\n".join(lines)


@transaction.atomic
def notice_draft(*, session: CongressSession, by: User) -> Notice:
    """Draft a notice naming the units with overdue, late or perfunctory (uncontacted) answers."""
    rows = notice_items(session=session, today=local_today())
    notice = Notice.objects.create(
        session=session,
        title=_("关于%(session)s代表建议办理情况的通报") % {"session": session},
        body=notice_body(session=session, rows=rows),
        created_by=by,
    )
    notice.units.set([row.unit for row in rows])
    return notice


def _notice_channels(users: list[User]) -> list[tuple[str, list[User]]]:
    """In-app for everyone; email and SMS where the deployment sends them and the user has an address."""
    configured = config("NOTIFICATIONS", "CHANNELS")
    channels = [("inbox", users)]
    if "email" in configured:
        channels.append(("email", [u for u in users if u.email]))
    if "sms" in configured:
        channels.append(("sms", [u for u in users if u.phone]))
    return channels


@transaction.atomic
def notice_publish(*, notice: Notice, by: User) -> Notice:
    """Publish the notice and tell every unit it names, with a link to the notice."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at:
        raise ProposalError(_("通报已经发布。"))
    if not notice.body.strip():
        raise ProposalError(_("通报正文不能为空。"))
    notice.published_at, notice.published_by = timezone.now(), by
    notice.save()
    users = unit_users(notice.units.all())
    for channel, recipients in _notice_channels(users):
        notification_queue(
            rule="proposal.notice",
            target=notice,
            recipients=recipients,
            due_on=local_today(),
            subject=_("通报：%(title)s") % {"title": notice.title},
            body=_("人大常委会发布了通报，涉及贵单位，请登录查看并整改。"),
            channels=[channel],
        )
    return notice


@transaction.atomic
def notice_update(*, notice: Notice, changes: dict, by: User) -> Notice:
    """Staff correct a draft notice's text, or whether the public may read it (`Notice.editable_fields`)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    require_staff_writer(by, notice, "proposals.change_notice")
    changed = apply_changes(notice, changes, notice.editable_fields())
    if changed:
        notice.full_clean()
        notice.save(update_fields=changed)
    return notice
