"""One import framework for every spreadsheet staff bring in, on django-import-export.

A dataset declares a `RendaResource`: its columns (Chinese headers), its widgets (the cell
readers below, which say in Chinese what they expect), a title, two example rows and notes for
the template. The admin mixin (`apps.core.import_admin`) gives every such resource the same
pages: download the template, upload, preview (counts first, then every error with the
spreadsheet's own row number, the column header, the value given and what is expected, then the
cells that change), confirm. An import is all or nothing; unchanged rows are skipped and write
no history.
"""

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import resources, widgets
from import_export.results import RowResult
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.core import phones, workbooks
from apps.core.exports import TextHygieneImport, neutralise_formula

MAX_ROWS = 20000

# --- cells ------------------------------------------------------------------------------------


def zh(label) -> str:
    """A header or label as the spreadsheet writes it: in Chinese, whatever the page's language."""
    with translation.override("zh-hans"):
        return str(label)


def cell_text(value) -> str:
    """A cell as text: a number typed as a number (a credential number, a phone) without '.0',
    invisible and control characters dropped, surrounding spaces (also full-width) trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "".join(ch for ch in str(value) if unicodedata.category(ch) not in ("Cc", "Cf") or ch == "\n")
    return text.strip().strip("\u3000").strip()


class CellError(ValueError):
    """A cell that cannot be read; the message says in Chinese what is expected."""


# --- dates ------------------------------------------------------------------------------------

DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
DATE_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
DATE_MESSAGE = "请填写日期，例如 2022-3-5、2022/03/05 或 2022年3月5日。"


def parse_date(value) -> date | None:
    """A date as clerks type it (2022-3-5, 2022/03/05, 2022.3.5, 2022年3月5日, 20220305) or as
    Excel stores it (a date cell, or its serial number when the cell lost its format)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return from_excel(value).date()
    text = cell_text(value)
    if not text:
        return None
    match = DATE_TEXT.fullmatch(text) or DATE_DIGITS.fullmatch(text)
    if match is None and re.fullmatch(r"\d{5}(\.0+)?", text):
        return from_excel(float(text)).date()  # a serial number typed into a text cell
    if match is None:
        raise CellError(_(DATE_MESSAGE) + _("（填写的是“%(value)s”，不是日期。）") % {"value": text})
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("日期“%(value)s”不存在，请检查年月日。") % {"value": text}) from None


# --- phones (the one normaliser and the one set of rules: apps/core/phones.py) -----------------


def clean_phone(value, *, mobile_only=False) -> str:
    phone = phones.normalize_phone(cell_text(value))
    try:
        (phones.validate_mobile if mobile_only else phones.validate_phone)(phone)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return phone


# --- names -------------------------------------------------------------------------------------

# The middle dot of minority and transliterated names as input methods type it.
NAME_DOTS = re.compile("[.．•‧∙・･·。]")
PERSON_NAME = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ebef]+(·[\u3400-\u9fff\U00020000-\U0002ebef]+)*")


def clean_person_name(value) -> str:
    """A name in Chinese characters, its parts joined by the middle dot (阿依古丽·买买提)."""
    text = NAME_DOTS.sub("·", re.sub(r"\s+", "", cell_text(value)))
    if text and not PERSON_NAME.fullmatch(text):
        raise CellError(_("姓名只能由汉字组成，少数民族姓名各部分之间用间隔号“·”隔开。"))
    return text


# --- the 56 nationalities ----------------------------------------------------------------------

SHORT_ETHNICITIES = {"蒙": "蒙古族", "维": "维吾尔族", "藏": "藏族", "回": "回族", "汉": "汉族"}


def ethnicity_table(choices) -> dict[str, str]:
    """Code, full name (汉族) and short form (汉, 苗, 蒙古, 蒙) -> code."""
    table = {}
    for code, label in choices:
        name = zh(label)
        table.update({str(code): code, name: code, name.removesuffix("族"): code, str(label): code})
    for short, name in SHORT_ETHNICITIES.items():
        table.setdefault(short, table[name])
    return table


def suggestion(text: str, names) -> str:
    close = difflib.get_close_matches(text, list(names), n=1, cutoff=0.5)
    return _("您是不是要填“%(name)s”？") % {"name": close[0]} if close else ""


# --- widgets -----------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, **kwargs)

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class NameWidget(TextWidget):
    hint = gettext_lazy("汉字；少数民族姓名各部分之间用间隔号“·”，例如 阿依古丽·买买提")

    def clean(self, value, row=None, **kwargs):
        return clean_person_name(value)


class PhoneWidget(TextWidget):
    hint = gettext_lazy("11 位手机号码，或带区号的固定电话，例如 0739-7322001")

    def __init__(self, mobile_only=False, **kwargs):
        self.mobile_only = mobile_only
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return clean_phone(value, mobile_only=self.mobile_only)


class DateWidget(widgets.Widget):
    hint = gettext_lazy("日期，例如 2022-3-5、2022/03/05 或 2022年3月5日")

    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%Y-%m-%d") if value else ""


class IntegerWidget(widgets.IntegerWidget):
    hint = gettext_lazy("整数，例如 3")

    def clean(self, value, row=None, **kwargs):
        text = unicodedata.normalize("NFKC", cell_text(value)).replace(",", "")
        if not text:
            return None
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise CellError(_("请填写整数（阿拉伯数字），例如 3。"))
        return int(float(text))


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label (or its code); written as the label. Blank gives `blank`."""

    hint = gettext_lazy("从可选值中选择")

    def __init__(self, choices, *, blank="", **kwargs):
        self.choices, self.blank = list(choices), blank
        self._cache = {}  # per language: labels are looked up once, not on every cell
        super().__init__(**kwargs)

    def _cached(self, key, compute):
        key = (key, translation.get_language())
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def table(self) -> dict[str, str]:
        return self._cached("table", self._table)

    def _table(self) -> dict[str, str]:
        return {key: code for code, label in self.choices for key in (str(code), zh(label), str(label))}

    def labels(self) -> list[str]:
        return self._cached("labels", lambda: [zh(label) for _code, label in self.choices])

    def rendered(self) -> dict:
        return self._cached("rendered", lambda: {code: zh(label) for code, label in self.choices})

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return self.blank
        found = self.table().get(text)
        if found is None:
            allowed = "、".join(self.labels()) if len(self.choices) <= 12 else ""
            raise CellError(
                " ".join(
                    filter(
                        None,
                        [
                            _("“%(value)s”不是可选的值。") % {"value": text},
                            suggestion(text, self.labels()),
                            _("可选：%(allowed)s。") % {"allowed": allowed} if allowed else "",
                        ],
                    )
                )
            )
        return found

    def render(self, value, obj=None, **kwargs):
        return self.rendered().get(value, value or "")


class EthnicityWidget(ChoiceWidget):
    """One of the 56 nationalities, by its name or its usual short form (汉, 苗, 土家)."""

    hint = gettext_lazy("56 个民族之一，可简写，例如“汉”“苗”")

    def _table(self):
        return ethnicity_table(self.choices)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except CellError:
            text = cell_text(value)
            raise CellError(
                _("“%(value)s”不是 56 个民族之一，请填写民族名称，例如“汉族”或“苗族”（也可简写为“汉”“苗”）。")
                % {"value": text}
                + suggestion(text, self.labels())
            ) from None


class RecordWidget(widgets.Widget):
    """A record (a township, a unit...) by its name among those the importing user may use;
    a name that is close to one of them gets a suggestion. The names are read once per import."""

    hint = gettext_lazy("填写名称，须与系统中的名称完全一致")

    def __init__(self, queryset=None, *, field="name", noun="", **kwargs):
        self.queryset, self.field, self.noun = queryset, field, noun
        self._names = None
        super().__init__(**kwargs)

    def names(self) -> dict:
        if self._names is None:
            found = {}
            for obj in self.queryset.all():
                key = str(getattr(obj, self.field))
                found[key] = obj if key not in found else None  # None: the name is not unique
            self._names = found
        return self._names

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        names = self.names()
        if text not in names:
            message = _("%(noun)s“%(name)s”不存在或不在您的管辖范围内。") % {"noun": self.noun, "name": text}
            raise CellError(message + suggestion(text, names))
        if names[text] is None:
            raise CellError(_("%(noun)s名称“%(name)s”不唯一，请联系管理员。") % {"noun": self.noun, "name": text})
        return names[text]

    def render(self, value, obj=None, **kwargs):
        return str(getattr(value, self.field)) if value else ""


# --- reading an upload -------------------------------------------------------------------------


class NotChecked(Exception):
    """A row after a database error, which ended the import."""


class SheetError(Exception):
    """The file as a whole cannot be read (format, headers, no rows, too many rows)."""


def _rows_of(content: bytes, name: str):
    if name.lower().endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise SheetError(_("无法读取文件，请确认文件格式正确（xlsx 或 csv）。")) from error
        yield from book.worksheets[0].iter_rows(values_only=True)
        book.close()
        return
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")  # as Excel in China saves a csv
    yield from csv.reader(io.StringIO(text))


def read_upload(
    content: bytes, name: str, headers: list[str], required: list[str], aliases: dict[str, str] | None = None
) -> tuple[tablib.Dataset, list]:
    """The data rows of the first sheet under the resource's headers, blank rows dropped, with
    each row's line number in the spreadsheet. Unknown columns are ignored; a header may carry
    the template's trailing * or spaces, or be one of the older names in `aliases`."""
    rows = _rows_of(content, name)
    first = next(rows, None) or ()
    found = [str(h or "").strip().rstrip("*＊").strip() for h in first]
    found = [(aliases or {}).get(h, h) for h in found]
    index = {h: i for i, h in enumerate(found) if h in headers}
    missing = [h for h in required if h not in index]
    if missing:
        raise SheetError(_("文件缺少以下列：%(columns)s。请使用导入模板。") % {"columns": "、".join(missing)})
    dataset, lines = tablib.Dataset(headers=list(index)), []
    for line, row in enumerate(rows, start=2):
        values = [row[i] if i < len(row) else None for i in index.values()]
        if all(cell_text(v) == "" for v in values):
            continue
        if len(lines) >= MAX_ROWS:
            raise SheetError(_("一次最多导入 %(n)s 行，请分批导入。") % {"n": MAX_ROWS})
        dataset.append(values)
        lines.append(line)
    if not lines:
        raise SheetError(_("文件中没有数据行。"))
    return dataset, lines


# --- the report a preview shows ----------------------------------------------------------------


@dataclass
class CellProblem:
    line: int
    column: str
    value: str
    message: str


@dataclass
class RowChange:
    line: int
    record: str
    cells: list[tuple[str, str, str]]


@dataclass
class ImportReport:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({p.line for p in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the resource ------------------------------------------------------------------------------


class NoDiff:
    """django-import-export's diff renders every column of every row twice for an HTML table the
    preview does not show; the changed cells are computed for changed rows only (after_import_row)."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return []


class RendaResource(TextHygieneImport, resources.ModelResource):
    """The base of every import: Chinese headers, cells read by the widgets above, all or
    nothing, unchanged rows skipped (no save, so no history), the changed cells of each row kept
    for the preview. Subclasses set `sheet_title`, `examples` (two rows, by field name), `notes`."""

    sheet_title = ""  # names the sheet, the files and the pages (not `title`: a resource may have such a column)
    examples: list[dict] = []
    notes: list[str] = []
    required: tuple[str, ...] = ()  # field names whose column must be in the file
    # A model field whose errors belong under another column (e.g. "term" under 届次).
    error_columns: dict[str, str] = {}
    # Foreign keys the widgets resolve from the database themselves: full_clean need not look again.
    resolved_fields: tuple[str, ...] = ()
    # False when nothing a row checks depends on the rows above it being in the database.
    preview_saves = True
    # False when the resource checks the model's constraints itself, for the whole file at once.
    check_constraints = True
    # A model error that only follows from another column's error: {"term": "township"}.
    consequences: dict[str, str] = {}
    # Older header names files still use: {"代表证号": "领衔代表证号"}.
    header_aliases: dict[str, str] = {}

    class Meta:
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        store_instance = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.lines: list[int] = []
        self.changes: list[RowChange] = []
        self.sheet_title = zh(self.sheet_title)  # files and sheets are named in Chinese
        for f in self.fields.values():
            f.column_name = zh(f.column_name)

    # --- reading --------------------------------------------------------------------------------

    def headers(self) -> list[str]:
        """The export's columns."""
        return [f.column_name for f in self.get_export_fields()]

    def read(self, content: bytes, name: str) -> tablib.Dataset:
        required = [self.fields[n].column_name for n in self.required]
        headers = [f.column_name for f in self.get_import_fields()]
        dataset, self.lines = read_upload(content, name, headers, required, self.header_aliases)
        return dataset

    def line(self, number: int) -> int:
        return self.lines[number - 1] if self.lines else number + 1

    # --- importing ------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """All or nothing in one transaction, rolled back after a preview or any bad row.

        django-import-export would wrap every row in a savepoint of its own (two more queries a
        row, and PostgreSQL slows down past 64 subtransactions); the rows are checked before
        they are saved instead, so a database error is rare, and it ends the import."""
        self.changes, self._aborted = [], False
        kwargs.pop("rollback_on_validation_errors", None)
        kwargs.pop("collect_failed_rows", None)
        with transaction.atomic():
            # A preview saves for real (rolled back) when a row must see the rows above it in the
            # database (services counting places, duplicates); else it only reads and checks.
            preview_only = dry_run and not self.preview_saves
            result = self.import_data_inner(dataset, preview_only, raise_errors, False, False, **kwargs)
            if dry_run or result.has_errors() or result.has_validation_errors():
                transaction.set_rollback(True)
        return result

    # --- saving in batches (Meta.use_bulk, for resources whose rows need no service) ------------

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """New rows in batches, each with its history row (simple_history's bulk helper)."""
        try:
            if self.create_instances and not dry_run:
                bulk_create_with_history(
                    self.create_instances, self._meta.model, batch_size=batch_size, default_user=self.user
                )
        except DatabaseError as e:
            self.handle_import_error(result, e, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Changed rows in batches, one history row each; unchanged rows were skipped before."""
        try:
            if self.update_instances and not dry_run:
                fields = [f.name for f in self._meta.model._meta.concrete_fields if not f.primary_key]
                bulk_update_with_history(
                    self.update_instances, self._meta.model, fields, batch_size=batch_size, default_user=self.user
                )
        except DatabaseError as e:
            self.handle_import_error(result, e, raise_errors)
        finally:
            self.update_instances.clear()

    def get_diff_class(self):
        return NoDiff

    def import_row(self, row, instance_loader, **kwargs):
        if self._aborted:  # the transaction is broken: the rows below cannot be checked
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(self.get_error_result_class()(NotChecked(), row=row))
            return row_result
        row_result = super().import_row(row, instance_loader, **kwargs)
        self._aborted = any(isinstance(e.error, DatabaseError) for e in row_result.errors)
        return row_result

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        given = row.get(field.column_name)
        if instance.pk and field.column_name in row and cell_text(given) == self._shown(field, instance):
            return  # the cell says what is stored (as the export wrote it): nothing to read or check
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if original is None or original.pk is None:
            return False  # a new row is never "unchanged", even when it only has columns without attributes
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not self._meta.clean_model_instances:
            if errors:
                raise ValidationError(errors)
            return
        try:
            instance.full_clean(
                exclude={*errors, *self.resolved_fields},
                validate_unique=validate_unique,
                validate_constraints=self.check_constraints,
            )
        except ValidationError as e:
            found = e.update_error_dict({})
            # A cell that could not be read says what is wrong; what follows from it (and the model's
            # own word on a column already reported) is noise.
            noise = {key for key, cause in self.consequences.items() if cause in errors}
            errors.update({key: found[key] for key in found.keys() - noise - errors.keys()})
        if errors:
            raise ValidationError(errors)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE and row_result.original is not None:
            cells = [
                (f.column_name, old, new)
                for f in self.get_import_fields()
                if f.column_name in row
                and (old := self._shown(f, row_result.original)) != (new := self._shown(f, row_result.instance))
            ]
            self.changes.append(RowChange(self.line(kwargs["row_number"]), str(row_result.instance), cells))

    def _shown(self, f, obj) -> str:
        return str(self.export_field(f, obj) or "")

    # --- reporting ------------------------------------------------------------------------------

    def report(self, result) -> ImportReport:
        totals = result.totals
        report = ImportReport(
            new=totals.get(RowResult.IMPORT_TYPE_NEW, 0),
            changed=totals.get(RowResult.IMPORT_TYPE_UPDATE, 0),
            unchanged=totals.get(RowResult.IMPORT_TYPE_SKIP, 0),
            changes=self.changes,
        )
        for number, errors in result.row_errors():
            for error in errors:
                if isinstance(error.error, NotChecked):
                    continue  # a row after a database error: the error itself is reported
                report.problems.append(
                    CellProblem(self.line(number), "", "", _("无法导入：%(e)s") % {"e": error.error})
                )
        for invalid in result.invalid_rows:
            report.problems += self._problems(invalid)
        for error in result.base_errors:
            report.problems.append(CellProblem(0, "", "", str(error.error)))
        report.problems.sort(key=lambda p: (p.line, self._order(p.column)))
        return report

    def _problems(self, invalid) -> list[CellProblem]:
        line, values = self.line(invalid.number), invalid.values
        row = dict(zip(self.get_diff_headers(), values or (), strict=False))
        out = []
        for key, messages in invalid.error_dict.items():
            column = self.column_for(key)
            for message in messages:
                value = row.get(column)
                out.append(CellProblem(line, column, "" if value == "---" else cell_text(value), str(message)))
        return out

    def column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return ""
        key = self.error_columns.get(key, key)
        for name, f in self.fields.items():
            if key in (name, f.attribute):
                return f.column_name
        try:
            return zh(self._meta.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return key

    def _order(self, column: str) -> int:
        headers = [f.column_name for f in self.get_import_fields()]
        return headers.index(column) if column in headers else -1

    # --- the template and the export ----------------------------------------------------------

    def template_workbook(self) -> bytes:
        return workbooks.template_workbook(self)

    def export_workbook(self, queryset) -> bytes:
        return workbooks.export_workbook(self, queryset)

    def done_message(self, report) -> str:
        """What the confirmation says was done."""
        return _("导入完成：新增 %(new)s 行，修改 %(changed)s 行，%(unchanged)s 行未变。") % {
            "new": report.new, "changed": report.changed, "unchanged": report.unchanged,
        }  # fmt: skip

    def done_query(self) -> str:
        """The change list's filter the confirmation leads to (e.g. "session=3")."""
        return ""

    def example_rows(self) -> list[dict]:
        """The template's two example rows, by field name (may use the user's own records)."""
        return self.examples

    def prepare_export(self, queryset):
        """The export's queryset with what its columns read (select_related)."""
        return queryset

    def safe_export(self, queryset) -> tablib.Dataset:
        dataset = self.export(self.prepare_export(queryset))
        for i, row in enumerate(list(dataset)):
            dataset[i] = tuple(neutralise_formula(cell) for cell in row)
        return dataset


# --- imports whose rows are created through a service ------------------------------------------


class ServiceResource(RendaResource):
    """An import that only creates: each row's cells are read by the widgets into the keyword
    arguments of the app's service (`create_row`), which checks and saves the row as a form
    would. The service's refusal, or a PermissionDenied (`denied_message`), shows under its
    column; every row runs in a savepoint, so a refused row leaves nothing behind for the rows
    below. The preview runs the services for real and rolls everything back."""

    preview_saves = True
    denied_message = gettext_lazy("您无权导入这一行。")

    class Meta:
        clean_model_instances = False  # the service validates, with the messages of the admin form
        skip_unchanged = False

    def get_or_init_instance(self, instance_loader, row):
        return self._meta.model(), True

    def import_row(self, row, instance_loader, **kwargs):
        self._updates = False
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self._updates and row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            row_result.import_type = RowResult.IMPORT_TYPE_UPDATE  # the service corrected a record
        return row_result

    def import_instance(self, instance, row, **kwargs):
        """The row's values by field name, kept on the instance for `save_instance`; every cell
        that cannot be read, and every required one left blank, reported together."""
        values, errors = {}, {}
        for name, f in self.fields.items():
            try:
                values[name] = f.widget.clean(row.get(f.column_name), row=row)
            except ValueError as error:
                errors[name] = [str(error)]
                continue
            if name in self.required and values[name] in (None, "", []):
                errors[name] = [_("此项必须填写。")]
        self.resolve(values, errors)
        instance.row_values = values
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        self._updates = self.updates(instance.row_values)
        try:
            with transaction.atomic():
                saved = self.create_row(**instance.row_values)
        except PermissionDenied:
            raise ValidationError(self.denied(instance.row_values)) from None
        instance.pk = saved.pk
        self.saved(saved)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and self.unchanged(instance.row_values)

    def save_m2m(self, instance, row, **kwargs):
        pass  # the service saved everything

    def unchanged(self, values: dict) -> bool:
        """True when the row says what is already recorded: skipped, nothing written."""
        return False

    def updates(self, values: dict) -> bool:
        """True when the service will correct a record rather than add one (counted as changed)."""
        return False

    def resolve(self, values: dict, errors: dict) -> None:
        """Checks across columns (a name looked up in the place another column gives), adding
        to `errors` by field name; the values read so far are in `values`."""

    def denied(self, values: dict) -> str:
        return str(self.denied_message)

    def create_row(self, **values):
        raise NotImplementedError

    def saved(self, obj) -> None:
        """A hook for what the confirmation reports (e.g. the numbers given)."""
