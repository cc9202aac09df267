"""Liaison pages: the citizens' concern form, tracking and rating, reception days, and the
portals where handling units and representatives answer the concerns routed to them.

Public pages hold their abuse limits in the database (services.rate_limit_allows), so they work
the same with Redis down. Personal data of a citizen is masked in lists; every unmasked view is
written to the audit log.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.core.access import representative_required, unit_staff_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.downloads import file_response
from apps.core.masking import mask_name, mask_phone
from apps.core.models import User
from apps.core.network import client_ip
from apps.core.qr import public_url, qr_response
from apps.liaison import forms, services
from apps.liaison.models import Concern, ConcernPhoto, DutyShift, LiaisonOffice
from apps.liaison.selectors import (
    Share,
    attendance_rates,
    concern_by_code,
    concerns_for_representative,
    concerns_for_unit,
    get_concern_for_handler,
    office_directory,
    office_of_township,
    phone_matches,
    published_reception_days,
    representatives_of_townships,
)
from apps.representatives.choices import Status as RepresentativeStatus
from apps.representatives.models import Representative
from apps.representatives.selectors import representative_for_user

S = Concern.Status
PHOTO_LINK_SALT = "liaison.track-photo"
PHOTO_LINK_MAX_AGE = 3600
QR_FORMATS = ("svg", "png")
# Room for the text fields on top of the photos themselves.
FORM_OVERHEAD_BYTES = 256 * 1024

# ConcernEvent.action is a code written by the services; these are its words for people.
EVENT_LABELS = {
    "submit": gettext_lazy("提交"),
    "accept": gettext_lazy("受理"),
    "refer_out": gettext_lazy("引导至其他渠道"),
    "route": gettext_lazy("转办"),
    "resolve": gettext_lazy("办理答复"),
    "answer_on_spot": gettext_lazy("当场答复"),
    "rate": gettext_lazy("群众评价"),
    "revisit": gettext_lazy("回访"),
    "close": gettext_lazy("办结"),
    "to_proposal": gettext_lazy("转为代表建议"),
    "recount_due": gettext_lazy("重新计算期限"),
    "deadline_change": gettext_lazy("调整办理期限"),
    "return_request": gettext_lazy("申请退回"),
    "return_approved": gettext_lazy("退回重新转办"),
    "return_decided": gettext_lazy("退回申请已决定"),
}


def _config(key: str):
    return settings.RENDA_LIAISON[key]


def _refused(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "liaison/refused.html", {"title": title, "message": message}, status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _("请求过于频繁"),
        _("同一网络在一小时内的提交或查询次数已达上限，请一小时后再试。紧急情况请直接到乡镇代表联系群众工作室反映。"),
        429,
    )


def _paginate(request: HttpRequest, qs):
    return Paginator(qs, settings.RENDA["PUBLIC_PAGE_SIZE"]).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _add_errors(form: Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _photo_response(photo: ConcernPhoto) -> FileResponse:
    return file_response(photo.image)


# --- the public concern form ----------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    """Refuse an oversized body before anything reads it; the CSRF check would parse it whole."""
    if request.method == "POST" and _body_too_large(request):
        return _refused(
            request,
            _("提交的内容太大"),
            _("照片总大小超过了上限，请减少照片数量或压缩后重新提交。"),
            413,
        )
    return _concern_new(request)


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    photos = _config("PHOTO_MAX_COUNT") * _config("PHOTO_MAX_BYTES")
    return length > photos + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_OVERHEAD_BYTES


@csrf_protect
def _concern_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = forms.ConcernForm(initial=_initial(request))
        return render(request, "liaison/concern_new.html", {"form": form})
    if forms.CHOOSE_TOWNSHIP in request.POST:
        # The "选择乡镇" button (concern_form.js presses it when the township changes): the same
        # form with what was typed, now offering that township's places. Nothing checked or saved.
        form = forms.ConcernForm(initial=forms.typed_so_far(request.POST))
        return render(request, "liaison/concern_new.html", {"form": form})
    form = forms.ConcernForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "liaison/concern_new.html", {"form": form}, status=400)
    key = form.cleaned_data["submission_key"]
    # A double click or a reload: the first post's concern, without counting against the limit.
    earlier = Concern.objects.filter(submission_key=key).only("tracking_code").first()
    if earlier is not None:
        return redirect("liaison:concern_submitted", code=earlier.tracking_code)
    ip_key = f"concern-submit:{client_ip(request)}"
    if not services.rate_limit_allows(key=ip_key, limit=_config("SUBMIT_PER_HOUR"), window_seconds=3600):
        return _too_many(request)
    concern = _submit(form, key)
    if concern is None:
        return render(request, "liaison/concern_new.html", {"form": form}, status=400)
    return redirect("liaison:concern_submitted", code=concern.tracking_code)


def _initial(request: HttpRequest) -> dict:
    """?township=<pk> chooses the township; coming from the roster with ?representative=<pk>:
    that representative and their township. The form offers only that township's places."""
    initial = {"token": forms.issue_form_token(), "township": request.GET.get("township", "")}
    pk = request.GET.get("representative", "")
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    # No .first(): it would sort by the roster's stroke order to fetch one row by its key.
    found = Representative.objects.filter(pk=pk).values_list("pk", "township_id")[:1] if pk.isdecimal() else []
    for representative, township in found:
        initial.update(representative=representative, township=township)
    return initial


def _submit(form: forms.ConcernForm, key: str) -> Concern | None:
    data = form.cleaned_data
    try:
        concern, _created = services.concern_submit(
            region=form.region(),
            addressed_to=form.addressed_to(),
            category=data["category"],
            is_urgent=data["is_urgent"],
            description=data["description"],
            name=data["name"],
            phone=data["phone"],
            photos=data["photos"],
            submission_key=key,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return None
    return concern


@require_safe
def concern_submitted(request: HttpRequest, code: str) -> HttpResponse:
    concern = concern_by_code(code)
    if concern is None:
        raise Http404
    return render(request, "liaison/concern_submitted.html", {"concern": concern})


# --- tracking and rating --------------------------------------------------------------------------


def _lookup_allowed(request: HttpRequest) -> bool:
    key = f"concern-lookup:{client_ip(request)}"
    return services.rate_limit_allows(key=key, limit=_config("LOOKUP_PER_HOUR"), window_seconds=3600)


def _public_events(concern: Concern) -> list:
    """Status changes only: no staff names, no internal notes."""
    events = [e for e in concern.events.all() if e.action == "submit" or e.from_status != e.to_status]
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.get_to_status_display())
    return events


def _photo_links(concern: Concern) -> list[str]:
    """Short-lived signed links: the photos are shown to whoever proved the phone digits, and a
    copied link stops working within the hour."""
    return [
        reverse("liaison:track_photo", args=[signing.dumps(photo.pk, salt=PHOTO_LINK_SALT)])
        for photo in concern.photos.all()
    ]


def _may_rate(concern: Concern) -> bool:
    return concern.status in (S.RESOLVED, S.CLOSED) and not concern.rating


def _track_page(request, form, concern=None, *, personal=False, rating_form=None, status=200) -> HttpResponse:
    context = {"form": form, "concern": concern, "personal": personal}
    if concern is not None:
        context["answered"] = concern.status in (S.RESOLVED, S.CLOSED)
        context["events"] = _public_events(concern)
        if personal:
            context["photo_links"] = _photo_links(concern)
            # Masked even now: the last four digits were proof enough to see the concern, not the number.
            context["masked_phone"] = mask_phone(concern.phone)
        if rating_form is not None:
            context["rating_form"] = rating_form  # posted, with the reason it was refused
        elif _may_rate(concern):
            context["rating_form"] = forms.RatingForm(
                prefix="rate",
                needs_phone=bool(concern.phone),
                initial={"phone_last4": form.cleaned_data.get("phone_last4", "") if personal else ""},
            )
    return render(request, "liaison/track.html", context, status=status)


@never_cache
@require_safe
def track(request: HttpRequest) -> HttpResponse:
    if "code" not in request.GET:
        return _track_page(request, forms.TrackForm())
    if not _lookup_allowed(request):
        return _too_many(request)
    form = forms.TrackForm(request.GET)
    if not form.is_valid():
        return _track_page(request, form, status=400)
    concern = concern_by_code(form.cleaned_data["code"])
    if concern is None:
        form.add_error("code", _("查询码不存在，请核对后重新输入。"))
        return _track_page(request, form, status=404)
    personal = _check_digits(request, form, concern)
    return _track_page(request, form, concern, personal=personal)


def _check_digits(request: HttpRequest, form: Form, concern: Concern) -> bool:
    """Whether the citizen proved the phone number; a wrong try is said next to the field."""
    digits = form.cleaned_data["phone_last4"]
    if not digits:
        return False
    if phone_matches(concern, digits):
        audit_event(Audit.PERSONAL_VIEW, request=request, target=concern, via="tracking code")
        return True
    form.add_error("phone_last4", _("手机号后四位与提交时所留号码不符，详细内容和照片不予显示。"))
    return False


@require_POST
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    if not _lookup_allowed(request):
        return _too_many(request)
    concern = concern_by_code(code)
    if concern is None:
        raise Http404
    rating_form = forms.RatingForm(request.POST, prefix="rate", needs_phone=bool(concern.phone))
    if rating_form.is_valid() and _rate(rating_form, concern):
        messages.success(request, _("感谢您的评价。"))
        return redirect(reverse("liaison:track") + "?" + urlencode({"code": concern.tracking_code}))
    track_form = forms.TrackForm({"code": concern.tracking_code})
    track_form.is_valid()
    return _track_page(request, track_form, concern, rating_form=rating_form, status=400)


def _rate(form: forms.RatingForm, concern: Concern) -> bool:
    if concern.phone and not phone_matches(concern, form.cleaned_data["phone_last4"]):
        form.add_error("phone_last4", _("请填写提交时所留手机号的后四位，确认是您本人评价。"))
        return False
    try:
        services.concern_rate(concern=concern, rating=form.cleaned_data["rating"])
    except ValidationError as error:
        _add_errors(form, error)
        return False
    return True


@never_cache
@require_safe
def track_photo(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=PHOTO_LINK_SALT, max_age=PHOTO_LINK_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    photo = get_object_or_404(ConcernPhoto.objects.select_related("concern"), pk=pk)
    audit_event(Audit.DOWNLOAD, request=request, target=photo.concern, photo=photo.pk, via="tracking code")
    return _photo_response(photo)


# --- reception days -------------------------------------------------------------------------------


@require_safe
def reception_days(request: HttpRequest) -> HttpResponse:
    form = forms.ReceptionFilterForm(request.GET or None)
    today = timezone.localdate()
    days = published_reception_days(today=today, notice_days=_config("RECEPTION_NOTICE_DAYS"))
    if form.is_valid() and form.cleaned_data["township"]:
        days = days.filter(office__region__path__startswith=form.cleaned_data["township"].path)
    page = _paginate(request, days)
    rows = list(page.object_list)
    for day in rows:
        # Someone on leave is not on duty, whatever the rota said.
        day.on_duty = [s.representative.name for s in day.shifts.all() if s.attendance != DutyShift.Attendance.EXCUSED]
    context = {"form": form, "page": page, "rows": rows, "today": today, "query": _query_without_page(request)}
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
        notice_days=_config("RECEPTION_NOTICE_DAYS"),
        township=filters.get("township"),
        search=filters.get("q", ""),
    )
    page = _paginate(request, qs)
    rows = list(page.object_list)
    representatives = representatives_of_townships({office.region_id for office in rows})
    for office in rows:
        office.representatives = representatives.get(office.region_id, [])
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": _query_without_page(request),
        "aimable_levels": forms.SERVING_LEVELS,
    }
    return render(request, "liaison/offices.html", context)


# --- concern portals ------------------------------------------------------------------------------

TODO = Q(status__in=[S.ACCEPTED, S.ROUTED])
DONE = Q(status__in=[S.RESOLVED, S.CLOSED])


def _handler_list(request: HttpRequest, qs, template: str, extra: dict) -> HttpResponse:
    form = forms.HandlerListFilterForm(request.GET or None)
    status = (form.cleaned_data["status"] if form.is_valid() else "") or form.TODO
    if status != form.ALL:
        qs = qs.filter(TODO if status == form.TODO else DONE)
    page = _paginate(request, qs)
    rows = list(page.object_list)
    today = timezone.localdate()
    for concern in rows:
        concern.masked_name = mask_name(concern.name)
        concern.masked_phone = mask_phone(concern.phone) if concern.phone else ""
        concern.overdue = concern.status in (S.ACCEPTED, S.ROUTED) and bool(
            concern.resolve_due_on and concern.resolve_due_on < today
        )
    context = {"form": form, "status": status, "page": page, "rows": rows, "query": _query_without_page(request)}
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
    if form.is_valid():
        try:
            services.concern_resolve(concern=concern, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("答复已提交，群众可以凭查询码看到公开答复。"))
            return redirect("liaison:concern_detail", pk=concern.pk)
    return _detail_page(request, concern, form, status=400)


@unit_staff_required
@require_POST
def concern_return(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit asks to send back a concern routed to it by mistake; the office decides."""
    concern = _handler_concern(request, pk)
    form = forms.ReturnRequestForm(request.POST)
    if form.is_valid():
        try:
            services.concern_return_request(concern=concern, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("退回申请已提交，等待工作室决定；决定之前请继续办理。"))
            return redirect("liaison:concern_detail", pk=concern.pk)
    return _detail_page(request, concern, status=400, return_form=form)


@never_cache
@login_required
def concern_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    concern = _handler_concern(request, pk)
    photo = get_object_or_404(ConcernPhoto, pk=photo_pk, concern=concern)
    audit_event(Audit.DOWNLOAD, request=request, target=concern, photo=photo.pk)
    return _photo_response(photo)


# --- duty shifts ----------------------------------------------------------------------------------


@representative_required
def my_shifts(request: HttpRequest, representative: Representative) -> HttpResponse:
    today = timezone.localdate()
    shifts = DutyShift.objects.filter(representative=representative).select_related("office", "reception_day")
    upcoming = list(shifts.filter(date__gte=today).order_by("date", "pk")[: settings.RENDA["PUBLIC_PAGE_SIZE"]])
    past = _paginate(request, shifts.filter(date__lt=today).order_by("-date", "-pk"))
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
