"""Serving work photos: never as public files, only through views that checked the viewer."""

from django.http import FileResponse

from apps.core.downloads import file_response
from apps.posts.models import PostLogPhoto


def photo_response(photo: PostLogPhoto) -> FileResponse:
    return file_response(photo.image)
