"""The client's address: what login lock-out (django-axes) and the public forms' per-IP limits
count against. One rule for both, so neither can be dodged by a header the other ignores.

A forwarded-for header is the client's to invent: only the entries our own reverse proxies
appended count, and only when they are declared (RENDA_TRUSTED_PROXIES of them, writing
RENDA_TRUSTED_PROXY_HEADER). With none declared, the connection's own address is used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address the first of our trusted proxies saw, or the connection's address."""
    proxies = settings.RENDA_TRUSTED_PROXIES
    if proxies:
        forwarded = _header_entries(request, settings.RENDA_TRUSTED_PROXY_HEADER)
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _header_entries(request: HttpRequest, header: str) -> list[str]:
    key = "HTTP_" + header.upper().replace("-", "_")
    return [entry.strip() for entry in request.META.get(key, "").split(",") if entry.strip()]


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
