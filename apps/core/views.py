from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from apps.core.models import Region, User
from apps.proposals.selectors import unit_assignments
from apps.representatives.selectors import public_counts_by_township


def home(request: HttpRequest) -> HttpResponse:
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
    return render(
        request,
        "core/home.html",
        {"counties": counties, "townships": public_counts_by_township(), "site_name": settings.RENDA["SITE_NAME"]},
    )


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on every page, the admin's included.
    return redirect(static("favicon.svg"), permanent=True)


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where each role goes after logging in."""
    user = request.user
    if user.is_staff:
        return redirect("admin:index")
    if user.role == User.Role.REPRESENTATIVE:
        return redirect("representatives:mine")
    if user.role == User.Role.UNIT:
        return redirect("proposals:unit_list")
    return redirect("home")


@login_required
def unit_home(request: HttpRequest) -> HttpResponse:
    if request.user.role != User.Role.UNIT or request.user.handling_unit is None:
        return render(request, "core/no_role.html", status=403)
    unit = request.user.handling_unit
    return render(request, "core/unit_home.html", {"unit": unit, "assigned": unit_assignments(unit.pk).count()})
