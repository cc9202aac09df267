"""renda's URLs plus the two baselines every page is measured against."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path

from apps.core.models import Region


def bare(request):
    """Nothing but the middleware: the ceiling of this server."""
    return HttpResponse("ok", content_type="text/plain")


def one_row(request, pk):
    """One indexed read by primary key: the cheapest page that touches the database."""
    region = get_object_or_404(Region, pk=pk)
    return HttpResponse(region.name, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/row/<int:pk>/", one_row, name="bench_row"),
    path("", include("renda.urls")),
]
