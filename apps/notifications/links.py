"""Where a notification takes its recipient: `link_for(target, recipient)`, the one function every
reminder rule and service goes through (`notification_queue` calls it for each recipient).

Each app declares, in its AppConfig.ready(), the page on which each kind of recipient acts on the
objects its notifications are about: `register(Model, unit=..., representative=..., staff=...)`,
each a function of (object, recipient) returning a path. Staff without a declared page get the
object's admin change page (or their workbench when the model has none); anyone else without one
gets their landing page. So a link always opens for the person it was written for.
"""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Model
from django.urls import reverse

from apps.core.workbench import admin_change_url

Page = Callable[[Model, object], str]
STAFF = "staff"

_PAGES: dict[type[Model], dict[str, Page]] = {}


def register(model: type[Model], **pages: Page) -> None:
    """Pages by audience: "staff", "unit" or "representative"."""
    _PAGES.setdefault(model, {}).update(pages)


def audience(user) -> str:
    return STAFF if user.is_staff else user.role


def link_for(target: Model, recipient) -> str:
    page = _PAGES.get(type(target), {}).get(audience(recipient))
    if page is not None:
        return page(target, recipient)
    if recipient.is_staff:
        return admin_change_url(target) if admin.site.is_registered(type(target)) else reverse("workbench")
    return reverse("landing")


def admin_page(model_field: str | None = None) -> Page:
    """A staff page: the admin change page of the object, or of the object it points to by `model_field`."""

    def page(target: Model, _recipient) -> str:
        return admin_change_url(getattr(target, model_field) if model_field else target)

    return page


def fixed(url_name: str, *, query: Callable[[Model], str] | None = None) -> Page:
    """A page that lists what the recipient acts on, e.g. a representative's shifts."""

    def page(target: Model, _recipient) -> str:
        return reverse(url_name) + (query(target) if query else "")

    return page
