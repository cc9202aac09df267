"""What every proposals service shares: the domain error, the row lock, the state check and the
status-history row, and the notifications they queue."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import HandlingUnit, User
from apps.notifications.services import notification_queue
from apps.proposals.models import Assignment, Proposal, ProposalEvent, ReturnRequest
from apps.representatives.models import Representative

Role = Assignment.Role
Decision = ReturnRequest.Decision


class ProposalError(ValidationError):
    """A transition that the rules do not allow, with a message for the person who tried it."""


def local_today() -> date:
    return timezone.localdate()


def lock(proposal: Proposal) -> Proposal:
    """Re-read the proposal under a row lock: two clicks must not both pass the state check."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def require_status(proposal: Proposal, *allowed: str, action: str) -> None:
    if proposal.status not in allowed:
        raise ProposalError(
            _("建议当前状态为“%(status)s”，不能%(action)s。")
            % {"status": proposal.get_status_display(), "action": action}
        )


def move(proposal: Proposal, to: str, *, action: str, by: User | None, note: str = "", **fields) -> Proposal:
    event = ProposalEvent(proposal=proposal, action=action, from_status=proposal.status, to_status=to, by=by, note=note)
    proposal.status = to
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save()
    event.save()
    return proposal


def log_event(proposal: Proposal, action: str, by: User, note: str = "") -> None:
    ProposalEvent.objects.create(
        proposal=proposal, action=action, from_status=proposal.status, to_status=proposal.status, by=by, note=note
    )


def users_of(representatives: Iterable[Representative]) -> list[User]:
    return [r.user for r in representatives if r.user is not None]


def unit_users(units: Iterable[HandlingUnit]) -> list[User]:
    return list(User.objects.filter(handling_unit__in=list(units), role=User.Role.UNIT, is_active=True))


def committee_users(proposal: Proposal) -> list[User]:
    county_path = proposal.session.term.region.path
    return list(User.objects.filter(role=User.Role.COMMITTEE, is_active=True, regions__path=county_path).distinct())


def notify(rule: str, target, recipients, subject: str, *, due_on: date | None = None) -> None:
    notification_queue(
        rule=rule,
        target=target,
        recipients=recipients,
        due_on=due_on or local_today(),
        subject=subject,
        channels=["inbox"],
    )


def apply_changes(record, changes: dict, allowed) -> list[str]:
    """Set the changed fields on `record`, refusing any the rules keep fixed; the names changed."""
    refused = [name for name in changes if name not in allowed]
    if refused:
        label = field_label(type(record), refused[0])
        raise ProposalError({refused[0]: _("现在不能修改“%(field)s”。") % {"field": label}})
    changed = [name for name, value in changes.items() if getattr(record, name) != value]
    for name in changed:
        setattr(record, name, changes[name])
    return changed


def field_label(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))
