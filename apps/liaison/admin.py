"""The back office of liaison offices and citizens' concerns.

Offices, their funding and reception schedules are reference data edited here directly. Reception
days, duty shifts, reception records and concerns change only through apps.liaison.services: their
pages are read-only, and the actions (or the buttons on a page) gather input and call the services.
Citizens' names and phones are masked in every list; the change page shows them only to staff
with `liaison.view_concern_personal`, and each such view is logged.
"""

from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core import admin_pages, checkin
from apps.core.admin_filters import BoundedCountPaginator, CountyFilter, YearFilter, township_lookups, warn_when_bounded
from apps.core.admin_mixins import (
    PhoneSearchAuditMixin,
    ReadOnlyInline,
    RendaModelAdmin,
    ServiceOnlyMixin,
    WorkflowButtonsMixin,
    audit_personal_view,
)
from apps.core.admin_setup import ReferenceImportMixin
from apps.core.export_jobs import BackgroundExportMixin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin
from apps.core.masking import mask_name, mask_phone
from apps.core.selectors import townships_in_scope
from apps.core.text import TextHygieneMixin
from apps.liaison import admin_views, services
from apps.liaison.admin_forms import (
    CancelDayForm,
    DeadlineForm,
    DecisionNoteForm,
    GenerateDaysForm,
    MoveDayForm,
    ReceptionRecordAddForm,
    ReferOutForm,
    ResolveForm,
    RevisitForm,
    RouteForm,
    ToProposalForm,
)
from apps.liaison.checkin import duty_day_of
from apps.liaison.models import (
    Concern,
    ConcernEvent,
    ConcernReturnRequest,
    DutyShift,
    Funding,
    LiaisonOffice,
    ReceptionDay,
    ReceptionRecord,
    ReceptionSchedule,
    Revisit,
)
from apps.liaison.resources import (
    PERSONAL_PERMISSION,
    ConcernResource,
    LiaisonOfficeResource,
    handler_of,
    is_overdue,
    sees_personal_data,
    township_name,
)

Status = Concern.Status
Attendance = DutyShift.Attendance

# What each status-history row records, as staff say it (the services write the codes).
EVENT_LABELS = {
    "submit": _("提交"),
    "accept": _("受理"),
    "refer_out": _("引导至其他渠道"),
    "route": _("转办"),
    "resolve": _("办理答复"),
    "answer_on_spot": _("当场答复"),
    "rate": _("群众评价"),
    "revisit": _("回访"),
    "close": _("办结"),
    "to_proposal": _("转为代表建议"),
    "recount_due": _("重新计算期限"),
    "deadline_change": _("调整办理期限"),
    "return_request": _("申请退回"),
    "return_approved": _("同意退回，待重新转办"),
    "return_decided": _("退回申请已决定"),
}


class TownshipFilter(admin.SimpleListFilter):
    title = _("乡镇")
    parameter_name = "township"
    region_field = "region"

    def lookups(self, request, model_admin):
        return [(r.pk, r.name) for r in townships_in_scope(request.user)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        field = self.region_field
        return queryset.filter(Q(**{field: self.value()}) | Q(**{f"{field}__parent": self.value()}))


# --- offices ------------------------------------------------------------------------------------


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
    list_filter = ["level", "is_active", TownshipFilter]
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


class FundingTownshipFilter(TownshipFilter):
    region_field = "office__region"


@admin.register(Funding)
class FundingAdmin(RendaModelAdmin):
    list_display = ["office", "year", "amount", "source", "note"]
    list_filter = ["year", "source", FundingTownshipFilter]
    search_fields = ["office__name", "source"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]


# --- reception schedules, days and duty -------------------------------------------------------


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
class ReceptionDayAdmin(ServiceOnlyMixin, RendaModelAdmin):
    list_display = ["date", "office", "starts_at", "ends_at", "status", "moved_from", "on_duty", "note"]
    list_filter = ["status", ("office", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["office__name"]
    list_select_related = ["office"]
    date_hierarchy = "date"
    fields = ["office", "date", "starts_at", "ends_at", "status", "moved_from", "note"]
    readonly_fields = fields
    inlines = [DutyShiftInline]
    actions = ["move_days", "cancel_days", "assign_duty"]

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

    @admin.action(description=_("调整所选接待日的日期"), permissions=["change"])
    def move_days(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="move_days",
            title=_("调整接待日"),
            form=MoveDayForm,
            apply=lambda day, data: services.reception_day_move(
                day=day, to=data["to"], note=data["note"], by=request.user
            ),
            done=_("已调整%(n)s个接待日。"),
        )

    @admin.action(description=_("取消所选接待日"), permissions=["change"])
    def cancel_days(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="cancel_days",
            title=_("取消接待日"),
            form=CancelDayForm,
            apply=lambda day, data: services.reception_day_cancel(day=day, note=data["note"], by=request.user),
            done=_("已取消%(n)s个接待日，未履职的值班记为请假。"),
        )

    @admin.action(description=_("安排值班代表"), permissions=["change"])
    def assign_duty(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(request, _("请只选择一个接待日安排值班代表。"), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:liaison_receptionday_duty", args=[pks[0]]))


@admin.register(DutyShift)
class DutyShiftAdmin(ServiceOnlyMixin, RendaModelAdmin):
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
    actions = ["check_in", "check_out", "mark_attended", "mark_absent", "mark_excused"]

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

    def _run(self, request, queryset, service, done, **kwargs):
        return admin_pages.run_action(
            self, request, queryset, apply=lambda s: service(shift=s, by=request.user, **kwargs), done=done
        )

    @admin.action(description=_("为所选值班签到"), permissions=["change"])
    def check_in(self, request, queryset):
        return self._run(request, queryset, services.shift_check_in, _("已为%(n)s个值班签到。"))

    @admin.action(description=_("为所选值班签退"), permissions=["change"])
    def check_out(self, request, queryset):
        return self._run(request, queryset, services.shift_check_out, _("已为%(n)s个值班签退。"))

    @admin.action(description=_("记为到岗"), permissions=["change"])
    def mark_attended(self, request, queryset):
        done = _("已将%(n)s个值班记为到岗。")
        return self._run(request, queryset, services.shift_mark, done, attendance=Attendance.ATTENDED)

    @admin.action(description=_("记为缺勤"), permissions=["change"])
    def mark_absent(self, request, queryset):
        done = _("已将%(n)s个值班记为缺勤。")
        return self._run(request, queryset, services.shift_mark, done, attendance=Attendance.ABSENT)

    @admin.action(description=_("记为请假"), permissions=["change"])
    def mark_excused(self, request, queryset):
        done = _("已将%(n)s个值班记为请假。")
        return self._run(request, queryset, services.shift_mark, done, attendance=Attendance.EXCUSED)


# --- personal data ------------------------------------------------------------------------------


class PersonalDataMixin(PhoneSearchAuditMixin):
    """Names and phones: searchable only by staff allowed to see them, masked in every list, shown
    on the change page only to those staff (the others get the masked columns), each view logged.

    The fieldsets name the unmasked display fields (`shown_fields`); for other staff they are
    swapped for the masked ones, so no page, history page included, renders what they may not see."""

    personal_fields: tuple[str, str] = ("name", "phone")
    shown_fields: tuple[str, str] = ("citizen_name", "citizen_phone")
    masked_fields: tuple[str, str] = ("masked_name", "masked_phone")
    public_search_fields: list[str] = []

    @property
    def personal_data(self):
        name, phone = self.personal_fields
        return {name: (PERSONAL_PERMISSION, mask_name), phone: (PERSONAL_PERMISSION, mask_phone)}

    def get_search_fields(self, request):
        if sees_personal_data(request.user):
            return [*self.public_search_fields, *self.personal_fields]
        return self.public_search_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_personal_data(request.user):
            return fieldsets
        swap = dict(zip(self.shown_fields, self.masked_fields, strict=True))
        return [(name, {**opts, "fields": [swap.get(f, f) for f in opts["fields"]]}) for name, opts in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        if obj is None and self.has_add_permission(request):
            return []
        return [f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_personal_view(request, response, object_id)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # An old version of the record shows the same fields as its change page.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log_personal_view(request, response, object_id)
        return response

    def _log_personal_view(self, request, response, object_id) -> None:
        if sees_personal_data(request.user):
            audit_personal_view(self, request, response, object_id)


# --- reception records --------------------------------------------------------------------------


@admin.register(ReceptionRecord)
class ReceptionRecordAdmin(PersonalDataMixin, ServiceOnlyMixin, RendaModelAdmin):
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ConcernError as error:
            # The form passed, the service refused: nothing was saved.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        record = services.reception_record_add(
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
        for f in ReceptionRecord._meta.concrete_fields:
            setattr(obj, f.attname, getattr(record, f.attname))
        obj._state.adding, obj._state.db = False, record._state.db

    def save_related(self, request, form, formsets, change):
        pass  # the service wrote everything


# --- concerns -----------------------------------------------------------------------------------


class ConcernEventInline(ReadOnlyInline):
    model = ConcernEvent
    fields = ["at", "action_label", "from_status", "to_status", "by", "note"]
    verbose_name_plural = _("办理记录（时间线）")

    def has_view_permission(self, request, obj=None):
        # The timeline is part of the concern: whoever may see the concern may see its history.
        return request.user.has_perm("liaison.view_concern")

    @admin.display(description=_("操作"))
    def action_label(self, event):
        return EVENT_LABELS.get(event.action, event.action)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class RevisitInline(ReadOnlyInline):
    model = Revisit
    fields = ["revisited_on", "notes", "recorded_by"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("liaison.view_concern")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


HANDLING_FIELDS = [
    "referral_reason", "referral_note", "route", "handler", "instructions", "answered_on_spot", "answer",
    "public_answer", "proposal_link", "closed_at",
]  # fmt: skip


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("逾期未办"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            Q(status=Status.SUBMITTED, accept_due_on__lt=today)
            | Q(status__in=[Status.ACCEPTED, Status.ROUTED], resolve_due_on__lt=today)
        )


class CountyTownshipFilter(TownshipFilter):
    """The townships of the user's scope, or of the chosen county when the scope spans several."""

    def lookups(self, request, model_admin):
        return township_lookups(request)


@admin.register(Concern)
class ConcernAdmin(PersonalDataMixin, ServiceOnlyMixin, BackgroundExportMixin, RendaExportMixin, RendaModelAdmin):
    resource_classes = [ConcernResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/liaison/concern/change_list.html"

    public_search_fields = ["tracking_code", "description"]
    list_display = ["code", "category", "is_urgent", "township", "office", "masked_name", "masked_phone", "status"]
    list_display += ["submitted_at", "accept_due_on", "resolve_due_on", "overdue"]
    list_display_links = ["code"]
    list_filter = ["status", OverdueFilter, "category", "is_urgent", "channel", "route", YearFilter]
    list_filter += [CountyFilter, CountyTownshipFilter]
    list_select_related = ["region__parent", "office"]
    search_help_text = _("按查询码或反映内容查找（有权限的工作人员还可按姓名、电话查找）")
    paginator = BoundedCountPaginator
    actions = [
        "accept_concerns", "refer_out_concerns", "route_concerns", "change_deadline", "resolve_concerns",
        "revisit_concerns", "close_concerns", "to_proposal",
    ]  # fmt: skip
    inlines = [RevisitInline, ConcernEventInline]

    fieldsets = [
        (None, {"fields": ["code", "status", "channel", "region", "office", "addressed_to", "category", "is_urgent"]}),
        (_("反映内容"), {"fields": ["description", "photo_links"]}),
        (_("群众信息"), {"fields": ["citizen_name", "citizen_phone", "consented_at"]}),
        (
            _("期限"),
            {"fields": ["submitted_at", "accept_due_on", "accepted_at", "resolve_due_on", "overdue", "resolved_at"]},
        ),
        (_("办理"), {"fields": HANDLING_FIELDS}),
        (_("群众评价"), {"fields": ["rating", "rated_at"]}),
    ]

    def has_add_permission(self, request):
        # Concerns come from the public form, or from a reception record (接待登记).
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("statistics/", wrap(self.statistics_view), name="liaison_concern_statistics"),
            path("statistics/export/", wrap(self.statistics_xlsx_view), name="liaison_concern_statistics_export"),
            path(
                "<path:object_id>/photos/<int:photo_id>/",
                wrap(self.photo_view),
                name="liaison_concern_photo",
            ),
            *super().get_urls(),
        ]

    def statistics_view(self, request):
        return admin_views.statistics_view(self, request)

    def statistics_xlsx_view(self, request):
        return admin_views.statistics_xlsx_view(self, request)

    def photo_view(self, request, object_id, photo_id):
        return admin_views.concern_photo_view(self, request, unquote(object_id), photo_id)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_statistics_permission": self.has_view_permission(request)}
        return warn_when_bounded(request, super().changelist_view(request, extra_context))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    # --- list -------------------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Staff read codes out as printed ("ABCD-EFGH-…"); the filters already applied stay applied.
        code = services.normalise_code(search_term)
        if len(code) == services.CODE_LENGTH:
            found |= queryset.filter(tracking_code=code)
        return found, may_have_duplicates

    @admin.display(description=_("查询码"), ordering="tracking_code")
    def code(self, concern):
        return concern.display_code

    @admin.display(description=_("乡镇"))
    def township(self, concern):
        return township_name(concern.region)

    @admin.display(description=_("姓名"))
    def masked_name(self, concern):
        return mask_name(concern.name) or "—"

    @admin.display(description=_("手机号码"))
    def masked_phone(self, concern):
        return mask_phone(concern.phone) or "—"

    @admin.display(description=_("逾期"), boolean=True)
    def overdue(self, concern):
        return is_overdue(concern, timezone.localdate())

    # --- change page ------------------------------------------------------------------------

    @admin.display(description=_("姓名"))
    def citizen_name(self, concern):
        return concern.name or "—"

    @admin.display(description=_("手机号码"))
    def citizen_phone(self, concern):
        return concern.phone or "—"

    @admin.display(description=_("照片"))
    def photo_links(self, concern):
        photos = list(concern.photos.all())
        if not photos:
            return "—"
        links = (
            (reverse("admin:liaison_concern_photo", args=[concern.pk, photo.pk]), _("照片%(n)s") % {"n": i})
            for i, photo in enumerate(photos, 1)
        )
        return format_html_join(" | ", '<a href="{}" target="_blank" rel="noopener">{}</a>', links)

    @admin.display(description=_("办理单位或代表"))
    def handler(self, concern):
        return handler_of(concern) or "—"

    @admin.display(description=_("形成的代表建议"))
    def proposal_link(self, concern):
        if concern.proposal_id is None:
            return "—"
        url = reverse("admin:proposals_proposal_change", args=[concern.proposal_id])
        return format_html('<a href="{}">{}</a>', url, concern.proposal)

    def workflow_buttons(self, request, obj):
        if not self.may_act(request, obj):
            return []
        return [{"action": action, "label": label} for action, label in self._actions_for(obj)]

    @staticmethod
    def _actions_for(concern) -> list[tuple[str, str]]:
        status, actions = concern.status, []
        if status == Status.SUBMITTED:
            actions.append(("accept_concerns", _("受理")))
        if status in (Status.ACCEPTED, Status.ROUTED):
            actions += [
                ("route_concerns", _("转办")),
                ("change_deadline", _("调整办理期限")),
                ("resolve_concerns", _("办理答复")),
            ]
            if concern.proposal_id is None:
                actions.append(("to_proposal", _("转为代表建议")))
        if status in (Status.SUBMITTED, Status.ACCEPTED):
            actions.append(("refer_out_concerns", _("引导至其他渠道")))
        if status == Status.RESOLVED:
            actions += [("revisit_concerns", _("登记回访")), ("close_concerns", _("办结"))]
        return actions

    # --- actions ----------------------------------------------------------------------------

    @admin.action(description=_("受理所选群众意见"), permissions=["change"])
    def accept_concerns(self, request, queryset):
        return admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda c: services.concern_accept(concern=c, by=request.user),
            done=_("已受理%(n)s条群众意见。"),
        )

    @admin.action(description=_("引导至其他渠道（信访、司法等）"), permissions=["change"])
    def refer_out_concerns(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="refer_out_concerns",
            title=_("引导至其他渠道"),
            form=ReferOutForm,
            apply=lambda c, data: services.concern_refer_out(
                concern=c, reason=data["reason"], note=data["note"], by=request.user
            ),
            done=_("已将%(n)s条群众意见引导至其他渠道。"),
        )

    @admin.action(description=_("转办所选群众意见"), permissions=["change"])
    def route_concerns(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="route_concerns",
            title=_("转办群众意见"),
            form=lambda data: RouteForm(data, user=request.user),
            apply=lambda c, data: services.concern_route(
                concern=c,
                route=data["route"],
                unit=data["unit"],
                representative=data["representative"],
                due_on=data["due_on"],
                instructions=data["instructions"],
                by=request.user,
            ),
            done=_("已转办%(n)s条群众意见。"),
        )

    @admin.action(description=_("调整办理期限"), permissions=["change"])
    def change_deadline(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="change_deadline",
            title=_("调整办理期限"),
            form=DeadlineForm,
            apply=lambda c, data: services.concern_deadline_change(
                concern=c, due_on=data["due_on"], reason=data["reason"], by=request.user
            ),
            done=_("已调整%(n)s条群众意见的办理期限。"),
        )

    @admin.action(description=_("登记办理答复"), permissions=["change"])
    def resolve_concerns(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="resolve_concerns",
            title=_("登记办理答复"),
            form=ResolveForm,
            apply=lambda c, data: services.concern_resolve(
                concern=c, answer=data["answer"], public_answer=data["public_answer"], by=request.user
            ),
            done=_("已为%(n)s条群众意见登记办理答复。"),
        )

    @admin.action(description=_("登记回访"), permissions=["change"])
    def revisit_concerns(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="revisit_concerns",
            title=_("登记回访"),
            form=RevisitForm,
            apply=lambda c, data: services.concern_revisit(
                concern=c, revisited_on=data["revisited_on"], notes=data["notes"], by=request.user
            ),
            done=_("已为%(n)s条群众意见登记回访。"),
        )

    @admin.action(description=_("办结所选群众意见"), permissions=["change"])
    def close_concerns(self, request, queryset):
        return admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda c: services.concern_close(concern=c, by=request.user),
            done=_("已办结%(n)s条群众意见。"),
        )

    @admin.action(description=_("转为代表建议（草稿）"), permissions=["change"])
    def to_proposal(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一条群众意见转为代表建议。"), messages.WARNING)
            return None
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="to_proposal",
            title=_("转为代表建议"),
            form=lambda data: ToProposalForm(data, user=request.user),
            apply=lambda c, data: services.concern_to_proposal(
                concern=c, representative=data["representative"], session=data["session"], by=request.user
            ),
            done=_("已为%(n)s条群众意见生成代表建议草稿，请通知代表修改后提交。"),
        )


# --- units' requests to send a concern back -------------------------------------------------------


@admin.register(ConcernReturnRequest)
class ConcernReturnRequestAdmin(WorkflowButtonsMixin, RendaModelAdmin):
    """A unit asks to send back a concern routed to it by mistake; the office approves (the concern
    waits to be routed again) or refuses (the unit keeps it)."""

    list_display = ["concern", "unit", "short_reason", "requested_at", "decision", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["concern", "unit"]
    search_fields = ["concern__tracking_code", "unit__name"]
    fields = ["concern", "unit", "reason", "requested_at", "decision", "decider", "decided_at", "decision_note"]
    readonly_fields = fields
    actions = ["approve", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("决定人"))
    def decider(self, obj):
        return obj.decided_by or "—"

    def has_change_permission(self, request, obj=None):
        # The record is read-only; "change" on the list means "may decide".
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("liaison.change_concernreturnrequest")

    @admin.display(description=_("申请理由"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(40)

    def workflow_buttons(self, request, obj):
        if obj.decision != ConcernReturnRequest.Decision.PENDING or not self.has_decide_permission(request):
            return []
        url = reverse("admin:liaison_concern_change", args=[obj.concern_id])
        return [
            {"action": "approve", "label": _("同意退回")},
            {"action": "reject", "label": _("不同意退回")},
            {"url": url, "label": _("查看群众意见")},
        ]

    def _decide(self, request, queryset, *, approve: bool):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="approve" if approve else "reject",
            title=_("同意退回") if approve else _("不同意退回"),
            form=DecisionNoteForm,
            apply=lambda r, data: services.concern_return_decide(
                request=r, approve=approve, by=request.user, note=data["note"]
            ),
            done=_("已决定%(n)s项退回申请。"),
        )

    @admin.action(description=_("同意退回，待重新转办"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_("不同意退回，仍由原单位办理"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)
