"""The groups' part of the duty record: group activities taken part in, problems solved in
campaigns, inspections and surveys joined.

An activity or a problem solved counts once staff confirm it (a solved problem only when it is
solved); pending and rejected ones are shown on the record but earn nothing. An inspection counts
once it is done.
"""

from collections import Counter

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.groups.models import Activity, Inspection, ProblemSolved
from apps.representatives.duty import DutyEntry, DutySource, count_each, newest_first

GROUP_ACTIVITY = "group_activity"
CAMPAIGN_RECORD = "campaign_record"
INSPECTION = "inspection"

Confirmed = Activity.Review.CONFIRMED


def entries(representative, year: int) -> list[DutyEntry]:
    """Three queries: activities, problems solved and inspections of the year."""
    url = reverse("groups:mine")
    activities = (
        Activity.objects.filter(participants=representative, date__year=year)
        .select_related("group")
        .order_by("-date", "-pk")
    )
    problems = (
        ProblemSolved.objects.filter(representative=representative, date__year=year)
        .select_related("campaign")
        .order_by("-date", "-pk")
    )
    inspections = Inspection.objects.filter(participants=representative, started_on__year=year).order_by("-started_on")
    found = (
        [_activity_entry(a, url) for a in activities]
        + [_problem_entry(p, url) for p in problems]
        + [_inspection_entry(i) for i in inspections]
    )
    return newest_first(found)


def _activity_entry(activity: Activity, url: str) -> DutyEntry:
    where = activity.group.name if activity.group_id else activity.get_kind_display()
    return DutyEntry(
        kind=GROUP_ACTIVITY,
        on=activity.date,
        title=_("%(where)s：%(title)s") % {"where": where, "title": activity.title},
        counts=activity.is_confirmed,
        status=activity.get_review_status_display(),
        url=url,
    )


def _problem_entry(problem: ProblemSolved, url: str) -> DutyEntry:
    unsolved = problem.is_confirmed and not problem.is_solved
    status = _("未解决") if unsolved else problem.get_review_status_display()
    return DutyEntry(
        kind=CAMPAIGN_RECORD,
        on=problem.date,
        title=_("%(campaign)s：%(problem)s")
        % {"campaign": problem.campaign.name, "problem": Truncator(problem.problem).chars(40)},
        counts=problem.is_confirmed and problem.is_solved,
        status=status,
        url=url,
    )


def _inspection_entry(inspection: Inspection) -> DutyEntry:
    return DutyEntry(
        kind=INSPECTION,
        on=inspection.started_on,
        title=_("%(kind)s：%(topic)s") % {"kind": inspection.get_kind_display(), "topic": inspection.topic},
        counts=inspection.status == Inspection.Status.DONE,
        status=inspection.get_status_display(),
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """Three grouped queries for the whole queryset of representatives."""
    activities = Activity.participants.through.objects.filter(
        activity__date__year=year, activity__review_status=Confirmed
    )
    problems = ProblemSolved.objects.filter(date__year=year, review_status=Confirmed, is_solved=True)
    inspections = Inspection.participants.through.objects.filter(
        inspection__started_on__year=year, inspection__status=Inspection.Status.DONE
    )
    return count_each(
        representatives,
        {
            GROUP_ACTIVITY: (activities, "representative"),
            CAMPAIGN_RECORD: (problems, "representative"),
            INSPECTION: (inspections, "representative"),
        },
    )


SOURCE = DutySource(
    key="groups",
    label=gettext_lazy("小组活动与视察调研"),
    kinds={
        GROUP_ACTIVITY: gettext_lazy("代表小组活动"),
        CAMPAIGN_RECORD: gettext_lazy("主题活动办实事"),
        INSPECTION: gettext_lazy("视察调研"),
    },
    entries=entries,
    counts=counts,
    order=40,
)
