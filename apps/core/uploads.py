"""Photos uploaded through the portal's forms: recognised by content, several per field."""

from django import forms
from django.core.files.uploadedfile import UploadedFile

# What a photo may be, recognised by its first bytes rather than its name.
PHOTO_SIGNATURES = [
    (lambda head: head.startswith(b"\xff\xd8\xff"), "jpg"),
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "png"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "webp"),
]


def photo_kind(upload: UploadedFile) -> str | None:
    """'jpg', 'png' or 'webp' from the file's content, or None for anything else."""
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    return next((kind for matches, kind in PHOTO_SIGNATURES if matches(head)), None)


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
