from celery import shared_task

from apps.liaison import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_rate_limits():
    """Counters of the public forms' limits are only needed for their window."""
    services.rate_limit_purge()
