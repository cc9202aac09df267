import json

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.core import admin_calendar, admin_operations, admin_setup, services  # noqa: F401  (register their pages)
from apps.core.admin_filters import BoundedCountPaginator, warn_when_bounded
from apps.core.admin_mixins import InvalidFilterMixin, RendaModelAdmin, ScopedAdminMixin
from apps.core.admin_setup import ReferenceImportMixin
from apps.core.config import config
from apps.core.export_jobs import BackgroundExportMixin
from apps.core.exports import SafeXLSX
from apps.core.import_admin import RendaExportMixin
from apps.core.models import AuditEvent, CongressSession, CongressTerm, CountySettings, HandlingUnit, Region, User
from apps.core.resources import (
    AuditEventResource,
    CongressSessionResource,
    CongressTermResource,
    HandlingUnitResource,
    UserResource,
    target_type_label,
)
from apps.core.selectors import audit_events_visible_to, users_visible_to

# The default; StaffOTPAdminSite.each_context puts the signed-in user's county's name over it.
admin.site.site_header = config("", "SITE_NAME")
admin.site.site_title = config("", "SITE_NAME")
admin.site.index_title = _("后台管理")


@admin.register(Region)
class RegionAdmin(RendaModelAdmin):
    list_display = ["name", "code", "level", "kind", "parent", "sort_order", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    actions = ["update_from_division_codes"]
    change_list_template = "admin/core/region/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="core_region_import"),
            path("setup/", wrap(self.setup_view), name="core_setup_wizard"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        return admin_setup.region_import_view(self, request)

    def setup_view(self, request):
        return admin_setup.setup_wizard_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra = {"may_set_up": admin_setup.may_set_up(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not admin_setup.may_set_up(request.user):
            actions.pop("update_from_division_codes", None)
        return actions

    @admin.action(description=_("按区划代码更新所选县的区域"), permissions=["change"])
    def update_from_division_codes(self, request, queryset):
        county = queryset.filter(level=Region.Level.COUNTY).first()
        query = urlencode({"code": county.code}) if county else ""
        return HttpResponseRedirect(reverse("admin:core_region_import") + (f"?{query}" if query else ""))


@admin.register(CountySettings)
class CountySettingsAdmin(RendaModelAdmin):
    list_display = ["county", "site_name", "committee_name", "reply_months", "concern_resolve_workdays"]
    search_fields = ["county__name", "county__code"]
    list_select_related = ["county"]
    fieldsets = [
        (None, {"fields": ["county", "site_name", "committee_name", "public_contact"]}),
        (
            _("期限与提醒"),
            {
                "fields": [
                    "reply_months",
                    "reply_months_complex",
                    "due_soon_days",
                    "concern_accept_workdays",
                    "concern_resolve_workdays",
                    "concern_due_soon_days",
                ]
            },
        ),
        (_("名称"), {"fields": ["outcome_labels", "satisfaction_labels"]}),
        (_("履职积分与等次"), {"fields": ["duty_points", "grade_excellent_min", "grade_competent_min"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["county"] if obj is not None else []


class CongressSessionInline(admin.TabularInline):
    model = CongressSession
    extra = 0


@admin.register(CongressTerm)
class CongressTermAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = CongressTermResource
    list_display = ["__str__", "region", "number", "started_on", "ended_on"]
    list_filter = ["region__level"]
    search_fields = ["region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    inlines = [CongressSessionInline]


@admin.register(CongressSession)
class CongressSessionAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = CongressSessionResource
    list_display = ["__str__", "number", "opened_on", "closed_on"]
    search_fields = ["term__region__name"]
    list_select_related = ["term__region"]
    autocomplete_fields = ["term"]


@admin.register(HandlingUnit)
class HandlingUnitAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = HandlingUnitResource
    list_display = ["name", "short_name", "category", "region", "contact_person", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(ReferenceImportMixin, ScopedAdminMixin, DjangoUserAdmin):
    import_resource_class = UserResource
    list_display = ["username", "full_name", "role", "handling_unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "phone"]
    list_select_related = ["handling_unit"]
    autocomplete_fields = ["regions", "handling_unit"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["full_name", "phone", "email"]}),
        (_("角色与范围"), {"fields": ["role", "regions", "handling_unit", "is_active"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    superuser_fieldsets = [(_("超级用户权限"), {"fields": ["is_superuser", "groups", "user_permissions"]})]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "role", "regions", "handling_unit", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return users_visible_to(request.user, super().get_queryset(request))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            return [*fieldsets, *self.superuser_fieldsets]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class RoleScopeForm(form):
            def clean(self):
                cleaned = super().clean()
                role, regions = cleaned.get("role"), cleaned.get("regions")
                if role in User.STAFF_ROLES and "regions" in self.fields and not regions:
                    self.add_error("regions", _("工作人员必须指定管辖区域。"))
                return cleaned

        return RoleScopeForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.user_apply_role(user=form.instance)


class ActorFilter(admin.SimpleListFilter):
    """An account name typed in (a list of every account would be a province's 100k)."""

    title = _("操作人账号")
    parameter_name = "actor"
    template = "admin/renda/text_filter.html"

    def lookups(self, request, model_admin):
        return [(self.value() or "", self.value() or "")]

    def queryset(self, request, queryset):
        return queryset.filter(actor_username=self.value()) if self.value() else queryset

    def choices(self, changelist):
        others = [(k, v) for k, v in changelist.params.items() if k != self.parameter_name]
        yield {"value": self.value() or "", "name": self.parameter_name, "hidden": others}


@admin.register(AuditEvent)
class AuditEventAdmin(BackgroundExportMixin, RendaExportMixin, InvalidFilterMixin, admin.ModelAdmin):
    """The audit log: read and exported by the security auditor (and superusers); nobody, not even
    a superuser, adds, changes or deletes a row here (the retention purge is the only delete)."""

    resource_classes = [AuditEventResource]
    formats = [SafeXLSX]
    list_display = ["at", "kind", "actor_username", "ip", "target_label", "target_repr", "detail_text"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter), ActorFilter]
    search_fields = ["^actor_username"]
    search_help_text = _("按操作人账号查找（开头匹配）")
    list_select_related = ["target_type"]
    fields = [
        "at", "kind", "actor", "actor_username", "ip", "target_type", "target_id", "target_repr", "region_path",
        "detail_text",
    ]  # fmt: skip
    readonly_fields = fields
    paginator = BoundedCountPaginator
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        return audit_events_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return warn_when_bounded(request, super().changelist_view(request, extra_context))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    @admin.display(description=_("对象类型"))
    def target_label(self, event):
        return target_type_label(event)

    @admin.display(description=_("详情"))
    def detail_text(self, event):
        return json.dumps(event.detail, ensure_ascii=False, sort_keys=True, default=str)
