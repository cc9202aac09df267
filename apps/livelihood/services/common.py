"""What every livelihood service shares: the app's one error type, validation that refuses with
it, and the inbox notice a step sends."""

from datetime import date

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.notifications.services import notification_queue


class LivelihoodError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it.

    A ValidationError, so the admin's all-or-nothing actions and forms show it as they show
    the other apps' refusals; str() is the readable message itself."""

    def __str__(self):
        return " ".join(self.messages)


def clean(obj: Model, **kwargs) -> None:
    """full_clean, refusing with this app's error. Field errors stay on their fields (for forms)
    and name the field (for the admin's message line)."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise LivelihoodError(error.messages) from None
        raise LivelihoodError(
            {field: [_labelled(obj, field, m) for m in messages] for field, messages in error.message_dict.items()}
        ) from None


def _labelled(obj: Model, field: str, message: str) -> str:
    try:
        label = getattr(obj._meta.get_field(field), "verbose_name", None)
    except FieldDoesNotExist:  # NON_FIELD_ERRORS
        return message
    if label is None:  # a reverse relation
        return message
    return _("%(field)s：%(message)s") % {"field": label, "message": message}


def notify(rule: str, target: Model, recipients, subject: str, *, due_on: date | None = None) -> None:
    """An inbox notice of this step (the app sends no mail or SMS of its own)."""
    notification_queue(
        rule=rule,
        target=target,
        recipients=recipients,
        due_on=due_on or timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )
