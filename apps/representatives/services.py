"""Writes of the roster and the duty record: status changes, activities representatives report,
staff reviews, voter ratings and the year's evaluation.

Every function is one transaction; DutyError carries a message for the person who tried, and a
refusal leaves nothing behind. An activity counts toward points only once staff confirm it.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.confirmation import ReviewError, record_review
from apps.core.models import User
from apps.core.permissions import require_staff_writer
from apps.core.qr import new_public_code
from apps.notifications.services import notification_queue
from apps.representatives import duty
from apps.representatives.choices import Status
from apps.representatives.models import DutyActivity, Evaluation, Representative, StatusChange, VoterRating
from apps.representatives.signals import retraining_called_for

Review = DutyActivity.Review
Outcome = Evaluation.Outcome


class DutyError(ValidationError):
    """A step the rules do not allow (of the duty record or the roster), with a message for the
    person who tried it."""


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def _notify(rule: str, target, representative: Representative, subject: str) -> None:
    notification_queue(
        rule=rule,
        target=target,
        recipients=[representative.user] if representative.user_id else [],
        due_on=timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


# --- self-reported activities ----------------------------------------------------------------


@transaction.atomic
def duty_activity_report(
    *, representative: Representative, kind: str, date: date, place: str, description: str, by: User
) -> DutyActivity:
    """A serving representative reports a duty they performed; it waits for staff to confirm it."""
    if representative.user_id != by.pk:
        raise PermissionDenied
    if representative.status != Status.SERVING:
        raise DutyError(_("您目前不是在任代表，不能填报履职记录。"))
    activity = DutyActivity(
        representative=representative,
        kind=kind,
        date=date,
        place=place.strip(),
        description=description.strip(),
        created_by=by,
    )
    activity.full_clean()
    activity.save()
    return activity


def _own_pending(activity: DutyActivity, by: User) -> DutyActivity:
    """The activity, locked, if `by` reported it and staff have not reviewed it yet."""
    locked = DutyActivity.objects.select_for_update().select_related("representative").get(pk=activity.pk)
    if locked.representative.user_id != by.pk:
        raise PermissionDenied
    if locked.review_status != Review.PENDING:
        raise DutyError(
            _("这条履职记录已审核（%(status)s），不能再修改或删除。") % {"status": locked.get_review_status_display()}
        )
    return locked


@transaction.atomic
def duty_activity_update(
    *, activity: DutyActivity, kind: str, date: date, place: str, description: str, by: User
) -> DutyActivity:
    activity = _own_pending(activity, by)
    activity.kind, activity.date = kind, date
    activity.place, activity.description = place.strip(), description.strip()
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def duty_activity_delete(*, activity: DutyActivity, by: User) -> None:
    _own_pending(activity, by).delete()


@transaction.atomic
def duty_activity_review(*, activity: DutyActivity, by: User, confirm: bool, note: str = "") -> DutyActivity:
    """Staff confirm an activity (it then counts toward points) or reject it with a reason; the
    representative is told in the portal inbox."""
    if not by.has_perm("representatives.change_dutyactivity"):
        raise PermissionDenied
    try:
        activity = record_review(record=activity, by=by, confirm=confirm, note=note)
    except ReviewError as error:
        raise DutyError(str(error)) from None
    activity = DutyActivity.objects.select_related("representative__user").get(pk=activity.pk)
    values = {"date": _day(activity.date), "kind": activity.get_kind_display()}
    if activity.is_confirmed:
        subject = _("您%(date)s的履职记录（%(kind)s）已确认，计入履职积分。") % values
    else:
        subject = _("您%(date)s的履职记录（%(kind)s）未通过：%(note)s") % {**values, "note": activity.review_note}
    _notify("representatives.activity_reviewed", activity, activity.representative, subject)
    return activity


# --- voter ratings ------------------------------------------------------------------------------


@transaction.atomic
def voter_rating_record(
    *,
    representative: Representative,
    year: int,
    held_on: date,
    satisfied: int,
    basic: int,
    dissatisfied: int,
    by: User,
    note: str = "",
) -> VoterRating:
    """Record the year's voter rating of a representative, or correct the one recorded."""
    require_staff_writer(by, representative, "representatives.add_voterrating")
    rating = VoterRating.objects.select_for_update().filter(
        representative=representative, year=year
    ).first() or VoterRating(representative=representative, year=year)
    rating.held_on, rating.note, rating.recorded_by = held_on, note.strip(), by
    rating.satisfied, rating.basic, rating.dissatisfied = satisfied, basic, dissatisfied
    rating.full_clean()
    rating.save()
    return rating


# --- evaluation ---------------------------------------------------------------------------------


def _snapshot(evaluation: Evaluation) -> Evaluation:
    points = duty.points_for(evaluation.representative, evaluation.year)
    rating = VoterRating.objects.filter(representative=evaluation.representative, year=evaluation.year).first()
    evaluation.points = Decimal(str(points.total)).quantize(Decimal("0.1"))
    evaluation.grade = points.grade
    evaluation.voter_rate = None if rating is None or rating.percent is None else Decimal(str(rating.percent))
    return evaluation


def _locked_evaluation(representative: Representative, year: int) -> Evaluation:
    found = Evaluation.objects.select_for_update().filter(representative=representative, year=year).first()
    return found or Evaluation(representative=representative, year=year)


@transaction.atomic
def evaluation_confirm(
    *, representative: Representative, year: int, outcome: str, by: User, note: str = ""
) -> Evaluation:
    """Confirm a representative's evaluation of the year: the points and grade are frozen as they
    are now; a retraining outcome assigns the retraining; the representative is told."""
    require_staff_writer(by, representative, "representatives.change_evaluation")
    if outcome not in Outcome.values:
        raise DutyError(_("请选择评价结果。"))
    evaluation = _locked_evaluation(representative, year)
    if evaluation.status == Evaluation.State.CONFIRMED:
        raise DutyError(
            _("%(rep)s的%(year)s年度履职评价已确认，不能重复确认。") % {"rep": representative, "year": year}
        )
    _snapshot(evaluation)
    evaluation.outcome, evaluation.note = outcome, note.strip()
    evaluation.status, evaluation.confirmed_by, evaluation.confirmed_at = Evaluation.State.CONFIRMED, by, timezone.now()
    evaluation.full_clean()
    evaluation.save()
    if outcome == Outcome.RETRAIN:
        _call_for_retraining(evaluation, by)
    _notify_evaluation(evaluation)
    return evaluation


def _summary(evaluation: Evaluation) -> str:
    rate = _("未测评") if evaluation.voter_rate is None else f"{evaluation.voter_rate}%"
    return _("%(year)s年度履职积分%(points)s分，等次%(grade)s，选民满意率%(rate)s") % {
        "year": evaluation.year,
        "points": evaluation.points,
        "grade": evaluation.grade_label,
        "rate": rate,
    }


def _call_for_retraining(evaluation: Evaluation, by: User) -> None:
    reason = _("年度履职评价：%(summary)s。") % {"summary": _summary(evaluation)}
    if evaluation.note:
        reason += evaluation.note
    # The training app assigns it (apps.training.signals); its refusal undoes the evaluation.
    retraining_called_for.send(sender=Evaluation, representative=evaluation.representative, reason=reason, by=by)


def _notify_evaluation(evaluation: Evaluation) -> None:
    rep = evaluation.representative
    subject = _("您的%(summary)s；评价结果：%(outcome)s。") % {
        "summary": _summary(evaluation),
        "outcome": evaluation.get_outcome_display(),
    }
    _notify("representatives.evaluation_confirmed", evaluation, rep, subject)


# --- status ------------------------------------------------------------------------------------


@transaction.atomic
def representative_status_change(
    *, representative: Representative, status: str, on: date, reason: str, by: User | None
) -> Representative:
    """A representative leaves office (辞职、罢免、终止) or is restored to it (a mistaken entry).
    The roster's status changes and a StatusChange row keeps when and why, which the duty record
    (履职档案) shows. Posts and group memberships are left as they are: ending them is a step of
    their own apps, taken by staff with their own dates."""
    require_staff_writer(by, representative, "representatives.change_representative")
    rep = Representative.objects.select_for_update(of=("self",)).get(pk=representative.pk)
    _check_status_change(rep, status, on, reason)
    change = StatusChange(
        representative=rep,
        old_status=rep.status,
        new_status=status,
        changed_on=on,
        reason=reason.strip(),
        recorded_by=by,
    )
    rep.status = status
    rep.status_changed_on = None if status == Status.SERVING else on
    rep._change_reason = change.reason  # the version history says why, too
    rep.full_clean()
    rep.save()
    change.full_clean()
    change.save()
    return rep


def _check_status_change(rep: Representative, status: str, on: date, reason: str) -> None:
    if status not in Status.values:
        raise DutyError({"status": _("请选择代表状态。")})
    if status == rep.status:
        raise DutyError(
            {"status": _("%(rep)s目前已是“%(status)s”。") % {"rep": rep, "status": rep.get_status_display()}}
        )
    if not reason.strip():
        raise DutyError({"reason": _("请写明状态变更的原因。")})
    if on > timezone.localdate():
        raise DutyError({"on": _("变更日期不能晚于今天。")})
    if rep.elected_on and on < rep.elected_on:
        raise DutyError({"on": _("变更日期不能早于当选日期（%(date)s）。") % {"date": _day(rep.elected_on)}})


# --- 代表码 ---------------------------------------------------------------------------------------


@transaction.atomic
def contact_code_issue(*, representative: Representative) -> Representative:
    """The representative's 代表码, made the first time it is asked for and never changed after.

    It is asked for when a card is printed or shown, so the township printed beside it is the
    representative's township now; the concern form tells a citizen who scans an older card of
    a representative who has since moved."""
    rep = Representative.objects.select_for_update(of=("self",)).get(pk=representative.pk)
    changed = []
    if not rep.contact_code:
        rep.contact_code = new_public_code(Representative)
        changed.append("contact_code")
    if rep.contact_code_township_id != rep.township_id:
        rep.contact_code_township_id = rep.township_id
        changed.append("contact_code_township")
    if changed:
        rep.save(update_fields=changed)
    return rep
