"""Who may use which portal: decorators shared by every app's portal views."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

from apps.core.models import User


def unit_staff_required(view):
    """Handling-unit staff with a unit; everyone else who is logged in gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role != User.Role.UNIT or request.user.handling_unit_id is None:
            return render(request, "core/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def representative_required(view):
    """Accounts linked to a representative; the view receives that representative."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        representative = _representative_for_user(request.user)
        if representative is None:
            return render(request, "core/no_role.html", status=403)
        return view(request, representative, *args, **kwargs)

    return login_required(wrapper)


def _representative_for_user(user):
    # The roster's own lookup, named by RENDA_REPRESENTATIVE_LOOKUP and resolved by its dotted
    # path: core sits below the representatives app and does not import it.
    return import_string(settings.RENDA_REPRESENTATIVE_LOOKUP)(user)
