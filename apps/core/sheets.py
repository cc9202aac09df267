"""Reading uploaded spreadsheets for the all-or-nothing imports, and auditing exports.

Every app's import reads the same way: an xlsx or a csv (UTF-8 or, as Excel in China saves it,
GB18030), the first row naming the columns in Chinese or in the current language (a trailing *
marks required ones in the templates), blank rows dropped, a file-level problem raised as
`SheetError` for the upload form. How a cell is read differs per import, so each passes its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import SafeCSV, SafeXLSX
from apps.core.text import clean_cell


class SheetError(Exception):
    """The file as a whole cannot be read (format, missing columns, no rows)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


def text_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed as a number, e.g. a credential number
    return str(value).strip()


def read_sheet(upload, columns: list[Column], *, empty: str, cell: Callable = text_cell) -> list[dict]:
    """The data rows of an uploaded xlsx or csv file, keyed by column, blank rows dropped."""
    content = upload.read()
    try:
        if upload.name.lower().endswith(".xlsx"):
            dataset = SafeXLSX().create_dataset(content)
        else:
            dataset = SafeCSV().create_dataset(_decode(content))
    except Exception as error:  # tablib and openpyxl raise many kinds on a damaged file
        raise SheetError(_("无法读取文件，请确认文件格式正确（xlsx 或 csv）。")) from error
    keys = _column_keys(dataset.headers or [], columns)
    rows = [{keys[i]: clean_cell(cell(v)) for i, v in enumerate(row) if i in keys} for row in dataset]
    rows = [row for row in rows if any(v != "" for v in row.values())]
    if not rows:
        raise SheetError(empty)
    return rows


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _column_keys(headers, columns: list[Column]) -> dict[int, str]:
    names = {name: c.key for c in columns for name in {str(c.label), zh(c.label), *c.aliases}}
    found = (str(h or "").strip().strip("*＊ ") for h in headers)
    keys = {i: names[h] for i, h in enumerate(found) if h in names}
    missing = [str(c.label) for c in columns if c.required and c.key not in keys.values()]
    if missing:
        raise SheetError(_("文件缺少以下列：%(columns)s。") % {"columns": "、".join(missing)})
    return keys


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def error_messages(error: ValidationError, model) -> list[str]:
    """A service's refusal as lines for the preview, each field error led by the field's name."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for name, messages in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            out += messages
            continue
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            label = name
        out += [f"{label}：{m}" for m in messages]
    return out


def audit_import(result, user, register: str, *, rows: int, dry_run: bool) -> None:
    """An import-export import that was kept (not a preview, no invalid row) goes in the audit log."""
    if not dry_run and not result.has_validation_errors() and not result.has_errors():
        audit_event(Audit.IMPORT, user=user, register=register, rows=rows)


class AuditedExport:
    """An import-export resource whose rows are those the user may see, and whose exports are
    logged with who took how many rows."""

    audit_name = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        qs = self._meta.model.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(Audit.EXPORT, user=self.user, register=self.audit_name, rows=len(dataset))
        return dataset
