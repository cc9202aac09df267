from celery import shared_task

from apps.livelihood import services


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=50, time_limit=60)
def close_due_ballots():
    """Every minute: ballots whose closing time has passed are closed and counted."""
    services.ballots_close_due()
