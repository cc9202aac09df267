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


def _done(done, objects: list) -> str:
    return done(objects) if callable(done) else done % {"n": len(objects)}


def run_action(model_admin, request, queryset, *, apply: Callable, done):
    """An admin action that calls a service for each selected object, all or nothing.
    `done` is the message of success: a text with %(n)s, or a function of the objects."""
    objects = list(queryset)
    if all_or_nothing(request, objects, apply):
        model_admin.message_user(request, _done(done, objects), messages.SUCCESS)
    return back_from_action(model_admin, request, objects)


def form_action(model_admin, request, queryset, *, name: str, title: str, form, apply: Callable, done):
    """An action that asks for input first: its page posts back to the list with the same selection."""
    objects = list(queryset)
    bound = form(request.POST if "apply" in request.POST else None)
    if bound.is_bound and bound.is_valid():
        if all_or_nothing(request, objects, lambda obj: apply(obj, bound.cleaned_data)):
            model_admin.message_user(request, _done(done, objects), messages.SUCCESS)
        return back_from_action(model_admin, request, objects)
    return page(
        model_admin,
        request,
        "admin/renda/action_form.html",
        title,
        form=bound,
        objects=objects,
        action=name,
        from_change=request.POST.get("from_change", ""),
        media=model_admin.media + bound.media,
    )


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
