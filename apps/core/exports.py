"""Spreadsheet formats and widgets shared by every app's import/export resources."""

from django.utils import translation
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.widgets import Widget

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.text import clean_cell, without_bidi

# A cell beginning with one of these runs as a formula when the file is opened in a
# spreadsheet (CSV injection); tab and carriage return can hide such a prefix.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """The cell as it may leave in a file: no bidirectional controls (rows stored before input was
    cleaned may hold them, apps.core.text), and a formula prefix, found after them, made text."""
    value = without_bidi(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class TextHygieneImport:
    """An import-export resource whose file's cells are cleaned like form input before any row is read."""

    def before_import(self, dataset, **kwargs):
        for i, row in enumerate(list(dataset)):
            dataset[i] = tuple(clean_cell(cell) for cell in row)
        return super().before_import(dataset, **kwargs)


class _FormulaSafe:
    def export_data(self, dataset, **kwargs):
        for i, row in enumerate(list(dataset)):
            dataset[i] = tuple(neutralise_formula(cell) for cell in row)
        return super().export_data(dataset, **kwargs)


class SafeCSV(_FormulaSafe, CSV):
    pass


class SafeXLSX(_FormulaSafe, XLSX):
    pass


SPREADSHEET_FORMATS = [SafeXLSX, SafeCSV]


class ChoicesWidget(Widget):
    """Reads a choice by its code, its label, or its Chinese label; writes the label."""

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def _lookup(self) -> dict[str, str]:
        table = {}
        for value, label in self.choices:
            table[str(value)] = value
            table[str(label)] = value
            with translation.override("zh-hans"):
                table[str(label)] = value
        return table

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return ""
        found = self._lookup().get(str(value).strip())
        if found is None:
            raise ValueError(_("“%(value)s”不是有效的选项。") % {"value": value})
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class AuditedExport:
    """The base of every export resource: the rows the user may see, Chinese headers whatever
    the page's language, a `sheet_title` naming the sheet and the file, and every export logged
    with who took how many rows (`audit_detail` adds to the entry). The admin side is
    `apps.core.import_admin.RendaExportMixin`; cells leave formula-safe through its formats."""

    audit_name = ""
    sheet_title = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        with translation.override("zh-hans"):
            self.sheet_title = str(self.sheet_title or self._meta.name or self._meta.model._meta.verbose_name_plural)
            for f in self.fields.values():
                f.column_name = str(f.column_name)

    def get_queryset(self):
        qs = self._meta.model.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def audit_detail(self) -> dict:
        return {}

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        detail = {"register": self.audit_name, "rows": len(dataset), **self.audit_detail()}
        audit_event(Audit.EXPORT, user=self.user, **detail)
        return dataset
