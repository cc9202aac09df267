"""The back office of duty posts. Roles are the committee's list; posts are edited here (saved
through services.duty_post_save); assignments and work logs change only through the services, on
their own pages and through the list actions."""

from datetime import date

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import TownshipFilter
from apps.core.admin_mixins import ReadOnlyInline, RendaModelAdmin, ServiceAdminMixin
from apps.core.admin_pages import service_action
from apps.core.admin_setup import ReferenceImportMixin
from apps.core.import_admin import RendaImportMixin
from apps.core.selectors import townships_in_scope
from apps.posts import admin_views, selectors, services
from apps.posts.admin_forms import RejectForm, UnassignForm
from apps.posts.models import DutyPost, PostAssignment, PostLog, PostRole
from apps.posts.resources import DutyPostResource, PostAssignmentResource, PostRoleResource

Review = PostLog.Review


class ActiveDuringFilter(admin.SimpleListFilter):
    """Posts set up during some part of a period ("2022-01-01..2022-12-31"): what a year's or a
    term's post count on the dashboard counts."""

    title = _("设岗期间")
    parameter_name = "active_during"
    YEARS_OFFERED = 5

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        years = range(this_year, this_year - self.YEARS_OFFERED, -1)
        return [(f"{y}-01-01..{y}-12-31", _("%(year)s年") % {"year": y}) for y in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        starts_on, ends_on = (date.fromisoformat(day) for day in self.value().split(".."))  # else invalid filter
        return queryset.active_during(starts_on, ends_on)


class HeldDuringFilter(ActiveDuringFilter):
    title = _("在岗期间")
    parameter_name = "held_during"

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        starts_on, ends_on = (date.fromisoformat(day) for day in self.value().split(".."))
        return queryset.filter(started_on__lte=ends_on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=starts_on))


class AssignmentTownshipFilter(TownshipFilter):
    township_field = "post__township"


class LogTownshipFilter(TownshipFilter):
    township_field = "assignment__post__township"


# --- roles and posts ----------------------------------------------------------------------------


@admin.register(PostRole)
class PostRoleAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = PostRoleResource
    list_display = ["name", "description", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # posts keep their role; a role no longer used is switched off


class AssignmentInline(ReadOnlyInline):
    model = PostAssignment
    fields = ["representative", "started_on", "ended_on", "assigned_by"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("representative", "assigned_by")


@admin.register(DutyPost)
class DutyPostAdmin(ServiceAdminMixin, RendaImportMixin, RendaModelAdmin):
    import_resource_class = DutyPostResource
    change_list_template = "admin/posts/dutypost/change_list.html"

    list_display = ["title", "role", "field", "township", "village", "programme", "filled", "is_active"]
    list_filter = [TownshipFilter, ActiveDuringFilter, "role", "field", "programme", "is_active"]
    list_select_related = ["role", "township", "village"]
    search_fields = ["title", "township__name", "village__name"]
    search_help_text = _("按岗位名称、乡镇或村（社区）查找")
    autocomplete_fields = ["village"]
    fields = ["title", "role", "field", "township", "village", "programme", "capacity", "description", "is_active"]
    fields += ["set_up_on", "closed_on"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("counts/", wrap(self.counts_view), name="posts_dutypost_counts"),
            path("counts/export/", wrap(self.counts_xlsx_view), name="posts_dutypost_counts_export"),
            *super().get_urls(),
        ]

    def counts_view(self, request):
        return admin_views.counts_view(self, request)

    def counts_xlsx_view(self, request):
        return admin_views.counts_xlsx_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_counts_permission": self.has_view_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(held_now=selectors.held_on(timezone.localdate()))

    @admin.display(description=_("在岗／定员"), ordering="held_now")
    def filled(self, post):
        return f"{post.held_now}/{post.capacity}"

    def get_inlines(self, request, obj):
        return [] if obj is None else [AssignmentInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "township":
            kwargs["queryset"] = townships_in_scope(request.user)
        elif db_field.name == "role":
            kwargs["queryset"] = PostRole.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and request.user.has_perm("posts.add_postassignment"):
            context["assign_url"] = reverse("admin:posts_postassignment_add") + f"?post={obj.pk}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service_create(self, request, form):
        return services.duty_post_save(post=form.instance, by=request.user)

    def service_update(self, request, obj, form):
        return services.duty_post_save(post=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # A post set up by mistake may be deleted by the committee (posts.delete_dutypost).
        return super(ServiceAdminMixin, self).has_delete_permission(request, obj)


# --- assignments --------------------------------------------------------------------------------


class CurrentFilter(admin.SimpleListFilter):
    title = _("是否在岗")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("在岗")), ("no", _("已离岗"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.current_on(today)
        if self.value() == "no":
            return queryset.filter(ended_on__lt=today)
        return queryset


@admin.register(PostAssignment)
class PostAssignmentAdmin(ServiceAdminMixin, RendaImportMixin, RendaModelAdmin):
    import_resource_class = PostAssignmentResource
    list_display = ["representative", "post", "township", "role", "started_on", "ended_on", "assigned_by"]
    list_filter = [CurrentFilter, HeldDuringFilter, AssignmentTownshipFilter, "post__role", "post__field"]
    list_select_related = ["representative", "post__township", "post__role", "assigned_by"]
    search_fields = ["representative__name", "representative__credential_no", "post__title"]
    search_help_text = _("按代表姓名、代表证号或岗位名称查找")
    autocomplete_fields = ["post", "representative"]
    date_hierarchy = "started_on"
    fields = ["post", "representative", "started_on", "ended_on", "assigned_by", "assigned_at", "ended_by"]
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.assign_view(self, request)

    @admin.display(description=_("乡镇"), ordering="post__township__code")
    def township(self, assignment):
        return assignment.post.township

    @admin.display(description=_("岗位角色"))
    def role(self, assignment):
        return assignment.post.role

    def workflow_buttons(self, request, obj):
        if obj.ended_on is None and self.may_act(request, obj):
            return [{"action": "unassign", "label": _("办理离岗")}]
        return []

    unassign = service_action(
        description=_("办理离岗"),
        service=services.post_unassign,
        target="assignment",
        form=UnassignForm,
        title=_("办理离岗"),
        done=_("已为%(n)s项岗位安排办理离岗。"),
    )
    actions = [unassign]


# --- work logs ----------------------------------------------------------------------------------


@admin.register(PostLog)
class PostLogAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["date", "representative", "post", "township", "short_content", "review_status", "reviewed_by"]
    list_display_links = ["date", "representative"]
    list_filter = ["review_status", LogTownshipFilter, "assignment__post__role"]
    list_select_related = ["assignment__representative", "assignment__post__township", "reviewed_by"]
    search_fields = ["assignment__representative__name", "assignment__post__title", "content"]
    search_help_text = _("按代表姓名、岗位名称或工作内容查找")
    date_hierarchy = "date"
    fields = [
        "assignment", "date", "content", "photo_links", "created_by", "created_at",
        "review_status", "reviewed_by", "reviewed_at", "review_note",
    ]  # fmt: skip
    readonly_fields = fields

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/photos/<int:photo_id>/", wrap(self.photo_view), name="posts_postlog_photo"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.log_add_view(self, request)

    def photo_view(self, request, object_id, photo_id):
        return admin_views.log_photo_view(self, request, unquote(object_id), photo_id)

    @admin.display(description=_("代表"), ordering="assignment__representative")
    def representative(self, log):
        return log.assignment.representative

    @admin.display(description=_("岗位"))
    def post(self, log):
        return log.assignment.post

    @admin.display(description=_("乡镇"))
    def township(self, log):
        return log.assignment.post.township

    @admin.display(description=_("工作内容"))
    def short_content(self, log):
        return Truncator(log.content).chars(40)

    @admin.display(description=_("照片"))
    def photo_links(self, log):
        links = [
            (reverse("admin:posts_postlog_photo", args=[log.pk, photo.pk]), _("照片%(n)s") % {"n": i})
            for i, photo in enumerate(log.photos.all(), 1)
        ]
        if not links:
            return "—"
        return format_html_join(" | ", '<a href="{}" target="_blank" rel="noopener">{}</a>', links)

    def workflow_buttons(self, request, obj):
        if obj.review_status != Review.PENDING or not self.may_act(request, obj):
            return []
        return [{"action": "confirm_logs", "label": _("确认")}, {"action": "reject_logs", "label": _("不通过")}]

    confirm_logs = service_action(
        description=_("确认所选工作记录"),
        service=services.post_log_review,
        target="log",
        values={"confirm": True},
        select_related=["assignment__post"],
        done=_("已确认%(n)s条工作记录，计入履职积分。"),
    )
    reject_logs = service_action(
        description=_("所选工作记录不通过"),
        service=services.post_log_review,
        target="log",
        values={"confirm": False},
        select_related=["assignment__post"],
        form=RejectForm,
        title=_("工作记录不通过"),
        done=_("已将%(n)s条工作记录退回，并通知了代表。"),
    )
    actions = [confirm_logs, reject_logs]
