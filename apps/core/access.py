"""Who may use which portal: decorators shared by every app's portal views."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
    from apps.representatives.selectors import representative_for_user

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        representative = representative_for_user(request.user)
        if representative is None:
            return render(request, "core/no_role.html", status=403)
        return view(request, representative, *args, **kwargs)

    return login_required(wrapper)
