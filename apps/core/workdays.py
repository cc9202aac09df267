"""Working days on China's official calendar (public holidays and the weekend days swapped to work).

The State Council publishes each year's schedule in November or December; staff enter it in the
admin (`HolidayYear`, `CalendarDay`). A year entered there decides; for a year nobody entered,
the chinese-calendar package's data is the default; for a year neither knows, weekends alone
decide (and `calendar_warning` tells staff from November on).

A year's calendar is read once and cached (per year, in the cache and for the length of one
computation), so counting twenty working days costs one cache read, not twenty queries.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.models import CalendarDay, HolidayYear

logger = logging.getLogger(__name__)

CACHE_SECONDS = 6 * 3600
# The years whose cache entries `calendar_cache_clear` drops: every year a deployment can meet.
YEARS = range(2000, 2101)


class Source:
    ADMIN = "admin"  # entered by staff
    PACKAGE = "package"  # chinese-calendar's data
    NONE = "none"  # weekends only


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _key(year: int) -> str:
    # Versioned: a release that changes YearCalendar never unpickles the previous one's entries.
    return f"renda:calendar:v1:{year}"


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def _load(year: int) -> YearCalendar:
    entered = HolidayYear.objects.filter(year=year).exists()
    holidays, workdays = set(), set()
    if entered:
        source = Source.ADMIN
    elif package_knows(year):
        source = Source.PACKAGE
        holidays = {d for d in chinese_calendar.holidays if d.year == year}
        workdays = {d for d in chinese_calendar.workdays if d.year == year}
    else:
        source = Source.NONE
    # Days staff entered always count, even from a neighbouring year's notice (31 December).
    for day, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
        (workdays if kind == CalendarDay.Kind.HOLIDAY else holidays).discard(day)
    return YearCalendar(year, source, frozenset(holidays), frozenset(workdays))


def _cache(method: str, *args):
    """A deadline is part of saving a citizen's concern: whatever cache is configured, an
    unreachable one costs a database read, never the save (apps/core/cache.py)."""
    try:
        return getattr(cache, method)(*args)
    except Exception as error:
        logger.warning("holiday calendar cache %s skipped: %s", method, error)
        return None


def year_calendar(year: int) -> YearCalendar:
    cached = _cache("get", _key(year))
    if cached is None:
        cached = _load(year)
        _cache("set", _key(year), cached, CACHE_SECONDS)
        if cached.source == Source.NONE:
            logger.warning("no official holiday calendar for %s; counting weekends only", year)
    return cached


def calendar_cache_clear(years=YEARS) -> None:
    """After staff change a year's calendar (and between tests, whose rows roll back)."""
    _cache("delete_many", [_key(year) for year in years])


class Calendars:
    """The calendars one computation needs, each read once."""

    def __init__(self):
        self.years: dict[int, YearCalendar] = {}

    def is_workday(self, day: date) -> bool:
        if day.year not in self.years:
            self.years[day.year] = year_calendar(day.year)
        return self.years[day.year].is_workday(day)


def is_workday(day: date) -> bool:
    return year_calendar(day.year).is_workday(day)


def add_workdays(start: date, count: int, *, calendars: Calendars | None = None) -> date:
    """The date `count` working days after `start` (start itself not counted). A long list of
    deadlines passes one `Calendars()` to every call: each year is then read once for all."""
    calendars = calendars or Calendars()
    day = start
    while count > 0:
        day += timedelta(days=1)
        if calendars.is_workday(day):
            count -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    calendars = Calendars()
    return sum(1 for n in range(1, (end - start).days + 1) if calendars.is_workday(start + timedelta(days=n)))


def calendar_warning(today: date) -> str | None:
    """From 1 November, the year ahead must be known: a sentence naming the missing year for the
    admin index and the staff workbench, or None. A current year unknown is warned all year."""
    missing = [year for year in _years_to_check(today) if year_calendar(year).source == Source.NONE]
    if not missing:
        return None
    return _(
        "尚未录入%(year)s年的节假日安排：该年按周末计算工作日，期限可能不准确。"
        "请在“节假日安排”中录入国务院办公厅公布的放假安排。"
    ) % {"year": missing[0]}


def _years_to_check(today: date) -> list[int]:
    return [today.year, today.year + 1] if today.month >= 11 else [today.year]


def calendar_changed(sender, instance, **kwargs) -> None:
    """Signal receiver: a holiday year or day saved or deleted drops the cached years it touches,
    now and again once the change is committed (a reader in between may have cached the old one)."""
    year = getattr(instance, "year", None) or instance.date.year
    years = [year - 1, year, year + 1]
    calendar_cache_clear(years)
    transaction.on_commit(lambda: calendar_cache_clear(years))
