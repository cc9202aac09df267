"""Assignments and the requests of units (returns, extensions), which committee staff decide."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import DecisionAdminMixin, NoDeleteMixin, ReadOnlyInline, RendaModelAdmin
from apps.proposals import services
from apps.proposals.admin._common import person_column
from apps.proposals.models import (
    REPLY_OWED,
    Assignment,
    ContactRecord,
    Extension,
    Reply,
    ReturnRequest,
)


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ["round", "outcome", "replied_at", "on_time", "text", "letter_link"]

    @admin.display(description=_("答复函"))
    def letter_link(self, reply):
        # The checked view, never the file's /media/ address (nothing serves it).
        if not reply.letter:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("proposals:reply_letter", args=[reply.pk]), _("下载"))


class ContactInline(ReadOnlyInline):
    model = ContactRecord
    fields = ["contacted_on", "kind", "summary", "recorded_at"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("逾期未答复"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(AssignmentAdmin.overdue_q())
        return queryset


@admin.register(Assignment)
class AssignmentAdmin(NoDeleteMixin, RendaModelAdmin):
    list_display = ["proposal", "unit", "role", "state", "assigned_at", "due_on", "overdue", "replied_at"]
    list_filter = [("unit", admin.RelatedOnlyFieldListFilter), "role", "state", OverdueFilter]
    list_select_related = ["proposal", "unit"]
    search_fields = ["proposal__title", "unit__name"]
    readonly_fields = [
        "proposal", "unit", "role", "state", "batch", "assigned_at", "due_on", "opinion_due_on",
        "handling_plan", "replied_at",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [ReplyInline, ContactInline]

    @staticmethod
    def overdue_q() -> Q:
        return Q(
            state=Assignment.State.ACTIVE,
            role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
            proposal__status__in=REPLY_OWED,
            due_on__lt=timezone.localdate(),
            replied_this_round=False,
        )

    def get_queryset(self, request):
        this_round = Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("proposal__round"))
        return super().get_queryset(request).annotate(replied_this_round=Exists(this_round))

    @admin.display(description=_("逾期"), boolean=True)
    def overdue(self, assignment):
        return (
            assignment.state == Assignment.State.ACTIVE
            and assignment.answers
            and assignment.proposal.status in REPLY_OWED
            and assignment.due_on < timezone.localdate()
            and not assignment.replied_this_round
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Assignments change only through the services (assignment, returns, extensions).
        return False


class AssignmentRequestAdmin(DecisionAdminMixin, RendaModelAdmin):
    """A unit's request about one of its assignments, decided by committee staff."""

    list_select_related = ["assignment__proposal", "assignment__unit"]

    @admin.display(description=_("建议"))
    def proposal(self, obj):
        return obj.assignment.proposal

    @admin.display(description=_("承办单位"))
    def unit(self, obj):
        return obj.assignment.unit


@admin.register(ReturnRequest)
class ReturnRequestAdmin(AssignmentRequestAdmin):
    list_display = ["proposal", "unit", "short_reason", "requested_at", "decision", "decided_at"]
    fields = ["proposal", "unit", "reason", "requested_at", "decision", "decider", "decided_at", "decision_note"]
    decider = person_column("decided_by", _("决定人"))
    approve_label = approve_description = _("同意退回调整")
    reject_label = reject_description = _("不同意退回调整")
    decided_message = _("已决定%(n)s项退回申请。")

    @admin.display(description=_("申请理由"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(40)

    def decide(self, request, obj, *, approve, note):
        services.return_request_decide(request=obj, approve=approve, by=request.user, note=note)


@admin.register(Extension)
class ExtensionAdmin(AssignmentRequestAdmin):
    list_display = ["proposal", "unit", "days", "requested_at", "decision", "decided_at"]
    fields = ["proposal", "unit", "days", "reason", "requested_at", "decision", "decider", "decided_at"]
    decider = person_column("approver", _("审批人"))
    approve_label = approve_description = _("批准延期")
    reject_label = reject_description = _("不批准延期")
    decided_message = _("已决定%(n)s项延期申请。")
    ask_note = False

    def decide(self, request, obj, *, approve, note):
        services.extension_decide(extension=obj, approve=approve, by=request.user)
