"""What the operator checks: `/healthz` for a load balancer, and the admin's 运行状态 page.

The health check is cheap and says nothing personal: `SELECT 1` and a cache round trip. The
operator's page reads more (heartbeats, job and outbox counts, disk use); apps above core add
their part through `register_status_panel` (the outbox, from apps/notifications).
"""

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.jobs import JOB_KINDS, jobs_by_status
from apps.core.models import JobStatus, TaskHeartbeat
from apps.core.workdays import calendar_warning

logger = logging.getLogger("renda.core")

HEALTH_KEY = "renda:healthz"
PANELS: list[Callable[[], "Panel"]] = []


@dataclass
class Panel:
    title: str
    rows: list[tuple[str, object]] = field(default_factory=list)  # (label, value)
    warnings: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


def register_status_panel(panel: Callable[[], Panel]) -> None:
    if panel not in PANELS:
        PANELS.append(panel)


# --- health ------------------------------------------------------------------------------------


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database unreachable", exc_info=True)
        return False


def cache_ok() -> bool:
    """A write and a read back: the forgiving Redis cache swallows errors, so a miss is the sign."""
    stamp = timezone.now().isoformat()
    try:
        cache.set(HEALTH_KEY, stamp, 30)
        return cache.get(HEALTH_KEY) == stamp
    except Exception:  # a cache backend that raises instead
        logger.warning("health check: cache unreachable", exc_info=True)
        return False


def health() -> dict[str, bool]:
    return {"database": database_ok(), "cache": cache_ok()}


# --- the operator's page -----------------------------------------------------------------------


def _stale_limit(name: str) -> timedelta:
    if name == "beat_heartbeat":
        return timedelta(minutes=config("", "HEARTBEAT_STALE_MINUTES"))
    if name == "scan_reminders":
        interval = settings.CELERY_BEAT_SCHEDULE["notifications-scan"]["schedule"]
        return max(2 * interval, timedelta(minutes=config("", "HEARTBEAT_STALE_MINUTES")))
    return timedelta(hours=config("", "HOUSEKEEPING_STALE_HOURS"))


def heartbeat_rows(now: datetime) -> list[dict]:
    rows = []
    for beat in TaskHeartbeat.objects.order_by("name"):
        stale = beat.last_run_at < now - _stale_limit(beat.name)
        rows.append({"beat": beat, "stale": stale})
    return rows


def heartbeat_warnings(now: datetime) -> list[str]:
    """The warning the settings promise: beat or the worker stopped (HEARTBEAT_STALE_MINUTES)."""
    beat = TaskHeartbeat.objects.filter(name="beat_heartbeat").first()
    minutes = config("", "HEARTBEAT_STALE_MINUTES")
    if beat is None:
        return [_("从未收到后台任务心跳：Celery worker 或 beat 没有运行。")]
    if beat.last_run_at < now - timedelta(minutes=minutes):
        return [
            _("后台任务心跳已超过 %(n)s 分钟未更新（最近一次：%(at)s）：Celery worker 或 beat 可能已停止。")
            % {"n": minutes, "at": timezone.localtime(beat.last_run_at).strftime("%Y-%m-%d %H:%M")}
        ]
    return []


def redis_state() -> str:
    if not settings.REDIS_URL:
        return _("未配置（本地内存缓存，文件队列）")
    return _("正常") if cache_ok() else _("无法连接")


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def disk_rows() -> list[dict]:
    folders = [(_("上传文件（MEDIA_ROOT）"), Path(settings.MEDIA_ROOT))]
    folders.append((_("报告与导出文件（RENDA_REPORT_DIR）"), Path(config("DASHBOARD", "REPORT_DIR"))))
    rows = []
    for label, folder in folders:
        usage = shutil.disk_usage(folder) if folder.is_dir() else None
        rows.append(
            {
                "label": label,
                "path": str(folder),
                "used": folder_bytes(folder) if folder.is_dir() else 0,
                "free": usage.free if usage else None,
                "free_percent": round(100 * usage.free / usage.total) if usage else None,
            }
        )
    return rows


def job_rows() -> list[dict]:
    return [
        {"label": model._meta.verbose_name_plural, "counts": list(jobs_by_status(model).values())}
        for model, _folder, _retry in JOB_KINDS.values()
    ]


def operations_status(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "database": database_ok(),
        "redis": redis_state(),
        "heartbeats": heartbeat_rows(now),
        "heartbeat_warnings": heartbeat_warnings(now),
        "jobs": job_rows(),
        "job_statuses": JobStatus.choices,
        "disks": disk_rows(),
        "calendar_warning": calendar_warning(timezone.localdate(now)),
        "panels": [panel() for panel in PANELS],
    }
