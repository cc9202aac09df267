"""The one paginator helper of the portal's lists."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from apps.core.config import config


def page_of(request: HttpRequest, items, per_page: int | None = None, *, param: str = "page") -> Page:
    """The page of `items` the request asks for (`?page=`; a bad or too-large number gives the
    nearest page, never an error). `per_page` defaults to the public lists' page size."""
    size = per_page or config("", "PUBLIC_PAGE_SIZE")
    return Paginator(items, size).get_page(request.GET.get(param))


def query_without_page(request: HttpRequest, param: str = "page") -> str:
    """The request's query string without the page number, for the pager's links."""
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()
