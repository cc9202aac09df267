"""Lecture materials (课件): what may be uploaded, recognised by content, and how it is served.

Uploads are never public files: they are served by a view that checked the viewer, always as a
download, so a file that is not what it claims can never run in the portal's origin.
"""

import posixpath
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from apps.core.downloads import file_response

# kind -> (extension, content type)
KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
}
# The part every Office Open XML file of a kind must contain.
OFFICE_PARTS = {"word/document.xml": "docx", "ppt/presentation.xml": "pptx", "xl/workbook.xml": "xlsx"}


class MaterialRefused(ValueError):
    """The upload is not a material we take; the message says why, for the person who sent it."""


def max_bytes() -> int:
    return settings.RENDA_TRAINING["MATERIAL_MAX_BYTES"]


def material_kind(upload) -> str | None:
    """'pdf', 'docx', 'pptx', 'xlsx', 'jpg' or 'png' from the file's bytes; None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(upload)
    return None


def _office_kind(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in OFFICE_PARTS.items() if part in names), None)


def check_material(upload: UploadedFile) -> str:
    """The upload's kind, or MaterialRefused with a reason a person can act on."""
    limit = max_bytes()
    if upload.size > limit:
        raise MaterialRefused(_("课件文件不能超过%(mb)sMB，请压缩后再上传。") % {"mb": round(limit / 1024 / 1024, 1)})
    kind = material_kind(upload)
    if kind is None:
        raise MaterialRefused(_("只能上传PDF、Word（docx）、PowerPoint（pptx）、Excel（xlsx）文件或JPG、PNG图片。"))
    return kind


def download_name(lecture) -> str:
    """The uploader's file name, with the extension of what the file really is."""
    stored_ext = posixpath.splitext(lecture.materials.name)[1]
    base = posixpath.splitext(lecture.materials_name or "")[0] or _("课件")
    return f"{base}{stored_ext}"


def material_response(lecture) -> FileResponse:
    return file_response(lecture.materials, filename=download_name(lecture))
