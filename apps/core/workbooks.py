"""The xlsx files of the import framework: the template of an import and an export, both in
Chinese, the header row frozen, widths set, every text cell formula-safe."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.exports import neutralise_formula

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TEMPLATE_ROWS = 1000  # rows the data-validation lists cover
MAX_WIDTH = 50


def column_width(values) -> int:
    """Columns wide enough for their text: a Chinese character takes two widths."""
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v or "")) for v in values), default=8)
    return min(max(longest + 2, 8), MAX_WIDTH)


def _sheet(book_sheet, title: str, headers: list[str], rows: list[list]) -> None:
    book_sheet.title = title[:31]
    book_sheet.append(headers)
    for cell in book_sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in rows:
        book_sheet.append([neutralise_formula(v) for v in row])
    book_sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        sample = [header, *(row[i - 1] for row in rows[:200])]
        book_sheet.column_dimensions[get_column_letter(i)].width = column_width(sample)


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_workbook(dataset) -> bytes:
    """An export's rows as an xlsx: one sheet named for its content, formula-safe."""
    book = Workbook()
    _sheet(book.active, dataset.title or "", list(dataset.headers or []), [list(r) for r in dataset])
    return _save(book)


def export_workbook(resource, queryset) -> bytes:
    dataset = resource.safe_export(queryset)
    book = Workbook()
    _sheet(book.active, resource.sheet_title, list(dataset.headers), [list(r) for r in dataset])
    return _save(book)


# --- the template ------------------------------------------------------------------------------


def _allowed(widget) -> list[str]:
    if hasattr(widget, "labels"):
        return widget.labels()
    if hasattr(widget, "names"):
        return sorted(name for name, obj in widget.names().items() if obj is not None)
    return []


def _hint(resource, name, f) -> str:
    hints = getattr(resource, "hints", {})
    if name in hints:
        return str(hints[name])
    return str(getattr(f.widget, "hint", "") or "")


def template_workbook(resource) -> bytes:
    names = {id(f): n for n, f in resource.fields.items()}
    # In the import's order; columns only the export fills (counts, labels of related records) are not asked for.
    fields = [(names[id(f)], f) for f in resource.get_import_fields() if not (f.readonly and not f.attribute)]
    headers = [f.column_name + ("*" if name in resource.required else "") for name, f in fields]
    examples = [[example.get(name, "") for name, _f in fields] for example in resource.example_rows()]
    book = Workbook()
    sheet = book.active
    _sheet(sheet, resource.sheet_title, headers, examples)
    notes = book.create_sheet(_("填写说明"))
    note_rows = [[_("说明"), "", "", ""]]
    note_rows += [[str(n), "", "", ""] for n in resource.notes]
    note_rows += [["", "", "", ""], [_("列名"), _("必填"), _("填写要求"), _("可选值")]]
    for col, (name, f) in enumerate(fields, start=1):
        allowed = _allowed(f.widget)
        note_rows.append(
            [f.column_name, _("是") if name in resource.required else "", _hint(resource, name, f), "、".join(allowed)]
        )
        _validation(sheet, col, allowed)
    _sheet(notes, _("填写说明"), note_rows[0], note_rows[1:])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _save(book)


def _validation(sheet, col: int, allowed: list[str]) -> None:
    """A drop-down list where the allowed values are short enough for Excel (255 characters)."""
    formula = '"' + ",".join(allowed) + '"'
    if not allowed or len(formula) > 255 or any("," in a or '"' in a for a in allowed):
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    validation.error = _("请从下拉列表中选择。")
    letter = get_column_letter(col)
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
    sheet.add_data_validation(validation)
