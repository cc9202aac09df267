"""The admin side of the import framework: for a ModelAdmin with a `RendaResource`, the same
pages everywhere — download the template, upload, preview, confirm — and a Chinese export.

The uploaded file waits between the preview and the confirmation in a private temporary folder
under a random name; the confirmation carries a signed token naming it, the user and the model,
and the file is read again and imported for real (all or nothing) when confirmed.
"""

import contextlib
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX
from import_export.forms import ExportForm

from apps.core import workbooks
from apps.core.admin_pages import admin_url
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import SPREADSHEET_FORMATS, SafeXLSX
from apps.core.imports import SheetError
from apps.core.models import Region
from apps.core.scope import scope_for
from apps.core.text import TextHygieneMixin

MAX_BYTES = 20 * 1024 * 1024
TOKEN_SALT = "renda.import"  # noqa: S105 (a signing namespace, not a secret)
TOKEN_MAX_AGE = 3600
CSV_TYPE = "text/csv; charset=utf-8"


def upload_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "renda-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _forget_expired() -> None:
    """Files previewed and never confirmed go once their token has expired."""
    expired = time.time() - TOKEN_MAX_AGE
    for file in upload_folder().iterdir():
        with contextlib.suppress(OSError):
            if file.stat().st_mtime < expired:
                file.unlink()


class ImportUploadForm(TextHygieneMixin, forms.Form):
    import_file = forms.FileField(
        label=gettext_lazy("文件"), help_text=gettext_lazy("请使用导入模板填写，xlsx 或 csv 文件，第一行为列名。")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只能导入 xlsx 或 csv 文件。"))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件超过 20MB，请分批导入。"))
        return upload

    def options(self) -> dict:
        """What the form adds to the file, as the resource's keyword arguments."""
        return {}


def attachment(content: bytes, filename: str, content_type: str = SafeXLSX.CONTENT_TYPE) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def scope_name(user) -> str:
    """The place an export covers, for its file name: the user's townships, or the county."""
    scope = scope_for(user)
    if scope.unrestricted:
        county = Region.objects.filter(level=Region.Level.COUNTY).order_by("path").first()
        return county.name if county else ""
    names = list(Region.objects.filter(path__in=scope.region_paths).order_by("path").values_list("name", flat=True))
    return "、".join(names[:3]) + (_("等") if len(names) > 3 else "")


class RendaImportMixin:
    """For a ModelAdmin: `import_resource_class` (a RendaResource) gives the import pages and
    the export. Permissions are the model's `import_<model>` and `export_<model>`."""

    import_resource_class = None
    # A page may ask for more than the file (the session of the proposals, say): a form with
    # `import_file` and other fields, whose `import_options()` become the resource's arguments.
    import_form_class = ImportUploadForm
    change_list_template = "admin/import/change_list.html"
    import_template = "admin/import/import.html"
    export_template = "admin/import/export.html"

    def get_import_resource(self, request, **options):
        return self.import_resource_class(user=request.user, **options)

    def get_import_form(self, request, data=None, files=None):
        return self.import_form_class(data, files, user=request.user)

    def import_options(self, form) -> dict:
        """The resource's arguments from the upload form (JSON-able: they wait in the token)."""
        return form.options()

    def import_done(self, request, resource, report, options: dict):
        """Where the confirmation leads, with the message that says what was done."""
        messages.success(request, resource.done_message(report))
        query = resource.done_query()
        return HttpResponseRedirect(admin_url(self.model, "changelist") + (f"?{query}" if query else ""))

    def _perm(self, request, action: str) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_import_permission(self, request) -> bool:
        return self._perm(request, "import")

    def has_export_permission(self, request) -> bool:
        return self._perm(request, "export")

    def get_urls(self):
        wrap, info = self.admin_site.admin_view, f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", wrap(self.import_view), name=f"{info}_import"),
            path("import/confirm/", wrap(self.process_import_view), name=f"{info}_process_import"),
            path("import/template/", wrap(self.import_template_view), name=f"{info}_import_template"),
            *self._export_urls(wrap, info),
            *super().get_urls(),
        ]

    def _export_urls(self, wrap, info: str) -> list:
        # A list on RendaExportMixin has its export page (and several sheets) from there.
        if isinstance(self, ExportMixin):
            return []
        return [path("export/", wrap(self.export_view), name=f"{info}_export")]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "has_import_permission": self.has_import_permission(request),
            "has_export_permission": self.has_export_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def _page(self, request, template: str, title: str, **context):
        request.current_app = self.admin_site.name
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context}
        return TemplateResponse(request, template, context)

    # --- import ----------------------------------------------------------------------------------

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.get_import_form(request, request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self._import_page(request, self.get_import_resource(request), form=form)
        options = self.import_options(form)
        resource = self.get_import_resource(request, **options)
        upload = form.cleaned_data["import_file"]
        content = upload.read()
        context = {"form": form}
        report = self._import_run(form, resource, content, upload.name, dry_run=True)
        if report is not None:
            context["report"] = report
            context["token"] = self._keep(request, content, upload.name, options) if report.ok else ""
        return self._import_page(request, resource, **context)

    def process_import_view(self, request):
        if not self.has_import_permission(request) or request.method != "POST":
            raise PermissionDenied
        kept = self._kept(request, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, _("上传的文件已过期，请重新上传。"))
            return HttpResponseRedirect(admin_url(self.model, "import"))
        file, name, options = kept
        resource = self.get_import_resource(request, **options)
        form = self.get_import_form(request)
        report = self._import_run(form, resource, file.read_bytes(), name, dry_run=False)
        file.unlink(missing_ok=True)
        if report is None or not report.ok:
            return self._import_page(request, resource, form=form, report=report)
        audit_event(
            Audit.IMPORT, request=request, register=self.opts.label_lower,
            new=report.new, changed=report.changed, unchanged=report.unchanged,
        )  # fmt: skip
        return self.import_done(request, resource, report, options)

    def _import_run(self, form, resource, content: bytes, name: str, *, dry_run: bool):
        try:
            dataset = resource.read(content, name)
        except SheetError as error:
            form.add_error(None, str(error))
            return None
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True)
        return resource.report(result)

    def _import_page(self, request, resource, **context):
        title = _("导入%(title)s") % {"title": resource.sheet_title}
        return self._page(request, self.import_template, title, resource=resource, **context)

    def _keep(self, request, content: bytes, name: str, options: dict) -> str:
        _forget_expired()
        stored = secrets.token_hex(16) + (".xlsx" if name.lower().endswith(".xlsx") else ".csv")
        (upload_folder() / stored).write_bytes(content)
        kept = {"f": stored, "u": request.user.pk, "m": self.opts.label_lower, "o": options}
        return signing.dumps(kept, salt=TOKEN_SALT)

    def _kept(self, request, token: str):
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return None
        file = upload_folder() / data["f"]
        if data["u"] != request.user.pk or data["m"] != self.opts.label_lower or not file.is_file():
            return None
        return file, data["f"], data.get("o", {})

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource(request)
        return attachment(resource.template_workbook(), _("%(title)s导入模板.xlsx") % {"title": resource.sheet_title})

    # --- export ----------------------------------------------------------------------------------

    def export_queryset(self, request):
        """The rows of the change list as filtered (the export link carries its query string)."""
        changelist = self.get_changelist_instance(request)
        return changelist.get_queryset(request)

    def export_view(self, request):
        if not (self.has_export_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        resource = self.get_import_resource(request)
        queryset = self.export_queryset(request)
        if request.method != "POST":
            title = _("导出%(title)s") % {"title": resource.sheet_title}
            return self._page(request, self.export_template, title, resource=resource, count=queryset.count())
        stem = export_stem(request, resource.sheet_title)
        audit_event(Audit.EXPORT, request=request, register=self.opts.label_lower, rows=queryset.count())
        if request.POST.get("format") == "csv":
            content = resource.safe_export(queryset).export("csv").encode("utf-8-sig")
            return attachment(content, f"{stem}.csv", CSV_TYPE)
        return attachment(resource.export_workbook(queryset), f"{stem}.xlsx")


# --- the one export ------------------------------------------------------------------------------


def export_stem(request, title: str) -> str:
    """An export's file name without its extension: `<dataset>-<scope>-<date>`."""
    return "-".join(filter(None, [title, scope_name(request.user), f"{timezone.localdate():%Y-%m-%d}"]))


class ExportChoiceForm(TextHygieneMixin, ExportForm):
    """import-export's export form in Chinese: which sheet (when the list offers several) and
    Excel or csv; every column is exported, so there are no column boxes to tick."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["resource"].label = _("导出内容")
        self.fields["resource"].choices = [(i, sheet_title_of(r)) for i, r in enumerate(resources)]
        if len(resources) > 1:
            self.fields["resource"].widget = forms.RadioSelect(choices=self.fields["resource"].choices)
            self.initial["resource"] = "0"
        self.fields["format"].label = _("文件格式")
        labels = {"xlsx": _("Excel（xlsx）"), "csv": _("csv（逗号分隔）")}
        self.fields["format"].choices = [
            (str(i), labels.get(f().get_title(), f().get_title())) for i, f in enumerate(formats)
        ]
        self.initial["format"] = "0"


def sheet_title_of(resource_class) -> str:
    meta = resource_class._meta
    title = getattr(resource_class, "sheet_title", "") or meta.name or meta.model._meta.verbose_name_plural
    with translation.override("zh-hans"):
        return str(title)


class RendaExportMixin(ExportMixin):
    """The one export of a ModelAdmin's list, on import-export's ExportMixin, with resources
    based on `apps.core.exports.AuditedExport` (scoped, audited, Chinese headers): the rows of
    the change list as filtered, every column, a sheet named for its content with the header row
    frozen and widths set, formulas neutralised, a file named `<dataset>-<scope>-<date>.xlsx`,
    and a page in Chinese."""

    formats = SPREADSHEET_FORMATS
    export_form_class = ExportChoiceForm
    export_template_name = "admin/import/export_form.html"

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_data_for_export(self, request, queryset, **kwargs):
        resource_class = self.choose_export_resource_class(kwargs.get("export_form"), request)
        resource = resource_class(**self.get_export_resource_kwargs(request))
        dataset = resource.export(queryset=queryset)
        dataset.title = sheet_title_of(resource_class)
        return dataset

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        dataset = self.get_data_for_export(request, queryset, **kwargs)
        request.renda_export_title = dataset.title
        if isinstance(file_format, XLSX):
            return workbooks.dataset_workbook(dataset)
        return file_format.export_data(dataset).encode("utf-8-sig")  # Excel in China reads the BOM

    def get_export_filename(self, request, queryset, file_format):
        title = getattr(request, "renda_export_title", "") or sheet_title_of(
            self.get_export_resource_classes(request)[0]
        )
        return f"{export_stem(request, title)}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        content = self.get_export_data(file_format, request, queryset, export_form=export_form)
        name = self.get_export_filename(request, queryset, file_format)
        return attachment(content, name, file_format.get_content_type())

    def init_request_context_data(self, request, form):
        context = super().init_request_context_data(request, form)
        resources = self.get_export_resource_classes(request)
        context["title"] = _("导出%(title)s") % {"title": sheet_title_of(resources[0])}
        context["count"] = self.get_export_queryset(request).count()
        context["sheets"] = [
            (
                sheet_title_of(r),
                [f.column_name for f in r(**self.get_export_resource_kwargs(request)).get_export_fields()],
            )
            for r in resources
        ]
        return context
