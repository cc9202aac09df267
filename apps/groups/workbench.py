"""Group activities and problems solved that representatives reported, waiting for staff to confirm."""

from django.utils.translation import gettext_lazy

from apps.core.workbench import register
from apps.groups.models import Activity, ProblemSolved
from apps.representatives.workbench import awaiting_review, reported_by_line


def _describe_activity(activity: Activity) -> tuple[str, str]:
    who = activity.reported_by.name if activity.reported_by_id else activity.group.name
    return activity.title, reported_by_line(who, activity.date)


def _describe_problem(problem: ProblemSolved) -> tuple[str, str]:
    return problem.problem, reported_by_line(problem.representative.name, problem.date)


def register_sources() -> None:
    register(awaiting_review(Activity, key="group_activity", label=gettext_lazy("代表活动待确认"),
                             related=("group", "reported_by"), describe=_describe_activity, order=41))  # fmt: skip
    register(awaiting_review(ProblemSolved, key="problem_solved", label=gettext_lazy("办实事待确认"),
                             related=("representative",), describe=_describe_problem, order=42))  # fmt: skip
