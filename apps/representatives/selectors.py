from django.db.models import Count, Q

from apps.core.collation import by_stroke
from apps.core.models import Region
from apps.representatives.choices import Status
from apps.representatives.models import Representative

# What anyone may read about a representative. Phone, credential number, birth date and
# the account never leave the back office through public pages.
PUBLIC_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "party",
    "education",
    "occupation",
    "category",
    "level",
    "township__name",
    "township__code",
    "township__sort_order",
)


def public_counts_by_township(*, county: Region | None = None):
    """Townships with the number of serving representatives in each, one query."""
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP)
    if county is not None:
        qs = qs.filter(parent=county)
    return qs.annotate(serving=Count("representatives", filter=Q(representatives__status=Status.SERVING))).order_by(
        "parent__sort_order", "sort_order", "code"
    )


def public_roster(*, township: Region | None = None, level: str | None = None):
    """Serving representatives, public fields only, by township then surname strokes."""
    qs = Representative.objects.filter(status=Status.SERVING)
    if township is not None:
        qs = qs.filter(township=township)
    if level:
        qs = qs.filter(level=level)
    return (
        qs.select_related("township")
        .only(*PUBLIC_FIELDS)
        .order_by("township__sort_order", "township__code", by_stroke("name"), "pk")
    )


def representative_for_user(user) -> Representative | None:
    if not user.is_authenticated:
        return None
    return Representative.objects.select_related("township", "term__region", "constituency").filter(user=user).first()
