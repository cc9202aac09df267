"""The demo's holiday calendars, entered as a county's staff would in the admin (节假日安排).

2026: the State Council's schedule as the pinned chinese-calendar package carries it, copied in
so the admin shows a complete year.

2027: DEMO DATA, NOT THE OFFICIAL SCHEDULE. The package does not know 2027 and the State
Council's notice for 2027 was not at hand when this was written; the days below are a plausible
schedule on the 2025 rules (春节 from 除夕, 劳动节 two days, bridging 调休 weekends), built from
the 2027 lunar dates. Before relying on it, check every day against the notice published by
the General Office of the State Council (国务院办公厅关于2027年部分节假日安排的通知) and
correct it in the admin; then recompute the open deadlines from the year's page.
"""

from datetime import date, timedelta

import chinese_calendar
from django.utils.translation import gettext as _

from apps.core import services
from apps.core.holidays import Day
from apps.core.models import CalendarDay, HolidayYear

H, W = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY

DEMO_2027_SOURCE = "演示数据（须按国务院办公厅2027年节假日安排通知核对）"
DEMO_2027_NOTE = (
    "演示用的假设安排，不是官方公布的日期。请对照国务院办公厅关于2027年部分节假日安排的通知逐日核对并修改，"
    "修改后在本页点击“重新计算期限”。"
)

# (first day, last day, kind, name)
DEMO_2027 = [
    (date(2027, 1, 1), date(2027, 1, 3), H, "元旦"),
    (date(2027, 1, 31), date(2027, 1, 31), W, "春节"),
    (date(2027, 2, 5), date(2027, 2, 13), H, "春节"),
    (date(2027, 2, 20), date(2027, 2, 20), W, "春节"),
    (date(2027, 4, 3), date(2027, 4, 5), H, "清明节"),
    (date(2027, 4, 25), date(2027, 4, 25), W, "劳动节"),
    (date(2027, 5, 1), date(2027, 5, 5), H, "劳动节"),
    (date(2027, 6, 9), date(2027, 6, 9), H, "端午节"),
    (date(2027, 9, 15), date(2027, 9, 15), H, "中秋节"),
    (date(2027, 9, 26), date(2027, 9, 26), W, "国庆节"),
    (date(2027, 10, 1), date(2027, 10, 7), H, "国庆节"),
    (date(2027, 10, 9), date(2027, 10, 9), W, "国庆节"),
]

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def _days(spans) -> list[Day]:
    return [
        Day(first + timedelta(days=n), kind, name)
        for first, last, kind, name in spans
        for n in range((last - first).days + 1)
    ]


def package_days(year: int) -> list[Day]:
    """The package's holidays and 调休 working days of `year`."""
    tables = ((chinese_calendar.holidays, H), (chinese_calendar.workdays, W))
    return [
        Day(day, kind, HOLIDAY_NAMES.get(str(holiday), str(holiday)))
        for table, kind in tables
        for day, holiday in table.items()
        if day.year == year
    ]


def calendar_demo_load() -> str:
    """Idempotent: a year already entered (by staff, or a previous run) is left as it is."""
    entered = set(HolidayYear.objects.values_list("year", flat=True))
    if 2026 not in entered:
        services.holiday_year_save(
            year=2026,
            days=package_days(2026),
            source="国务院办公厅2026年部分节假日安排（chinese-calendar 1.11.0 所载）",
        )
    if 2027 not in entered:
        services.holiday_year_save(year=2027, days=_days(DEMO_2027), source=DEMO_2027_SOURCE, note=DEMO_2027_NOTE)
    return _("节假日安排：2026 年、2027 年（2027 年为待核对的演示数据）")
