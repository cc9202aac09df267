"""The representatives app's signals: what it tells other apps, and its own receivers.

Connected in RepresentativesConfig.ready()."""

import time

from django.core.cache import cache
from django.dispatch import Signal

from apps.representatives.selectors import ROSTER_OPTIONS_VERSION

# A confirmed evaluation calls for retraining (回炉培训). The roster does not know how retraining
# is done, so it says so and the training app, which owns retraining, assigns it (its ready()).
# Sent inside the evaluation's transaction with `representative`, `reason` and `by`: a receiver's
# refusal (a ValidationError) leaves no evaluation either.
retraining_called_for = Signal()


def roster_options_changed(**kwargs) -> None:
    """A region was added, renamed or removed: the roster's cached filter options are stale."""
    cache.set(ROSTER_OPTIONS_VERSION, time.time_ns(), timeout=None)
