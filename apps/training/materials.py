"""Lecture materials (课件): what may be uploaded, recognised by content, and how it is served.

Uploads are never public files: they are served by a view that checked the viewer, always as a
download, so a file that is not what it claims can never run in the portal's origin.
"""

import posixpath

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.downloads import file_response
from apps.core.uploads import PIL_FORMATS, file_kind, image_error

# kind -> (extension, content type)
KINDS = {
    "pdf": (".pdf", "application/pdf"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": (".jpg", "image/jpeg"),
    "png": (".png", "image/png"),
}


class MaterialRefused(ValueError):
    """The upload is not a material we take; the message says why, for the person who sent it."""


def max_bytes() -> int:
    return config("TRAINING", "MATERIAL_MAX_BYTES")


def material_kind(upload) -> str | None:
    """'pdf', 'docx', 'pptx', 'xlsx', 'jpg' or 'png' from the file's bytes (apps.core.uploads: a
    macro-enabled document or any other zip is none of them); None for anything else."""
    kind = file_kind(upload)
    return kind if kind in KINDS else None


def check_material(upload: UploadedFile) -> str:
    """The upload's kind, or MaterialRefused with a reason a person can act on."""
    limit = max_bytes()
    if upload.size > limit:
        raise MaterialRefused(_("课件文件不能超过%(mb)sMB，请压缩后再上传。") % {"mb": round(limit / 1024 / 1024, 1)})
    kind = material_kind(upload)
    if kind is None:
        raise MaterialRefused(_("只能上传PDF、Word（docx）、PowerPoint（pptx）、Excel（xlsx）文件或JPG、PNG图片。"))
    if kind in PIL_FORMATS and (problem := image_error(upload, kind)):
        raise MaterialRefused(problem)
    return kind


def download_name(lecture) -> str:
    """The uploader's file name, with the extension of what the file really is."""
    stored_ext = posixpath.splitext(lecture.materials.name)[1]
    base = posixpath.splitext(lecture.materials_name or "")[0] or _("课件")
    return f"{base}{stored_ext}"


def material_response(lecture) -> FileResponse:
    return file_response(lecture.materials, filename=download_name(lecture))
