"""Rows written straight to the tables, at chosen moments, for the dashboard to count; the rules
that produce them in real use are tested through the services in each app's own tests."""

import datetime
import itertools

from django.utils import timezone

from apps.groups.models import Inspection
from apps.liaison.models import Concern
from apps.proposals.models import Assignment, AssistOpinion, ContactRecord, Feedback, Proposal, Reply, Status

_codes = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def concern(*, region, day: datetime.date, status=Concern.Status.SUBMITTED, rating="") -> Concern:
    row = Concern.objects.create(
        tracking_code=f"T{next(_codes):08d}",
        region=region,
        category=Concern.Category.ROADS,
        description="村道塌方。",
        consented_at=at(day),
        accept_due_on=day,
        status=status,
        rating=rating,
    )
    Concern.objects.filter(pk=row.pk).update(submitted_at=at(day))  # auto_now_add on create
    return row


def proposal(*, session, lead, by, status=Status.ASSIGNED, period=Proposal.Period.SESSION, **fields):
    return Proposal.objects.create(
        session=session,
        lead=lead,
        township=lead.township,
        title="关于修缮村道的建议",
        content="内容",
        category=Proposal.Category.TRANSPORT,
        status=status,
        period=period,
        created_by=by,
        **fields,
    )


def assignment(*, proposal, unit, day: datetime.date, role=Assignment.Role.LEAD) -> Assignment:
    return Assignment.objects.create(
        proposal=proposal, unit=unit, role=role, assigned_at=at(day), due_on=day + datetime.timedelta(days=90)
    )


def contact(*, assignment, kind, day: datetime.date, by) -> ContactRecord:
    return ContactRecord.objects.create(
        assignment=assignment, kind=kind, contacted_on=day, summary="沟通", recorded_by=by
    )


def reply(*, assignment, outcome, day: datetime.date, on_time: bool, by) -> Reply:
    return Reply.objects.create(
        assignment=assignment, outcome=outcome, text="答复", replied_by=by, replied_at=at(day), on_time=on_time
    )


def opinion(*, assignment, day: datetime.date, by) -> AssistOpinion:
    row = AssistOpinion.objects.create(assignment=assignment, text="协办意见", sent_by=by)
    AssistOpinion.objects.filter(pk=row.pk).update(sent_at=at(day))  # auto_now_add on create
    return row


def feedback(*, proposal, result) -> Feedback:
    return Feedback.objects.create(
        proposal=proposal, round=1, representative=proposal.lead, attitude=result, result=result
    )


def inspection(*, region, started_on: datetime.date, by, batch_no: int = 1) -> Inspection:
    return Inspection.objects.create(
        kind=Inspection.Kind.INSPECTION,
        region=region,
        year=started_on.year,
        batch_no=batch_no,
        topic="视察农村道路建设",
        started_on=started_on,
        created_by=by,
    )
