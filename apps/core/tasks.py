from celery import shared_task

from apps.core import services
from apps.core.audit import audit_purge
from apps.core.export_jobs import export_requeue, export_run


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=20, time_limit=30)
def beat_heartbeat():
    """Fired by beat every minute: proves that beat and a worker are both alive."""
    services.heartbeat_record(name="beat_heartbeat")


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1740, time_limit=1800)
def run_export(job_id: int):
    """A register of 100k rows takes minutes: it is written here, never in a web request."""
    export_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def requeue_exports():
    """Periodic: exports asked for while the broker was down, or whose worker died, are sent again."""
    export_requeue()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=540, time_limit=600)
def expire_job_files():
    services.housekeeping_run(name="expire_job_files", work=services.job_files_expire_old)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=540, time_limit=600)
def remove_upload_leftovers():
    services.housekeeping_run(name="remove_upload_leftovers", work=services.leftovers_remove_old)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=540, time_limit=600)
def purge_audit_events():
    """Fired by beat daily: audit rows older than RENDA_AUDIT_RETENTION_DAYS (at least 180) go."""
    audit_purge()
