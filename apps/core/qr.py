"""QR codes (segno) and the printable A4 posters that carry them (代表码, 联络站码, 活动码).

A printed code must open the public address of the portal, whatever address staff used to print
it, so every code is made from RENDA["BASE_URL"] and a path.
"""

import io
import secrets
from dataclasses import dataclass

import segno
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from apps.core.config import config
from apps.core.pdf import html_to_pdf

# Medium error correction survives a scuffed or partly covered poster.
ERROR_LEVEL = "m"


def public_url(path: str) -> str:
    return config("", "BASE_URL").rstrip("/") + path


def qr_svg(url: str, *, scale: int = 6) -> str:
    """The code as inline SVG markup, ready for a page or a WeasyPrint document."""
    # segno writes only its own path data here: no text of ours goes into the markup.
    return mark_safe(segno.make(url, error=ERROR_LEVEL).svg_inline(scale=scale))  # noqa: S308


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error=ERROR_LEVEL).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_response(url: str, fmt: str, *, filename: str) -> HttpResponse:
    """The code as an SVG or PNG download."""
    if fmt == "svg":
        out = io.BytesIO()
        segno.make(url, error=ERROR_LEVEL).save(out, kind="svg", scale=10, border=4)
        response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    return response


@dataclass(frozen=True)
class Poster:
    """One A4 page: a heading, the lines under it, the code and what scanning it does."""

    heading: str
    lines: tuple[str, ...]
    url: str
    call_to_action: str

    @property
    def svg(self) -> str:
        return qr_svg(self.url, scale=8)


def posters_pdf(posters: list[Poster], *, title: str) -> bytes:
    html = render_to_string("core/qr_posters.html", {"posters": posters, "title": title})
    return html_to_pdf(html)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Lowercase letters and digits without the ones people misread (0/o, 1/l/i): a code is typed
# from a poster's small print now and then.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 10


def new_public_code(model, field: str = "contact_code") -> str:
    """A random code no row of `model` holds yet: it says nothing about whom it stands for."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not model._default_manager.filter(**{field: code}).exists():
            return code
