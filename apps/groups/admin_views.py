"""The activity import page: upload a sheet, see every row's errors, and keep all rows or none."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from apps.core.admin_pages import admin_url, page, workbook, xlsx_response
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.downloads import file_response
from apps.core.sheets import SheetError
from apps.groups.admin_forms import ActivityImportForm
from apps.groups.models import Activity
from apps.groups.resources import IMPORT_COLUMNS, ActivitySheet, read_sheet, template_dataset

IMPORT_PERMISSION = "groups.import_activity"


def import_view(model_admin, request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_sheet(form.cleaned_data["import_file"])
        except SheetError as error:
            form.add_error("import_file", str(error))
        else:
            commit = not form.cleaned_data["check_only"]
            results = ActivitySheet(user=request.user).run(rows, commit=commit)
            failed = sum(1 for r in results if r.errors)
            if commit and not failed:
                messages.success(request, _("已导入%(n)s项活动。") % {"n": len(results)})
                return redirect(admin_url(Activity, "changelist"))
            context = {"results": results, "failed": failed, "checked_only": not commit}
    template = "admin/groups/activity/import.html"
    return page(model_admin, request, template, _("导入代表活动"), form=form, columns=IMPORT_COLUMNS, **context)


def import_template_view(model_admin, request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    return xlsx_response(workbook(template_dataset()), "activities-template.xlsx")


def report_file_view(model_admin, request, object_id):
    """An inspection's report file, for staff who may see the batch (uploads are not public files)."""
    inspection = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, inspection):
        raise PermissionDenied
    audit_event(Audit.DOWNLOAD, request=request, target=inspection, file="report")
    return file_response(inspection.report_file)
