"""The liaison app's rows on the staff workbench: concerns to accept, and accepted ones to route or answer."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.workbench import WorkSource, register
from apps.liaison.models import Concern

Status = Concern.Status


def _describe(concern: Concern) -> tuple[str, str]:
    urgent = _("急难愁盼 · ") if concern.is_urgent else ""
    return concern.get_category_display(), urgent + _("查询码 %(code)s") % {"code": concern.display_code}


def to_accept(user):
    return Concern.objects.visible_to(user).filter(status=Status.SUBMITTED)


def to_handle(user):
    """Accepted and not yet routed, or routed to the township government, which staff answer for."""
    open_here = Q(status=Status.ACCEPTED) | Q(status=Status.ROUTED, route=Concern.Route.TOWNSHIP)
    return Concern.objects.visible_to(user).filter(open_here)


def register_sources() -> None:
    common = {"permission": "liaison.change_concern", "describe": _describe}
    register(WorkSource(key="concern_accept", label=gettext_lazy("群众意见待受理"), rows=to_accept,
                        due="accept_due_on", order=10, **common))  # fmt: skip
    register(WorkSource(key="concern_handle", label=gettext_lazy("群众意见待转办或答复"), rows=to_handle,
                        due="resolve_due_on", order=11, **common))  # fmt: skip
