"""HTML to PDF through WeasyPrint, with nothing fetched from the network: the page's links
resolve against a made-up origin, and the fetcher answers only for the project's static files
(stylesheets, the CJK font the stylesheet names is the system's)."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

PDF_BASE_URL = "https://report.invalid/"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy: loaded only where a PDF is made

    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=static_only_fetcher()).write_pdf()


def static_only_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # heavy, as above

    class StaticOnlyFetcher(URLFetcher):
        """Serves the page's own static files (its stylesheet) from disk; refuses the rest."""

        def fetch(self, url, headers=None):
            path = local_static_file(url)
            if path is None:
                raise ValueError(f"not a local static file: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher()


def local_static_file(url: str) -> Path | None:
    prefix = PDF_BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.lstrip("/")
    if not url.startswith(prefix):
        return None
    name = unquote(urlsplit(url).path)[len(urlsplit(prefix).path) :]
    try:
        found = finders.find(name) or _collected(name)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


def _collected(name: str) -> str | None:
    root = Path(settings.STATIC_ROOT).resolve()
    path = (root / name).resolve()
    return str(path) if path.is_relative_to(root) and path.is_file() else None
