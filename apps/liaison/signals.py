"""Signal receivers of the liaison app, connected by LiaisonConfig.ready()."""

import logging

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from apps.core.models import Region
from apps.liaison.selectors import TOWNSHIPS_CACHE_KEY

logger = logging.getLogger(__name__)


def forget_township_options(**kwargs) -> None:
    """A township added, renamed or removed: the concern form's cached township list is stale."""
    try:
        cache.delete(TOWNSHIPS_CACHE_KEY)
    except Exception:  # Redis down: the entry it holds expires by itself
        logger.warning("township cache unreachable", exc_info=True)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(forget_township_options, sender=Region, dispatch_uid="liaison-forget-township-options")
