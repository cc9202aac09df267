"""The duty record's section of duties the representative reported themselves (自报履职).

An activity counts once staff confirm it; pending and rejected ones are shown with their state
so the representative can see what still waits. Registered in RepresentativesConfig.ready().
"""

from collections import Counter

from django.db.models import Count
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.representatives.duty import DutyEntry, DutySource, count_rows
from apps.representatives.models import DutyActivity

KINDS = {f"activity_{value}": label for value, label in DutyActivity.Kind.choices}


def entries(representative, year: int) -> list[DutyEntry]:
    """One query: the year's activities, newest first."""
    activities = DutyActivity.objects.filter(representative=representative, date__year=year).order_by("-date", "-pk")
    url = reverse("representatives:activities")
    return [_entry(a, url) for a in activities]


def _entry(activity: DutyActivity, url: str) -> DutyEntry:
    status = activity.get_review_status_display()
    if activity.review_status == DutyActivity.Review.REJECTED and activity.review_note:
        status = _("%(status)s：%(note)s") % {"status": status, "note": activity.review_note}
    return DutyEntry(
        kind=activity.points_kind,
        on=activity.date,
        title=_("%(place)s：%(text)s") % {"place": activity.place, "text": Truncator(activity.description).chars(40)},
        counts=activity.is_confirmed,
        status=status,
        url=url,
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """One grouped query for the whole queryset of representatives."""
    rows = (
        DutyActivity.objects.filter(
            representative__in=representatives.values("pk"),
            date__year=year,
            review_status=DutyActivity.Review.CONFIRMED,
        )
        .values_list("representative", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return count_rows((rep, f"activity_{kind}", n) for rep, kind, n in rows)


SOURCE = DutySource(
    key="self",
    label=gettext_lazy("自报履职"),
    kinds=KINDS,
    entries=entries,
    counts=counts,
    order=60,
)
