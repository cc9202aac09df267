"""Reception schedules (reference data), and the reception days, duty shifts and reception
records that change only through apps.liaison.services."""

from dateutil.relativedelta import relativedelta
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core import admin_pages, checkin
from apps.core.admin_mixins import ReadOnlyInline, RendaModelAdmin, ServiceAdminMixin, WorkflowButtonsMixin
from apps.core.admin_pages import service_action
from apps.core.masking import mask_name, mask_phone
from apps.liaison import admin_views, services
from apps.liaison.admin.personal import PersonalDataMixin
from apps.liaison.admin_forms import CancelDayForm, GenerateDaysForm, MoveDayForm, ReceptionRecordAddForm
from apps.liaison.checkin import duty_day_of
from apps.liaison.models import DutyShift, ReceptionDay, ReceptionRecord, ReceptionSchedule

Attendance = DutyShift.Attendance


@admin.register(ReceptionSchedule)
class ReceptionScheduleAdmin(WorkflowButtonsMixin, RendaModelAdmin):
    list_display = ["office", "days_of_month", "starts_at", "ends_at", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["office__name"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]
    actions = ["generate_days"]

    def workflow_buttons(self, request, obj):
        if not self.has_change_permission(request, obj):
            return []
        return [{"action": "generate_days", "label": _("生成接待日")}]

    @admin.action(description=_("为所选安排生成今后几个月的接待日"), permissions=["change"])
    def generate_days(self, request, queryset):
        created = []

        def generate(schedule, data):
            if not schedule.is_active:
                raise ValidationError(_("该接待日安排已停用。"))
            end = data["start"] + relativedelta(months=data["months"], days=-1)
            created.append(services.reception_days_generate(schedule=schedule, start=data["start"], end=end))

        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="generate_days",
            title=_("生成接待日"),
            form=GenerateDaysForm,
            apply=generate,
            done=lambda objects: (
                _("已为%(n)s项安排新生成接待日%(days)s个（已有的日期保持不变）。")
                % {"n": len(objects), "days": sum(created)}
            ),
        )


class DutyShiftInline(ReadOnlyInline):
    model = DutyShift
    fields = ["representative", "attendance", "checked_in_at", "checked_out_at"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("representative")


@admin.register(ReceptionDay)
class ReceptionDayAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["date", "office", "starts_at", "ends_at", "status", "moved_from", "on_duty", "note"]
    list_filter = ["status", ("office", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["office__name"]
    list_select_related = ["office"]
    date_hierarchy = "date"
    fields = ["office", "date", "starts_at", "ends_at", "status", "moved_from", "note"]
    readonly_fields = fields
    inlines = [DutyShiftInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("shifts__representative")

    def has_add_permission(self, request):
        # Reception days come from the offices' schedules (action “生成接待日”).
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/duty/", wrap(self.duty_view), name="liaison_receptionday_duty"),
            path(
                "<path:object_id>/checkin-code/", wrap(self.checkin_code_view), name="liaison_receptionday_checkin_code"
            ),
            *super().get_urls(),
        ]

    def duty_view(self, request, object_id):
        return admin_views.duty_assign_view(self, request, unquote(object_id))

    def checkin_code_view(self, request, object_id):
        return checkin.code_page(self, request, unquote(object_id), "shift", event_of=duty_day_of)

    @admin.display(description=_("值班代表"))
    def on_duty(self, day):
        return "、".join(shift.representative.name for shift in day.shifts.all()) or "—"

    def workflow_buttons(self, request, obj):
        if not self.may_act(request, obj) or obj.status == ReceptionDay.Status.CANCELLED:
            return []
        return [
            {"url": reverse("admin:liaison_receptionday_duty", args=[obj.pk]), "label": _("安排值班代表")},
            {"url": reverse("admin:liaison_receptionday_checkin_code", args=[obj.pk]), "label": _("值班活动码")},
            {"action": "move_days", "label": _("调整日期")},
            {"action": "cancel_days", "label": _("取消接待日")},
        ]

    move_days = service_action(
        description=_("调整所选接待日的日期"),
        service=services.reception_day_move,
        target="day",
        form=MoveDayForm,
        title=_("调整接待日"),
        done=_("已调整%(n)s个接待日。"),
    )
    cancel_days = service_action(
        description=_("取消所选接待日"),
        service=services.reception_day_cancel,
        target="day",
        form=CancelDayForm,
        title=_("取消接待日"),
        done=_("已取消%(n)s个接待日，未履职的值班记为请假。"),
    )

    @admin.action(description=_("安排值班代表"), permissions=["change"])
    def assign_duty(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(request, _("请只选择一个接待日安排值班代表。"), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:liaison_receptionday_duty", args=[pks[0]]))

    actions = [move_days, cancel_days, assign_duty]


@admin.register(DutyShift)
class DutyShiftAdmin(ServiceAdminMixin, RendaModelAdmin):
    list_display = ["date", "office", "representative", "attendance", "checked_in_at", "checked_out_at", "checked_by"]
    list_filter = ["attendance", ("office", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["representative__name", "office__name"]
    list_select_related = ["office", "representative", "checked_by"]
    date_hierarchy = "date"
    fields = [
        "office", "reception_day", "representative", "date", "attendance", "checked_in_at", "checked_out_at",
        "checked_by",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        # Shifts are assigned on their reception day (“安排值班代表”).
        return False

    def workflow_buttons(self, request, obj):
        if not self.may_act(request, obj):
            return []
        buttons = []
        if not obj.checked_in_at:
            buttons.append({"action": "check_in", "label": _("签到")})
        elif not obj.checked_out_at:
            buttons.append({"action": "check_out", "label": _("签退")})
        marks = [("mark_attended", _("记为到岗")), ("mark_absent", _("记为缺勤")), ("mark_excused", _("记为请假"))]
        return buttons + [{"action": action, "label": label} for action, label in marks]

    check_in = service_action(
        description=_("为所选值班签到"),
        service=services.shift_check_in,
        target="shift",
        done=_("已为%(n)s个值班签到。"),
    )
    check_out = service_action(
        description=_("为所选值班签退"),
        service=services.shift_check_out,
        target="shift",
        done=_("已为%(n)s个值班签退。"),
    )
    mark_attended = service_action(
        description=_("记为到岗"),
        service=services.shift_mark,
        target="shift",
        values={"attendance": Attendance.ATTENDED},
        done=_("已将%(n)s个值班记为到岗。"),
    )
    mark_absent = service_action(
        description=_("记为缺勤"),
        service=services.shift_mark,
        target="shift",
        values={"attendance": Attendance.ABSENT},
        done=_("已将%(n)s个值班记为缺勤。"),
    )
    mark_excused = service_action(
        description=_("记为请假"),
        service=services.shift_mark,
        target="shift",
        values={"attendance": Attendance.EXCUSED},
        done=_("已将%(n)s个值班记为请假。"),
    )
    actions = [check_in, check_out, mark_attended, mark_absent, mark_excused]


# --- reception records --------------------------------------------------------------------------


@admin.register(ReceptionRecord)
class ReceptionRecordAdmin(PersonalDataMixin, ServiceAdminMixin, RendaModelAdmin):
    personal_fields = ("visitor_name", "visitor_phone")
    shown_fields = ("visitor_name_shown", "visitor_phone_shown")
    masked_fields = ("visitor", "visitor_phone_masked")
    public_search_fields = ["matter"]
    list_display = ["received_on", "office", "visitor", "visitor_phone_masked", "short_matter", "answered_on_spot"]
    list_display += ["concern_link", "recorded_by"]
    list_filter = ["answered_on_spot", ("office", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["office", "concern", "recorded_by"]
    date_hierarchy = "received_on"
    add_fieldsets = [
        (None, {"fields": ["office", "received_on", "visitor_name", "visitor_phone"]}),
        (_("反映事项"), {"fields": ["matter", "category", "is_urgent", "answered_on_spot", "answer"]}),
    ]
    fieldsets = [
        (None, {"fields": ["office", "reception_day", "received_on", "visitor_name_shown", "visitor_phone_shown"]}),
        (_("反映事项"), {"fields": ["matter", "answered_on_spot", "answer", "concern_link", "recorded_by"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ReceptionRecordAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "office":
            field.queryset = field.queryset.filter(is_active=True).select_related("region")
        return field

    @admin.display(description=_("来访人"))
    def visitor(self, record):
        return mask_name(record.visitor_name) or "—"

    @admin.display(description=_("联系电话"))
    def visitor_phone_masked(self, record):
        return mask_phone(record.visitor_phone) or "—"

    @admin.display(description=_("来访人"))
    def visitor_name_shown(self, record):
        return record.visitor_name or "—"

    @admin.display(description=_("联系电话"))
    def visitor_phone_shown(self, record):
        return record.visitor_phone or "—"

    @admin.display(description=_("反映事项"))
    def short_matter(self, record):
        return Truncator(record.matter).chars(40)

    @admin.display(description=_("群众意见"))
    def concern_link(self, record):
        if record.concern_id is None:
            return "—"
        url = reverse("admin:liaison_concern_change", args=[record.concern_id])
        return format_html('<a href="{}">{}</a>', url, record.concern.display_code)

    def service_create(self, request, form):
        data = form.cleaned_data
        return services.reception_record_add(
            office=data["office"],
            received_on=data["received_on"],
            matter=data["matter"],
            by=request.user,
            visitor_name=data["visitor_name"],
            visitor_phone=data["visitor_phone"],
            answered_on_spot=data["answered_on_spot"],
            answer=data["answer"],
            category=data["category"],
            is_urgent=data["is_urgent"],
        )
