"""Citizens' concerns through their states, and the units' requests to send one back."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import BoundedCountPaginator, CountyFilter, YearFilter, warn_when_bounded
from apps.core.admin_mixins import DecisionAdminMixin, ReadOnlyInline, RendaModelAdmin, ServiceAdminMixin
from apps.core.admin_pages import for_user, only_one, service_action
from apps.core.export_jobs import BackgroundExportMixin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin
from apps.core.masking import mask_name, mask_phone
from apps.liaison import admin_views, labels, services
from apps.liaison.admin.filters import RegionTownshipFilter
from apps.liaison.admin.personal import PersonalDataMixin
from apps.liaison.admin_forms import (
    DeadlineForm,
    ReferOutForm,
    ResolveForm,
    RevisitForm,
    RouteForm,
    ToProposalForm,
)
from apps.liaison.codes import CODE_LENGTH, normalise_code
from apps.liaison.models import Concern, ConcernEvent, ConcernReturnRequest, Revisit
from apps.liaison.resources import ConcernResource, handler_of, is_overdue, township_name
from apps.liaison.selectors import overdue_on

Status = Concern.Status

# What each status-history row records; staff are told what an approved return leaves them to do.
EVENT_LABELS = {**labels.EVENT_LABELS, "return_approved": _("同意退回，待重新转办")}


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
        return queryset.filter(overdue_on(timezone.localdate()))


@admin.register(Concern)
class ConcernAdmin(PersonalDataMixin, ServiceAdminMixin, BackgroundExportMixin, RendaExportMixin, RendaModelAdmin):
    resource_classes = [ConcernResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/liaison/concern/change_list.html"

    public_search_fields = ["tracking_code", "description"]
    list_display = ["code", "category", "is_urgent", "township", "office", "masked_name", "masked_phone", "status"]
    list_display += ["submitted_at", "accept_due_on", "resolve_due_on", "overdue"]
    list_display_links = ["code"]
    list_filter = ["status", OverdueFilter, "category", "is_urgent", "channel", "route", YearFilter]
    list_filter += [CountyFilter, RegionTownshipFilter]
    list_select_related = ["region__parent", "office"]
    search_help_text = _("按查询码或反映内容查找（有权限的工作人员还可按姓名、电话查找）")
    paginator = BoundedCountPaginator
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
        code = normalise_code(search_term)
        if len(code) == CODE_LENGTH:
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

    accept_concerns = service_action(
        description=_("受理所选群众意见"),
        service=services.concern_accept,
        target="concern",
        done=_("已受理%(n)s条群众意见。"),
    )
    refer_out_concerns = service_action(
        description=_("引导至其他渠道（信访、司法等）"),
        service=services.concern_refer_out,
        target="concern",
        form=ReferOutForm,
        title=_("引导至其他渠道"),
        done=_("已将%(n)s条群众意见引导至其他渠道。"),
    )
    route_concerns = service_action(
        description=_("转办所选群众意见"),
        service=services.concern_route,
        target="concern",
        form=RouteForm,
        form_kwargs=for_user,
        title=_("转办群众意见"),
        done=_("已转办%(n)s条群众意见。"),
    )
    change_deadline = service_action(
        description=_("调整办理期限"),
        service=services.concern_deadline_change,
        target="concern",
        form=DeadlineForm,
        title=_("调整办理期限"),
        done=_("已调整%(n)s条群众意见的办理期限。"),
    )
    resolve_concerns = service_action(
        description=_("登记办理答复"),
        service=services.concern_resolve,
        target="concern",
        form=ResolveForm,
        title=_("登记办理答复"),
        done=_("已为%(n)s条群众意见登记办理答复。"),
    )
    revisit_concerns = service_action(
        description=_("登记回访"),
        service=services.concern_revisit,
        target="concern",
        form=RevisitForm,
        title=_("登记回访"),
        done=_("已为%(n)s条群众意见登记回访。"),
    )
    close_concerns = service_action(
        description=_("办结所选群众意见"),
        service=services.concern_close,
        target="concern",
        done=_("已办结%(n)s条群众意见。"),
    )
    to_proposal = service_action(
        description=_("转为代表建议（草稿）"),
        service=services.concern_to_proposal,
        target="concern",
        refuse=only_one(_("请只选择一条群众意见转为代表建议。")),
        form=ToProposalForm,
        form_kwargs=for_user,
        title=_("转为代表建议"),
        done=_("已为%(n)s条群众意见生成代表建议草稿，请通知代表修改后提交。"),
    )
    actions = [
        accept_concerns, refer_out_concerns, route_concerns, change_deadline, resolve_concerns, revisit_concerns,
        close_concerns, to_proposal,
    ]  # fmt: skip


# --- units' requests to send a concern back -------------------------------------------------------


@admin.register(ConcernReturnRequest)
class ConcernReturnRequestAdmin(DecisionAdminMixin, RendaModelAdmin):
    """A unit asks to send back a concern routed to it by mistake; the office approves (the concern
    waits to be routed again) or refuses (the unit keeps it)."""

    list_display = ["concern", "unit", "short_reason", "requested_at", "decision", "decided_at"]
    list_select_related = ["concern", "unit"]
    search_fields = ["concern__tracking_code", "unit__name"]
    fields = ["concern", "unit", "reason", "requested_at", "decision", "decider", "decided_at", "decision_note"]
    approve_label = _("同意退回")
    reject_label = _("不同意退回")
    approve_description = _("同意退回，待重新转办")
    reject_description = _("不同意退回，仍由原单位办理")
    decided_message = _("已决定%(n)s项退回申请。")

    @admin.display(description=_("决定人"))
    def decider(self, obj):
        return obj.decided_by or "—"

    @admin.display(description=_("申请理由"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(40)

    def related_buttons(self, obj):
        return [{"url": reverse("admin:liaison_concern_change", args=[obj.concern_id]), "label": _("查看群众意见")}]

    def decide(self, request, obj, *, approve, note):
        services.concern_return_decide(request=obj, approve=approve, by=request.user, note=note)
