"""A small HTTP client for the app under gunicorn: cookies kept, redirects followed, errors returned."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings


@dataclass
class Page:
    status: int
    url: str
    headers: dict
    text: str


class Visitor:
    """One browser: its own cookie jar and address (REMOTE_ADDR is the loopback for all)."""

    def __init__(self, base_url: str, *, timeout: float = 60):
        assert base_url.startswith("http://127.0.0.1:"), "only the app this test started, on the loopback"
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                return Page(response.status, response.url, dict(response.headers), body.decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            body = error.read()
            return Page(error.code, error.url, dict(error.headers), body.decode("utf-8", "replace"))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310 (loopback http only)

    def post(self, path: str, data: dict) -> Page:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        headers = {"Referer": self.base_url + path}  # Django's CSRF check wants one on HTTPS; harmless here
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers, method="POST")  # noqa: S310
        return self._open(request)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def log_in_as(self, session_key: str) -> None:
        """Use a session created in the test database (Client.force_login), as after a login."""
        host = urllib.parse.urlsplit(self.base_url).hostname
        self.cookies.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session_key, host))

    def csrf_token(self, page: Page) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def submit_concern(self, township_pk: int, *, min_fill_seconds: float, description: str) -> Page:
        """A citizen fills the public form: the token the page gave, after the minimum fill time."""
        form = self.get("/liaison/concerns/new/")
        if form.status != 200:
            return form
        token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
        time.sleep(min_fill_seconds)
        data = {
            "township": township_pk,
            "category": "roads",
            "consent": "on",
            "description": description,
            "phone": "13812345678",
            "website": "",
            "token": token,
        }
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if csrf:
            data["csrfmiddlewaretoken"] = csrf.group(1)
        return self.post("/liaison/concerns/new/", data)


def tracking_code(page: Page) -> str | None:
    """The code the confirmation page shows a citizen, without the dashes it is printed with."""
    found = re.search(r'id="tracking-code">([A-Z0-9-]+)<', page.text)
    return found.group(1).replace("-", "") if found else None


def _cookie(name: str, value: str, domain: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )
