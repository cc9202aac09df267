"""Background exports of the big admin registers (concerns, proposals): bounded memory at any size.

The admin's synchronous export builds a tablib Dataset of every row inside the request; past
`RENDA_EXPORT_SYNC_MAX_ROWS` it is refused and the changelist offers "后台导出 xlsx" instead.
That button saves an `ExportJob` with the changelist's query string; the worker rebuilds the
same filtered, scoped queryset through the same ModelAdmin as the requester, streams it with
`iterator()` through the same export resource row by row, into a write-only openpyxl workbook
(rows go to disk as they come), and saves its progress every `PROGRESS_EVERY` rows.
"""

import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.test import RequestFactory
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from apps.core import workbooks
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.exports import neutralise_formula
from apps.core.import_admin import export_stem, sheet_title_of
from apps.core.jobs import job_claim, job_retry, jobs_requeue
from apps.core.models import ExportJob, User
from apps.core.scope import scope_for

logger = logging.getLogger("renda.core")
Status = ExportJob.Status

CHUNK_SIZE = 2000  # rows fetched from the database at a time
PROGRESS_EVERY = 1000  # rows between two progress saves


def sync_max_rows() -> int:
    """Above this many rows the admin's in-request export is refused (lead-owned setting)."""
    return getattr(settings, "RENDA_EXPORT_SYNC_MAX_ROWS", 5000)


def export_dir() -> Path:
    configured = getattr(settings, "RENDA_EXPORT_DIR", "")
    return Path(configured) if configured else Path(config("DASHBOARD", "REPORT_DIR")) / "exports"


def export_file(name: str) -> Path:
    return export_dir() / name


class ExportError(ValidationError):
    """An export that cannot be asked for or written, with a message for the person who asked."""


# --- asking ------------------------------------------------------------------------------------


def export_request(*, model_label: str, query: str, by: User) -> ExportJob:
    """Queue an export of the `model_label` changelist as `by` sees it with `query` applied."""
    model_admin = _model_admin(model_label)
    request = _request(by, query)
    if not model_admin.has_export_permission(request):
        raise ExportError(_("您没有导出该数据的权限。"))
    job = ExportJob(
        requested_by=by,
        model_label=model_label,
        # The file's name when downloaded: <dataset>-<scope>-<date>, as the in-request export.
        title=export_stem(request, sheet_title_of(model_admin.get_export_resource_classes(request)[0])),
        query=query.lstrip("?"),
        region_path=_scope_path(by),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.full_clean()
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _scope_path(user: User) -> str:
    """The common ancestor of the requester's regions: staff covering it may also download."""
    scope = scope_for(user)
    if scope.unrestricted:
        return "/"
    if not scope.region_paths:
        return ""  # no region: only the requester (and superusers) see the job
    return os.path.commonpath(scope.region_paths).rstrip("/") + "/"


def _enqueue(job_id: int) -> None:
    from apps.core.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception:  # the broker is down: the job stays queued and is shown so
        logger.warning("could not enqueue export job %s", job_id, exc_info=True)


def _model_admin(model_label: str):
    try:
        return admin.site._registry[apps.get_model(model_label)]
    except (LookupError, ValueError, KeyError):
        raise ExportError(_("无法导出该数据。")) from None


def _request(user: User, query: str):
    """A GET of the changelist as `user`: the admin rebuilds its filters, search and scope from it."""
    request = RequestFactory().get("/?" + query.lstrip("?"))
    request.user = user
    return request


def export_requeue(*, queued_for: timedelta = timedelta(minutes=2)) -> int:
    """Periodic (beat): jobs the broker never got, or whose worker died, are sent again."""
    return jobs_requeue(ExportJob, _enqueue, queued_for=queued_for)


def export_retry(*, job: ExportJob) -> bool:
    return job_retry(job=job, enqueue=_enqueue)


# --- writing -----------------------------------------------------------------------------------


def export_run(*, job_id: int) -> ExportJob | None:
    """Write a queued job's workbook. A failure ends the job in `failed` with its reason and
    leaves no file behind; a job already claimed (a redelivered task) is left alone."""
    if not job_claim(ExportJob, job_id, rows_done=0):
        return None
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    partial = export_dir() / f".export-{job.pk}-{secrets.token_hex(8)}.xlsx.part"
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            name = _write(job, partial)
    except Exception as error:
        logger.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        _finish(job, Status.FAILED, error=_failure_text(error))
        return job
    _finish(job, Status.DONE, file_name=name)
    audit_event(Audit.EXPORT, user=job.requested_by, target=job, register=job.model_label, rows=job.rows_done)
    return job


def _write(job: ExportJob, partial: Path) -> str:
    model_admin = _model_admin(job.model_label)
    request = _request(job.requested_by, job.query)
    if not job.requested_by.is_active or not model_admin.has_export_permission(request):
        raise PermissionDenied(_("申请人已无导出该数据的权限。"))
    resource = model_admin.get_export_resource_classes(request)[0](**model_admin.get_export_resource_kwargs(request))
    queryset = resource.filter_export(model_admin.get_export_queryset(request))
    title = sheet_title_of(type(resource))
    job.rows_total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=job.rows_total)
    export_dir().mkdir(parents=True, exist_ok=True)
    objects = queryset.iterator(chunk_size=CHUNK_SIZE)  # a server-side cursor: one chunk in memory
    try:
        rows = _counted(job, (resource.export_resource(obj) for obj in objects))
        write_workbook(partial, resource.get_export_headers(), rows, title=title)
    finally:
        objects.close()  # now, inside its transaction, even when a traceback keeps the frames alive
    name = f"export-{job.pk}-{secrets.token_hex(8)}.xlsx"
    os.replace(partial, export_file(name))  # a reader never sees half a file
    return name


def write_workbook(target: Path, headers: list[str], rows: Iterable[list], *, title: str) -> None:
    """A formula-safe xlsx written row by row: memory stays flat however many rows come."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    # As the in-request export: the header row frozen, columns as wide as their headers need
    # (the rows stream to disk and are not measured).
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(workbooks.column_width([header]), 12)
    try:
        sheet.append([safe_cell(h) for h in headers])
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    except BaseException:
        _abandon(sheet)
        raise
    book.save(target)


def _abandon(sheet) -> None:
    """Close a half-written sheet and remove its temporary file (openpyxl keeps it otherwise)."""
    with suppress(Exception):
        sheet.close()
        sheet._writer.cleanup()


def safe_cell(value):
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralise_formula(value))
    return value


def _counted(job: ExportJob, rows: Iterator[list]) -> Iterator[list]:
    """Pass rows through, saving the count every PROGRESS_EVERY rows for the page to show."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
    job.rows_done = done


def _finish(job: ExportJob, status: str, *, error: str = "", file_name: str = "") -> None:
    job.status, job.error, job.file_name, job.finished_at = status, error, file_name, timezone.now()
    fields = ["status", "error", "file_name", "finished_at", "rows_done", "rows_total"]
    ExportJob.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})


def _failure_text(error: Exception) -> str:
    if isinstance(error, (ValidationError, PermissionDenied)):
        return " ".join(getattr(error, "messages", None) or [str(error)])
    return _("导出时出错（%(kind)s：%(detail)s），请稍后重试或联系管理员。") % {
        "kind": type(error).__name__,
        "detail": str(error)[:300],
    }


# --- who may see a job -----------------------------------------------------------------------

# Staff who may download an export someone else asked for, within their scope.
OTHERS_EXPORTS_ROLES = {User.Role.COMMITTEE}


def downloadable_jobs(user: User):
    """The jobs `user` may download: of a register they may export (import-export's
    `<app>.export_<model>`), whose scope at the time of asking their scope covers today, and
    their own unless they are committee staff or a superuser. Everyone else's are absent."""
    if not (user.is_active and user.is_staff):
        return ExportJob.objects.none()
    jobs = ExportJob.objects.in_scope(scope_for(user), strict=True).filter(model_label__in=_exportable_labels(user))
    if not (user.is_superuser or user.role in OTHERS_EXPORTS_ROLES):
        jobs = jobs.filter(requested_by=user)
    return jobs


def _exportable_labels(user: User) -> list[str]:
    prefix = f"{settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE}_"
    labels = []
    for perm in user.get_all_permissions():
        app_label, _dot, codename = perm.partition(".")
        if codename.startswith(prefix):
            labels.append(f"{app_label}.{codename.removeprefix(prefix)}")
    return labels


def export_jobs_of(user: User):
    """The user's own jobs that they may still download, for the jobs page."""
    return downloadable_jobs(user).filter(requested_by=user)


def export_job_for(user: User, token) -> ExportJob | None:
    """The job named by `token` if `user` may download it; None otherwise, existing or not."""
    return downloadable_jobs(user).filter(token=token).first()


# --- the admin side ----------------------------------------------------------------------------


class BackgroundExportMixin:
    """For a ModelAdmin with import-export's ExportMixin: a "后台导出 xlsx" button on the
    changelist for its current filters, and the in-request export refused above the limit."""

    background_export_template = "admin/renda/export_change_list.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The app's own changelist template stays the base; ours only adds the button.
        self.background_export_base = self.change_list_template
        self.change_list_template = self.background_export_template

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_background_export"
        view = self.admin_site.admin_view(self.background_export_view)
        return [path("background-export/", view, name=name), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "background_export_base": self.background_export_base,
            "background_export_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_background_export"),
        }
        return super().changelist_view(request, extra_context)

    def background_export_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        try:
            export_request(model_label=self.opts.label_lower, query=request.GET.urlencode(), by=request.user)
        except ExportError as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        messages.success(request, _("已提交后台导出，完成后可在本页下载。"))
        return HttpResponseRedirect(reverse("export_jobs"))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if queryset.count() > sync_max_rows():  # shown on the export form by import-export
            raise ValueError(
                _("超过 %(n)s 行的数据不能直接导出，请返回列表使用“后台导出 xlsx”。") % {"n": sync_max_rows()}
            )
        return super().get_export_data(file_format, request, queryset, **kwargs)
