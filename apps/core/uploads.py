"""Uploaded files recognised by their content, never by their names: photos and documents.

Every upload field checks its files here (or with a stricter list of its own) before a service
stores them, and apps.core.downloads recognises stored files the same way before serving them.

An image is more than its first bytes: it is decoded in full (`image_error`), so a file that
only starts like a PNG, a truncated one, or a few-KB "decompression bomb" declaring 30000x30000
pixels is refused; and what is stored is a re-encoding of the decoded pixels (`reencoded_image`),
turned upright by its EXIF orientation, without EXIF (GPS), comments, text chunks or anything
appended after the image (an HTML "polyglot").
"""

import contextlib
import io
import posixpath
import warnings
import zipfile

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from apps.core.config import config

# kind -> (extension, content type, label for messages). Only these are ever stored or served.
KINDS = {
    "jpg": (".jpg", "image/jpeg", "JPG"),
    "png": (".png", "image/png", "PNG"),
    "webp": (".webp", "image/webp", "WebP"),
    "pdf": (".pdf", "application/pdf", "PDF"),
    "doc": (".doc", "application/msword", "Word（doc）"),
    "xls": (".xls", "application/vnd.ms-excel", "Excel（xls）"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word（docx）"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel（xlsx）"),
    "pptx": (".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
    "odt": (".odt", "application/vnd.oasis.opendocument.text", "ODT"),
    "ods": (".ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS"),
}
PHOTO_KINDS = ("jpg", "png", "webp")
DOCUMENT_KINDS = ("pdf", "doc", "docx", "xls", "xlsx", "odt", "ods")

# What a photo may be, recognised by its first bytes rather than its name.
PHOTO_SIGNATURES = [
    (lambda head: head.startswith(b"\xff\xd8\xff"), "jpg"),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "webp"),
]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .doc and .xls (and of .msi, .msg...)
# The part every Office Open XML file of a kind must contain.
OFFICE_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ODF_TYPES = {"application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods"}
# The streams that make an OLE file a Word or an Excel file, as they are named in its directory.
OLE_STREAMS = {"WordDocument".encode("utf-16-le"): "doc", "Workbook".encode("utf-16-le"): "xls"}


def _head(upload, size: int = 12) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def photo_kind(upload: UploadedFile) -> str | None:
    """'jpg', 'png' or 'webp' from the file's content, or None for anything else."""
    head = _head(upload)
    return next((kind for matches, kind in PHOTO_SIGNATURES if matches(head)), None)


def _zip_kind(upload) -> str | None:
    """docx/xlsx/pptx/odt/ods for a well-formed package without macros; None for any other zip."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype").decode("ascii", "replace").strip() if "mimetype" in names else ""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return None
    finally:
        upload.seek(0)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None  # a macro-enabled document is a program, whatever its name says
    if mimetype:
        return ODF_TYPES.get(mimetype)
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for part, kind in OFFICE_PARTS.items() if part in names), None)


def _ole_kind(upload) -> str | None:
    """'doc' or 'xls' when the compound file holds a Word or Excel stream; None for others (.msi)."""
    upload.seek(0)
    content = upload.read()  # bounded: sizes are checked before the kind
    upload.seek(0)
    return next((kind for stream, kind in OLE_STREAMS.items() if stream in content), None)


def file_kind(upload) -> str | None:
    """Any kind of KINDS from the file's bytes, or None for anything else (HTML, scripts, programs)."""
    head = _head(upload)
    if kind := photo_kind(upload):
        return kind
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(upload)
    return None


# --- images: decoded, never trusted by their header --------------------------------------------

PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# What a damaged or hostile file makes Pillow's decoders raise.
DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError)


class _TooManyPixels(Exception):
    pass


@contextlib.contextmanager
def _truncated_images_refused():
    """WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when it is imported (the annual
    report, posters): an upload is still refused when it is cut short. Web and Celery workers are
    processes, one request or task at a time each, so the flag is ours for the decode."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _decoded(upload, kind: str) -> Image.Image:
    """The upload's pixels, decoded in full; _TooManyPixels before any is decoded for a bomb."""
    limit = settings.RENDA_IMAGE_MAX_PIXELS
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns between its own limit and twice it, and raises beyond: both are refusals.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=[PIL_FORMATS[kind]])
            width, height = image.size
            if width * height > limit:
                raise _TooManyPixels
            with _truncated_images_refused():
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _TooManyPixels from None
    finally:
        upload.seek(0)
    return image


def _decoded_or_refused(upload, kind: str) -> Image.Image:
    try:
        return _decoded(upload, kind)
    except _TooManyPixels:
        message = _("图片“%(name)s”的像素太多（超过%(mp)s万像素），请缩小尺寸后再上传。")
        mp = settings.RENDA_IMAGE_MAX_PIXELS // 10000
        raise ValidationError(message % {"name": upload.name, "mp": mp}, code="too_many_pixels") from None
    except DECODE_ERRORS:
        message = _("图片“%(name)s”已损坏或不完整，无法打开，请重新拍摄或导出后再上传。")
        raise ValidationError(message % {"name": upload.name}, code="bad_image") from None


def check_image(upload, kind: str) -> None:
    """ValidationError unless the JPG/PNG/WebP decodes in full within the pixel limit."""
    _decoded_or_refused(upload, kind)


def image_error(upload, kind: str) -> str | None:
    """Why the image cannot be kept (too many pixels, truncated, not decodable), or None."""
    try:
        check_image(upload, kind)
    except ValidationError as error:
        return error.messages[0]
    return None


def reencoded_image(upload, kind: str | None = None) -> SimpleUploadedFile:
    """A new file of the same kind holding only the upload's pixels, turned upright by its EXIF
    orientation; no metadata or payload of the original survives. ValidationError if undecodable."""
    kind = kind or photo_kind(upload)
    if kind not in PIL_FORMATS:
        message = _("“%(name)s”不是 JPG、PNG 或 WebP 格式的图片。")
        raise ValidationError(message % {"name": upload.name}, code="bad_kind")
    image = _decoded_or_refused(upload, kind)
    buffer = io.BytesIO()
    with contextlib.suppress(*DECODE_ERRORS):  # an unreadable orientation tag: kept as it was drawn
        image = ImageOps.exif_transpose(image)
    _pixels_only(image, kind).save(buffer, PIL_FORMATS[kind], **SAVE_OPTIONS[kind])
    return SimpleUploadedFile(stored_name(upload, kind), buffer.getvalue(), content_type=KINDS[kind][1])


# Only what drawing the pixels needs (a palette's transparent entry) is carried to the new file.
KEPT_INFO = ("transparency",)
SAVE_MODES = {"jpg": ("RGB", "L"), "webp": ("RGB", "RGBA"), "png": ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16")}
SAVE_OPTIONS = {"jpg": {"quality": 90}, "png": {}, "webp": {"quality": 90}}


def _pixels_only(image: Image.Image, kind: str) -> Image.Image:
    if image.mode not in SAVE_MODES[kind]:
        alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if alpha and kind != "jpg" else "RGB")
    clean = image.copy()
    clean.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    return clean


def size_label(limit: int) -> str:
    return f"{round(limit / 1024 / 1024, 1):g}MB"


def kinds_label(kinds) -> str:
    return "、".join(KINDS[kind][2] for kind in kinds)


def check_upload(upload, *, kinds=DOCUMENT_KINDS, max_bytes: int) -> str:
    """The upload's kind, or a ValidationError that names the file and says what is taken."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”超过%(size)s，请压缩后再上传。") % {"name": upload.name, "size": size_label(max_bytes)},
            code="too_large",
        )
    kind = file_kind(upload)
    if kind not in kinds:
        message = _("“%(name)s”的内容不是%(kinds)s文件，只能上传这些格式。")
        raise ValidationError(message % {"name": upload.name, "kinds": kinds_label(kinds)}, code="bad_kind")
    if kind in PIL_FORMATS:
        check_image(upload, kind)
    return kind


def stored_name(upload, kind: str) -> str:
    """The uploader's name with the extension of what the file really is."""
    stem = posixpath.splitext(posixpath.basename(upload.name or ""))[0] or "file"
    return f"{stem}{KINDS[kind][0]}"


# --- form fields and widgets ------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero or more uploaded files, each checked like a single FileField."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(one, initial) for one in files]


class _Link:
    """Stands in for the stored file in the widget's template: its name, and the checked view's URL."""

    def __init__(self, value, url: str):
        self.value, self.url = value, url

    def __str__(self):
        return posixpath.basename(str(self.value))


class DownloadFileInput(AdminFileWidget):
    """The admin's file input, linking the current file to the view that checks the viewer's scope
    (`url_name`, given the row's pk) instead of the /media/ address, which nothing serves."""

    def __init__(self, attrs=None, *, url_name: str):
        super().__init__(attrs)
        self.url_name = url_name

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None and value.instance.pk:
            return _Link(value, reverse(self.url_name, args=[value.instance.pk]))
        return super().format_value(value)

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))


# Room for the text fields of a photo form on top of the photos themselves.
FORM_OVERHEAD_BYTES = 256 * 1024


def photo_body_too_large(request: HttpRequest, section: str) -> bool:
    """Whether a photo form's body is past what its photos (the section's PHOTO_MAX_COUNT of
    PHOTO_MAX_BYTES each) and its text fields can weigh, told from the header before anything reads it."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    photos = config(section, "PHOTO_MAX_COUNT") * config(section, "PHOTO_MAX_BYTES")
    return length > photos + settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_OVERHEAD_BYTES
