from celery import shared_task

from apps.core import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=20, time_limit=30)
def beat_heartbeat():
    """Fired by beat every minute: proves that beat and a worker are both alive."""
    services.heartbeat_record(name="beat_heartbeat")
