"""Writes of campaigns (主题活动) and the problems solved in them: staff enter problems (confirmed at
once), representatives log them in the portal, and the township's staff confirm or reject them."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import Region, User
from apps.core.permissions import require_staff_writer
from apps.groups.models import Campaign, ProblemSolved
from apps.groups.selectors import lives_in
from apps.groups.services.common import (
    GroupError,
    check_changeable,
    check_upper_region,
    day_label,
    notify_reviewed,
    notify_staff,
    review,
)
from apps.representatives.models import Representative

CAMPAIGN_FIELDS = ("name", "region", "started_on", "ended_on", "description")


@transaction.atomic
def campaign_create(
    *, name: str, region: Region, started_on: date, by: User, ended_on: date | None = None, description: str = ""
) -> Campaign:
    require_staff_writer(by, region)
    check_upper_region(region)
    campaign = Campaign(
        name=name.strip(), region=region, started_on=started_on, ended_on=ended_on, description=description
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by: User, **changes) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("region").get(pk=campaign.pk)
    require_staff_writer(by, campaign.region)
    check_changeable("campaign_update", changes, CAMPAIGN_FIELDS)
    for name, value in changes.items():
        setattr(campaign, name, value)
    require_staff_writer(by, campaign.region)  # again: the change may move it to another region
    check_upper_region(campaign.region)
    campaign.full_clean()
    outside = campaign.problems.filter(Q(date__lt=campaign.started_on) | Q(date__gt=campaign.ended_on or date.max))
    if outside.exists():
        raise GroupError(_("已有办实事记录的日期在新的起止日期之外，请先核对这些记录。"))
    campaign.save()
    return campaign


def _problem_errors(campaign: Campaign, rep: Representative, day: date, problem: str) -> dict:
    errors = {}
    if not problem.strip():
        errors["problem"] = _("请填写群众反映的问题。")
    if not lives_in(rep, campaign.region):
        errors["representative"] = _("%(rep)s不是%(region)s的代表，不能登记“%(campaign)s”的记录。") % {
            "rep": rep,
            "region": campaign.region,
            "campaign": campaign,
        }
    if day > timezone.localdate():
        errors["date"] = _("日期不能晚于今天。")
    elif day < campaign.started_on or (campaign.ended_on and day > campaign.ended_on):
        end = day_label(campaign.ended_on) if campaign.ended_on else _("今天")
        errors["date"] = _("日期须在活动期间（%(start)s至%(end)s）。") % {
            "start": day_label(campaign.started_on),
            "end": end,
        }
    return errors


def _problem_save(
    campaign: Campaign, rep: Representative, day: date, problem: str, action_taken: str, is_solved: bool, **entered
) -> ProblemSolved:
    """Check and save a problem solved, whoever enters it (`entered`: who recorded it and its review state)."""
    errors = _problem_errors(campaign, rep, day, problem)
    if errors:
        raise GroupError(errors)
    record = ProblemSolved(
        campaign=campaign,
        representative=rep,
        township=rep.township,
        date=day,
        problem=problem.strip(),
        action_taken=action_taken.strip(),
        is_solved=is_solved,
        **entered,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def problem_record(
    *,
    campaign: Campaign,
    representative: Representative,
    date: date,
    problem: str,
    by: User,
    action_taken: str = "",
    is_solved: bool = True,
) -> ProblemSolved:
    """Staff enter a problem solved; it is confirmed at once."""
    campaign = Campaign.objects.select_related("region").get(pk=campaign.pk)
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    require_staff_writer(by, rep.township)
    if not Campaign.objects.visible_to(by).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    confirmed = {"review_status": ProblemSolved.Review.CONFIRMED, "reviewed_by": by, "reviewed_at": timezone.now()}
    return _problem_save(campaign, rep, date, problem, action_taken, is_solved, recorded_by=by, **confirmed)


@transaction.atomic
def problem_report(
    *,
    campaign: Campaign,
    representative: Representative,
    date: date,
    problem: str,
    by: User,
    action_taken: str = "",
    is_solved: bool = True,
) -> ProblemSolved:
    """A representative logs a problem solved in the portal; staff of the township confirm it."""
    rep = Representative.objects.select_related("township").get(pk=representative.pk)
    if by.pk is None or rep.user_id != by.pk:
        raise PermissionDenied
    campaign = Campaign.objects.select_related("region").get(pk=campaign.pk)
    record = _problem_save(campaign, rep, date, problem, action_taken, is_solved, recorded_by=by)
    subject = _("%(rep)s登记了“%(campaign)s”办实事记录，请确认。") % {"rep": rep, "campaign": campaign}
    notify_staff("groups.problem_reported", record, rep.township, subject)
    return record


@transaction.atomic
def problem_review(*, problem: ProblemSolved, by: User, confirm: bool, note: str = "") -> ProblemSolved:
    problem = review(problem, by, confirm, note, "groups.change_problemsolved")
    rep = Representative.objects.select_related("user").get(pk=problem.representative_id)
    if rep.user_id and problem.recorded_by_id == rep.user_id:
        values = {"date": day_label(problem.date), "campaign": problem.campaign, "note": problem.review_note}
        subject = (
            _("您登记的%(date)s“%(campaign)s”办实事记录已确认。") % values
            if problem.is_confirmed
            else _("您登记的%(date)s“%(campaign)s”办实事记录未通过：%(note)s") % values
        )
        notify_reviewed("groups.problem_reviewed", problem, rep.user, subject)
    return problem
