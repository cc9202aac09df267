from celery import shared_task
from django.utils.translation import gettext as _

from apps.core.services import housekeeping_run
from apps.liaison import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def purge_rate_limits():
    """Counters of the public forms' limits are only needed for their window."""
    housekeeping_run(name="purge_rate_limits", work=lambda: _("删除 %(n)s 条计数") % {"n": services.rate_limit_purge()})
