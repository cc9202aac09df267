"""What the background jobs (exports, annual reports: `BackgroundJob`) share: claiming a job
before working on it, sending again the jobs the broker never got or whose worker died, giving
up after `RENDA_JOBS["MAX_ATTEMPTS"]` attempts, the admin's retry, and expiring old files.

A job counts one attempt each time a worker claims it. A worker that dies leaves it `running`;
once older than the model's stale limit, beat's requeue sends it again and the next claim counts
the next attempt. After the last attempt it stays `failed` with a sentence saying why.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import BackgroundJob, JobStatus

logger = logging.getLogger("renda.core")


def max_attempts() -> int:
    return config("JOBS", "MAX_ATTEMPTS")


def stale_after(model: type[BackgroundJob]) -> timedelta:
    return timedelta(seconds=config("JOBS", model.stale_setting))


def job_claim(model: type[BackgroundJob], job_id: int, **fields) -> bool:
    """Move a job to `running` for this worker, if it is queued or its last worker died; a
    redelivered task for a job another worker holds gets False."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__lt=now - stale_after(model))
    updated = model.objects.filter(claimable, pk=job_id, attempts__lt=max_attempts()).update(
        status=JobStatus.RUNNING, started_at=now, attempts=F("attempts") + 1, error="", **fields
    )
    return bool(updated)


def jobs_requeue(model: type[BackgroundJob], enqueue: Callable[[int], None], *, queued_for: timedelta) -> int:
    """Send again the jobs the broker never got and those whose worker died; those that used
    their last attempt end failed. Safe to repeat: a job is claimed before it is worked on."""
    now = timezone.now()
    dead = Q(status=JobStatus.RUNNING, started_at__lt=now - stale_after(model))
    model.objects.filter(dead, attempts__gte=max_attempts()).update(
        status=JobStatus.FAILED, finished_at=now, error=gave_up_text()
    )
    stuck = Q(status=JobStatus.QUEUED, created_at__lt=now - queued_for) | dead
    ids = list(model.objects.filter(stuck).values_list("pk", flat=True))
    for job_id in ids:
        enqueue(job_id)
    return len(ids)


def gave_up_text() -> str:
    return _("后台进程在处理该任务时已中断 %(n)s 次，不再自动重试。请确认后台服务正常后在管理后台点击“重试”。") % {
        "n": max_attempts()
    }


def job_retry(*, job: BackgroundJob, enqueue: Callable[[int], None]) -> bool:
    """Staff send a failed job again from the admin: it starts over with fresh attempts."""
    with transaction.atomic():
        retried = (
            type(job)
            .objects.filter(pk=job.pk, status=JobStatus.FAILED)
            .update(status=JobStatus.QUEUED, attempts=0, error="", started_at=None, finished_at=None)
        )
        if retried:
            transaction.on_commit(lambda: enqueue(job.pk))
    return bool(retried)


def job_files_expire(model: type[BackgroundJob], folder: Path, *, older_than: timedelta) -> int:
    """Delete the files of jobs finished longer ago than `older_than`; the rows stay, marked
    expired, their file names cleared (their downloads answer 404). Returns the files deleted."""
    now = timezone.now()
    jobs = model.objects.filter(status=JobStatus.DONE, finished_at__lt=now - older_than, files_expired_at=None)
    deleted = 0
    for job in jobs.only("pk", *model.file_fields).iterator():
        for name in job.file_names:
            path = folder / name
            if path.is_file():
                path.unlink()
                deleted += 1
        model.objects.filter(pk=job.pk).update(files_expired_at=now, **dict.fromkeys(model.file_fields, ""))
    return deleted


def jobs_by_status(model: type[BackgroundJob]) -> dict[str, int]:
    counts = dict(model.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in JobStatus.values}


# --- the kinds of job, for housekeeping and the operator's page ------------------------------
# apps/core cannot import the apps above it: each registers its job model in AppConfig.ready().

JOB_KINDS: dict[str, tuple[type[BackgroundJob], Callable[[], Path], Callable[..., bool]]] = {}


def register_job_kind(model: type[BackgroundJob], *, folder: Callable[[], Path], retry: Callable[..., bool]) -> None:
    JOB_KINDS[model._meta.label_lower] = (model, folder, retry)


def job_files_expire_all(*, older_than: timedelta) -> int:
    return sum(job_files_expire(model, folder(), older_than=older_than) for model, folder, _retry in JOB_KINDS.values())


def leftovers_remove(*, older_than: timedelta) -> int:
    """Half-written files (".name.part") a killed worker left in the job folders, and Django's
    temporary uploads when FILE_UPLOAD_TEMP_DIR is renda's own."""
    limit = timezone.now().timestamp() - older_than.total_seconds()
    folders = {folder() for _model, folder, _retry in JOB_KINDS.values()}
    patterns = [(folder, ".*.part") for folder in folders]
    if getattr(settings, "FILE_UPLOAD_TEMP_DIR", None):
        patterns.append((Path(settings.FILE_UPLOAD_TEMP_DIR), "*.upload*"))
    removed = 0
    for folder, pattern in patterns:
        for path in folder.glob(pattern) if folder.is_dir() else ():
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
