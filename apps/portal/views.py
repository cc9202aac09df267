"""The pages that read several apps: the public landing page, the homes of a representative and
of a handling unit, and the 活动码 check-in."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core import checkin as checkin_codes
from apps.core.access import representative_required, unit_staff_required
from apps.core.config import config
from apps.core.models import Region
from apps.portal.selectors import representative_home as rep_home
from apps.portal.selectors.unit_home import agenda_for
from apps.representatives import duty
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative
from apps.representatives.selectors import public_counts_by_township, representative_for_user

log = logging.getLogger("renda")


def home(request: HttpRequest) -> HttpResponse:
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("sort_order", "code")
    return render(
        request,
        "portal/home.html",
        {"counties": counties, "townships": public_counts_by_township(), "site_name": config("", "SITE_NAME")},
    )


@never_cache
@representative_required
def representative_home(request: HttpRequest, representative: Representative) -> HttpResponse:
    """A representative's home: what needs them now, their inbox, this year's points, their details."""
    today = timezone.localdate()
    points = duty.points_for(representative, today.year)
    context = {
        "rep": representative,
        "todo": rep_home.todo_for(representative, today),
        "inbox": rep_home.inbox_summary(request.user),
        "year": today.year,
        # Points so far only: a grade computed from part of a year would misjudge (it comes at year end).
        "points": points,
    }
    return render(request, "portal/representative_home.html", context)


@never_cache
@unit_staff_required
def unit_home(request: HttpRequest) -> HttpResponse:
    """A handling unit's home: its open items of every kind by due date."""
    unit = request.user.handling_unit
    agenda = agenda_for(unit.pk, timezone.localdate())
    return render(request, "portal/unit_home.html", {"unit": unit, "agenda": agenda})


# --- 活动码: a representative checks in ---------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkin(request: HttpRequest, kind: str, key: str, token: str) -> HttpResponse:
    """The page a 活动码 opens: it says whether the code holds, and a button checks in.

    Scanning only shows the page; the check-in is the button's POST, so a browser that
    prefetches the link, or a link shared in a chat, never checks anybody in."""
    event_kind = checkin_codes.KINDS.get(kind)
    event = event_kind.find(key) if event_kind else None
    if event is None:
        raise Http404
    context = {"kind": event_kind, "title": event_kind.title(event)}
    representative = representative_for_user(request.user)
    if representative is None or representative.status != RepresentativeStatus.SERVING:
        context = {"refusal": _("只有在任的人大代表可以扫码签到；工作人员请在后台登记出勤。")}
        return render(request, "portal/checkin.html", context, status=403)
    if not event_kind.concerns(event, representative):
        raise Http404  # another region's event, as any object outside one's scope
    now = timezone.now()
    try:
        checkin_codes.check_code(event_kind, key, token, now)
        checkin_codes.check_window(event_kind.window(event), now)
        if request.method == "POST":
            context["done"] = _checked_in(event_kind, event, representative, request.user)
    except checkin_codes.CheckInRefused as refusal:
        context["refusal"] = refusal.message
        return render(request, "portal/checkin.html", context, status=400)
    return render(request, "portal/checkin.html", context)


def _checked_in(kind, event, representative, user) -> str:
    try:
        new = kind.check_in(event=event, representative=representative, by=user)
    except ValidationError as error:
        raise checkin_codes.CheckInRefused(" ".join(error.messages)) from None
    log.info("checkin kind=%s event=%s representative=%s new=%s", kind.name, kind.key(event), representative.pk, new)
    return _("签到成功。") if new else _("已签到，无需重复签到。")
