"""Form helpers every app shares."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.utils.translation import gettext_lazy as _

from apps.core.text import TextHygieneMixin


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: a message about a field the form shows goes under that
    field, anything else at the top, so the person sees why with their input kept."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def run_service(form: Form, service: Callable[..., object], /, **arguments) -> bool:
    """Call a service with its keyword arguments; a refusal becomes an error on the form (see
    add_service_errors), nothing is saved, and the view draws the form again."""
    try:
        service(**arguments)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


class DecisionNoteForm(TextHygieneMixin, forms.Form):
    """Why staff approve or refuse a unit's request (shown to the unit)."""

    note = forms.CharField(label=_("决定说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
