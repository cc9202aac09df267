"""The admin side of scoping: every renda ModelAdmin inherits ScopedAdminMixin."""

import dataclasses
from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import BooleanField, ExpressionWrapper, Value
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from apps.core import admin_pages
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event, looks_like_phone
from apps.core.forms import DecisionNoteForm, add_service_errors
from apps.core.scope import ScopedQuerySet, scope_for
from apps.core.signals import audit_log_entry
from apps.core.text import with_text_hygiene


def _is_scoped(model) -> bool:
    return isinstance(model._default_manager.all(), ScopedQuerySet)


def _keeps_versions(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _scope_path_of(obj) -> str | None:
    """The region path that decides `obj`'s scope, following `scope_path` ("township__path")."""
    value = obj
    for attr in type(obj).scope_path.split("__"):
        value = getattr(value, attr, None)
        if value is None:
            return None
    return value


_django_readonly_link = helpers.AdminReadonlyField.get_admin_url


def readonly_link_if_it_opens(field, remote_field, remote_obj):
    """Django links every read-only relation on a change page to the related admin page, whether
    or not the reader may open it (a county unit seen by township staff, any account seen by
    staff who do not manage accounts): link only what opens, show the rest as text.

    Installed over `AdminReadonlyField.get_admin_url` by CoreConfig.ready(); the request comes from
    simple_history's middleware, which holds it for the whole request."""
    request = getattr(HistoricalRecords.context, "request", None)
    related_admin = field.model_admin.admin_site._registry.get(type(remote_obj))
    if request is None or related_admin is None or not related_admin.has_view_or_change_permission(request):
        return str(remote_obj)
    if not related_admin.get_queryset(request).filter(pk=remote_obj.pk).exists():
        return str(remote_obj)
    return _django_readonly_link(field, remote_field, remote_obj)


class InvalidFilterMixin:
    """A hand-edited filter (?session=abc, "²", a NUL byte PostgreSQL refuses) gets the admin's
    "invalid filter" redirect, not a 500."""

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except (ValueError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error


class ScopedAdminMixin(InvalidFilterMixin):
    """Rows outside the user's scope are absent from lists and autocomplete, 404 when opened,
    and cannot be chosen in forms; rows merely above the scope (reference data) are read-only."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if isinstance(qs, ScopedQuerySet) else qs

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("对象不存在或不在您的管辖范围内。"))
        return obj

    def _formfield_scoped(self, db_field, request, kwargs):
        related = db_field.related_model
        if "queryset" not in kwargs and _is_scoped(related):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._formfield_scoped(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._formfield_scoped(db_field, request, kwargs))

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        if len(entries) > 1:  # written with bulk_create, which sends no post_save to the audit log
            for entry in entries:
                audit_log_entry(entry)
        return entries

    def _writable(self, request, obj) -> bool:
        return obj is None or not _is_scoped(type(obj)) or scope_for(request.user).covers(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writable(request, obj)

    def with_write_scope(self, request, queryset):
        """Each row annotated `in_write_scope`: whether this user's scope lets them change it, so a
        list draws an action's link only on the rows where the action will open (one query)."""
        scope = scope_for(request.user)
        q = None if scope.unrestricted else scope.q_for(self.model, strict=True)
        if scope.unrestricted or q is None:
            return queryset.annotate(in_write_scope=Value(scope.unrestricted, output_field=BooleanField()))
        return queryset.annotate(in_write_scope=ExpressionWrapper(q, output_field=BooleanField()))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._writable(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = with_text_hygiene(super().get_form(request, obj, change=change, **kwargs))
        scope = scope_for(request.user)
        model = self.model
        if scope.unrestricted or not getattr(model, "scope_path", None):
            return form

        class ScopeCheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                path = _scope_path_of(self.instance)
                if path is not None and not any(path.startswith(p) for p in scope.region_paths):
                    self.add_error(None, ValidationError(_("所选区域不在您的管辖范围内。")))

        return ScopeCheckedForm

    # The inlines' and the list's editable forms clean their text like the page's own form.
    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = with_text_hygiene(formset.form)
            yield formset, inline

    def get_changelist_form(self, request, **kwargs):
        return with_text_hygiene(super().get_changelist_form(request, **kwargs))


class _MaskingRecordHelper(HistoricalRecordContextHelper):
    """A history diff with the personal fields the reader may not see masked, old and new."""

    def __init__(self, model, record, masks: dict[str, Callable[[str], str]]):
        super().__init__(model, record)
        self.masks = masks

    def format_delta_change(self, change: ModelChange) -> ModelChange:
        mask = self.masks.get(change.field)
        if mask is not None:
            change = dataclasses.replace(change, old=mask(change.old or ""), new=mask(change.new or ""))
        return super().format_delta_change(change)


class PersonalDataAdminMixin:
    """Personal fields only some staff may read: `personal_data = {field: (permission, mask)}`.

    The one declaration masks the field on every surface the base admin draws for users without
    the permission: history diffs, and search (a search by a phone number would say who has it).
    Lists, change pages and exports show their own masked columns (see the models' admins)."""

    personal_data: dict[str, tuple[str, Callable[[str], str]]] = {}

    def masks_for(self, request) -> dict[str, Callable[[str], str]]:
        return {f: mask for f, (perm, mask) in self.personal_data.items() if not request.user.has_perm(perm)}

    def get_search_fields(self, request):
        hidden = self.masks_for(request)
        return [f for f in super().get_search_fields(request) if f.lstrip("^=@") not in hidden]

    def get_historical_record_context_helper(self, request, historical_record):
        return _MaskingRecordHelper(self.model, historical_record, self.masks_for(request))


class RendaModelAdmin(PersonalDataAdminMixin, ScopedAdminMixin, SimpleHistoryAdmin):
    """Base for renda's admin pages: scoped, with change history, personal data masked."""

    list_per_page = 50
    show_full_result_count = False
    # Fields a revert to an old version leaves as they are live: they change only through a
    # service that records why (a representative's status), never by restoring an old row.
    revert_keeps: tuple[str, ...] = ()

    # simple_history would fall back to the history rows of a missing object, whatever the
    # scope: check the live object first.
    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))
        if not _keeps_versions(self.model):
            # No HistoricalRecords on this model: Django's own log of admin changes.
            response = admin.ModelAdmin.history_view(self, request, object_id, extra_context)
            response.template_name = "admin/object_history.html"
            return response
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        live = self.get_object(request, unquote(object_id))
        if not _keeps_versions(self.model):
            raise Http404
        # simple_history saves a POSTed old version whatever it shows: a revert is a write.
        if request.method == "POST" and not self.may_revert(request, live):
            raise PermissionDenied
        request._revert_live = live
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        live = getattr(request, "_revert_live", None)
        for name in self.revert_keeps if live is not None else ():
            setattr(obj, name, getattr(live, name))
        super().save_model(request, obj, form, change)

    def reverts_by_plain_save(self) -> bool:
        """A revert saves the old version through `save_model`: only where that is a plain save.
        Records written by services (an overridden `save_model`, or none at all) change through
        their services' actions, never by restoring an old row around them."""
        cls = type(self)
        plain_page = cls.changeform_view is admin.ModelAdmin.changeform_view
        return plain_page and cls.save_model is RendaModelAdmin.save_model

    def may_revert(self, request, live) -> bool:
        return self.reverts_by_plain_save() and self.has_change_permission(request, live)

    def revert_disabled(self, request, obj=None):
        # simple_history passes the old version's instance: decide on the live row.
        live = self.get_queryset(request).filter(pk=obj.pk).first() if obj is not None else None
        return live is None or not self.may_revert(request, live)


class WorkflowButtonsMixin:
    """Buttons on the change page that run the list's actions on this one object, or open a page."""

    def workflow_buttons(self, request, obj) -> list[dict]:
        return []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["workflow_buttons"] = self.workflow_buttons(request, obj)
            context["changelist_url"] = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return super().render_change_form(request, context, add, change, form_url, obj)


_NOT_PERMITTED = _lazy("所选内容不在您的管辖范围内，或您无权进行此操作。")


class ServiceAdminMixin(WorkflowButtonsMixin):
    """The one way an admin page writes a domain record: through its app's services.

    A page names its services in `service_create(request, form)` and, when the page may change a
    saved record, `service_update(request, obj, form)`; each returns the saved record. A page
    without `service_update` is read-only once saved (the list's actions and the page's buttons
    call the services), and nothing is deleted.

    When a service refuses (`service_errors`, or PermissionDenied), the whole save is rolled back
    to a savepoint and the page is drawn again with the person's input and the refusal on the
    form, under the field it names."""

    service_errors: tuple[type[Exception], ...] = (ValidationError,)

    def service_create(self, request, form):
        raise PermissionDenied

    service_update = None  # def service_update(self, request, obj, form) -> the saved record

    def has_change_permission(self, request, obj=None):
        # Without an object this answers "may run the actions"; a saved record's page is
        # editable only where the page has an update service.
        allowed = super().has_change_permission(request, obj if self.service_update else None)
        return allowed and (obj is None or self.service_update is not None)

    def may_act(self, request, obj) -> bool:
        """Whether the list's actions and the page's buttons may act on this record."""
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = self.service_update(request, obj, form) if change else self.service_create(request, form)
        if saved is not None and saved is not obj:
            # The admin goes on with `obj` (the change message, the redirect): make it the saved row.
            obj.__dict__.update({f.attname: getattr(saved, f.attname) for f in type(saved)._meta.concrete_fields})
            obj._state.adding, obj._state.db = False, saved._state.db

    def save_related(self, request, form, formsets, change):
        # The service wrote the form's many-to-many fields; inlines, where a page has them, save as usual.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        if request.method != "POST":
            return super()._changeform_view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super()._changeform_view(request, object_id, form_url, extra_context)
        except (*self.service_errors, PermissionDenied) as refusal:
            # Nothing of this save stays; validate again with the refusal on the form, which draws it.
            request._service_refusal = refusal
            return super()._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ServiceRefusalForm(form):
            def _post_clean(self):
                super()._post_clean()
                refusal = getattr(request, "_service_refusal", None)
                if isinstance(refusal, PermissionDenied):
                    self.add_error(None, str(_NOT_PERMITTED))
                elif refusal is not None:
                    add_service_errors(self, refusal)

        return ServiceRefusalForm


class DecisionAdminMixin(ServiceAdminMixin):
    """A unit's requests that staff approve or refuse (`apps.core.models.DecisionRequest`, a
    proposal's extension): the record is read-only; two actions, and the same two buttons on its
    page while it waits, call `decide`, which calls the app's service. A subclass sets `fields`,
    the labels and `decide(request, obj, *, approve, note)`; with `ask_note` the actions first ask
    for the note the unit will read."""

    list_filter = ["decision"]
    actions = ["approve", "reject"]
    approve_label = _lazy("同意")
    reject_label = _lazy("不同意")
    approve_description = _lazy("同意所选申请")
    reject_description = _lazy("不同意所选申请")
    decided_message = _lazy("已决定%(n)s项申请。")
    ask_note = True

    def decide(self, request, obj, *, approve: bool, note: str) -> None:
        raise NotImplementedError

    def related_buttons(self, obj) -> list[dict]:
        """Further buttons on a waiting request's page (the item it is about)."""
        return []

    def has_add_permission(self, request):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def workflow_buttons(self, request, obj):
        if obj.decision != "pending" or not self.has_decide_permission(request):
            return []
        buttons = [{"action": "approve", "label": self.approve_label}, {"action": "reject", "label": self.reject_label}]
        return buttons + self.related_buttons(obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name, description in (("approve", self.approve_description), ("reject", self.reject_description)):
            if name in actions:
                actions[name] = (actions[name][0], name, description)
        return actions

    def _decide(self, request, queryset, *, approve: bool):
        if not self.ask_note:
            return admin_pages.run_action(
                self,
                request,
                queryset,
                apply=lambda obj: self.decide(request, obj, approve=approve, note=""),
                done=self.decided_message,
            )
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="approve" if approve else "reject",
            title=self.approve_label if approve else self.reject_label,
            form=DecisionNoteForm,
            apply=lambda obj, data: self.decide(request, obj, approve=approve, note=data["note"]),
            done=self.decided_message,
        )

    @admin.action(description=_lazy("同意"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_lazy("不同意"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)


class NoDeleteMixin:
    """Workflow records are corrected by new records, never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


# --- personal data in the audit log -------------------------------------------------------------


def audit_personal_view(model_admin, request, response, object_id) -> None:
    """Log that a page showing a person's contact details was answered (GET, 200)."""
    if request.method != "GET" or response.status_code != 200:
        return
    obj = (getattr(response, "context_data", None) or {}).get("original")
    audit_event(Audit.PERSONAL_VIEW, request=request, target=obj or model_admin.get_object(request, unquote(object_id)))


class PhoneSearchAuditMixin:
    """A changelist search that looks like a phone number is a lookup of a person: logged."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        query = request.GET.get(SEARCH_VAR, "").strip()
        if request.method == "GET" and response.status_code == 200 and looks_like_phone(query):
            changelist = (getattr(response, "context_data", None) or {}).get("cl")
            results = changelist.result_count if changelist is not None else None
            audit_event(
                Audit.PHONE_SEARCH, request=request, register=self.opts.label_lower, query=query, results=results
            )
        return response
