"""Self-reported duties waiting for staff to confirm them, on the staff workbench."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import Confirmable
from apps.core.workbench import WorkSource, register
from apps.representatives.models import DutyActivity

PENDING = Confirmable.Review.PENDING


def reported_by_line(name: str, on) -> str:
    return _("%(name)s · %(on)s 填报") % {"name": name, "on": on}


def activities_to_confirm(user):
    return DutyActivity.objects.visible_to(user).filter(review_status=PENDING).select_related("representative")


def _describe(activity: DutyActivity) -> tuple[str, str]:
    return activity.description, reported_by_line(activity.representative.name, activity.date)


def register_sources() -> None:
    register(WorkSource(key="duty_activity", label=gettext_lazy("自报履职待确认"),
                        permission="representatives.change_dutyactivity", rows=activities_to_confirm,
                        describe=_describe, order=40))  # fmt: skip
