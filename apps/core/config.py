"""The one reader of renda's settings dictionaries (`RENDA`, `RENDA_PROPOSALS`, `RENDA_POSTS`...).

These are deployment settings from the environment (renda/settings.py); what a county's staff
change in the admin lives in `apps.core.county_settings`."""

from django.conf import settings

_REQUIRED = object()


def config(section: str, key: str, default=_REQUIRED):
    """`config("PROPOSALS", "REPLY_DAYS")` reads settings.RENDA_PROPOSALS["REPLY_DAYS"];
    `config("", "PUBLIC_PAGE_SIZE")` reads settings.RENDA. Without a default a missing key is
    a KeyError: a setting the code needs is never silently absent."""
    values = getattr(settings, f"RENDA_{section}" if section else "RENDA", {})
    if default is _REQUIRED:
        return values[key]
    return values.get(key, default)
