"""The liaison offices and village stations, and their funding: reference data edited here."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import CountyFilter
from apps.core.admin_mixins import RendaModelAdmin
from apps.core.admin_setup import ReferenceImportMixin
from apps.core.text import TextHygieneMixin
from apps.liaison import admin_views
from apps.liaison.admin.filters import FundingCountyFilter, FundingTownshipFilter, RegionTownshipFilter
from apps.liaison.models import Funding, LiaisonOffice
from apps.liaison.resources import LiaisonOfficeResource


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0
    fields = ["year", "amount", "source", "note"]


class StationInlineForm(TextHygieneMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A station is added under its township's office.
        self.instance.level = LiaisonOffice.Level.STATION


class StationInline(admin.TabularInline):
    model = LiaisonOffice
    form = StationInlineForm
    fk_name = "parent"
    extra = 0
    fields = ["name", "region", "established_on", "head", "liaison_officer", "phone", "address", "opening_hours"]
    fields += ["is_active"]
    autocomplete_fields = ["region"]
    verbose_name = _("村（社区）联络站")
    verbose_name_plural = _("下设联络站")


@admin.register(LiaisonOffice)
class LiaisonOfficeAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = LiaisonOfficeResource
    list_display = ["name", "level", "region", "parent", "established_on", "head", "liaison_officer", "phone"]
    list_display += ["is_active", "poster_link"]
    list_filter = ["level", "is_active", CountyFilter, RegionTownshipFilter]
    actions = ["print_contact_posters"]
    search_fields = ["name", "region__name", "head", "liaison_officer"]
    list_select_related = ["region", "parent"]
    autocomplete_fields = ["region", "parent"]
    fieldsets = [
        (None, {"fields": ["name", "level", "region", "parent", "established_on", "is_active"]}),
        (_("人员与联系方式"), {"fields": ["head", "liaison_officer", "phone", "address", "opening_hours"]}),
        (_("地图位置"), {"fields": ["latitude", "longitude"]}),
    ]

    def get_inlines(self, request, obj):
        if obj is not None and obj.level == LiaisonOffice.Level.STATION:
            return [FundingInline]
        return [FundingInline, StationInline]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/contact-poster/",
                wrap(self.contact_poster_view),
                name="liaison_liaisonoffice_contact_poster",
            ),
            *super().get_urls(),
        ]

    def contact_poster_view(self, request, object_id):
        return admin_views.contact_poster_view(self, request, unquote(object_id))

    @admin.display(description=_("联络站码"))
    def poster_link(self, office):
        if not office.is_active:
            return "—"
        url = reverse("admin:liaison_liaisonoffice_contact_poster", args=[office.pk])
        return format_html('<a href="{}">{}</a>', url, _("印制"))

    @admin.action(description=_("印制所选联络站（工作室）的联络站码（PDF）"), permissions=["view"])
    def print_contact_posters(self, request, queryset):
        return admin_views.contact_posters_response(request, queryset.select_related("region"))


@admin.register(Funding)
class FundingAdmin(RendaModelAdmin):
    list_display = ["office", "year", "amount", "source", "note"]
    list_filter = ["year", "source", FundingCountyFilter, FundingTownshipFilter]
    search_fields = ["office__name", "source"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
