"""The citizens' pages: the concern form, the page after submitting, tracking and rating.

Their abuse limits are held in the database (services.rate_limit_allows), so they work the same
with Redis down. A citizen's phone stays masked; every unmasked view is written to the audit log."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.downloads import file_response
from apps.core.forms import add_service_errors
from apps.core.masking import mask_phone
from apps.core.network import client_ip
from apps.core.uploads import photo_body_too_large
from apps.liaison import forms, services
from apps.liaison.labels import EVENT_LABELS
from apps.liaison.models import Concern, ConcernPhoto
from apps.liaison.selectors import (
    concern_by_code,
    concern_by_submission_key,
    phone_matches,
)
from apps.representatives.models import Representative

S = Concern.Status
PHOTO_LINK_SALT = "liaison.track-photo"
PHOTO_LINK_MAX_AGE = 3600


def _refused(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "refused.html", {"title": title, "message": message}, status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    return _refused(
        request,
        _("请求过于频繁"),
        _("同一网络在一小时内的提交或查询次数已达上限，请一小时后再试。紧急情况请直接到乡镇代表联系群众工作室反映。"),
        429,
    )


# --- the public concern form ----------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    """Refuse an oversized body before anything reads it; the CSRF check would parse it whole."""
    if request.method == "POST" and photo_body_too_large(request, "LIAISON"):
        return _refused(
            request,
            _("提交的内容太大"),
            _("照片总大小超过了上限，请减少照片数量或压缩后重新提交。"),
            413,
        )
    return _concern_new(request)


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
    earlier = concern_by_submission_key(key)
    if earlier is not None:
        return redirect("liaison:concern_submitted", code=earlier.tracking_code)
    ip_key = f"concern-submit:{client_ip(request)}"
    if not services.rate_limit_allows(key=ip_key, limit=config("LIAISON", "SUBMIT_PER_HOUR"), window_seconds=3600):
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
        add_service_errors(form, error)
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
    return services.rate_limit_allows(key=key, limit=config("LIAISON", "LOOKUP_PER_HOUR"), window_seconds=3600)


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
        add_service_errors(form, error)
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
    return file_response(photo.image)
