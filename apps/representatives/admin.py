import logging

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from apps.core.admin_mixins import RendaModelAdmin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.representatives.models import Constituency, Representative
from apps.representatives.resources import RepresentativeResource

audit = logging.getLogger("renda.audit")


@admin.register(Constituency)
class ConstituencyAdmin(RendaModelAdmin):
    list_display = ["number", "name", "term", "township"]
    list_filter = ["term"]
    search_fields = ["name"]
    list_select_related = ["term__region", "township"]
    autocomplete_fields = ["term", "township"]


@admin.register(Representative)
class RepresentativeAdmin(ImportExportMixin, RendaModelAdmin):
    resource_classes = [RepresentativeResource]
    formats = SPREADSHEET_FORMATS
    list_display = ["name", "gender", "level", "township", "category", "party", "phone", "status"]
    list_filter = ["level", "status", "category", "township", "term", "gender"]
    search_fields = ["name", "credential_no", "occupation"]
    list_select_related = ["township"]
    autocomplete_fields = ["township", "term", "constituency", "user"]
    fieldsets = [
        (None, {"fields": ["name", "gender", "ethnicity", "birth_date", "party", "education", "occupation"]}),
        (_("代表资格"), {"fields": ["level", "term", "constituency", "township", "category", "credential_no"]}),
        (_("联系方式"), {"fields": ["phone", "user"]}),
        (_("状态"), {"fields": ["status", "elected_on", "status_changed_on"]}),
    ]

    @admin.display(description=_("联系电话"))
    def masked_phone(self, rep):
        return rep.masked_phone

    def get_list_display(self, request):
        if request.user.has_perm("representatives.view_representative_contact"):
            return self.list_display
        return [("masked_phone" if f == "phone" else f) for f in self.list_display]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.has_perm("representatives.view_representative_contact"):
            return fieldsets
        return [(name, opts) for name, opts in fieldsets if name != _("联系方式")]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and request.user.has_perm("representatives.view_representative_contact"):
            audit.info("view representative contact id=%s by=%s", object_id, request.user.pk)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}
