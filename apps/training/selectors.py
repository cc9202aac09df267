"""Reads of the training app: quotas, the audience of a lecture, what a representative may see."""

from datetime import date

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from apps.core.config import config
from apps.representatives.choices import Level
from apps.representatives.models import Representative
from apps.training.models import Instructor, Lecture, LectureHall


def default_quota() -> int:
    return config("TRAINING", "DEFAULT_YEARLY_QUOTA")


def _year_span(year: int, as_of: date | None) -> tuple[date, date]:
    end = date(year, 12, 31)
    return date(year, 1, 1), min(end, as_of) if as_of else end


def with_quota(instructors: QuerySet, *, year: int, as_of: date | None = None) -> QuerySet:
    """Each instructor with `held_count` (lectures held in the year, up to `as_of`) and
    `quota_target` (their own quota or the default): one query for any number of them."""
    start, end = _year_span(year, as_of)
    held = Q(lectures__status=Lecture.Status.HELD, lectures__date__range=(start, end))
    return instructors.annotate(
        held_count=Count("lectures", filter=held),
        quota_target=Coalesce("yearly_quota", Value(default_quota()), output_field=IntegerField()),
    )


def instructors_behind_quota(*, user, year: int, as_of: date | None = None) -> QuerySet:
    """Active instructors the user may see who gave fewer held lectures in the year than their quota."""
    instructors = Instructor.objects.visible_to(user).filter(is_active=True)
    return (
        with_quota(instructors, year=year, as_of=as_of)
        .filter(held_count__lt=F("quota_target"))
        .select_related("hall__region", "user")
        .order_by("hall__region__path", "kind", "name", "pk")
    )


# --- audience ----------------------------------------------------------------------------------


def expected_audience(hall: LectureHall) -> QuerySet:
    """Who a hall trains: a township's hall the county and township representatives living there
    (全镇县乡人大代表); the county's hall the county representatives of the whole county."""
    reps = Representative.objects.serving()
    if hall.level == LectureHall.Level.COUNTY:
        return reps.filter(level=Level.COUNTY, township__path__startswith=hall.region.path)
    return reps.filter(township=hall.region_id, level__in=[Level.COUNTY, Level.TOWNSHIP])


def _halls_q(representative: Representative, prefix: str = "") -> Q:
    """The halls that train this representative: their township's, and the county's for county
    representatives."""
    q = Q(**{f"{prefix}region": representative.township_id})
    if representative.level == Level.COUNTY:
        q |= Q(**{f"{prefix}region": representative.township.parent_id, f"{prefix}level": LectureHall.Level.COUNTY})
    return q


def lectures_for_representative(representative: Representative) -> QuerySet:
    """Lectures of the halls relevant to the representative, and any they attended elsewhere."""
    relevant = _halls_q(representative, "hall__") | Q(attendance__representative=representative)
    ids = Lecture.objects.filter(relevant).values("pk")
    return Lecture.objects.filter(pk__in=ids).select_related("hall", "instructor")


def get_lecture_for_representative(representative: Representative, pk: int) -> Lecture:
    try:
        return lectures_for_representative(representative).get(pk=pk)
    except Lecture.DoesNotExist:
        raise Http404 from None
