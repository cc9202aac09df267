"""Helpers for the admin pages the apps add beside Django's own: a page in the admin's frame,
actions applied all-or-nothing through services (declared with `service_action`), and formula-safe
workbooks."""

import functools
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import tablib
from django.contrib import admin, messages
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
        for refusal in errors:
            messages.error(request, refusal)
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


class service_action:  # lower case: it is used like `admin.action`, which it stands for
    """An admin action that calls one service for each selected record, all or nothing:

        accept_concerns = service_action(
            description=_("受理所选群众意见"), service=services.concern_accept, target="concern",
            done=_("已受理%(n)s条群众意见。"),
        )

    calls `services.concern_accept(concern=obj, by=request.user)` for each record. With a `form`
    a page asks for input first, and its field names are the service's other keyword arguments
    (`**form.cleaned_data`); `values` adds fixed ones. The action's name is the attribute it is
    assigned to, so the form page posts back to it. Hooks, each given the model admin and request:
    `form_kwargs(admin, request, queryset)` for the form's constructor; `refuse(admin, request,
    queryset)` returns a message (shown at `refusal_level`) to act on nothing; `may(admin, request,
    obj)` false refuses that record as out of scope; `apply(admin, request, obj, data)` replaces
    the service call where the form does not map onto it."""

    def __init__(
        self,
        *,
        description: str,
        done: str | Callable[[list], str],
        service: Callable[..., Any] | None = None,
        target: str = "",
        form: Callable[..., Any] | None = None,
        title: str = "",
        values: Mapping[str, Any] | None = None,
        form_kwargs: Callable[..., dict] | None = None,
        refuse: Callable[..., str | None] | None = None,
        refusal_level: int = messages.WARNING,
        may: Callable[..., bool] | None = None,
        apply: Callable[..., Any] | None = None,
        select_related: Sequence[str] = (),
        permissions: Sequence[str] = ("change",),
    ):
        if (service is None) == (apply is None):
            raise TypeError("service_action takes either a service or an apply function")
        self.service, self.target, self.done, self.form, self.title = service, target, done, form, title
        self.values, self.form_kwargs, self.apply = dict(values or {}), form_kwargs, apply
        self.refuse, self.refusal_level, self.may, self.select_related = refuse, refusal_level, may, select_related
        self.__name__ = ""
        admin.action(description=description, permissions=list(permissions))(self)

    def __set_name__(self, owner, name: str) -> None:
        self.__name__ = name

    def __get__(self, instance, owner=None):
        # Django calls an action looked up on the class as func(model_admin, request, queryset).
        return self if instance is None else types.MethodType(self, instance)

    def __call__(self, model_admin, request, queryset):
        refusal = self.refuse(model_admin, request, queryset) if self.refuse else None
        if refusal:
            model_admin.message_user(request, refusal, self.refusal_level)
            return None
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        apply = functools.partial(self._apply, model_admin, request)
        if self.form is None:
            return run_action(model_admin, request, queryset, apply=functools.partial(apply, data={}), done=self.done)
        kwargs = self.form_kwargs(model_admin, request, queryset) if self.form_kwargs else {}
        form = functools.partial(self.form, **kwargs)
        return form_action(
            model_admin, request, queryset, name=self.__name__, title=self.title, form=form, apply=apply, done=self.done
        )

    def _apply(self, model_admin, request, obj, data: dict) -> Any:
        if self.may is not None and not self.may(model_admin, request, obj):
            raise ValidationError(_("不在您的管辖范围内。"))
        if self.apply is not None:
            return self.apply(model_admin, request, obj, data)
        service = cast(Callable[..., Any], self.service)  # __init__ takes a service where there is no apply
        return service(**{self.target: obj}, **self.values, **data, by=request.user)


def for_user(model_admin, request, queryset) -> dict:
    """`form_kwargs` of an action whose form offers only what the user may choose."""
    return {"user": request.user}


def merge_targets(model_admin, request, queryset) -> dict:
    """`form_kwargs` of a merge: the records in the user's list that were not selected."""
    return {"targets": model_admin.get_queryset(request).exclude(pk__in=queryset.values("pk"))}


def only_one(message: str) -> Callable[..., str | None]:
    """`refuse` of an action that takes one record at a time."""

    def refuse(model_admin, request, queryset) -> str | None:
        return message if queryset.count() != 1 else None

    return refuse


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
