"""Working days on China's official calendar (public holidays and the weekend days swapped to work).

chinese-calendar carries the State Council's yearly schedule; for a year it does not know yet,
weekends alone decide, and the package should be upgraded.
"""

import logging
from datetime import date, timedelta

import chinese_calendar

logger = logging.getLogger(__name__)


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        logger.warning("no official holiday calendar for %s; counting weekends only", day.year)
        return day.weekday() < 5


def add_workdays(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))
