"""The groups back office: groups and members, activities, campaigns and their problems solved,
inspection batches. Every write goes through apps.groups.services; the pages gather input, show
what the services refuse, and list what they wrote."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core import checkin
from apps.core.admin_mixins import RendaModelAdmin, ScopedAdminMixin, ServiceAdminMixin
from apps.core.admin_pages import service_action
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin, RendaImportMixin
from apps.core.models import User
from apps.core.uploads import DownloadFileInput
from apps.groups import admin_views, services
from apps.groups.admin_forms import ActivityAdminForm, MembershipForm, MembershipFormSet, RejectForm
from apps.groups.models import (
    Activity,
    ActivityGroup,
    Campaign,
    GroupMembership,
    Inspection,
    InspectionSuggestion,
    ProblemSolved,
)
from apps.groups.resources import ActivityImportResource, ActivityResource, InspectionResource

Review = Activity.Review


class ScopedInline(ScopedAdminMixin, admin.TabularInline):
    """An inline whose rows follow the parent's scope: read-only under a parent above the user's."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._writable(request, obj)


def _values(data: dict, names) -> dict:
    return {name: data[name] for name in names if name in data}


def _written_by_services(formset) -> None:
    """What the change message reads when the services, not formset.save(), wrote the rows."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


def _committee_accounts():
    return User.objects.filter(role=User.Role.COMMITTEE, is_active=True).order_by("full_name", "username")


class ReviewActionsMixin:
    """Confirm and reject actions for Confirmable rows; a rejection asks for its reason first."""

    review_service = None  # e.g. services.activity_review
    review_argument = ""  # the service's keyword for the row, e.g. "activity"

    def _review(self, request, obj, *, confirm: bool, note: str = ""):
        type(self).review_service(**{self.review_argument: obj}, by=request.user, confirm=confirm, note=note)

    confirm_records = service_action(
        description=_("确认所选记录"),
        apply=lambda model_admin, request, obj, data: model_admin._review(request, obj, confirm=True),
        done=_("已确认%(n)s条记录，计入代表履职档案。"),
    )
    reject_records = service_action(
        description=_("不通过所选记录"),
        apply=lambda model_admin, request, obj, data: model_admin._review(request, obj, confirm=False, **data),
        form=RejectForm,
        title=_("不通过"),
        done=_("已将%(n)s条记录标为不通过，并通知了填报的代表。"),
    )
    actions = [confirm_records, reject_records]


class YearFilter(admin.SimpleListFilter):
    title = _("年度")
    parameter_name = "year"
    date_field = "date"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, this_year - 6, -1)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdecimal():  # not isdigit: int() refuses "²"
            return queryset.filter(**{f"{self.date_field}__year": int(self.value())})
        return queryset


# --- groups -------------------------------------------------------------------------------------


class MembershipInline(ScopedInline):
    model = GroupMembership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["representative", "joined_on", "left_on"]
    autocomplete_fields = ["representative"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("representative")


@admin.register(ActivityGroup)
class ActivityGroupAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["name", "theme", "region", "leader", "liaison", "size", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "theme", "leader__name"]
    list_select_related = ["region", "leader", "liaison_member"]
    autocomplete_fields = ["region", "leader"]
    fields = ["name", "theme", "region", "leader", "liaison_member", "liaison_name", "is_active"]
    inlines = [MembershipInline]

    def get_queryset(self, request):
        current = Q(memberships__left_on__isnull=True)
        return super().get_queryset(request).annotate(size=Count("memberships", filter=current))

    def get_readonly_fields(self, request, obj=None):
        # A group keeps its region: its members were chosen from it.
        return ["region"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "liaison_member":
            kwargs["queryset"] = _committee_accounts()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("联系的常委会组成人员"))
    def liaison(self, group):
        return group.liaison_display or "—"

    @admin.display(description=_("成员人数"), ordering="size")
    def size(self, group):
        return group.size

    def service_create(self, request, form):
        fields = _values(form.cleaned_data, ("name", "theme", "region", "leader", "liaison_member", "liaison_name"))
        return services.group_create(by=request.user, **fields)

    def service_update(self, request, obj, form):
        return services.group_update(group=obj, by=request.user, **_values(form.cleaned_data, services.GROUP_FIELDS))

    def save_formset(self, request, form, formset, change):
        if formset.model is not GroupMembership:
            return super().save_formset(request, form, formset, change)
        group = form.instance
        current = set(group.memberships.filter(left_on__isnull=True).values_list("representative", flat=True))
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            if row.instance.pk is None and data["representative"].pk not in current:
                services.group_member_add(
                    group=group, representative=data["representative"], joined_on=data["joined_on"], by=request.user
                )
            elif row.instance.pk and "left_on" in row.changed_data and data.get("left_on"):
                services.group_member_remove(membership=row.instance, left_on=data["left_on"], by=request.user)
        _written_by_services(formset)
        return None


# --- activities ---------------------------------------------------------------------------------


@admin.register(Activity)
class ActivityAdmin(ReviewActionsMixin, ServiceAdminMixin, RendaImportMixin, RendaExportMixin, RendaModelAdmin):
    import_resource_class = ActivityImportResource
    form = ActivityAdminForm
    resource_classes = [ActivityResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/import/change_list.html"
    list_display = [
        "date", "title", "kind", "group", "region", "headcount", "review_status", "reported_by", "checkin_link"
    ]  # fmt: skip
    list_filter = ["review_status", "kind", YearFilter, ("group", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "place", "group__name", "reported_by__name"]
    list_select_related = ["group", "region", "reported_by"]
    autocomplete_fields = ["group", "region", "participants"]
    review_service = services.activity_review
    review_argument = "activity"
    fieldsets = [
        (None, {"fields": ["group", "region", "kind", "title", "date", "place", "participants", "summary"]}),
        (_("成效"), {"fields": ["people_reached", "wishes_fulfilled", "problems_solved"]}),
        (_("确认"), {"fields": ["review_status", "reviewed_by", "reviewed_at", "review_note", "reported_by"]}),
    ]
    review_fields = ["review_status", "reviewed_by", "reviewed_at", "review_note", "reported_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(headcount=Count("participants"))
        return self.with_write_scope(request, queryset)

    def get_list_display(self, request):
        if self.has_change_permission(request):
            return self.list_display
        return [f for f in self.list_display if f != "checkin_link"]  # showing the code records attendance

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets[:2] if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["group", "region", *self.review_fields]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/checkin-code/", wrap(self.checkin_code_view), name="groups_activity_checkin_code"),
            *super().get_urls(),
        ]

    def checkin_code_view(self, request, object_id):
        return checkin.code_page(self, request, unquote(object_id), "activity")

    @admin.display(description=_("活动码"))
    def checkin_link(self, activity):
        if activity.review_status == Activity.Review.REJECTED or not getattr(activity, "in_write_scope", False):
            return "—"
        url = reverse("admin:groups_activity_checkin_code", args=[activity.pk])
        return format_html('<a href="{}">{}</a>', url, _("出示"))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_export_permission(self, request):
        return request.user.has_perm("groups.export_activity")

    @admin.display(description=_("参加人数"), ordering="headcount")
    def headcount(self, activity):
        return activity.headcount

    def service_create(self, request, form):
        data = form.cleaned_data
        return services.activity_record(
            group=data.get("group"),
            region=data.get("region"),
            participants=data["participants"],
            by=request.user,
            **_values(data, services.ACTIVITY_FIELDS),
        )

    def service_update(self, request, obj, form):
        data = form.cleaned_data
        fields = _values(data, services.ACTIVITY_FIELDS)
        return services.activity_update(activity=obj, participants=data["participants"], by=request.user, **fields)


# --- campaigns and problems solved --------------------------------------------------------------


@admin.register(Campaign)
class CampaignAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["name", "region", "started_on", "ended_on", "solved", "pending"]
    search_fields = ["name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    fields = ["name", "region", "started_on", "ended_on", "description"]

    def get_queryset(self, request):
        counted = Q(problems__review_status=Review.CONFIRMED, problems__is_solved=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                solved_count=Count("problems", filter=counted),
                pending_count=Count("problems", filter=Q(problems__review_status=Review.PENDING)),
            )
        )

    def _problems_link(self, campaign, count, **filters):
        query = "&".join([f"campaign__id__exact={campaign.pk}", *(f"{k}={v}" for k, v in filters.items())])
        return format_html('<a href="{}?{}">{}</a>', reverse("admin:groups_problemsolved_changelist"), query, count)

    @admin.display(description=_("已解决问题（件）"), ordering="solved_count")
    def solved(self, campaign):
        return self._problems_link(
            campaign, campaign.solved_count, review_status__exact="confirmed", is_solved__exact=1
        )

    @admin.display(description=_("待确认（件）"), ordering="pending_count")
    def pending(self, campaign):
        return self._problems_link(campaign, campaign.pending_count, review_status__exact="pending")

    def service_create(self, request, form):
        return services.campaign_create(by=request.user, **_values(form.cleaned_data, services.CAMPAIGN_FIELDS))

    def service_update(self, request, obj, form):
        fields = _values(form.cleaned_data, services.CAMPAIGN_FIELDS)
        return services.campaign_update(campaign=obj, by=request.user, **fields)


@admin.register(ProblemSolved)
class ProblemSolvedAdmin(ReviewActionsMixin, ServiceAdminMixin, RendaModelAdmin):
    list_display = ["date", "representative", "township", "campaign", "problem_short", "is_solved", "review_status"]
    list_filter = ["review_status", "is_solved", YearFilter, ("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["problem", "representative__name", "township__name"]
    list_select_related = ["representative", "township", "campaign"]
    autocomplete_fields = ["campaign", "representative"]
    fields = ["campaign", "representative", "date", "problem", "action_taken", "is_solved"]
    review_fields = ["township", "review_status", "reviewed_by", "reviewed_at", "review_note"]
    review_service = services.problem_review
    review_argument = "problem"

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.review_fields]

    @admin.display(description=_("问题"))
    def problem_short(self, problem):
        return Truncator(problem.problem).chars(40)

    # A record is confirmed or rejected by the actions, never edited: no service_update, so its
    # page is read-only once saved.
    def service_create(self, request, form):
        return services.problem_record(by=request.user, **_values(form.cleaned_data, self.fields))


# --- inspections --------------------------------------------------------------------------------


def _new_upload(data: dict):
    """The report file chosen on this page, if one was (not the stored file the page shows)."""
    upload = data.get("report_file")
    return upload if upload and hasattr(upload, "size") and not getattr(upload, "_committed", False) else None


class SuggestionInline(ScopedInline):
    model = InspectionSuggestion
    fields = ["text", "proposal"]
    autocomplete_fields = ["proposal"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("proposal")


@admin.register(Inspection)
class InspectionAdmin(ServiceAdminMixin, RendaExportMixin, RendaModelAdmin):
    resource_classes = [InspectionResource]
    formats = SPREADSHEET_FORMATS
    list_display = ["batch", "kind", "topic", "region", "started_on", "ended_on", "status", "headcount"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["topic", "organiser"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "participants"]
    fields = [
        "batch_label", "kind", "region", "topic", "started_on", "ended_on", "organiser", "participants", "status",
        "report", "report_file",
    ]  # fmt: skip
    inlines = [SuggestionInline]
    formfield_overrides = {models.FileField: {"widget": DownloadFileInput(url_name="admin:groups_inspection_report")}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(headcount=Count("participants"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        report = path("<path:object_id>/report/", wrap(self.report_file_view), name="groups_inspection_report")
        return [report, *super().get_urls()]

    def report_file_view(self, request, object_id):
        return admin_views.report_file_view(self, request, unquote(object_id))

    def get_fields(self, request, obj=None):
        return self.fields[1:] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        # The number is given on creation, in order, and the batch stays in its region.
        return [] if obj is None else ["batch_label", "region"]

    @admin.display(description=_("批次"), ordering="batch_no")
    def batch(self, inspection):
        return _("%(year)s年第%(no)s批") % {"year": inspection.year, "no": inspection.batch_no}

    @admin.display(description=_("批次"))
    def batch_label(self, inspection):
        return self.batch(inspection)

    @admin.display(description=_("参加代表"), ordering="headcount")
    def headcount(self, inspection):
        return inspection.headcount

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_export_permission(self, request):
        return request.user.has_perm("groups.export_inspection")

    def service_create(self, request, form):
        data = form.cleaned_data
        return services.inspection_create(
            region=data["region"],
            participants=data["participants"],
            report_file=_new_upload(data),
            by=request.user,
            **_values(data, services.INSPECTION_FIELDS),
        )

    def service_update(self, request, obj, form):
        data = form.cleaned_data
        # The participants first: a refusal there comes before the report file is stored.
        services.inspection_set_participants(inspection=obj, participants=data["participants"], by=request.user)
        fields = _values(data, services.INSPECTION_FIELDS)
        return services.inspection_update(inspection=obj, report_file=_new_upload(data), by=request.user, **fields)

    def save_formset(self, request, form, formset, change):
        if formset.model is not InspectionSuggestion:
            return super().save_formset(request, form, formset, change)
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data or not row.has_changed():
                continue
            if row.instance.pk is None:
                services.inspection_suggestion_add(
                    inspection=form.instance, text=data["text"], proposal=data.get("proposal"), by=request.user
                )
                continue
            if "text" in row.changed_data:
                services.inspection_suggestion_update(suggestion=row.instance, text=data["text"], by=request.user)
            if "proposal" in row.changed_data:
                services.inspection_suggestion_link_proposal(
                    suggestion=row.instance, proposal=data.get("proposal"), by=request.user
                )
        _written_by_services(formset)
        return None
