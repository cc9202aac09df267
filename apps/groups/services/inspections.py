"""Writes of inspection and survey batches (视察调研), their participants, report file and the
suggestions they produced."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import Region, User
from apps.core.permissions import require_staff_writer
from apps.core.uploads import check_upload, file_kind, stored_name
from apps.groups.models import Inspection, InspectionSuggestion
from apps.groups.services.common import (
    GroupError,
    check_changeable,
    check_upper_region,
    outsider_errors,
    representatives,
)
from apps.proposals.models import Proposal
from apps.representatives.models import Representative

INSPECTION_FIELDS = ("kind", "topic", "started_on", "ended_on", "organiser", "status", "report")

# Reports are read in offices: PDF and Word files, recognised by their content (apps.core.uploads).
REPORT_KINDS = ("pdf", "doc", "docx")
REPORT_MAX_BYTES_DEFAULT = 20 * 1024 * 1024


def report_file_errors(upload) -> list[str]:
    """Why a report file is refused (none when it is a PDF or Word file within the size limit)."""
    if not upload:
        return []
    limit = config("GROUPS", "REPORT_MAX_BYTES", REPORT_MAX_BYTES_DEFAULT)
    try:
        check_upload(upload, kinds=REPORT_KINDS, max_bytes=limit)
    except ValidationError as refusal:
        return refusal.messages
    return []


def _named_by_kind(upload):
    # Stored with the extension of what the file really is, whatever the upload was called (it
    # passed report_file_errors, so it is one of REPORT_KINDS).
    upload.name = stored_name(upload, file_kind(upload))
    return upload


def _inspection_errors(inspection: Inspection, upload) -> dict[str, str | list[str]]:
    errors: dict[str, str | list[str]] = {}
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


def _participants(region: Region, participants: Iterable[Representative]) -> list[Representative]:
    reps = representatives(participants)
    if problems := outsider_errors(reps, region):
        raise GroupError({"participants": problems})
    return reps


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
    require_staff_writer(by, region)
    check_upper_region(region)
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
    reps = _participants(region, participants)  # before the file is stored: a refusal leaves no file
    inspection.batch_no = _next_batch_no(region, started_on.year)
    if report_file:
        inspection.report_file = _named_by_kind(report_file)
    inspection.save()
    inspection.participants.set(reps)
    return inspection


@transaction.atomic
def inspection_update(*, inspection: Inspection, by: User, report_file=None, **changes) -> Inspection:
    """Change a batch's details; its number stays, so it cannot move to another year."""
    inspection = Inspection.objects.select_for_update().select_related("region").get(pk=inspection.pk)
    require_staff_writer(by, inspection.region)
    check_changeable("inspection_update", changes, INSPECTION_FIELDS)
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


@transaction.atomic
def inspection_set_participants(
    *, inspection: Inspection, participants: Iterable[Representative], by: User
) -> Inspection:
    inspection = Inspection.objects.select_for_update().select_related("region").get(pk=inspection.pk)
    require_staff_writer(by, inspection.region)
    inspection.participants.set(_participants(inspection.region, participants))
    return inspection


def _check_proposal(proposal: Proposal | None, by: User) -> None:
    if proposal is not None and not Proposal.objects.visible_to(by).filter(pk=proposal.pk).exists():
        raise GroupError({"proposal": _("所选代表建议不在您的管辖范围内。")})


@transaction.atomic
def inspection_suggestion_add(
    *, inspection: Inspection, text: str, by: User, proposal: Proposal | None = None
) -> InspectionSuggestion:
    inspection = Inspection.objects.select_related("region").get(pk=inspection.pk)
    require_staff_writer(by, inspection.region)
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
    require_staff_writer(by, suggestion.inspection.region)
    if not text.strip():
        raise GroupError({"text": _("请填写意见建议的内容。")})
    suggestion.text = text.strip()
    suggestion.save(update_fields=["text"])
    return suggestion


@transaction.atomic
def inspection_suggestion_link_proposal(
    *, suggestion: InspectionSuggestion, proposal: Proposal | None, by: User
) -> InspectionSuggestion:
    """Link the suggestion to the proposal it became (or unlink it with None)."""
    suggestion = InspectionSuggestion.objects.select_related("inspection__region").get(pk=suggestion.pk)
    require_staff_writer(by, suggestion.inspection.region)
    _check_proposal(proposal, by)
    suggestion.proposal = proposal
    suggestion.save(update_fields=["proposal"])
    return suggestion
