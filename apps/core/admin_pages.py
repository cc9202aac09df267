"""Helpers for the admin pages the apps add beside Django's own: a page in the admin's frame,
actions applied all-or-nothing through services, and formula-safe workbooks."""

from collections.abc import Callable, Iterable

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.exports import SafeXLSX, neutralise_formula


def page(model_admin, request, template: str, title: str, **context) -> TemplateResponse:
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.opts, "title": title, **context}
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, template, context)


def admin_url(model, name: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def all_or_nothing(request, objects: Iterable, apply: Callable) -> bool:
    """Apply a service to every object in one transaction. If any is refused, roll all of them
    back and show every refusal, so that staff can correct the selection and try again."""
    errors = []
    with transaction.atomic():
        for obj in objects:
            try:
                apply(obj)
            except ValidationError as error:
                errors.append(_("%(object)s：%(error)s") % {"object": obj, "error": error_text(error)})
        if errors:
            transaction.set_rollback(True)
    if errors:
        messages.error(request, _("操作未执行，没有任何改动。原因如下："))
        for error in errors:
            messages.error(request, error)
    return not errors


def back_from_action(model_admin, request, objects):
    """After an action started on a change page, return there; otherwise to the list."""
    if request.POST.get("from_change") and len(objects) == 1:
        return HttpResponseRedirect(admin_url(model_admin.model, "change", objects[0].pk))
    return None


def workbook(*datasets: tablib.Dataset) -> bytes:
    """An xlsx file of one sheet per dataset, every text cell formula-safe, numbers kept as numbers."""
    for dataset in datasets:
        for i, row in enumerate(list(dataset)):
            dataset[i] = tuple(neutralise_formula(cell) for cell in row)
    if len(datasets) == 1:
        return datasets[0].export("xlsx")
    return tablib.Databook(list(datasets)).export("xlsx")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=SafeXLSX.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
