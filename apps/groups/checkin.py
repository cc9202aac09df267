"""The 活动码 of a group activity: the representatives who came check in and join its participants."""

from django.utils.translation import gettext_lazy

from apps.core.checkin import EventKind, whole_day
from apps.groups import services
from apps.groups.models import Activity
from apps.groups.selectors import lives_in


def _find(key: str) -> Activity | None:
    if not key.isdecimal():
        return None
    return Activity.objects.select_related("region", "group").filter(pk=int(key)).first()


KIND = EventKind(
    name="activity",
    label=gettext_lazy("代表活动"),
    find=_find,
    key=lambda activity: str(activity.pk),
    window=lambda activity: whole_day(activity.date),
    title=lambda activity: f"{activity.date:%Y-%m-%d} {activity.title}",
    concerns=lambda activity, rep: lives_in(rep, activity.region),
    check_in=lambda *, event, representative, by: services.activity_check_in(
        activity=event, representative=representative, by=by
    ),
)
