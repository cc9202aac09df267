"""Reads of the liaison app: lookups for the tracking page, portal lists, statistics."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from apps.core.collation import by_stroke
from apps.core.models import Region, User
from apps.core.phones import normalize_phone
from apps.liaison.codes import normalise_code
from apps.liaison.models import Concern, DutyShift, LiaisonOffice, ReceptionDay, ReceptionSchedule
from apps.representatives.choices import Status
from apps.representatives.models import Representative

S = Concern.Status
logger = logging.getLogger(__name__)


def township_of(region: Region) -> Region:
    """The township itself, or the township of a village."""
    if region.level == Region.Level.TOWNSHIP or region.parent is None:
        return region
    return region.parent


def office_for_region(region: Region) -> LiaisonOffice | None:
    """The office (工作室) of the township where a concern about `region` is received."""
    return LiaisonOffice.objects.filter(
        region=township_of(region), level=LiaisonOffice.Level.OFFICE, is_active=True
    ).first()


def concern_township_staff(concern: Concern) -> list[User]:
    """Township and liaison staff responsible for the concern's township."""
    return list(
        User.objects.filter(
            role__in=[User.Role.TOWNSHIP, User.Role.LIAISON],
            is_active=True,
            regions__path__in=[township_of(concern.region).path],
        ).distinct()
    )


def concern_handler_users(concern: Concern) -> list[User]:
    """Who handles a routed concern: the unit's active staff, or the representative's account."""
    if concern.unit_id:
        return list(User.objects.filter(handling_unit=concern.unit_id, role=User.Role.UNIT, is_active=True))
    representative = concern.representative
    if representative is not None and representative.user is not None:
        return [representative.user]
    return []


def concern_by_code(code: str) -> Concern | None:
    code = normalise_code(code)
    if not code:
        return None
    return Concern.objects.select_related("region").filter(tracking_code=code).first()


def phone_matches(concern: Concern, last_four: str) -> bool:
    # Both sides normalised: "５６７８" typed on a phone is 5678, and so is a number stored before normalisation.
    digits = normalize_phone(last_four)
    phone = normalize_phone(concern.phone)
    return bool(phone) and len(digits) == 4 and digits.isascii() and digits.isdigit() and phone.endswith(digits)


def concern_by_submission_key(key: str) -> Concern | None:
    """The concern an earlier post of the same form (a double click, a reload) created."""
    return Concern.objects.filter(submission_key=key).only("tracking_code").first()


def shifts_of_representative(representative: Representative):
    return DutyShift.objects.filter(representative=representative).select_related("office", "reception_day")


def concerns_for_unit(unit_id: int):
    return Concern.objects.filter(unit_id=unit_id).select_related("region").order_by("-submitted_at", "-pk")


def concerns_for_representative(representative):
    return (
        Concern.objects.filter(representative=representative).select_related("region").order_by("-submitted_at", "-pk")
    )


def get_concern_for_handler(user, representative, pk) -> Concern:
    """A concern routed to the user's unit or to the representative; 404 for anything else."""
    q = Q(pk__in=[])
    if user.role == user.Role.UNIT and user.handling_unit_id:
        q |= Q(unit_id=user.handling_unit_id)
    if representative is not None:
        q |= Q(representative=representative)
    try:
        return Concern.objects.select_related("region").get(q, pk=pk)
    except Concern.DoesNotExist:
        raise Http404 from None


def published_reception_days(*, today, notice_days: int):
    """Reception days the public may see: from today to the publication horizon."""
    return (
        ReceptionDay.objects.filter(date__gte=today, date__lte=today + timedelta(days=notice_days))
        .exclude(status=ReceptionDay.Status.CANCELLED)
        .select_related("office__region")
        .prefetch_related("shifts__representative")
        .order_by("date", "office__region__sort_order")
    )


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def overdue_on(today) -> Q:
    """Concerns past their deadline on `today`: not accepted in time, or accepted and not resolved."""
    return Q(status=S.SUBMITTED, accept_due_on__lt=today) | Q(
        status__in=[S.ACCEPTED, S.ROUTED], resolve_due_on__lt=today
    )


def concern_statistics(concerns, *, group_by: str, today):
    """Per office or township: received, accepted, answered on the spot, referred, resolved,
    overdue, satisfaction — one query."""
    done = [S.RESOLVED, S.CLOSED]
    return (
        concerns.values(group_by)
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            on_spot=Count("pk", filter=Q(answered_on_spot=True)),
            referred=Count("pk", filter=Q(status=S.REFERRED_OUT)),
            resolved=Count("pk", filter=Q(status__in=done)),
            overdue=Count("pk", filter=overdue_on(today)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count("pk", filter=Q(rating__in=[Concern.Rating.SATISFIED, Concern.Rating.BASIC])),
        )
        .order_by(group_by)
    )


def attendance_rates(shifts, *, group_by: str):
    """Attended ÷ (shifts that were due: attended, absent; excused ones do not count)."""
    return (
        shifts.values(group_by)
        .annotate(
            attended=Count("pk", filter=Q(attendance=DutyShift.Attendance.ATTENDED)),
            due=Count("pk", filter=Q(attendance__in=[DutyShift.Attendance.ATTENDED, DutyShift.Attendance.ABSENT])),
        )
        .order_by(group_by)
    )


def office_of_township(township) -> LiaisonOffice | None:
    """The township's own office (工作室), where a citizen goes when nobody else is named."""
    return (
        LiaisonOffice.objects.filter(region=township, level=LiaisonOffice.Level.OFFICE, is_active=True)
        .order_by("pk")
        .first()
    )


# --- the public directory of offices and stations -----------------------------------------------


def office_directory(*, today, notice_days: int, township=None, search: str = ""):
    """Active township offices, each with its active stations, regular reception schedules and the
    reception days already published: a fixed number of queries for any page. A search matches the
    name, address or place of an office or of one of its stations, or a serving representative of
    the township."""
    days = published_reception_days(today=today, notice_days=notice_days).select_related(None).prefetch_related(None)
    schedules = ReceptionSchedule.objects.filter(is_active=True).order_by("pk")
    stations = (
        LiaisonOffice.objects.filter(is_active=True)
        .select_related("region")
        .order_by("region__sort_order", "region__code", "name")
        .prefetch_related(
            Prefetch("schedules", queryset=schedules, to_attr="regular"),
            Prefetch("reception_days", queryset=days, to_attr="upcoming"),
        )
    )
    qs = (
        LiaisonOffice.objects.filter(level=LiaisonOffice.Level.OFFICE, is_active=True)
        .select_related("region")
        .prefetch_related(
            Prefetch("stations", queryset=stations, to_attr="open_stations"),
            Prefetch("schedules", queryset=schedules, to_attr="regular"),
            Prefetch("reception_days", queryset=days, to_attr="upcoming"),
        )
        .order_by("region__sort_order", "region__code", "pk")
    )
    if township is not None:
        qs = qs.filter(region=township)
    if search:
        qs = qs.filter(_matching(search))
    return qs


def _matching(search: str) -> Q:
    place = Q(name__icontains=search) | Q(address__icontains=search) | Q(region__name__icontains=search)
    station = LiaisonOffice.objects.filter(
        Q(name__icontains=search) | Q(address__icontains=search) | Q(region__name__icontains=search),
        parent=OuterRef("pk"),
        is_active=True,
    )
    representative = Representative.objects.filter(
        township=OuterRef("region"), status=Status.SERVING, name__icontains=search
    )
    return place | Q(Exists(station)) | Q(Exists(representative))


def representatives_of_townships(township_ids) -> dict[int, list]:
    """{township id: serving representatives by surname strokes}, public fields only, one query."""
    found: dict[int, list] = {}
    qs = (
        Representative.objects.filter(township_id__in=list(township_ids), status=Status.SERVING)
        .only("name", "level", "township")
        .order_by("township_id", by_stroke("name"), "pk")
    )
    for rep in qs:
        found.setdefault(rep.township_id, []).append(rep)
    return found


# --- the townships of the public concern form ---------------------------------------------------

# The township list is the one option list every visitor gets: cached. Edits through the ORM
# forget it at once (signals.forget_township_options); bulk writes (imports, load_demo) send no
# signal, so the entry also expires after five minutes.
TOWNSHIPS_CACHE_KEY = "liaison:concern-form:townships:v1"
TOWNSHIPS_CACHE_SECONDS = 300


def townships_offered() -> dict[int, tuple[str, str]]:
    """{pk: (name, county name)} of every township in roster order: one query, then the cache."""
    try:
        townships = cache.get(TOWNSHIPS_CACHE_KEY)
    except Exception:  # the cache only saves time: with Redis down the form still works
        logger.warning("township cache unreachable", exc_info=True)
        return _query_townships()
    if townships is None:
        townships = _query_townships()
        try:
            cache.set(TOWNSHIPS_CACHE_KEY, townships, TOWNSHIPS_CACHE_SECONDS)
        except Exception:
            logger.warning("township cache unreachable", exc_info=True)
    return townships


def townships_in_roster_order():
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("parent__sort_order", "sort_order", "code")


def _query_townships() -> dict[int, tuple[str, str]]:
    rows = townships_in_roster_order().values_list("pk", "name", "parent__name")
    return {pk: (name, county) for pk, name, county in rows}
