from celery import shared_task

from apps.dashboard import services


@shared_task(acks_late=True, soft_time_limit=540, time_limit=600)
def build_report(job_id: int):
    """Large years take minutes: the report is built here, never in a web request."""
    services.report_build(job_id=job_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def requeue_reports():
    """Periodic: jobs asked for while the broker was down are sent once it is back."""
    services.report_requeue()
