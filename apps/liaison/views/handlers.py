"""The pages of those who handle concerns: a handling unit's staff and representatives answer the
concerns routed to them (a unit may ask to send one back); representatives check in to their duty
shifts. Citizens' personal data is masked in lists; opening a concern is written to the audit log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.access import representative_required, unit_staff_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.downloads import file_response
from apps.core.forms import run_service
from apps.core.masking import mask_name, mask_phone
from apps.core.models import User
from apps.core.paging import page_of, query_without_page
from apps.liaison import forms, services
from apps.liaison.labels import EVENT_LABELS
from apps.liaison.models import Concern, ConcernPhoto, DutyShift
from apps.liaison.selectors import (
    Share,
    attendance_rates,
    concerns_for_representative,
    concerns_for_unit,
    get_concern_for_handler,
    shifts_of_representative,
)
from apps.representatives.models import Representative
from apps.representatives.selectors import representative_for_user

S = Concern.Status


# --- concern portals ------------------------------------------------------------------------------

TODO = Q(status__in=[S.ACCEPTED, S.ROUTED])
DONE = Q(status__in=[S.RESOLVED, S.CLOSED])


def _handler_list(request: HttpRequest, qs, template: str, extra: dict) -> HttpResponse:
    form = forms.HandlerListFilterForm(request.GET or None)
    status = (form.cleaned_data["status"] if form.is_valid() else "") or form.TODO
    if status != form.ALL:
        qs = qs.filter(TODO if status == form.TODO else DONE)
    page = page_of(request, qs)
    rows = list(page.object_list)
    today = timezone.localdate()
    for concern in rows:
        concern.masked_name = mask_name(concern.name)
        concern.masked_phone = mask_phone(concern.phone) if concern.phone else ""
        concern.overdue = concern.status in (S.ACCEPTED, S.ROUTED) and bool(
            concern.resolve_due_on and concern.resolve_due_on < today
        )
    context = {"form": form, "status": status, "page": page, "rows": rows, "query": query_without_page(request)}
    return render(request, template, {**context, **extra})


@unit_staff_required
def unit_concerns(request: HttpRequest) -> HttpResponse:
    unit = request.user.handling_unit
    return _handler_list(request, concerns_for_unit(unit.pk), "liaison/handler_list.html", {"heading_owner": unit})


@representative_required
def my_concerns(request: HttpRequest, representative: Representative) -> HttpResponse:
    qs = concerns_for_representative(representative)
    context = {"heading_owner": representative, "representative": representative}
    return _handler_list(request, qs, "liaison/handler_list.html", context)


def _handler_concern(request: HttpRequest, pk: int) -> Concern:
    return get_concern_for_handler(request.user, representative_for_user(request.user), pk)


def _detail_page(
    request: HttpRequest, concern: Concern, form=None, status: int = 200, return_form=None
) -> HttpResponse:
    audit_event(Audit.PERSONAL_VIEW, request=request, target=concern)
    events = list(concern.events.all())
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    may_answer = concern.status in (S.ACCEPTED, S.ROUTED)
    is_unit = request.user.role == User.Role.UNIT
    returns = list(concern.return_requests.filter(unit=request.user.handling_unit_id)) if is_unit else []
    may_return = (
        is_unit
        and concern.status == S.ROUTED
        and concern.unit_id == request.user.handling_unit_id
        and not any(r.decision == r.Decision.PENDING for r in returns)
    )
    context = {
        "concern": concern,
        "photos": list(concern.photos.all()),
        "events": events,
        # A posted form is shown again with the reason it was refused, whatever the state now.
        "form": form if form is not None else forms.AnswerForm() if may_answer else None,
        "return_requests": returns,
        "return_form": return_form if return_form is not None else forms.ReturnRequestForm() if may_return else None,
        "back": "liaison:unit_concerns" if is_unit else "liaison:my_concerns",
    }
    return render(request, "liaison/handler_detail.html", context, status=status)


@never_cache
@login_required
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _handler_concern(request, pk))


@login_required
@require_POST
def concern_answer(request: HttpRequest, pk: int) -> HttpResponse:
    concern = _handler_concern(request, pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid() and run_service(
        form, services.concern_resolve, concern=concern, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("答复已提交，群众可以凭查询码看到公开答复。"))
        return redirect("liaison:concern_detail", pk=concern.pk)
    return _detail_page(request, concern, form, status=400)


@unit_staff_required
@require_POST
def concern_return(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit asks to send back a concern routed to it by mistake; the office decides."""
    concern = _handler_concern(request, pk)
    form = forms.ReturnRequestForm(request.POST)
    if form.is_valid() and run_service(
        form, services.concern_return_request, concern=concern, reason=form.cleaned_data["reason"], by=request.user
    ):
        messages.success(request, _("退回申请已提交，等待工作室决定；决定之前请继续办理。"))
        return redirect("liaison:concern_detail", pk=concern.pk)
    return _detail_page(request, concern, status=400, return_form=form)


@never_cache
@login_required
def concern_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    concern = _handler_concern(request, pk)
    photo = get_object_or_404(ConcernPhoto, pk=photo_pk, concern=concern)
    audit_event(Audit.DOWNLOAD, request=request, target=concern, photo=photo.pk)
    return file_response(photo.image)


# --- duty shifts ----------------------------------------------------------------------------------


@representative_required
def my_shifts(request: HttpRequest, representative: Representative) -> HttpResponse:
    today = timezone.localdate()
    shifts = shifts_of_representative(representative)
    upcoming = list(shifts.filter(date__gte=today).order_by("date", "pk")[: config("", "PUBLIC_PAGE_SIZE")])
    past = page_of(request, shifts.filter(date__lt=today).order_by("-date", "-pk"))
    rate = next(iter(attendance_rates(shifts, group_by="representative")), None)
    context = {
        "representative": representative,
        "today": today,
        "upcoming": upcoming,
        "page": past,
        "rate": Share(rate["attended"], rate["due"]) if rate else Share(0, 0),
    }
    return render(request, "liaison/my_shifts.html", context)


def _shift_action(request: HttpRequest, representative: Representative, pk: int, call, done: str) -> HttpResponse:
    shift = get_object_or_404(DutyShift, pk=pk, representative=representative)
    try:
        call(shift=shift, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("liaison:my_shifts")


@representative_required
@require_POST
def shift_check_in(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    return _shift_action(request, representative, pk, services.shift_check_in, _("已签到。"))


@representative_required
@require_POST
def shift_check_out(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    return _shift_action(request, representative, pk, services.shift_check_out, _("已签退。"))
