"""Self-reported duties waiting for staff to confirm them, on the staff workbench.

Every record a representative reports (a `Confirmable`: duty activities, group activities,
problems solved, post logs) waits for staff the same way, so `awaiting_review` builds each app's
source from the model, the relations its description reads and that description.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import Confirmable
from apps.core.workbench import WorkSource, register
from apps.representatives.models import DutyActivity


def reported_by_line(name: str, on) -> str:
    return _("%(name)s · %(on)s 填报") % {"name": name, "on": on}


def awaiting_review(
    model: type[Confirmable], *, key: str, label: str, related: tuple[str, ...], describe: Callable, order: int
) -> WorkSource:
    """The model's pending records in the user's scope; acting on them needs its change permission."""

    def rows(user):
        pending = model.objects.visible_to(user).filter(review_status=Confirmable.Review.PENDING)
        return pending.select_related(*related)

    permission = f"{model._meta.app_label}.change_{model._meta.model_name}"
    return WorkSource(key=key, label=label, permission=permission, rows=rows, describe=describe, order=order)


def _describe(activity: DutyActivity) -> tuple[str, str]:
    return activity.description, reported_by_line(activity.representative.name, activity.date)


def register_sources() -> None:
    register(awaiting_review(DutyActivity, key="duty_activity", label=gettext_lazy("自报履职待确认"),
                             related=("representative",), describe=_describe, order=40))  # fmt: skip
