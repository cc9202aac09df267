"""Views for the 503 middleware's own tests: each meets the database in a different way."""

from django.db import InterfaceError
from django.http import HttpResponse
from django.urls import path

from apps.core.models import User
from renda.urls import urlpatterns as site_urlpatterns


def reads_the_database(request):
    return HttpResponse(str(User.objects.count()))


def connection_closed(request):
    # What psycopg2 says when a kept connection was cut under it, as Django re-raises it.
    raise InterfaceError("connection already closed")


def other_error(request):
    raise ValueError("a bug, not an outage")


def session_written_after_the_view(request):
    request.session["seen"] = True  # saved by SessionMiddleware after the view has returned
    return HttpResponse("ok")


# The site's own URLs too: its error pages link home and to the landing page, as on the real site.
urlpatterns = [
    path("reads/", reads_the_database),
    path("closed/", connection_closed),
    path("bug/", other_error),
    path("session/", session_written_after_the_view),
]
urlpatterns += site_urlpatterns
