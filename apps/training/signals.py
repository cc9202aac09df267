"""The training app's receivers, connected in TrainingConfig.ready()."""

from apps.representatives.models import Representative
from apps.training.services import retraining_assign


def assign_retraining_called_for(*, representative: Representative, reason: str, by, **kwargs) -> None:
    """A confirmed evaluation called for retraining (apps.representatives.signals): assign it.
    A refusal (an open retraining already) propagates and undoes the evaluation."""
    retraining_assign(representative=representative, reason=reason, by=by)
