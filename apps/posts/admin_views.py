"""The back office's own post pages: assigning a representative, entering a log with photos,
serving a log's photo, and the count of posts per township (with its xlsx export)."""

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.admin_pages import admin_url, page, workbook, xlsx_response
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.forms import add_service_errors
from apps.posts import selectors, services
from apps.posts.admin_forms import AssignForm, CountsForm, LogAddForm
from apps.posts.models import DutyPost, PostAssignment, PostLog, PostLogPhoto
from apps.posts.photos import photo_response

EXPORT_PERMISSION = "posts.export_dutypost"


def _form_page(model_admin, request, form, *, title: str, submit_label: str, intro: str = ""):
    return page(
        model_admin,
        request,
        "admin/renda/form_page.html",
        title,
        form=form,
        submit_label=submit_label,
        intro=intro,
        media=model_admin.media + form.media,
    )


def assign_view(model_admin, request):
    """Put a representative on a post: the form, then services.post_assign."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = AssignForm(data, user=request.user, initial=request.GET.dict() if data is None else None)
    if data is not None and form.is_valid():
        try:
            assignment = services.post_assign(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已安排：%(a)s。") % {"a": assignment})
            return HttpResponseRedirect(admin_url(PostAssignment, "changelist"))
    return _form_page(model_admin, request, form, title=_("安排代表上岗"), submit_label=_("安排"))


def log_add_view(model_admin, request):
    """Staff enter a log on a representative's behalf; it still waits for confirmation."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = LogAddForm(data, files, user=request.user)
    if data is not None and form.is_valid():
        try:
            log = services.post_log_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记工作记录，待确认后计入履职积分。"))
            return HttpResponseRedirect(admin_url(PostLog, "change", log.pk))
    return _form_page(
        model_admin,
        request,
        form,
        title=_("代为填写岗位工作记录"),
        submit_label=_("保存"),
        intro=_("代表本人可以在工作台填写；这里供工作人员代为录入纸质记录。录入后仍需确认。"),
    )


def log_photo_view(model_admin, request, object_id, photo_id):
    """A log's photo, for staff who may see the log (uploads are not public files)."""
    log = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, log):
        raise PermissionDenied
    photo = get_object_or_404(PostLogPhoto, pk=photo_id, log=log)
    audit_event(Audit.DOWNLOAD, request=request, target=log, photo=photo.pk)
    return photo_response(photo)


# --- counting ---------------------------------------------------------------------------------


def _counts_form(request) -> CountsForm:
    data = request.GET.copy()
    data.setdefault("as_of", timezone.localdate().strftime("%Y-%m-%d"))
    return CountsForm(data)


def counts_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = _counts_form(request)
    rows = (
        selectors.post_counts_by_township(user=request.user, as_of=form.cleaned_data["as_of"])
        if form.is_valid()
        else []
    )
    return page(
        model_admin,
        request,
        "admin/posts/dutypost/counts.html",
        _("各乡镇履职岗位统计"),
        form=form,
        rows=rows,
        can_export=request.user.has_perm(EXPORT_PERMISSION),
        query=form.data.urlencode(),
    )


def counts_xlsx_view(model_admin, request):
    if not (model_admin.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
        raise PermissionDenied
    form = _counts_form(request)
    if not form.is_valid():
        messages.error(request, _("请填写正确的统计日期。"))
        return HttpResponseRedirect(admin_url(DutyPost, "counts"))
    as_of = form.cleaned_data["as_of"]
    dataset = tablib.Dataset(
        headers=[
            _("乡镇"),
            _("岗位数"),
            _("定员"),
            _("已安排岗位"),
            _("在岗人次"),
            _("在岗代表"),
            _("岗位安排率（%）"),
        ],
        title=_("履职岗位"),
    )
    for row in selectors.post_counts_by_township(user=request.user, as_of=as_of):
        name = row.township.name if row.township else _("合计")
        dataset.append([name, row.posts, row.capacity, row.filled, row.held, row.holders, row.fill_percent])
    audit_event(Audit.EXPORT, request=request, register="post counts", as_of=as_of.isoformat())
    return xlsx_response(workbook(dataset), f"duty-posts-{as_of:%Y%m%d}.xlsx")
