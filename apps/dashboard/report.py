"""The annual report, drawn from a `Dashboard` only: an xlsx workbook (a sheet per section), a
printable page in the style of a committee work report, and that same page as a PDF."""

import re
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core.exports import neutralise_formula
from apps.core.models import Region
from apps.core.numerals import chinese_number
from apps.core.pdf import PDF_BASE_URL, html_to_pdf, local_static_file, static_only_fetcher  # noqa: F401

from .figures_types import EMPTY_LABEL, NOT_APPLICABLE, Dashboard, Figure, Period, Section, Table

SHEET_NAME_MAX = 31  # Excel's limit
BOLD = Font(bold=True)

# The measure word a headline figure is counted in, for the report's sentences (by figure key).
UNITS = {
    "concerns.received": gettext_lazy("件"),
    "concerns.handled": gettext_lazy("件"),
    "proposals.count": gettext_lazy("件"),
    "proposals.recess": gettext_lazy("件"),
    "liaison.stations_added": gettext_lazy("个"),
    "liaison.funding": gettext_lazy("元"),
    "posts.held_during": gettext_lazy("名"),
    "training.halls": gettext_lazy("个"),
    "training.lectures": gettext_lazy("场"),
    "training.attendances": gettext_lazy("人次"),
    "posts.count": gettext_lazy("个"),
    "posts.capacity": gettext_lazy("人"),
    "posts.filled": gettext_lazy("个"),
    "posts.holders": gettext_lazy("名"),
    "groups.count": gettext_lazy("个"),
    "groups.activities": gettext_lazy("次"),
    "groups.problems_solved": gettext_lazy("件"),
    "groups.inspections": gettext_lazy("批次"),
    "groups.enforcement_checks": gettext_lazy("批次"),
    "proposals.all.count": gettext_lazy("件"),
    "livelihood.collected": gettext_lazy("个"),
    "livelihood.voted": gettext_lazy("个"),
    "livelihood.completed": gettext_lazy("个"),
    "livelihood.ideas": gettext_lazy("条"),
    "representatives.serving": gettext_lazy("名"),
}
TITLE = Font(bold=True, size=14)


# --- titles and sentences ------------------------------------------------------------------------


def organ_name(regions: list[Region]) -> str:
    """Who reports: a county's standing committee, a township's people's congress."""
    if len(regions) == 1:
        region = regions[0]
        if region.level == Region.Level.COUNTY:
            return _("%(region)s人大常委会") % {"region": region.name}
        if region.level == Region.Level.TOWNSHIP:
            return _("%(region)s人大") % {"region": region.name}
        return region.name
    return "、".join(r.name for r in regions) or _("全部区域")


def report_title(organ: str, period: Period) -> str:
    if period.year is not None:
        return _("%(organ)s %(year)s 年代表工作统计报告") % {"organ": organ, "year": period.year}
    return _("%(organ)s代表工作统计报告（%(term)s）") % {"organ": organ, "term": period.label}


def section_heading(number: int, title: str) -> str:
    return _("%(number)s、%(title)s") % {"number": chinese_number(number), "title": title}


def figure_sentence(figure: Figure, period: Period) -> str:
    """One line of the report per headline figure, e.g. "全年办理群众意见 526 件。"."""
    if figure.is_rate:
        return _rate_sentence(figure)
    lead = _("全年") if period.year is not None else _("本届以来")
    label, unit = str(figure.label), str(UNITS.get(figure.key, ""))
    if unit and label.endswith(unit):  # "视察调研批次 12 批次" reads "视察调研 12 批次"
        label = label.removesuffix(unit)
    amount = f"{figure.display} {unit}" if unit and figure.display != NOT_APPLICABLE else figure.display
    return _("%(lead)s%(label)s %(amount)s。") % {"lead": lead, "label": label, "amount": amount}


def _rate_sentence(figure: Figure) -> str:
    if figure.rate is None:
        return _("%(label)s：%(rate)s（暂无可计算的数据）。") % {"label": figure.label, "rate": NOT_APPLICABLE}
    return _("%(label)s %(rate)s（%(numerator)s / %(denominator)s）。") % {
        "label": figure.label,
        "rate": figure.display,
        "numerator": figure.numerator or 0,
        "denominator": figure.denominator,
    }


# --- the printable page and its PDF ----------------------------------------------------------------


@dataclass(frozen=True)
class PrintedSection:
    heading: str
    sentences: list[str]
    tables: list[Table]


def print_context(dashboard: Dashboard, title: str) -> dict:
    sections = [
        PrintedSection(
            heading=section_heading(number, section.title),
            sentences=[figure_sentence(f, dashboard.period) for f in section.figures],
            tables=section.tables,
        )
        for number, section in enumerate(dashboard.sections, start=1)
    ]
    return {"title": title, "dashboard": dashboard, "sections": sections, "empty_label": EMPTY_LABEL}


def report_html(dashboard: Dashboard, title: str, *, for_screen: bool = False, **extra) -> str:
    context = {**print_context(dashboard, title), "for_screen": for_screen, **extra}
    return render_to_string("dashboard/report_print.html", context)


def report_pdf(html: str) -> bytes:
    return html_to_pdf(html)


# --- the workbook ------------------------------------------------------------------------------------


def report_workbook(dashboard: Dashboard, title: str) -> bytes:
    """One sheet per section: its figures (with numerator and denominator), then its tables.
    Text is formula-safe; numbers stay numbers; an empty rate or cell shows "—"."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for section in dashboard.sections:
        _write_section(book.create_sheet(sheet_name(section.title, used)), dashboard, section, title)
    if not dashboard.sections:
        book.create_sheet(sheet_name(str(EMPTY_LABEL), used)).append([str(EMPTY_LABEL)])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_name(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip("' ")[:SHEET_NAME_MAX] or "Sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(name.lower())
    return name


def _write_section(sheet, dashboard: Dashboard, section: Section, title: str) -> None:
    _row(sheet, [title], font=TITLE)
    _row(sheet, [section.title, dashboard.scope_label, dashboard.period.label], font=BOLD)
    sheet.append([])
    if section.figures:
        _row(sheet, [_("指标"), _("数值"), _("分子"), _("分母"), _("说明")], font=BOLD)
        for figure in section.figures:
            _figure_row(sheet, figure)
        sheet.append([])
    for table in section.tables:
        _write_table(sheet, table)
    sheet.column_dimensions["A"].width = 36
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 14


def _figure_row(sheet, figure: Figure) -> None:
    if figure.is_rate:
        value = NOT_APPLICABLE if figure.rate is None else float(figure.rate)
        sheet.append(_cells([figure.label, value, figure.numerator or 0, figure.denominator, figure.note]))
        if figure.rate is not None:
            sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    else:
        value = figure.text if figure.text is not None else figure.value
        sheet.append(_cells([figure.label, value, "", "", figure.note]))


def _write_table(sheet, table: Table) -> None:
    _row(sheet, [table.title], font=BOLD)
    _row(sheet, table.columns, font=BOLD)
    for row in table.rows:
        sheet.append(_cells(row))
    if table.totals:
        _row(sheet, table.totals, font=BOLD)
    if table.note:
        sheet.append(_cells([table.note]))
    sheet.append([])


def _row(sheet, values, *, font=None) -> None:
    sheet.append(_cells(values))
    if font is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = font


def _cells(values) -> list:
    return [_cell(v) for v in values]


def _cell(value):
    if value is None:
        return NOT_APPLICABLE
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise_formula(str(value))
