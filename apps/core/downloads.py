"""Serving stored uploads: the one way any file under MEDIA_ROOT reaches a browser.

Nothing serves MEDIA_ROOT by address. Each app's view first decides who may see the row (staff by
region scope, units their assignments, representatives their own things; 404 for everyone else)
and then hands the file to `file_response`, which recognises it by content again (a file put
there by another door gets no trusted type), names the download after what it really is, and
sends it so that the browser never runs it in the portal's origin.
"""

import posixpath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from apps.core.uploads import KINDS, PHOTO_KINDS, file_kind

UNKNOWN_TYPE = "application/octet-stream"
# Opened on its own, a file may run nothing, load nothing and be framed by nobody.
FILE_POLICY = "default-src 'none'; sandbox"
# A photo shown inline is drawn by the browser's own image page, which needs the image itself.
PHOTO_POLICY = "default-src 'none'; img-src 'self'; sandbox"


def download_name(file: FieldFile, kind: str | None, filename: str | None = None) -> str:
    """The given (or stored) name with the extension of the kind found by content."""
    stem = posixpath.splitext(posixpath.basename(filename or file.name))[0] or "file"
    return f"{stem}{KINDS[kind][0] if kind else '.bin'}"


def file_response(file: FieldFile, *, filename: str | None = None) -> FileResponse:
    """The stored file with safe headers; 404 when there is none. Call only after a scope check."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = file_kind(handle)
    inline = kind in PHOTO_KINDS  # only images that pass the content check are shown in the tab
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=download_name(file, kind, filename),
        content_type=KINDS[kind][1] if kind else UNKNOWN_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PHOTO_POLICY if inline else FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
