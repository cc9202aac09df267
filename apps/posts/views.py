"""The representative's post pages: their posts, and the work they log there for staff to confirm.

Everything is looked up through the representative: another person's post, log or photo is 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.access import representative_required
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.config import config
from apps.core.forms import run_service
from apps.core.uploads import photo_body_too_large
from apps.posts import forms, selectors, services
from apps.posts.models import PostLog, PostLogPhoto
from apps.posts.photos import photo_response
from apps.representatives.models import Representative


def _too_large(request: HttpRequest) -> HttpResponse:
    context = {"message": _("照片总大小超过了上限，请减少照片数量或压缩后重新提交。")}
    return render(request, "posts/too_large.html", context, status=413)


@never_cache
@representative_required
def mine(request: HttpRequest, representative: Representative) -> HttpResponse:
    assignments = list(selectors.assignments_of(representative))
    context = {
        "representative": representative,
        "current": [a for a in assignments if a.is_current],
        "past": [a for a in assignments if not a.is_current],
        "max_photos": config("POSTS", "PHOTO_MAX_COUNT"),
    }
    return render(request, "posts/mine.html", context)


@representative_required
def log_new(request: HttpRequest, representative: Representative, assignment_pk: int) -> HttpResponse:
    assignment = selectors.assignment_of(representative, assignment_pk)
    if request.method == "POST" and photo_body_too_large(request, "POSTS"):
        return _too_large(request)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = forms.PostLogForm(data, files, initial={"date": timezone.localdate()})
    if form.is_valid() and run_service(
        form, services.post_log_create, assignment=assignment, by=request.user, **form.cleaned_data
    ):
        messages.success(request, _("工作记录已提交，等待乡镇人大确认后计入履职积分。"))
        return redirect("posts:mine")
    status = 400 if form.is_bound else 200
    context = {"form": form, "assignment": assignment, "title": _("填写岗位工作记录")}
    return render(request, "posts/log_form.html", context, status=status)


def _own_pending(request: HttpRequest, representative: Representative, pk: int) -> PostLog | None:
    """The representative's log, if they may still change it; else say why (and None)."""
    log = selectors.log_of(representative, pk)
    if log.created_by_id != request.user.pk:
        messages.error(request, _("这条工作记录是工作人员代为填报的，不能由您修改或删除。"))
        return None
    if log.review_status != PostLog.Review.PENDING:
        messages.error(request, _("这条工作记录已审核，不能再修改或删除。"))
        return None
    return log


@representative_required
def log_edit(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    log = _own_pending(request, representative, pk)
    if log is None:
        return redirect("posts:mine")
    if request.method == "POST" and photo_body_too_large(request, "POSTS"):
        return _too_large(request)
    photos = list(log.photos.all())
    initial = {"date": log.date, "content": log.content}
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = forms.PostLogEditForm(data, files, initial=initial, photos=photos)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            services.post_log_update,
            log=log,
            date=data["date"],
            content=data["content"],
            add_photos=data["photos"],
            remove_photo_ids=data.get("remove_photos", []),
            by=request.user,
        ):
            messages.success(request, _("工作记录已修改。"))
            return redirect("posts:mine")
    context = {"form": form, "assignment": log.assignment, "log": log, "title": _("修改岗位工作记录")}
    return render(request, "posts/log_form.html", context, status=400 if form.is_bound else 200)


@representative_required
@require_POST
def log_delete(request: HttpRequest, representative: Representative, pk: int) -> HttpResponse:
    log = _own_pending(request, representative, pk)
    if log is not None:
        try:
            services.post_log_delete(log=log, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("工作记录已删除。"))
    return redirect("posts:mine")


@never_cache
@representative_required
def log_photo(request: HttpRequest, representative: Representative, pk: int, photo_pk: int) -> HttpResponse:
    log = selectors.log_of(representative, pk)
    photo = get_object_or_404(PostLogPhoto, pk=photo_pk, log=log)
    audit_event(Audit.DOWNLOAD, request=request, target=log, photo=photo.pk)
    return photo_response(photo)
