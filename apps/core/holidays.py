"""Reading a year's holiday schedule from a small file staff have: an xlsx sheet or an ICS calendar.

xlsx: a header row with 日期, 类型 (放假 / 调休上班) and 节日 columns, and optionally 结束日期 for a
range of days of the same kind; dates as date cells or "2027-02-06" text.
ICS: every VEVENT's DTSTART (and DTEND, exclusive, for several days) and SUMMARY; a summary
with 班 in it ("春节调休上班", "补班") is a working day, anything else a holiday.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from apps.core.models import CalendarDay

Kind = CalendarDay.Kind
KIND_WORDS = {
    "放假": Kind.HOLIDAY,
    "休": Kind.HOLIDAY,
    "调休上班": Kind.WORKDAY,
    "上班": Kind.WORKDAY,
    "班": Kind.WORKDAY,
}
MAX_DAYS = 400


@dataclass(frozen=True)
class Day:
    date: date
    kind: str
    name: str


def read_calendar_file(name: str, content: bytes) -> list[Day]:
    if name.lower().endswith(".ics"):
        return parse_ics(content.decode("utf-8-sig", errors="replace"))
    if name.lower().endswith(".xlsx"):
        return parse_xlsx(content)
    raise ValidationError(_("请上传 .xlsx 或 .ics 文件。"))


def _span(start: date, end: date, kind: str, name: str) -> list[Day]:
    if end < start or (end - start).days > 60:
        raise ValidationError(_("%(start)s 起的日期范围不正确。") % {"start": start})
    return [Day(start + timedelta(days=n), kind, name) for n in range((end - start).days + 1)]


# --- ICS ---------------------------------------------------------------------------------------


def _unfolded(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def _ics_date(value: str) -> date:
    return datetime.strptime(value.strip()[:8], "%Y%m%d").date()


def _ics_kind(summary: str) -> str:
    return Kind.WORKDAY if "班" in summary else Kind.HOLIDAY


def _ics_name(summary: str) -> str:
    return re.sub(r"[（(]?(调休)?(上班|补班|放假|休)[）)]?$", "", summary).strip()


def parse_ics(text: str) -> list[Day]:
    days, event = [], None
    for line in _unfolded(text):
        key, _sep, value = line.partition(":")
        field = key.split(";")[0].upper()
        if line.strip() == "BEGIN:VEVENT":
            event = {}
        elif line.strip() == "END:VEVENT" and event is not None:
            days += _ics_event(event)
            event = None
        elif event is not None and field in ("DTSTART", "DTEND", "SUMMARY"):
            event[field] = value.strip()
    return _checked(days)


def _ics_event(event: dict) -> list[Day]:
    try:
        start = _ics_date(event["DTSTART"])
        end = _ics_date(event["DTEND"]) - timedelta(days=1) if "DTEND" in event else start
    except (KeyError, ValueError):
        raise ValidationError(_("日历文件中有无法识别的日期。")) from None
    summary = event.get("SUMMARY", "").replace("\\,", ",")
    return _span(start, max(start, end), _ics_kind(summary), _ics_name(summary))


# --- xlsx --------------------------------------------------------------------------------------


def _cell_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("无法识别的日期：%(value)s") % {"value": value}) from None


def _xlsx_kind(value) -> str:
    kind = KIND_WORDS.get(str(value or "").strip())
    if kind is None:
        raise ValidationError(_("类型只能是“放假”或“调休上班”：%(value)s") % {"value": value})
    return kind


def parse_xlsx(content: bytes) -> list[Day]:
    try:
        rows = list(load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True))
    except Exception:
        raise ValidationError(_("无法读取该 Excel 文件。")) from None
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    if "日期" not in header or "类型" not in header:
        raise ValidationError(_("第一行须有“日期”和“类型”两列。"))
    at = {name: header.index(name) for name in header if name}
    days = []
    for row in rows[1:]:
        start = _cell_date(row[at["日期"]] if at["日期"] < len(row) else None)
        if start is None:
            continue
        end = _cell_date(row[at["结束日期"]]) if "结束日期" in at and at["结束日期"] < len(row) else None
        name = str(row[at["节日"]] or "").strip() if "节日" in at and at["节日"] < len(row) else ""
        days += _span(start, end or start, _xlsx_kind(row[at["类型"]]), name)
    return _checked(days)


def _checked(days: list[Day]) -> list[Day]:
    if len(days) > MAX_DAYS:
        raise ValidationError(_("文件中的日期过多。"))
    unique: dict[date, Day] = {}
    for day in days:
        if unique.setdefault(day.date, day).kind != day.kind:
            raise ValidationError(_("%(day)s 既是放假又是上班。") % {"day": day.date})
    return sorted(unique.values(), key=lambda d: d.date)
