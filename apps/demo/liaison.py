"""Demo liaison offices and citizens' concerns for 城步苗族自治县, loaded by `manage.py load_demo`
after the proposals.

* An office (工作室) in each of the 12 townships and a station in one village of each, with heads,
  liaison officers, addresses and opening hours; the 2022 funding (the seed article's 20,000 yuan
  extra per office, plus the township's running budget); a reception day on the 9th and 19th.
* The reception days of 2022 and of the months around `today`; two or three representatives of
  the township on duty each day; attendance for the days past (mostly attended).
* The seed article's 526 problems handled by the offices in 2022: visitors answered on the spot,
  and concerns from receptions and from the public form routed to the township government, a
  handling unit or a representative, answered, revisited, rated and closed within the year.
* A handful of current concerns, one in every status, including one routed to 县教育局 (unit_edu)
  and one to rep_demo, and one turned into a draft proposal of rep_demo.

Everything around today goes through the services (reception_days_generate, shift_assign, check-in
and out, shift_mark, reception_day_move and _cancel, reception_record_add, the concern transitions,
concern_to_proposal), so its events, history rows and notifications are the ones real use writes.
The services stamp `timezone.now()`: a Clock runs each call and remembers when it should have
happened, and `_redate` then moves every timestamp the calls wrote to that moment (and recomputes
the deadlines that follow from it) in a few bulk updates.

The demo year would take some 35,000 single-row queries through the services (twenty seconds and
more). Its shifts and concerns are written in bulk instead, row for row what the services write
(YearWriter, `_year_duty_write`), and tests/liaison/test_demo.py compares them with rows the
services wrote for the current concerns and shifts, so the two cannot drift apart.
"""

import copy
import json
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import cycle
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.config import config
from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.workdays import add_workdays, is_workday
from apps.demo.bulk import update_rows
from apps.demo.core import apportion, demo_data_read
from apps.liaison import services
from apps.liaison.models import (
    Concern,
    ConcernEvent,
    DutyShift,
    Funding,
    LiaisonOffice,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
    Revisit,
)
from apps.liaison.selectors import Share
from apps.notifications.models import Notification
from apps.proposals import services as proposal_services
from apps.proposals.models import Proposal, ProposalEvent
from apps.representatives.choices import Level
from apps.representatives.models import Representative

DATA_PATH = Path(settings.BASE_DIR) / "fixtures" / "liaison.json"
KEY_YEAR = "demo:2022:"
KEY_NOW = "demo:now:"

Data = dict[str, Any]
Status = Concern.Status
Attendance = DutyShift.Attendance


# --- When each service call should have happened ------------------------------------------------


class Clock:
    """Runs service calls, remembering when each really ran and when it should have happened.

    A row written during call i carries a timestamp between the real start of call i and that of
    call i+1: it is moved to the planned moment of call i (plus the same few milliseconds)."""

    def __init__(self) -> None:
        self.real: list[datetime] = []
        self.planned: list[datetime] = []

    def run(self, when: datetime, service: Callable, /, **kwargs):
        self.real.append(timezone.now())
        self.planned.append(when)
        return service(**kwargs)

    @property
    def started(self) -> datetime | None:
        return self.real[0] if self.real else None

    def moment(self, real: datetime | None) -> datetime | None:
        if real is None:
            return None
        i = bisect_right(self.real, real) - 1
        return real if i < 0 else self.planned[i] + (real - self.real[i])


def _at(day: date, hour: int, minutes: int = 0) -> datetime:
    """Local time on `day`: `minutes` may run past the hour."""
    return timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(minutes=minutes)


def _workday(day: date, *, back: bool = False) -> date:
    step = timedelta(days=-1 if back else 1)
    while not is_workday(day):
        day += step
    return day


def _office_hours(day: date, rng: random.Random, *, start: int = 8, end: int = 17) -> datetime:
    return _at(day, rng.randint(start, end - 1), rng.randrange(0, 60, 5))


def _ordered(steps: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """Strictly increasing times in the given order (two steps may fall on the same day)."""
    result: list[tuple[datetime, str]] = []
    for when, action in steps:
        if result and when <= result[-1][0]:
            when = result[-1][0] + timedelta(minutes=20)
        result.append((when, action))
    return result


# --- Who acts -----------------------------------------------------------------------------------


@dataclass
class Cast:
    """Committee staff, and the township and liaison staff accounts where a township has them."""

    committee: User
    staff: dict[int, User] = field(default_factory=dict)
    liaison: dict[int, User] = field(default_factory=dict)
    unit_users: dict[int, User] = field(default_factory=dict)

    @classmethod
    def load(cls, county: Region) -> "Cast":
        cast = cls(committee=User.objects.get(username="committee"))
        staff = User.objects.filter(
            role__in=[User.Role.TOWNSHIP, User.Role.LIAISON], is_active=True, regions__parent=county
        ).order_by("pk")
        for user in staff.prefetch_related("regions"):
            target = cast.staff if user.role == User.Role.TOWNSHIP else cast.liaison
            for region in user.regions.all():
                target.setdefault(region.pk, user)
        for user in User.objects.filter(role=User.Role.UNIT, is_active=True).order_by("pk"):
            cast.unit_users.setdefault(user.handling_unit_id, user)
        return cast

    def staff_of(self, township: Region) -> User:
        return self.staff.get(township.pk) or self.committee

    def recorder_of(self, township: Region) -> User:
        return self.liaison.get(township.pk) or self.staff_of(township)

    def handler_of(self, township: Region, unit: HandlingUnit | None, rep: Representative | None) -> User:
        """Who writes the answer: the unit's or the representative's own account, else the office staff."""
        if unit is not None and unit.pk in self.unit_users:
            return self.unit_users[unit.pk]
        if rep is not None and rep.user_id and rep.user.is_active:
            return rep.user
        return self.staff_of(township)


# --- Entry point --------------------------------------------------------------------------------


@dataclass
class Place:
    """A township with its office, villages and the representatives who live there."""

    township: Region
    office: LiaisonOffice
    villages: list[Region]
    representatives: list[Representative]
    population: int


def liaison_demo_load(*, today: date | None = None, path: Path = DATA_PATH) -> dict:
    """Load (or complete) the liaison demo in one transaction and return what is there now."""
    today = today or timezone.localdate()
    data = _read(path)
    core = demo_data_read()
    data["people"] = core["people"]
    county = Region.objects.get(code=core["county"]["code"])
    populations = {t["code"]: t["population"] for t in core["townships"]}
    rng = random.Random(data["seed"])  # noqa: S311  (demo data: reproducible, not secret)
    created = 0
    with transaction.atomic():
        cast = Cast.load(county)
        places = _places_load(data=data, county=county, populations=populations, rng=rng, today=today)
        clock = Clock()
        days = _reception_days_load(data=data, places=places, today=today)
        _duty_load(data=data, places=places, days=days, clock=clock, cast=cast, rng=rng, today=today)
        if not Concern.objects.filter(submission_key__startswith=KEY_YEAR).exists():
            created += _year_write(data=data, places=places, cast=cast, rng=rng)
        if not Concern.objects.filter(submission_key__startswith=KEY_NOW).exists():
            created += _current_load(data=data, places=places, county=county, clock=clock, cast=cast, today=today)
        _redate(clock=clock)
    return liaison_demo_summary(county=county, year=data["year"], created=created)


def liaison_demo_summary(*, county: Region, year: int, created: int = 0) -> dict:
    offices = LiaisonOffice.objects.filter(region__path__startswith=county.path)
    concerns = Concern.objects.filter(region__path__startswith=county.path, submitted_at__year=year)
    figures = concerns.aggregate(
        total=Count("pk"),
        on_spot=Count("pk", filter=Q(answered_on_spot=True)),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=Q(rating__in=[Concern.Rating.SATISFIED, Concern.Rating.BASIC])),
    )
    shifts = DutyShift.objects.filter(office__region__path__startswith=county.path)
    attendance = shifts.aggregate(
        attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
        due=Count("pk", filter=Q(attendance__in=[Attendance.ATTENDED, Attendance.ABSENT])),
    )
    extra = Funding.objects.filter(office__in=offices, year=year, source="县财政专项").aggregate(s=Sum("amount"))["s"]
    return {
        "created": created,
        "offices": offices.filter(level=LiaisonOffice.Level.OFFICE).count(),
        "stations": offices.filter(level=LiaisonOffice.Level.STATION).count(),
        "extra_funding": int(extra or 0),
        "reception_days": ReceptionDay.objects.filter(office__in=offices).count(),
        "shifts": shifts.count(),
        "attendance": Share(attendance["attended"], attendance["due"]),
        "year": year,
        "concerns": figures["total"],
        "on_spot": figures["on_spot"],
        "closed": figures["closed"],
        "satisfaction": Share(figures["satisfied"], figures["rated"]),
        "open": Concern.objects.filter(
            region__path__startswith=county.path, status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.ROUTED]
        ).count(),
    }


def _read(path: Path) -> Data:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- Offices, funding, schedules ---------------------------------------------------------------


def _get_or_create(model: type[models.Model], *, lookup: dict, values: dict) -> tuple[models.Model, bool]:
    """The row by its natural key, or a new one; existing rows are left as staff left them."""
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    obj = model(**lookup, **values)
    obj.full_clean()
    obj.save()
    return obj, True


def _person(rng: random.Random, people: dict) -> str:
    surnames = list(people["surnames"])
    weights = list(people["surnames"].values())
    pool = people["given_female"] if rng.random() < people["female_share"] else people["given_male"]
    return rng.choices(surnames, weights=weights)[0] + "".join(rng.sample(pool, k=rng.choice((1, 2, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _places_load(*, data: Data, county: Region, populations: dict, rng: random.Random, today: date) -> list[Place]:
    people = data["people"]
    townships = Region.objects.filter(parent=county, level=Region.Level.TOWNSHIP).order_by("sort_order", "code")
    villages = defaultdict(list)
    for village in Region.objects.filter(parent__parent=county).order_by("sort_order", "code"):
        villages[village.parent_id].append(village)
    reps = defaultdict(list)
    serving = Representative.objects.serving().filter(township__parent=county, level__in=[Level.COUNTY, Level.TOWNSHIP])
    for rep in serving.select_related("user").order_by("credential_no", "pk"):
        reps[rep.township_id].append(rep)
    places = []
    for township in townships:
        office = _office_load(data=data, township=township, villages=villages[township.pk], rng=rng, people=people)
        _funding_load(data=data, office=office, today=today)
        spec = data["schedule"]
        _get_or_create(
            ReceptionSchedule,
            lookup={"office": office},
            values={
                "days_of_month": spec["days_of_month"],
                "starts_at": time.fromisoformat(spec["starts_at"]),
                "ends_at": time.fromisoformat(spec["ends_at"]),
            },
        )
        population = populations.get(township.code, 10000)
        places.append(Place(township, office, villages[township.pk], reps[township.pk], population))
    return places


def _office_load(*, data: Data, township: Region, villages: list[Region], rng: random.Random, people) -> LiaisonOffice:
    spec, name = data["office"], township.name
    phone = f"{spec['phone_prefix']}{rng.randrange(10**5):05d}"
    office, _created = _get_or_create(
        LiaisonOffice,
        lookup={"region": township, "name": spec["name"].format(township=name)},
        values={
            "level": LiaisonOffice.Level.OFFICE,
            "head": _person(rng, people),
            "liaison_officer": _person(rng, people),
            "phone": phone,
            "address": rng.choice(spec["addresses"]).format(township=name),
            "opening_hours": spec["opening_hours"],
        },
    )
    # The station sits in the first village (a community only where the township has no village).
    village = next((v for v in villages if v.kind == Region.Kind.VILLAGE), villages[0] if villages else None)
    if village is not None:
        spec = data["station"]
        _get_or_create(
            LiaisonOffice,
            lookup={"region": village, "name": spec["name"].format(village=village.name)},
            values={
                "level": LiaisonOffice.Level.STATION,
                "parent": office,
                # The seed article: one village station added in each township in 2022.
                "established_on": date.fromisoformat(spec["established_on"]),
                "head": _person(rng, people),
                "liaison_officer": _person(rng, people),
                "phone": _phone(rng),
                "address": spec["address"].format(township=name, village=village.name),
                "opening_hours": spec["opening_hours"],
            },
        )
    return office


def _funding_load(*, data: Data, office: LiaisonOffice, today: date) -> None:
    for spec in data["funding"]:
        year = today.year if spec["year"] == "current" else spec["year"]
        _get_or_create(
            Funding,
            lookup={"office": office, "year": year, "source": spec["source"]},
            values={"amount": Decimal(spec["amount"]), "note": spec["note"]},
        )


# --- Reception days and duty -------------------------------------------------------------------


def _window(data: Data, today: date) -> tuple[date, date]:
    spec = data["window"]
    return today - relativedelta(months=spec["months_back"]), today + relativedelta(months=spec["months_ahead"])


def _reception_days_load(*, data: Data, places: list[Place], today: date) -> list[ReceptionDay]:
    """The days of the demo year and of the window around today, as the schedules generate them."""
    year = data["year"]
    start, end = _window(data, today)
    offices = [p.office for p in places]
    for schedule in ReceptionSchedule.objects.filter(office__in=offices, is_active=True).select_related("office"):
        services.reception_days_generate(schedule=schedule, start=date(year, 1, 1), end=date(year, 12, 31))
        services.reception_days_generate(schedule=schedule, start=start, end=end)
    in_range = Q(date__year=year) | Q(date__range=(start, end))
    return list(
        ReceptionDay.objects.filter(in_range, office__in=offices).select_related("office").order_by("date", "pk")
    )


def _duty_load(
    *,
    data: Data,
    places: list[Place],
    days: list[ReceptionDay],
    clock: Clock,
    cast: Cast,
    rng: random.Random,
    today: date,
) -> None:
    """Two or three representatives on duty each day, taking turns: the demo year's days written in
    bulk, the days around today through the services; then one day moved, one cancelled, and the
    attendance of the days past."""
    staffed = set(DutyShift.objects.filter(reception_day__in=days).values_list("reception_day", flat=True))
    rotations = {}
    for place in places:
        pool = list(place.representatives)
        rng.shuffle(pool)
        rotations[place.office.pk] = cycle(pool) if pool else None
    start, end = _window(data, today)
    open_days = [
        d
        for d in days
        if d.pk not in staffed and d.status != ReceptionDay.Status.CANCELLED and rotations[d.office_id] is not None
    ]
    by_office = {p.office.pk: p for p in places}
    in_window = [d for d in open_days if start <= d.date <= end]
    _year_duty_write(
        data=data,
        days=[d for d in open_days if d not in in_window],
        by_office=by_office,
        rotations=rotations,
        cast=cast,
        rng=rng,
        today=today,
    )
    yesterday = _at(today - timedelta(days=1), 15)
    for i, day in enumerate(in_window):
        chosen = _on_duty(rotations[day.office_id], rng)
        when = min(_at(day.date - timedelta(days=10), 15), yesterday + timedelta(seconds=i))
        staff = cast.staff_of(by_office[day.office_id].township)
        clock.run(when, services.shift_assign, day=day, representatives=chosen, by=staff)
    _move_and_cancel(data=data, places=places, days=days, clock=clock, cast=cast, today=today)
    _attendance_load(data=data, places=places, clock=clock, cast=cast, rng=rng, today=today)


def _on_duty(rotation, rng: random.Random) -> list[Representative]:
    return list({rep.pk: rep for rep in (next(rotation) for _n in range(rng.choice((2, 2, 3))))}.values())


def _attendance(data: Data, rng: random.Random) -> str:
    weights = data["attendance"]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _year_duty_write(
    *,
    data: Data,
    days: list[ReceptionDay],
    by_office: dict[int, Place],
    rotations: dict,
    cast: Cast,
    rng: random.Random,
    today: date,
) -> None:
    """The demo year's shifts in bulk, as shift_assign and shift_mark write them: a shift assigned ten
    days ahead (history “+”), its attendance marked by the township's staff that day (history “~”)."""
    now = timezone.now()
    shifts = []
    for day in days:
        for rep in _on_duty(rotations[day.office_id], rng):
            shift = DutyShift(office_id=day.office_id, representative=rep, reception_day=day, date=day.date)
            shift._history_date = min(_at(day.date - timedelta(days=10), 15), now)
            shifts.append(shift)
    DutyShift.objects.bulk_create(shifts, batch_size=500)
    DutyShift.history.bulk_history_create(shifts, batch_size=500, default_change_reason=None)
    marked = [shift for shift in shifts if shift.date < today]
    for shift in marked:
        shift.attendance = _attendance(data, rng)
        shift.checked_by = cast.staff_of(by_office[shift.office_id].township)
        hour = 12 if shift.attendance == Attendance.ATTENDED else 17
        shift._history_date = min(_at(shift.date, hour, rng.randrange(0, 30)), now)
    update_rows(model=DutyShift, rows=marked, fields=["attendance", "checked_by"])
    DutyShift.history.bulk_history_create(marked, batch_size=500, update=True, default_change_reason=None)


def _move_and_cancel(
    *, data: Data, places: list[Place], days: list[ReceptionDay], clock: Clock, cast: Cast, today: date
) -> None:
    """In the window: the next day of one office moved by a day, the last day of another cancelled."""
    start, end = _window(data, today)
    by_name = {p.township.name: p for p in places}
    window = [d for d in days if start <= d.date <= end]
    moved, cancelled = by_name.get(data["moved_day"]["township"]), by_name.get(data["cancelled_day"]["township"])
    if moved and not any(d.office_id == moved.office.pk and d.status != "scheduled" for d in window):
        upcoming = [d for d in window if d.office_id == moved.office.pk and d.date > today + timedelta(days=1)]
        if upcoming:
            day = upcoming[0]
            clock.run(
                _at(today - timedelta(days=1), 16),
                services.reception_day_move,
                day=day,
                to=day.date + timedelta(days=1),
                note=data["moved_day"]["note"],
                by=cast.staff_of(moved.township),
            )
    if cancelled and not any(d.office_id == cancelled.office.pk and d.status != "scheduled" for d in window):
        past = [d for d in window if d.office_id == cancelled.office.pk and d.date < today]
        if past:
            day = past[-1]
            clock.run(
                _at(day.date - timedelta(days=1), 17),
                services.reception_day_cancel,
                day=day,
                note=data["cancelled_day"]["note"],
                by=cast.staff_of(cancelled.township),
            )


def _attendance_load(
    *, data: Data, places: list[Place], clock: Clock, cast: Cast, rng: random.Random, today: date
) -> None:
    """Shifts past: mostly attended (checked in and out in the recent months), a few excused or absent."""
    townships = {p.office.pk: p.township for p in places}
    recent = _window(data, today)[0]
    pending = (
        DutyShift.objects.filter(office__in=list(townships), attendance=Attendance.PENDING, date__lt=today)
        .exclude(reception_day__status=ReceptionDay.Status.CANCELLED)
        .order_by("date", "pk")
    )
    for shift in pending:
        staff = cast.staff_of(townships[shift.office_id])
        outcome = _attendance(data, rng)
        if outcome == Attendance.ATTENDED and shift.date >= recent:
            clock.run(_at(shift.date, 8, rng.randrange(45, 60)), services.shift_check_in, shift=shift, by=staff)
            clock.run(_at(shift.date, 11, rng.randrange(30, 50)), services.shift_check_out, shift=shift, by=staff)
        else:
            when = _at(shift.date, 12 if outcome == Attendance.ATTENDED else 17, rng.randrange(0, 30))
            clock.run(when, services.shift_mark, shift=shift, attendance=outcome, by=staff)


# --- The demo year's 526 concerns --------------------------------------------------------------


@dataclass
class Case:
    """One concern: where it comes from, what it says, who handles it, and each step with its time."""

    place: Place
    kind: str  # "on_spot", "reception" or "online"
    matter: dict
    region: Region
    name: str = ""
    phone: str = ""
    key: str | None = None
    route: str = ""
    unit: HandlingUnit | None = None
    representative: Representative | None = None
    addressed_to: Representative | None = None
    rating: str = ""
    revisit: str = ""
    reason: str = ""
    note: str = ""
    session: CongressSession | None = None
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    concern: Concern | None = None

    def text(self, field_name: str) -> str:
        village = self.region.name if self.region.level == Region.Level.VILLAGE else self.place.township.name
        return self.matter.get(field_name, "").format(township=self.place.township.name, village=village)


def _quota(rng: random.Random, weights: dict, n: int) -> list:
    items = [k for k, count in apportion(weights=weights, n=n).items() for _copy in range(count)]
    rng.shuffle(items)
    return items


def _year_write(*, data: Data, places: list[Place], cast: Cast, rng: random.Random) -> int:
    cases = _year_cases(data=data, places=places, rng=rng)
    writer = YearWriter(cast=cast, places=places, year=data["year"])
    for case in cases:
        writer.write(case)
    writer.save()
    return len(cases)


def _year_cases(*, data: Data, places: list[Place], rng: random.Random) -> list[Case]:
    """The year's concerns: offices in proportion to population, kinds, routes and ratings in fixed shares."""
    n, year = data["count"], data["year"]
    offices = _quota(rng, {i: p.population for i, p in enumerate(places)}, n)
    online = n - data["on_spot"] - data["at_reception"]
    kinds = _quota(rng, {"on_spot": data["on_spot"], "reception": data["at_reception"], "online": online}, n)
    routes = iter(_quota(rng, data["routes"], n - data["on_spot"]))
    rated = round(n * data["rated_share"])
    ratings = _quota(rng, data["ratings"], rated) + [""] * (n - rated)
    rng.shuffle(ratings)
    units = {u.name: u for u in HandlingUnit.objects.filter(region=places[0].township.parent)}
    days = defaultdict(list)
    for day in ReceptionDay.objects.filter(office__in=[p.office for p in places], date__year=year).order_by("date"):
        days[day.office_id].append(day.date)
    cases = []
    for i in range(n):
        place = places[offices[i]]
        route = "" if kinds[i] == "on_spot" else next(routes)
        case = _year_case(data=data, place=place, kind=kinds[i], route=route, units=units, rng=rng)
        case.rating = ratings[i]
        case.key = f"{KEY_YEAR}{i + 1:03d}" if case.kind == "online" else None
        case.revisit = rng.choice(data["revisit_notes"]) if case.route and rng.random() < data["revisit_share"] else ""
        case.steps = _year_steps(case=case, days=days[place.office.pk], year=year, rng=rng)
        cases.append(case)
    return cases


def _year_case(*, data: Data, place: Place, kind: str, route: str, units: dict, rng: random.Random) -> Case:
    if kind == "on_spot":
        matter = rng.choice(data["on_spot_matters"])
    else:
        matter = rng.choice([m for m in data["routed_matters"] if m["route"] == route])
    villages = [v for v in place.villages if v.kind == Region.Kind.VILLAGE] or place.villages
    in_village = kind == "online" and villages and rng.random() < 0.7
    named = kind != "online" or rng.random() < data["named_share"]
    case = Case(
        place=place,
        kind=kind,
        matter=matter,
        region=rng.choice(villages) if in_village else place.township,
        name=_person(rng, data["people"]) if named else "",
        phone=_phone(rng) if named else "",
        route=route,
        unit=units.get(matter.get("unit", "")) if route == Concern.Route.UNIT else None,
    )
    if route == Concern.Route.REPRESENTATIVE and place.representatives:
        case.representative = rng.choice(place.representatives)
        case.addressed_to = case.representative if kind == "online" and rng.random() < 0.5 else None
    elif route == Concern.Route.REPRESENTATIVE:
        case.route = Concern.Route.TOWNSHIP
    return case


def _year_steps(*, case: Case, days: list[date], year: int, rng: random.Random) -> list[tuple[datetime, str]]:
    """Received on a reception day (or any day online), accepted within two working days, answered
    within fifteen, revisited, rated and closed: all within the demo year."""
    last = date(year, 12, 30)
    if case.kind == "on_spot":
        received = _at(rng.choice(days), 9, rng.randrange(0, 150, 5))
        later = [(_office_hours(min(received.date() + timedelta(days=rng.randint(0, 3)), last), rng), "close")]
        if case.rating:
            later.append((_office_hours(received.date() + timedelta(days=rng.randint(1, 10)), rng), "rate"))
        return _ordered([(received, "record"), *sorted(later)])
    if case.kind == "reception":
        received = _at(rng.choice([d for d in days if d <= date(year, 11, 19)]), 9, rng.randrange(0, 150, 5))
        steps = [(received, "record")]
    else:
        day = date(year, 1, 4) + timedelta(days=rng.randint(0, (date(year, 11, 18) - date(year, 1, 4)).days))
        received = _at(day, rng.randint(7, 21), rng.randrange(0, 60, 5))
        steps = [(received, "submit")]
    # Accepted within the two working days allowed; the same day when it came in the morning.
    lag = rng.choice((0, 1, 1, 2)) if received.hour < 12 else rng.choice((1, 1, 2))
    accept_day = add_workdays(received.date(), lag) if lag else _workday(received.date())
    if accept_day == received.date():
        accepted = received + timedelta(minutes=rng.randint(30, 180))
    else:
        accepted = _office_hours(accept_day, rng, start=8, end=12)
    steps += [(accepted, "accept"), (accepted + timedelta(minutes=rng.randint(20, 120)), "route")]
    resolved = _office_hours(add_workdays(accept_day, rng.randint(3, 14)), rng)
    steps.append((resolved, "resolve"))
    after = resolved.date()
    if case.revisit:
        after = min(after + timedelta(days=rng.randint(2, 7)), last)
        steps.append((_office_hours(after, rng), "revisit"))
    if case.rating:
        steps.append((_office_hours(min(resolved.date() + timedelta(days=rng.randint(1, 10)), last), rng), "rate"))
    close_day = min(after + timedelta(days=rng.randint(0, 3)), last)
    steps.append((_office_hours(close_day, rng, start=15, end=18), "close"))
    return _ordered(steps)


# --- Writing the demo year in bulk -------------------------------------------------------------


class YearWriter:
    """The demo year's concerns written in bulk: the rows the services write, at the planned moments.

    Step by step it does what reception_record_add, concern_submit, concern_answer_on_spot,
    concern_accept, concern_route, concern_resolve, concern_revisit, concern_rate and concern_close
    do (a status-history event per step, a history row per save), without their thousands of
    single-row queries. tests/liaison/test_demo.py compares these rows with the ones the services
    wrote for the current concerns, so the two cannot drift apart. The year's reminders are not
    written: they would have been read long ago.
    """

    def __init__(self, *, cast: Cast, places: list[Place], year: int) -> None:
        self.cast = cast
        self.concerns: list[Concern] = []
        self.events: list[ConcernEvent] = []
        self.snapshots: list[tuple[Concern, Concern, bool]] = []  # (concern, its state then, added)
        self.revisits: list[Revisit] = []
        self.records: list[ReceptionRecord] = []
        offices = [p.office for p in places]
        self.days = {
            (day.office_id, day.date): day
            for day in ReceptionDay.objects.filter(office__in=offices, date__year=year).order_by("pk")
        }
        self.accept_days = config("LIAISON", "ACCEPT_WORKDAYS")
        self.resolve_days = config("LIAISON", "RESOLVE_WORKDAYS")

    def write(self, case: Case) -> None:
        for when, action in case.steps:
            getattr(self, f"_{action}")(case, when)

    # -- what each service call writes

    def _event(self, concern: Concern, action: str, when: datetime, by, *, to: str | None = None, note="", first=False):
        from_status = "" if first else concern.status
        event = ConcernEvent(
            concern=concern, action=action, from_status=from_status, to_status=to or concern.status, by=by, note=note
        )
        event.planned_at = when
        self.events.append(event)

    def _snapshot(self, concern: Concern, when: datetime, *, added: bool = False) -> None:
        state = copy.copy(concern)
        state._history_date = when
        self.snapshots.append((concern, state, added))

    def _move(self, concern: Concern, to: str, action: str, when: datetime, by, *, note: str = "", **fields):
        self._event(concern, action, when, by, to=to, note=note)
        concern.status = to
        for name, value in fields.items():
            setattr(concern, name, value)
        self._snapshot(concern, when)

    def _create(self, case: Case, when: datetime, *, region: Region, channel: str, by) -> Concern:
        concern = Concern(
            tracking_code=services.new_tracking_code(),
            submission_key=case.key,
            channel=channel,
            region=region,
            office=case.place.office,
            addressed_to=case.addressed_to,
            category=case.matter["category"],
            is_urgent=case.matter.get("urgent", False),
            description=case.text("text"),
            name=case.name,
            phone=case.phone,
            consented_at=when,
            submitted_at=when,
            accept_due_on=add_workdays(timezone.localdate(when), self.accept_days),
        )
        case.concern = concern
        self.concerns.append(concern)
        self._snapshot(concern, when, added=True)
        self._event(concern, "submit", when, by, to=Status.SUBMITTED, first=True)
        return concern

    def _record(self, case: Case, when: datetime) -> None:
        office, on_spot = case.place.office, case.kind == "on_spot"
        by = self.cast.recorder_of(case.place.township)
        concern = self._create(case, when, region=office.region, channel=Concern.Channel.RECEPTION, by=by)
        if on_spot:
            answered = when + timedelta(seconds=1)
            answer = case.text("answer")
            self._move(
                concern,
                Status.RESOLVED,
                "answer_on_spot",
                answered,
                by,
                answer=answer,
                public_answer=answer,
                answered_on_spot=True,
                accepted_at=answered,
                resolved_at=answered,
            )
        record = ReceptionRecord(
            office=office,
            reception_day=self.days.get((office.pk, timezone.localdate(when))),
            received_on=timezone.localdate(when),
            matter=case.text("text"),
            visitor_name=case.name,
            visitor_phone=case.phone,
            answered_on_spot=on_spot,
            answer=case.text("answer") if on_spot else "",
            concern=concern,
            recorded_by=by,
        )
        record._history_date = when + timedelta(seconds=2)
        self.records.append(record)

    def _submit(self, case: Case, when: datetime) -> None:
        self._create(case, when, region=case.region, channel=Concern.Channel.ONLINE, by=None)

    def _accept(self, case: Case, when: datetime) -> None:
        due = add_workdays(timezone.localdate(when), self.resolve_days)
        by = _staff(case, self.cast)
        self._move(case.concern, Status.ACCEPTED, "accept", when, by, accepted_at=when, resolve_due_on=due)

    def _route(self, case: Case, when: datetime) -> None:
        concern = case.concern
        # As concern_route words it: the unit, the representative, or the route chosen before.
        note = str(case.unit or case.representative or concern.get_route_display())
        by = _staff(case, self.cast)
        fields = {"route": case.route, "unit": case.unit, "representative": case.representative}
        self._move(concern, Status.ROUTED, "route", when, by, note=note, **fields)

    def _resolve(self, case: Case, when: datetime) -> None:
        by = self.cast.handler_of(case.place.township, case.unit, case.representative)
        answers = {"answer": case.text("answer"), "public_answer": case.text("public_answer")}
        self._move(case.concern, Status.RESOLVED, "resolve", when, by, resolved_at=when, **answers)

    def _revisit(self, case: Case, when: datetime) -> None:
        by = _staff(case, self.cast)
        visit = Revisit(concern=case.concern, revisited_on=timezone.localdate(when), notes=case.revisit, recorded_by=by)
        self.revisits.append(visit)
        self._event(case.concern, "revisit", when, by, note=case.revisit)

    def _rate(self, case: Case, when: datetime) -> None:
        concern = case.concern
        concern.rating, concern.rated_at = case.rating, when
        self._snapshot(concern, when)
        self._event(concern, "rate", when, None, note=str(concern.get_rating_display()))

    def _close(self, case: Case, when: datetime) -> None:
        self._move(case.concern, Status.CLOSED, "close", when, _staff(case, self.cast), closed_at=when)

    # -- the rows, in a few statements

    def save(self) -> None:
        submitted = [c.submitted_at for c in self.concerns]
        Concern.objects.bulk_create(self.concerns, batch_size=500)
        for concern, when in zip(self.concerns, submitted, strict=True):
            concern.submitted_at = when  # auto_now_add stamped the real time
        update_rows(model=Concern, rows=self.concerns, fields=["submitted_at"])
        for concern, state, _added in self.snapshots:
            state.pk = concern.pk
        added = [state for _c, state, is_added in self.snapshots if is_added]
        changed = [state for _c, state, is_added in self.snapshots if not is_added]
        Concern.history.bulk_history_create(added, batch_size=500, default_change_reason=None)
        Concern.history.bulk_history_create(changed, batch_size=500, update=True, default_change_reason=None)
        ConcernEvent.objects.bulk_create(self.events, batch_size=1000)
        for event in self.events:
            event.at = event.planned_at  # auto_now_add stamped the real time
        update_rows(model=ConcernEvent, rows=self.events, fields=["at"])
        Revisit.objects.bulk_create(self.revisits, batch_size=500)
        ReceptionRecord.objects.bulk_create(self.records, batch_size=500)
        ReceptionRecord.history.bulk_history_create(self.records, batch_size=500, default_change_reason=None)


# --- Running the steps through the services ---------------------------------------------------


def _run_case(*, case: Case, clock: Clock, cast: Cast) -> None:
    for when, action in case.steps:
        STEPS[action](case, when, clock, cast)


def _record(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    on_spot = case.kind == "on_spot"
    record = clock.run(
        when,
        services.reception_record_add,
        office=case.place.office,
        received_on=timezone.localdate(when),
        matter=case.text("text"),
        by=cast.recorder_of(case.place.township),
        visitor_name=case.name,
        visitor_phone=case.phone,
        answered_on_spot=on_spot,
        answer=case.text("answer") if on_spot else "",
        category=case.matter["category"],
        is_urgent=case.matter.get("urgent", False),
    )
    case.concern = record.concern


def _submit(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    case.concern, _created = clock.run(
        when,
        services.concern_submit,
        region=case.region,
        category=case.matter["category"],
        description=case.text("text"),
        is_urgent=case.matter.get("urgent", False),
        addressed_to=case.addressed_to,
        name=case.name,
        phone=case.phone,
        submission_key=case.key,
    )


def _staff(case: Case, cast: Cast) -> User:
    return cast.staff_of(case.place.township)


def _accept(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(when, services.concern_accept, concern=case.concern, by=_staff(case, cast))


def _route(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(
        when,
        services.concern_route,
        concern=case.concern,
        route=case.route,
        unit=case.unit,
        representative=case.representative,
        by=_staff(case, cast),
    )


def _resolve(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(
        when,
        services.concern_resolve,
        concern=case.concern,
        answer=case.text("answer"),
        public_answer=case.text("public_answer"),
        by=cast.handler_of(case.place.township, case.unit, case.representative),
    )


def _revisit(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(
        when,
        services.concern_revisit,
        concern=case.concern,
        revisited_on=timezone.localdate(when),
        notes=case.revisit,
        by=_staff(case, cast),
    )


def _rate(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(when, services.concern_rate, concern=case.concern, rating=case.rating)


def _close(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(when, services.concern_close, concern=case.concern, by=_staff(case, cast))


def _refer_out(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    clock.run(
        when,
        services.concern_refer_out,
        concern=case.concern,
        reason=case.reason,
        note=case.note,
        by=_staff(case, cast),
    )


def _to_proposal(case: Case, when: datetime, clock: Clock, cast: Cast) -> None:
    staff = _staff(case, cast)
    proposal = clock.run(
        when,
        services.concern_to_proposal,
        concern=case.concern,
        representative=case.representative,
        session=case.session,
        by=staff,
    )
    # Made in recess from a citizen's concern, not at the congress session.
    clock.run(
        when + timedelta(minutes=5),
        proposal_services.proposal_update,
        proposal=proposal,
        by=staff,
        period=Proposal.Period.RECESS,
    )


STEPS: dict[str, Callable[[Case, datetime, Clock, Cast], None]] = {
    "record": _record,
    "submit": _submit,
    "accept": _accept,
    "route": _route,
    "resolve": _resolve,
    "revisit": _revisit,
    "rate": _rate,
    "close": _close,
    "refer_out": _refer_out,
    "to_proposal": _to_proposal,
}


# --- Current concerns, one in every status -----------------------------------------------------


def _current_load(*, data: Data, places: list[Place], county: Region, clock: Clock, cast: Cast, today: date) -> int:
    by_name = {p.township.name: p for p in places}
    rep_demo = Representative.objects.filter(user__username="rep_demo").select_related("user").first()
    units = {u.name: u for u in HandlingUnit.objects.filter(region=county)}
    session = CongressSession.objects.filter(term=rep_demo.term).order_by("-opened_on").first() if rep_demo else None
    count = 0
    for spec in data["current"]:
        place = by_name.get(spec["township"])
        if place is None or (spec.get("representative") == "rep_demo" and rep_demo is None):
            continue
        case = _current_case(spec=spec, place=place, units=units, rep_demo=rep_demo, session=session)
        case.steps = _current_steps(spec=spec, place=place, today=today)
        _run_case(case=case, clock=clock, cast=cast)
        count += 1
    return count


def _current_case(*, spec: dict, place: Place, units: dict, rep_demo, session) -> Case:
    region = next((v for v in place.villages if v.name == spec.get("village")), place.township)
    matter = {k: spec.get(k, "") for k in ("text", "answer", "public_answer", "category")}
    matter["urgent"] = bool(spec.get("urgent"))
    rep = rep_demo if spec.get("representative") == "rep_demo" else None
    kind = "on_spot" if spec.get("on_spot") else spec["channel"] if spec["channel"] == "reception" else "online"
    return Case(
        place=place,
        kind=kind,
        matter=matter,
        region=region,
        name=spec.get("name", ""),
        phone=spec.get("phone", ""),
        key=f"{KEY_NOW}{spec['key']}" if kind == "online" else None,
        route=spec.get("route", ""),
        unit=units.get(spec.get("unit", "")),
        representative=rep,
        addressed_to=rep_demo if spec.get("addressed_to") == "rep_demo" else None,
        rating=spec.get("rating", ""),
        revisit=spec.get("revisit", ""),
        reason=spec.get("reason", ""),
        note=spec.get("note", ""),
        session=session,
    )


def _current_steps(*, spec: dict, place: Place, today: date) -> list[tuple[datetime, str]]:
    """Each step so many days before today, on a working day; a reception on the office's last reception day."""
    steps = []
    for action, days_ago in spec["steps"].items():
        if days_ago == "reception_day":
            day = (
                ReceptionDay.objects.filter(office=place.office, date__lt=today)
                .exclude(status=ReceptionDay.Status.CANCELLED)
                .order_by("-date")
                .values_list("date", flat=True)
                .first()
            ) or _workday(today - timedelta(days=1), back=True)
            when = _at(day, 9, 40)
            action = "record"
        else:
            when = _at(_workday(today - timedelta(days=days_ago), back=True), 9 + len(steps), 10)
        steps.append((when, action))
    return _ordered(sorted(steps, key=lambda s: s[0]))


# --- Moving the timestamps to when things happened --------------------------------------------


def _redate(*, clock: Clock) -> None:
    """Every timestamp the service calls wrote, moved to when the call was planned; deadlines follow."""
    since = clock.started
    if since is None:
        return
    accept_days, resolve_days = config("LIAISON", "ACCEPT_WORKDAYS"), config("LIAISON", "RESOLVE_WORKDAYS")

    def deadlines(row) -> None:
        row.accept_due_on = add_workdays(timezone.localdate(row.submitted_at), accept_days)
        if row.resolve_due_on is not None and row.accepted_at is not None:
            row.resolve_due_on = add_workdays(timezone.localdate(row.accepted_at), resolve_days)

    concern_times = ["submitted_at", "consented_at", "accepted_at", "resolved_at", "closed_at", "rated_at"]
    dues = ["accept_due_on", "resolve_due_on"]
    shift_times = ["checked_in_at", "checked_out_at"]
    history = "history_date"
    tables = [
        (Concern.objects.filter(submitted_at__gte=since), concern_times, deadlines, dues),
        (Concern.history.filter(history_date__gte=since), [history, *concern_times], deadlines, dues),
        (ConcernEvent.objects.filter(at__gte=since), ["at"], None, []),
        (ReceptionRecord.history.filter(history_date__gte=since), [history], None, []),
        (ReceptionDay.history.filter(history_date__gte=since), [history], None, []),
        (DutyShift.objects.filter(Q(checked_in_at__gte=since) | Q(checked_out_at__gte=since)), shift_times, None, []),
        (DutyShift.history.filter(history_date__gte=since), [history, *shift_times], None, []),
        (Proposal.objects.filter(created_at__gte=since), ["created_at"], None, []),
        (Proposal.history.filter(history_date__gte=since), [history, "created_at"], None, []),
        (ProposalEvent.objects.filter(at__gte=since), ["at"], None, []),
    ]
    for queryset, fields, compute, derived in tables:
        rows = list(queryset)
        for row in rows:
            for name in fields:
                setattr(row, name, clock.moment(getattr(row, name)))
            if compute:
                compute(row)
        update_rows(model=queryset.model, rows=rows, fields=[*fields, *derived])
    _redate_notifications(clock=clock, since=since)


def _redate_notifications(*, clock: Clock, since: datetime) -> None:
    """Today's inbox messages: written when their step happened, due when their concern is due, and
    delivered then (an inbox message needs no delivery, and a demo usually runs without a worker)."""
    rows = list(Notification.objects.filter(created_at__gte=since, channel=Notification.Channel.INBOX))
    concern_type = ContentType.objects.get_for_model(Concern)
    due = dict(
        Concern.objects.filter(pk__in=[r.object_id for r in rows if r.content_type_id == concern_type.pk])
        .exclude(resolve_due_on=None)
        .values_list("pk", "resolve_due_on")
    )
    for row in rows:
        row.created_at = row.next_attempt_at = row.sent_at = clock.moment(row.created_at)
        routed = row.rule == "concern.routed" and row.content_type_id == concern_type.pk
        row.due_on = due.get(row.object_id, row.due_on) if routed else timezone.localdate(row.created_at)
        row.status, row.attempts = Notification.Status.SENT, 1
    fields = ["created_at", "next_attempt_at", "sent_at", "due_on", "status", "attempts"]
    update_rows(model=Notification, rows=rows, fields=fields)
