"""Reception records (接待登记): a visitor registered by staff at an office."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.models import User
from apps.liaison.models import Concern, LiaisonOffice, ReceptionDay, ReceptionRecord
from apps.liaison.services.concerns import concern_answer_on_spot, concern_submit
from apps.liaison.services.errors import ConcernError


@transaction.atomic
def reception_record_add(
    *,
    office: LiaisonOffice,
    received_on: date,
    matter: str,
    by: User,
    visitor_name: str = "",
    visitor_phone: str = "",
    answered_on_spot: bool = False,
    answer: str = "",
    category: str = "other",
    is_urgent: bool = False,
) -> ReceptionRecord:
    """Register a visitor; what was not answered on the spot becomes a concern to follow."""
    if not matter.strip():
        raise ConcernError(_("请填写反映事项。"))
    if answered_on_spot and not answer.strip():
        raise ConcernError(_("当场答复的，请填写答复情况。"))
    record = ReceptionRecord(
        office=office,
        received_on=received_on,
        matter=matter,
        visitor_name=visitor_name,
        visitor_phone=visitor_phone,
        answered_on_spot=answered_on_spot,
        answer=answer,
        recorded_by=by,
        reception_day=ReceptionDay.objects.filter(office=office, date=received_on).first(),
    )
    record.full_clean()
    concern, _created = concern_submit(
        region=office.region,
        category=category,
        description=matter,
        is_urgent=is_urgent,
        name=visitor_name,
        phone=visitor_phone,
        channel=Concern.Channel.RECEPTION,
        by=by,
    )
    if answered_on_spot:
        concern_answer_on_spot(concern=concern, answer=answer, by=by)
    record.concern = concern
    record.save()
    return record
