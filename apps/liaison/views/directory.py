"""The public directory: reception days, the offices and stations, and the 代表码 and 联络站码
that open the concern form aimed at one representative or office."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.core.config import config
from apps.core.paging import page_of, query_without_page
from apps.core.qr import public_url, qr_response
from apps.liaison import forms
from apps.liaison.models import DutyShift, LiaisonOffice
from apps.liaison.selectors import (
    office_directory,
    office_of_township,
    published_reception_days,
    representatives_of_townships,
)
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative

QR_FORMATS = ("svg", "png")


# --- reception days -------------------------------------------------------------------------------


@require_safe
def reception_days(request: HttpRequest) -> HttpResponse:
    form = forms.ReceptionFilterForm(request.GET or None)
    today = timezone.localdate()
    days = published_reception_days(today=today, notice_days=config("LIAISON", "RECEPTION_NOTICE_DAYS"))
    if form.is_valid() and form.cleaned_data["township"]:
        days = days.filter(office__region__path__startswith=form.cleaned_data["township"].path)
    page = page_of(request, days)
    rows = list(page.object_list)
    for day in rows:
        # Someone on leave is not on duty, whatever the rota said.
        day.on_duty = [s.representative.name for s in day.shifts.all() if s.attendance != DutyShift.Attendance.EXCUSED]
    context = {"form": form, "page": page, "rows": rows, "today": today, "query": query_without_page(request)}
    return render(request, "liaison/reception_days.html", context)


@require_safe
def offices(request: HttpRequest) -> HttpResponse:
    """The public directory: where each township's office and its village stations are, when they
    open, who runs them, their next reception days and the township's representatives."""
    form = forms.OfficeSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = office_directory(
        today=today,
        notice_days=config("LIAISON", "RECEPTION_NOTICE_DAYS"),
        township=filters.get("township"),
        search=filters.get("q", ""),
    )
    page = page_of(request, qs)
    rows = list(page.object_list)
    representatives = representatives_of_townships({office.region_id for office in rows})
    for office in rows:
        office.representatives = representatives.get(office.region_id, [])
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "aimable_levels": forms.SERVING_LEVELS,
    }
    return render(request, "liaison/offices.html", context)


# --- 代表码 and 联络站码: the concern form aimed at one representative or office ---------------------


def _aimed_form(request: HttpRequest, initial: dict, **context) -> HttpResponse:
    """The concern form with its places chosen; it posts to the ordinary form's address."""
    form = forms.ConcernForm(initial={"token": forms.issue_form_token(), **initial})
    context.update(form=form, form_action=reverse("liaison:concern_new"))
    return render(request, "liaison/concern_new.html", context)


@never_cache
@require_safe
def to_representative(request: HttpRequest, code: str) -> HttpResponse:
    rep = get_object_or_404(
        Representative.objects.select_related("township", "contact_code_township"), contact_code=code
    )
    if rep.status != RepresentativeStatus.SERVING or rep.level not in forms.SERVING_LEVELS:
        return _representative_gone(request, rep)
    moved_from = rep.contact_code_township if rep.contact_code_township_id not in (None, rep.township_id) else None
    return _aimed_form(
        request,
        {"township": rep.township_id, "representative": rep.pk},
        aimed_at=_("向%(name)s代表反映问题") % {"name": rep.name},
        moved_from=moved_from,
        moved_to=rep.township,
    )


def _representative_gone(request: HttpRequest, rep: Representative) -> HttpResponse:
    office = office_of_township(rep.township)
    context = {"representative": rep, "office": office, "township": rep.township}
    return render(request, "liaison/contact_gone.html", context, status=410)


@never_cache
@require_safe
def to_office(request: HttpRequest, code: str) -> HttpResponse:
    office = get_object_or_404(LiaisonOffice.objects.select_related("region"), contact_code=code)
    township = office.region if office.level == LiaisonOffice.Level.OFFICE else office.region.parent
    if not office.is_active:
        context = {"closed_office": office, "office": office_of_township(township), "township": township}
        return render(request, "liaison/contact_gone.html", context, status=410)
    initial = {"township": township.pk}
    if office.level == LiaisonOffice.Level.STATION:
        initial["village"] = office.region_id
    return _aimed_form(request, initial, aimed_at=_("向%(office)s反映问题") % {"office": office.name}, office=office)


@require_safe
def representative_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The 代表码 itself, for a page or a print shop: the code is public, it is on the card."""
    if fmt not in QR_FORMATS:
        raise Http404
    get_object_or_404(Representative, contact_code=code)
    return qr_response(public_url(reverse("liaison:to_representative", args=[code])), fmt, filename=f"r-{code}")


@require_safe
def office_qr(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in QR_FORMATS:
        raise Http404
    get_object_or_404(LiaisonOffice, contact_code=code)
    return qr_response(public_url(reverse("liaison:to_office", args=[code])), fmt, filename=f"o-{code}")
