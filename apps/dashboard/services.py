"""Writes of the dashboard app: asking for an annual report, and building it in the background.

A report is a `ReportJob` row. `report_request` writes it and queues the task after commit;
`report_build` claims it (so a redelivered task never builds twice), then computes the
dashboard and writes the xlsx and the PDF, saving its progress after each step.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.jobs import job_claim, job_retry, jobs_requeue
from apps.core.models import Region, User
from apps.core.scope import UNRESTRICTED, Scope

# tasks imports this module too; each uses the other's names only when called, never at import.
from . import report, tasks
from .access import dashboard_scope
from .figures import build_dashboard, period_for_term, period_for_year
from .figures_types import Period
from .models import EVERYWHERE, ReportJob

logger = logging.getLogger("renda.dashboard")
Status = ReportJob.Status


class ReportError(ValidationError):
    """A report that cannot be asked for or built, with a message for the person who asked."""


def report_dir() -> Path:
    return Path(config("DASHBOARD", "REPORT_DIR"))


def report_file(name: str) -> Path:
    return report_dir() / name


# --- asking for a report ---------------------------------------------------------------------


def report_request(*, user: User, period: Period, region: Region | None = None) -> ReportJob:
    """Queue a report of `period` over the user's scope (or one region in it). Asking again
    while the same report is queued or running returns that job instead of a second one."""
    scope = dashboard_scope(user)
    paths = report_paths(scope, region)
    job = ReportJob(
        requested_by=user,
        scope_paths=" ".join(paths),
        region_path=os.path.commonpath(paths).rstrip("/") + "/",
        region=region,
        scope_label=paths_label(paths, region)[:200],
        year=period.year,
        term_id=period.term_id,
        period_key=_period_key(period),
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    existing = _active_twin(job)
    if existing is not None:
        return existing
    job.full_clean()
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # the same request, saved a moment ago by a second click
        existing = _active_twin(job)
        if existing is None:
            raise
        return existing
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def report_paths(scope: Scope, region: Region | None) -> list[str]:
    """The region paths a report covers: the chosen region, which must lie in the scope, or
    the whole scope."""
    if region is not None:
        if not scope.contains_path(region.path):
            raise ReportError(_("所选区域不在您的管辖范围内。"))
        return [region.path]
    return [EVERYWHERE] if scope.unrestricted else sorted(scope.region_paths)


def _period_key(period: Period) -> str:
    if period.term_id is not None:
        return f"t{period.term_id}"
    if period.year is None:
        raise ReportError(_("请选择年度或届次。"))
    return f"y{period.year}"


def paths_label(paths: list[str], region: Region | None) -> str:
    if region is not None:
        return region.name
    if paths == [EVERYWHERE]:
        return _("全部区域")
    return "、".join(Region.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True))


def _active_twin(job: ReportJob) -> ReportJob | None:
    return ReportJob.objects.filter(
        requested_by=job.requested_by,
        region_path=job.region_path,
        scope_paths=job.scope_paths,
        period_key=job.period_key,
        status__in=ReportJob.ACTIVE,
    ).first()


def _enqueue(job_id: int) -> None:
    try:
        tasks.build_report.delay(job_id)
    except Exception:  # the broker is down: the job stays queued and is shown so
        logger.warning("could not enqueue report job %s", job_id, exc_info=True)


def report_requeue(*, queued_for: timedelta = timedelta(minutes=2)) -> int:
    """Send again the jobs the broker never got (it was down when they were asked for) and those
    whose worker died; a job whose worker died on its last attempt ends failed."""
    return jobs_requeue(ReportJob, _enqueue, queued_for=queued_for)


def report_retry(*, job: ReportJob) -> bool:
    """Staff send a failed report again from the admin."""
    return job_retry(job=job, enqueue=_enqueue)


# --- building it -------------------------------------------------------------------------------


def report_build(*, job_id: int) -> ReportJob | None:
    """Build a queued job's files. Progress is saved after each step outside any transaction,
    so the page asking about it sees it move; a failure ends the job in `failed` with its
    reason and removes whatever this run wrote."""
    if not _claim(job_id):
        return None
    job = ReportJob.objects.select_related("term__region", "region").get(pk=job_id)
    written: list[Path] = []
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _build(job, written)
    except Exception as error:
        logger.exception("report job %s failed", job_id)
        _discard(written)
        _finish(job, Status.FAILED, error=_failure_text(error))
        return job
    _finish(job, Status.DONE)
    return job


def _claim(job_id: int) -> bool:
    return job_claim(ReportJob, job_id, progress=0, step=_("开始生成"))


def _period(job: ReportJob) -> Period:
    if job.term is not None:
        return period_for_term(job.term)
    if job.year is None:  # the constraint reportjob_year_or_term rules this out
        raise ValueError(f"report job {job.pk} names neither a year nor a term")
    return period_for_year(job.year)


def _build(job: ReportJob, written: list[Path]) -> None:
    _progress(job, 5, _("计算统计数据"))
    period = _period(job)
    dashboard = build_dashboard(
        scope=paths_scope(job.paths), period=period, scope_label=job.scope_label, region=job.region
    )
    title = report.report_title(report.organ_name(paths_regions(job.paths, job.region)), period)
    _progress(job, 40, _("生成 Excel 工作簿"))
    job.xlsx_name = _write(job, "xlsx", report.report_workbook(dashboard, title), written)
    _progress(job, 60, _("生成打印版报告"))
    html = report.report_html(dashboard, title)
    _progress(job, 70, _("生成 PDF"))
    job.pdf_name = _write(job, "pdf", report.report_pdf(html), written)


def paths_scope(paths) -> Scope:
    return UNRESTRICTED if tuple(paths) == (EVERYWHERE,) else Scope(region_paths=tuple(paths))


def paths_regions(paths, region: Region | None) -> list[Region]:
    if region is not None:
        return [region]
    return list(Region.objects.filter(path__in=paths).order_by("path"))


def _write(job: ReportJob, extension: str, content: bytes, written: list[Path]) -> str:
    """Write under a temporary name and rename: a reader never sees half a file."""
    folder = report_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"report-{job.pk}-{secrets.token_hex(8)}.{extension}"
    final, partial = folder / name, folder / f".{name}.part"
    written += [partial, final]
    partial.write_bytes(content)
    os.replace(partial, final)
    return name


def _discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _progress(job: ReportJob, percent: int, step: str) -> None:
    job.progress, job.step = percent, step
    ReportJob.objects.filter(pk=job.pk).update(progress=percent, step=step)


def _finish(job: ReportJob, status: str, *, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if status == Status.DONE:
        job.progress, job.step = 100, _("已完成")
    else:
        job.xlsx_name = job.pdf_name = ""
    fields = ["status", "error", "finished_at", "progress", "step", "xlsx_name", "pdf_name"]
    ReportJob.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields})


def _failure_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("生成报告时出错（%(kind)s：%(detail)s），请稍后重试或联系管理员。") % {
        "kind": type(error).__name__,
        "detail": str(error)[:300],
    }
