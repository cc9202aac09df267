"""Template filters of apps.core.text, for output that may come from rows stored before input was cleaned."""

from django import template
from django.utils.safestring import SafeData, mark_safe

from apps.core.text import without_bidi as _without_bidi

register = template.Library()


@register.filter(is_safe=True)
def without_bidi(value):
    """The value without bidirectional controls. Escaped HTML stays safe: no markup is made of them."""
    cleaned = _without_bidi(value)
    return mark_safe(cleaned) if isinstance(value, SafeData) else cleaned  # noqa: S308
