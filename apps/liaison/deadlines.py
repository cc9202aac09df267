"""Concerns' deadlines counted in working days, offered for recomputation when a year's holiday
calendar changes (apps/core/deadlines.py)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.config import config
from apps.core.deadlines import DeadlineMove, register_deadline_source
from apps.core.workdays import add_workdays
from apps.liaison import services
from apps.liaison.models import Concern

Status = Concern.Status
NAME = "liaison.concern"

# field -> (the statuses in which it still runs, when it was counted from, the setting)
DEADLINES = {
    "accept_due_on": ((Status.SUBMITTED,), "submitted_at", "ACCEPT_WORKDAYS"),
    "resolve_due_on": ((Status.ACCEPTED, Status.ROUTED), "accepted_at", "RESOLVE_WORKDAYS"),
}


class ConcernDeadlines:
    label = _("群众意见")

    def preview(self, *, user, years, calendars) -> list[DeadlineMove]:
        return [move for field in DEADLINES for move in self._moves(user, years, calendars, field)]

    def _moves(self, user, years, calendars, field):
        statuses, start, setting = DEADLINES[field]
        touching = Q(**{f"{field}__year__in": years}) | Q(**{f"{start}__year__in": years})
        open_ones = Concern.objects.visible_to(user).filter(
            touching, status__in=statuses, **{f"{start}__isnull": False}
        )
        label = str(Concern._meta.get_field(field).verbose_name)
        for pk, code, since, due in open_ones.order_by(field, "pk").values_list("pk", "tracking_code", start, field):
            new = add_workdays(timezone.localdate(since), config("LIAISON", setting), calendars=calendars)
            if new != due:
                url = reverse("admin:liaison_concern_change", args=[pk])
                yield DeadlineMove(NAME, pk, field, code, label, due, new, url)

    def apply(self, *, move: DeadlineMove, by) -> None:
        services.concern_deadline_recount(concern_id=move.pk, field=move.field, due=move.new, by=by)


register_deadline_source(NAME, ConcernDeadlines())
