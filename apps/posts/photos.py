"""Serving work photos: never as public files, only through views that checked the viewer."""

import posixpath

from django.http import FileResponse, Http404

from apps.posts.models import PostLogPhoto

PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def photo_response(photo: PostLogPhoto) -> FileResponse:
    name = posixpath.basename(photo.image.name)
    content_type = PHOTO_TYPES.get(posixpath.splitext(name)[1].lower())
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Anything that is not a checked image (a file put there by another door) is only downloaded.
    response = FileResponse(
        handle,
        as_attachment=content_type is None,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    # Opened on its own, the file may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
