"""The groups back office's own pages beside the admin's: an inspection's report file."""

from django.core.exceptions import PermissionDenied

from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.downloads import file_response


def report_file_view(model_admin, request, object_id):
    """An inspection's report file, for staff who may see the batch (uploads are not public files)."""
    inspection = model_admin.get_object(request, object_id)  # 404 outside the scope
    if not model_admin.has_view_permission(request, inspection):
        raise PermissionDenied
    audit_event(Audit.DOWNLOAD, request=request, target=inspection, file="report")
    return file_response(inspection.report_file)
