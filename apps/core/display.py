"""The large-font, high-contrast display (适老化): a preference kept in a cookie, so it works with
no script and no account, and the page is rendered in it from the first byte."""

from django.conf import settings
from django.http import HttpRequest

COOKIE = "renda_display"
CARE = "care"  # large font and high contrast
STANDARD = "standard"
MODES = (CARE, STANDARD)
COOKIE_MAX_AGE = 365 * 24 * 3600


def display_mode(request: HttpRequest) -> str:
    return CARE if request.COOKIES.get(COOKIE) == CARE else STANDARD


def set_display_mode(response, mode: str) -> None:
    response.set_cookie(
        COOKIE,
        mode,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )


def context(request: HttpRequest) -> dict:
    return {"display_care": display_mode(request) == CARE}
