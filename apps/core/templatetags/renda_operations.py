from django import template
from django.utils import timezone

from apps.core.admin_operations import may_operate
from apps.core.operations import heartbeat_warnings
from apps.core.workdays import calendar_warning

register = template.Library()


@register.simple_tag
def admin_index_warnings(user) -> dict:
    """The admin index's warnings: the holiday calendar for every staff member, the stopped
    worker or beat for those who run the system (with the way to their page)."""
    operator = may_operate(user)
    warnings = [text for text in [calendar_warning(timezone.localdate())] if text]
    if operator:
        warnings += heartbeat_warnings(timezone.now())
    return {"warnings": warnings, "operator": operator}
