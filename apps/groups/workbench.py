"""Group activities and problems solved that representatives reported, waiting for staff to confirm."""

from django.utils.translation import gettext_lazy

from apps.core.models import Confirmable
from apps.core.workbench import WorkSource, register
from apps.groups.models import Activity, ProblemSolved
from apps.representatives.workbench import reported_by_line

PENDING = Confirmable.Review.PENDING


def activities_to_confirm(user):
    return Activity.objects.visible_to(user).filter(review_status=PENDING).select_related("group", "reported_by")


def _describe_activity(activity: Activity) -> tuple[str, str]:
    who = activity.reported_by.name if activity.reported_by_id else activity.group.name
    return activity.title, reported_by_line(who, activity.date)


def problems_to_confirm(user):
    return ProblemSolved.objects.visible_to(user).filter(review_status=PENDING).select_related("representative")


def _describe_problem(problem: ProblemSolved) -> tuple[str, str]:
    return problem.problem, reported_by_line(problem.representative.name, problem.date)


def register_sources() -> None:
    register(WorkSource(key="group_activity", label=gettext_lazy("代表活动待确认"),
                        permission="groups.change_activity", rows=activities_to_confirm,
                        describe=_describe_activity, order=41))  # fmt: skip
    register(WorkSource(key="problem_solved", label=gettext_lazy("办实事待确认"),
                        permission="groups.change_problemsolved", rows=problems_to_confirm,
                        describe=_describe_problem, order=42))  # fmt: skip
