"""Staff review of records that representatives report themselves (see `Confirmable`)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scope import scope_for


class ReviewError(Exception):
    """A review that cannot be made; the message is for the person who tried."""


@transaction.atomic
def record_review(*, record, by, confirm: bool, note: str = ""):
    """Confirm or reject a pending record. Scope is checked on the record's own model.

    The row is locked, so two staff reviewing at once give one review, not two.
    """
    model = type(record)
    locked = model._default_manager.select_for_update().get(pk=record.pk)
    if not scope_for(by).covers(locked):
        raise PermissionDenied
    if locked.review_status != model.Review.PENDING:
        raise ReviewError(
            _("该记录已审核（%(status)s），不能重复审核。") % {"status": locked.get_review_status_display()}
        )
    if not confirm and not note.strip():
        raise ReviewError(_("不通过时请填写理由。"))
    locked.review_status = model.Review.CONFIRMED if confirm else model.Review.REJECTED
    locked.reviewed_by = by
    locked.reviewed_at = timezone.now()
    locked.review_note = note.strip()
    locked.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    return locked
