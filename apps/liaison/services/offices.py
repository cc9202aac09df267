"""Writes of liaison offices and stations themselves (their reference data is edited in the admin)."""

from django.db import transaction

from apps.core.qr import new_public_code
from apps.liaison.models import LiaisonOffice


@transaction.atomic
def office_contact_code_issue(*, office: LiaisonOffice) -> LiaisonOffice:
    """The office's 联络站码, made the first time it is asked for and never changed after."""
    office = LiaisonOffice.objects.select_for_update().get(pk=office.pk)
    if not office.contact_code:
        office.contact_code = new_public_code(LiaisonOffice)
        office.save(update_fields=["contact_code"])
    return office
