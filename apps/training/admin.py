"""The back office of the "1+12" lecture halls.

Halls and instructors are reference data edited here directly. Lectures are saved through
apps.training.services (materials are checked by content); attendance and retraining change only
through the services: the attendance page of a lecture, the imports, and the actions.
Township staff read the county's hall, its instructors and lectures, and change only their own.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import F
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core import checkin
from apps.core.admin_mixins import RendaModelAdmin, ServiceAdminMixin
from apps.core.admin_pages import for_user, service_action
from apps.core.admin_setup import ReferenceImportMixin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin, RendaImportMixin
from apps.core.models import User
from apps.core.selectors import users_visible_to
from apps.training import admin_views, services
from apps.training.admin_forms import LectureForm, RetrainingAssignForm, RetrainingCompleteForm
from apps.training.models import Attendance, Instructor, Lecture, LectureHall, Retraining
from apps.training.resources import (
    AttendanceImportResource,
    AttendanceResource,
    InstructorResource,
    LectureHallResource,
    LectureImportResource,
    LectureResource,
)
from apps.training.selectors import with_quota


@admin.register(LectureHall)
class LectureHallAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = LectureHallResource
    list_display = ["name", "level", "region", "address", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "region__name"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]


# --- instructors -------------------------------------------------------------------------------


class BehindQuotaFilter(admin.SimpleListFilter):
    title = _("本年授课任务")
    parameter_name = "quota"

    def lookups(self, request, model_admin):
        return [("behind", _("未完成")), ("done", _("已完成"))]

    def queryset(self, request, queryset):
        if self.value() == "behind":
            return queryset.filter(held_count__lt=F("quota_target"))
        if self.value() == "done":
            return queryset.filter(held_count__gte=F("quota_target"))
        return queryset


class QuotaYearFilter(admin.SimpleListFilter):
    """Which year "lectures given / quota" and the quota filter are about (this year unless chosen):
    the dashboard links a year's instructors who met their quota here."""

    title = _("授课任务年度")
    parameter_name = "quota_year"
    YEARS_OFFERED = 5

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, this_year - self.YEARS_OFFERED, -1)]

    def queryset(self, request, queryset):
        return queryset  # InstructorAdmin.get_queryset counts the lectures of the chosen year

    @staticmethod
    def year(request) -> int:
        value = request.GET.get(QuotaYearFilter.parameter_name, "")
        return int(value) if value.isdigit() and 1900 < int(value) < 3000 else timezone.localdate().year


@admin.register(Instructor)
class InstructorAdmin(ReferenceImportMixin, RendaModelAdmin):
    import_resource_class = InstructorResource
    list_display = ["name", "kind", "position", "hall", "this_year", "account", "representative", "is_active"]
    list_filter = [BehindQuotaFilter, QuotaYearFilter, "kind", "is_active", ("hall", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "position", "hall__name"]
    list_select_related = ["hall", "user", "representative"]
    autocomplete_fields = ["hall", "representative"]
    change_list_template = "admin/training/instructor/change_list.html"
    fields = ["name", "kind", "position", "hall", "user", "representative", "yearly_quota", "is_active"]

    def get_queryset(self, request):
        # "Lectures this year / quota" and the filter come from one annotated query.
        return with_quota(super().get_queryset(request), year=QuotaYearFilter.year(request))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("behind-quota/", wrap(self.behind_quota_view), name="training_instructor_behind_quota"),
            *super().get_urls(),
        ]

    def behind_quota_view(self, request):
        return admin_views.behind_quota_view(self, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Accounts the user manages; the account list is not open to every staff member.
            kwargs["queryset"] = users_visible_to(request.user, User.objects.filter(is_active=True)).order_by(
                "username"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("年度授课/任务"), ordering="held_count")
    def this_year(self, instructor):
        late = instructor.held_count < instructor.quota_target
        text = f"{instructor.held_count} / {instructor.quota_target}"
        return format_html("<strong>{}</strong>", text) if late else text

    @admin.display(description=_("登录账号"), ordering="user__username")
    def account(self, instructor):
        return instructor.user or "—"


# --- lectures ----------------------------------------------------------------------------------


@admin.register(Lecture)
class LectureAdmin(ServiceAdminMixin, RendaImportMixin, RendaExportMixin, RendaModelAdmin):
    import_resource_class = LectureImportResource
    form = LectureForm
    resource_classes = [LectureResource, AttendanceResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/import/change_list.html"
    change_form_template = "admin/training/change_form.html"

    list_display = ["date", "hall", "topic", "theme", "instructor", "status", "attendance_link", "material_link"]
    list_filter = ["status", "theme", ("hall", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["topic", "hall__name", "instructor__name"]
    list_select_related = ["hall", "instructor"]
    autocomplete_fields = ["hall", "instructor"]
    date_hierarchy = "date"
    readonly_fields = ["material_link"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/attendance/", wrap(self.attendance_view), name="training_lecture_attendance"),
            path("<path:object_id>/checkin-code/", wrap(self.checkin_code_view), name="training_lecture_checkin_code"),
            *super().get_urls(),
        ]

    def attendance_view(self, request, object_id):
        return admin_views.attendance_view(self, request, unquote(object_id))

    def checkin_code_view(self, request, object_id):
        return checkin.code_page(self, request, unquote(object_id), "lecture")

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def service_create(self, request, form):
        return services.lecture_save(lecture=form.instance, by=request.user, materials_upload=form.new_upload())

    def service_update(self, request, obj, form):
        return services.lecture_save(lecture=obj, by=request.user, materials_upload=form.new_upload())

    def has_delete_permission(self, request, obj=None):
        # Unlike other service-backed records, a lecture entered by mistake may be deleted by the
        # committee (training.delete_lecture), with its attendance.
        return super(ServiceAdminMixin, self).has_delete_permission(request, obj)

    def workflow_buttons(self, request, obj):
        if not self.has_change_permission(request, obj) or obj.status == Lecture.Status.CANCELLED:
            return []
        buttons = [{"url": reverse("admin:training_lecture_attendance", args=[obj.pk]), "label": _("登记出勤")}]
        buttons += [{"url": reverse("admin:training_lecture_checkin_code", args=[obj.pk]), "label": _("活动码")}]
        if obj.status == Lecture.Status.PLANNED:
            buttons += [{"action": "mark_held", "label": _("记为已举办")}]
            buttons += [{"action": "mark_cancelled", "label": _("取消授课")}]
        return buttons

    def get_queryset(self, request):
        return self.with_write_scope(request, super().get_queryset(request))

    def get_list_display(self, request):
        if self.has_change_permission(request):
            return self.list_display
        return [f for f in self.list_display if f != "attendance_link"]  # marking attendance is a change

    @admin.display(description=_("出勤"))
    def attendance_link(self, lecture):
        if not getattr(lecture, "in_write_scope", False):
            return "—"  # a lecture of a hall above the user's township: theirs to read, not to mark
        url = reverse("admin:training_lecture_attendance", args=[lecture.pk])
        return format_html('<a href="{}">{}</a>', url, _("登记"))

    @admin.display(description=_("课件"))
    def material_link(self, lecture):
        if not lecture.materials:
            return "—"
        url = reverse("training:lecture_material", args=[lecture.pk])
        return format_html('<a href="{}">{}</a>', url, lecture.materials_name or _("下载"))

    mark_held = service_action(
        description=_("记为已举办"),
        service=services.lecture_set_status,
        target="lecture",
        values={"status": Lecture.Status.HELD},
        done=_("已将%(n)s次授课记为已举办。"),
    )
    mark_cancelled = service_action(
        description=_("取消所选授课"),
        service=services.lecture_set_status,
        target="lecture",
        values={"status": Lecture.Status.CANCELLED},
        done=_("已取消%(n)s次授课。"),
    )
    actions = [mark_held, mark_cancelled]


# --- attendance --------------------------------------------------------------------------------


@admin.register(Attendance)
class AttendanceAdmin(ServiceAdminMixin, RendaImportMixin, RendaExportMixin, RendaModelAdmin):
    """A read-only register: attendance is marked on a lecture's page or imported."""

    resource_classes = [AttendanceResource]
    import_resource_class = AttendanceImportResource
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/import/change_list.html"
    list_display = ["lecture_date", "lecture", "representative", "township", "status", "marked_by", "marked_at"]
    list_filter = ["status", ("lecture__hall", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["representative__name", "representative__credential_no", "lecture__topic"]
    list_select_related = ["lecture__hall", "representative__township", "marked_by"]
    fields = ["lecture", "representative", "status", "marked_by", "marked_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # without an object, "change" opens the import; an object's page never saves

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    @admin.display(description=_("日期"), ordering="lecture__date")
    def lecture_date(self, row):
        return row.lecture.date

    @admin.display(description=_("所在乡镇"))
    def township(self, row):
        return row.representative.township.name


# --- retraining --------------------------------------------------------------------------------


class OpenFilter(admin.SimpleListFilter):
    title = _("完成情况")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("未完成")), ("no", _("已完成"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(completed_on__isnull=self.value() == "yes")
        return queryset


@admin.register(Retraining)
class RetrainingAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["representative", "township", "assigned_on", "due_on", "completed_on", "lecture", "assigned_by"]
    list_filter = [OpenFilter]
    search_fields = ["representative__name", "reason"]
    list_select_related = ["representative__township", "lecture", "assigned_by"]
    autocomplete_fields = ["representative"]
    change_form_template = "admin/training/change_form.html"
    date_hierarchy = "assigned_on"
    readonly_fields = [
        "representative", "reason", "assigned_by", "assigned_on", "due_on", "completed_on", "completed_by",
        "lecture", "note",
    ]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RetrainingAssignForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["representative", "reason", "due_on"] if obj is None else self.readonly_fields

    # The saved page is read-only; "change" is the right to complete, through the action.
    def service_create(self, request, form):
        data = form.cleaned_data
        return services.retraining_assign(
            representative=data["representative"], reason=data["reason"], due_on=data["due_on"], by=request.user
        )

    def workflow_buttons(self, request, obj):
        if obj.completed_on is None and self.may_act(request, obj):
            return [{"action": "complete", "label": _("完成再培训")}]
        return []

    @admin.display(description=_("所在乡镇"))
    def township(self, retraining):
        return retraining.representative.township.name

    complete = service_action(
        description=_("完成所选再培训"),
        service=services.retraining_complete,
        target="retraining",
        may=lambda model_admin, request, retraining: model_admin.may_act(request, retraining),
        form=RetrainingCompleteForm,
        form_kwargs=for_user,
        title=_("完成再培训"),
        done=_("已完成%(n)s项再培训。"),
    )
    actions = [complete]
