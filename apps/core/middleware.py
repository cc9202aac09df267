import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.module_loading import import_string


class ChosenLanguageMiddleware:
    """Simplified Chinese unless the visitor chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a county office's
    pages would turn English on any browser set up in English; here only an explicit choice
    (the language cookie set by the set_language view) changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# --- the database is down ---------------------------------------------------------------------

# What Django raises when PostgreSQL is unreachable, restarting, or the connection was cut.
DATABASE_DOWN = (OperationalError, InterfaceError)
# Long enough for a restart or a failover, short enough that a citizen's retry soon works.
RETRY_AFTER_SECONDS = 30
# Middleware whose headers every page carries. An error inside another middleware becomes a 500
# response that goes out only through the middleware outside the one that failed: the 503 page
# that replaces it gets these headers here.
PAGE_HEADER_MIDDLEWARE = ("csp.middleware.CSPMiddleware", "django.middleware.clickjacking.XFrameOptionsMiddleware")

logger = logging.getLogger("renda.db")


class DatabaseUnavailableMiddleware:
    """A clean 503 page with Retry-After, instead of a 500, while the database cannot be reached.

    A view's error comes to process_exception. An error in another middleware (a session saved
    after the view, say) has already become a 500 response when it reaches __call__, so the
    got_request_exception signal marks the request and __call__ swaps that 500 for the 503.
    Nothing here touches the database; the connection itself is reopened by Django at the next
    request (CONN_HEALTH_CHECKS), so the app recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_headers = [
            import_string(path)(get_response) for path in PAGE_HEADER_MIDDLEWARE if path in settings.MIDDLEWARE
        ]
        got_request_exception.connect(_note_database_down, dispatch_uid="renda.database_down")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_down", False):
            return self.unavailable_after_500(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable()

    def unavailable_after_500(self, request) -> HttpResponse:
        response = database_unavailable()
        for middleware in self.page_headers:
            response = middleware.process_response(request, response)
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary_headers(response, ["Cookie"])
        return response


def _note_database_down(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, error)
        request.database_down = True


def database_unavailable() -> HttpResponse:
    # Rendered without the request: its context processors would ask the database who is logged in.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


# --- private pages are not stored --------------------------------------------------------------

PRIVATE_NO_STORE = "private, no-store"


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a logged-in user, so no shared
    proxy or browser cache keeps a page of personal data for the next person at the computer.

    One rule here rather than a decorator on each view, so a new portal page cannot forget it.
    A response that already says no-store keeps its own header (never_cache adds more); pages
    for anonymous visitors keep theirs; static files are not pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response

    def is_private(self, request) -> bool:
        if self.static_prefix and request.path.startswith(self.static_prefix):
            return False
        # Set by AuthenticationMiddleware; absent when a middleware before it answered.
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
