from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from apps.core.access import unit_staff_required
from apps.core.models import Region, User
from apps.core.unit_home import agenda_for
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
        return redirect("unit_home")
    return redirect("home")


@never_cache
@unit_staff_required
def unit_home(request: HttpRequest) -> HttpResponse:
    """A handling unit's home: its open items of every kind by due date."""
    unit = request.user.handling_unit
    agenda = agenda_for(unit.pk, timezone.localdate())
    return render(request, "core/unit_home.html", {"unit": unit, "agenda": agenda})
