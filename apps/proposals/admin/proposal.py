"""The proposals' pages: the list with its filters, adding a paper proposal, correcting one, and the
review, assignment and supervision actions, each calling apps.proposals.services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core.admin_filters import BoundedCountPaginator, warn_when_bounded
from apps.core.admin_mixins import ReadOnlyInline, RendaModelAdmin, ServiceAdminMixin
from apps.core.admin_pages import merge_targets, service_action
from apps.core.export_jobs import BackgroundExportMixin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin, RendaImportMixin
from apps.core.models import CongressSession
from apps.proposals import admin_views, services
from apps.proposals.admin._common import EVENT_LABELS, local_time, person_column
from apps.proposals.admin.filters import (
    CongressFilter,
    CountedInFilter,
    HandlingFilter,
    LeadTownshipFilter,
    ProposalCountyFilter,
    SessionFilter,
)
from apps.proposals.admin_forms import (
    FollowUpCloseForm,
    MarkKeyForm,
    MergeForm,
    ProposalAddForm,
    ProposalImportForm,
    ReturnForm,
    SupervisionForm,
)
from apps.proposals.models import (
    HANDLING,
    Assignment,
    ContactRecord,
    CoSigner,
    Feedback,
    Proposal,
    ProposalEvent,
    Reply,
    Status,
    Supervision,
)
from apps.proposals.resources import ProposalImportResource, ProposalResource, ReplyReportResource
from apps.representatives.models import Representative

# Nothing is left to do on these: no action button, not even "列为重点督办".
FINISHED = [Status.DRAFT, Status.RETURNED, Status.MERGED, Status.WITHDRAWN, Status.CLOSED]


class CoSignerInline(ReadOnlyInline):
    model = CoSigner
    fields = ["representative", "confirmed_at", "declined_at", "answered_via", "recorder", "agreed_to_withdraw_at"]
    recorder = person_column("recorded_by", _("代为登记人"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("representative", "recorded_by")


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["unit", "role", "state", "assigned_at", "due_on", "opinion_due_on", "replied_at", "batch"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "batch")


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = ["round", "representative", "attitude", "result", "reasons", "submitted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("representative")


class SupervisionInline(ReadOnlyInline):
    model = Supervision
    fields = ["supervised_on", "method", "supervisor", "notes", "recorder"]
    recorder = person_column("recorded_by", _("登记人"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


class EventInline(ReadOnlyInline):
    model = ProposalEvent
    fields = ["at", "action_label", "from_status", "to_status", "by", "note"]
    verbose_name_plural = _("办理记录（时间线）")

    def has_view_permission(self, request, obj=None):
        # The timeline is part of the proposal: whoever may see the proposal may see its history.
        return request.user.has_perm("proposals.view_proposal")

    @admin.display(description=_("操作"))
    def action_label(self, event):
        return EVENT_LABELS.get(event.action, event.action)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


def _not_one_session(model_admin, request, queryset):
    if len(set(queryset.values_list("session", flat=True))) != 1:
        return _("只能将同一次会议的建议并案。")
    return None


def _merge_targets(model_admin, request, queryset) -> dict:
    """A proposal merges into another of the same session."""
    targets = merge_targets(model_admin, request, queryset)["targets"]
    return {"targets": targets.filter(session__in=queryset.values("session"))}


@admin.register(Proposal)
class ProposalAdmin(ServiceAdminMixin, RendaImportMixin, BackgroundExportMixin, RendaExportMixin, RendaModelAdmin):
    import_resource_class = ProposalImportResource
    import_form_class = ProposalImportForm
    resource_classes = [ProposalResource, ReplyReportResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/proposals/proposal/change_list.html"

    list_display = ["number", "title", "lead", "session", "status", "is_key", "submitted_at", "assigned_at"]
    list_display_links = ["number", "title"]
    # Newest submissions first: what staff must review next is on the first page (drafts keyed in
    # from paper, never submitted, come last).
    ordering = [F("submitted_at").desc(nulls_last=True), "-pk"]
    list_filter = [SessionFilter, "status", "category", "is_key", "period", ProposalCountyFilter, LeadTownshipFilter]
    list_filter += [CongressFilter, HandlingFilter, CountedInFilter]
    list_select_related = ["lead", "session__term__region"]
    search_fields = ["title", "lead__name"]
    search_help_text = _("按标题、领衔代表姓名或建议编号查找")
    # No date_hierarchy: it reads the distinct dates of every proposal in scope, and the session
    # filter already picks the year.
    paginator = BoundedCountPaginator
    autocomplete_fields = ["lead"]

    add_fieldsets = [
        (None, {"fields": ["session", "period", "lead", "cosigners", "cosigners_signed"]}),
        (_("建议内容"), {"fields": ["title", "content", "category", "publication", "formation"]}),
        (_("其他"), {"fields": ["wants_contact", "reference_only", "submit_now"]}),
    ]
    fieldsets = [
        (None, {"fields": ["session", "number", "period", "status", "round", "lead", "township"]}),
        (
            _("建议内容"),
            {"fields": ["title", "content", "category", "publication", "formation", "wants_contact", "reference_only"]},
        ),
        (_("审查"), {"fields": ["submitted_at", "exclusion", "return_reason", "merged_into"]}),
        (
            _("交办与督办"),
            {"fields": ["assigned_at", "is_complex", "is_key", "supervising_leader", "closed_at", "carried_over"]},
        ),
        (_("答复与沟通"), {"fields": ["replies_table", "contacts_table"]}),
        (_("录入"), {"fields": ["created_by", "created_at"]}),
    ]

    def get_queryset(self, request):
        # A representative's draft is theirs until they submit it: no staff reads or counts it.
        # Drafts staff key in from paper stay visible to the back office.
        return super().get_queryset(request).exclude(status=Status.DRAFT, created_by__is_staff=False)

    # --- pages ------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/assign/", wrap(self.assign_view), name="proposals_proposal_assign"),
            path("<path:object_id>/cosigners/", wrap(self.cosigners_view), name="proposals_proposal_cosigners"),
            path("assign-on-site/", wrap(self.on_site_view), name="proposals_proposal_assign_on_site"),
            path("statistics/", wrap(self.statistics_view), name="proposals_proposal_statistics"),
            path("statistics/export/", wrap(self.statistics_xlsx_view), name="proposals_proposal_statistics_export"),
            *super().get_urls(),
        ]

    def assign_view(self, request, object_id):
        return admin_views.assign_view(self, request, unquote(object_id))

    def cosigners_view(self, request, object_id):
        return admin_views.cosigners_view(self, request, unquote(object_id))

    def on_site_view(self, request):
        return admin_views.on_site_view(self, request)

    def statistics_view(self, request):
        return admin_views.statistics_view(self, request)

    def statistics_xlsx_view(self, request):
        return admin_views.statistics_xlsx_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_statistics_permission": self.has_view_permission(request),
        }
        return warn_when_bounded(request, super().changelist_view(request, extra_context))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    # --- list -------------------------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Staff quote proposals by number ("第12号"); the filters already applied stay applied.
        term = search_term.strip().lstrip("第").rstrip("号")
        if term.isdecimal():  # not isdigit: "²" is a digit that int() refuses
            found |= queryset.filter(number=int(term))
        return found, may_have_duplicates

    # --- add and change ---------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in flatten_fieldsets(self.fieldsets) if f not in obj.fields_staff_may_correct()]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [CoSignerInline, AssignmentInline, FeedbackInline, SupervisionInline, EventInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ProposalAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form
        members = Representative.objects.visible_to(request.user)

        class ScopedAddForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                self.fields["cosigners"].queryset = members

        return ScopedAddForm

    def get_changeform_initial_data(self, request):
        # Staff enter a session's paper proposals one after another: start on their congress's latest session.
        initial = super().get_changeform_initial_data(request)
        own = CongressSession.objects.filter(term__region__in=request.user.regions.all())
        latest = own.order_by("-opened_on", "-pk").values_list("pk", flat=True).first()
        return {"session": latest, **initial} if latest else initial

    def service_update(self, request, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.proposal_correct(proposal=obj, changes=changes, by=request.user)

    def service_create(self, request, form) -> Proposal:
        """A paper proposal: created (and usually submitted) by staff on the lead's behalf."""
        data = form.cleaned_data
        optional = {k: data[k] for k in ("period", "publication", "formation", "wants_contact", "reference_only")}
        proposal = services.proposal_create(
            lead=data["lead"],
            session=data["session"],
            title=data["title"],
            content=data["content"],
            category=data["category"],
            cosigners=data["cosigners"],
            by=request.user,
            **optional,
        )
        if data["cosigners_signed"]:
            for rep in data["cosigners"]:
                if rep.pk != proposal.lead_id:
                    services.cosigner_record(
                        proposal=proposal, representative=rep, source=CoSigner.Source.PAPER, by=request.user
                    )
        if data["submit_now"]:
            proposal = services.proposal_submit(proposal=proposal, by=request.user)
        return proposal

    @admin.display(description=_("答复"))
    def replies_table(self, obj):
        replies = Reply.objects.filter(assignment__proposal=obj).select_related("assignment__unit")
        rows = [
            (
                r.round,
                r.assignment.unit,
                r.outcome,
                local_time(r.replied_at),
                _("是") if r.on_time else _("否"),
                Truncator(r.text).chars(120),
            )
            for r in replies.order_by("round", "replied_at", "pk")
        ]
        return self._table([_("轮次"), _("承办单位"), _("分类"), _("答复时间"), _("按期"), _("答复内容")], rows)

    @admin.display(description=_("沟通记录"))
    def contacts_table(self, obj):
        contacts = ContactRecord.objects.filter(assignment__proposal=obj).select_related("assignment__unit")
        rows = [
            (c.contacted_on, c.assignment.unit, c.get_kind_display(), Truncator(c.summary).chars(120))
            for c in contacts.order_by("contacted_on", "pk")
        ]
        return self._table([_("日期"), _("承办单位"), _("方式"), _("沟通情况")], rows)

    @staticmethod
    def _table(headers, rows):
        if not rows:
            return "—"
        cells = "".join("<td>{}</td>" for _h in headers)
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ((h,) for h in headers)),
            format_html_join("", f"<tr>{cells}</tr>", rows),
        )

    def workflow_buttons(self, request, obj):
        if not self.may_act(request, obj):
            return []
        status, buttons = obj.status, []
        if status in (Status.DRAFT, Status.SUBMITTED) and obj.cosigners.filter(confirmed_at__isnull=True).exists():
            url = reverse("admin:proposals_proposal_cosigners", args=[obj.pk])
            buttons.append({"url": url, "label": _("登记附议代表的答复")})
        if status == Status.SUBMITTED:
            buttons.append({"action": "accept_proposals", "label": _("受理")})
        if status == Status.ACCEPTED:
            buttons.append({"url": reverse("admin:proposals_proposal_assign", args=[obj.pk]), "label": _("交办")})
        if status in (Status.SUBMITTED, Status.ACCEPTED):
            buttons += [
                {"action": "return_proposals", "label": _("退回")},
                {"action": "merge_proposals", "label": _("并案")},
            ]
        if status in (*HANDLING, Status.REPLIED):
            buttons.append({"action": "record_supervision", "label": _("登记督办")})
        if status == Status.FOLLOW_UP:
            buttons.append({"action": "close_follow_up", "label": _("跟踪办结")})
        if status not in FINISHED:
            buttons.append({"action": "mark_key", "label": _("列为重点督办")})
        return buttons

    # --- actions ----------------------------------------------------------------------------

    accept_proposals = service_action(
        description=_("受理所选建议"),
        service=services.proposal_accept,
        target="proposal",
        done=_("已受理%(n)s件建议。"),
    )
    return_proposals = service_action(
        description=_("退回所选建议"),
        service=services.proposal_return,
        target="proposal",
        form=ReturnForm,
        title=_("退回建议"),
        done=_("已退回%(n)s件建议，并通知了代表。"),
    )
    merge_proposals = service_action(
        description=_("将所选建议并案"),
        service=services.proposal_merge,
        target="proposal",
        refuse=_not_one_session,
        refusal_level=messages.ERROR,
        form=MergeForm,
        form_kwargs=_merge_targets,
        title=_("并案"),
        done=_("已将%(n)s件建议并案。"),
    )

    @admin.action(description=_("交办所选建议"), permissions=["change"])
    def assign_proposal(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(request, _("请只选择一件建议交办；多件建议请使用“现场交办”。"), messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:proposals_proposal_assign", args=[pks[0]]))

    @admin.action(description=_("现场交办所选建议"), permissions=["change"])
    def assign_on_site(self, request, queryset):
        not_ready = [p for p in queryset if p.status != Status.ACCEPTED]
        if not_ready:
            names = "、".join(str(p) for p in not_ready[:10])
            self.message_user(request, _("以下建议不是待交办状态：%(names)s") % {"names": names}, messages.ERROR)
            return None
        ids = ",".join(str(pk) for pk in queryset.order_by("number").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:proposals_proposal_assign_on_site')}?ids={ids}")

    mark_key = service_action(
        description=_("列为重点督办"),
        service=services.proposal_mark_key,
        target="proposal",
        form=MarkKeyForm,
        title=_("列为重点督办建议"),
        done=_("已将%(n)s件建议列为重点督办。"),
    )
    record_supervision = service_action(
        description=_("登记督办"),
        service=services.supervision_record,
        target="proposal",
        form=SupervisionForm,
        title=_("登记督办"),
        done=_("已为%(n)s件建议登记督办。"),
    )
    close_follow_up = service_action(
        description=_("跟踪办结所选建议（B、C类答复）"),
        service=services.follow_up_close,
        target="proposal",
        form=FollowUpCloseForm,
        title=_("跟踪办结"),
        done=_("已办结%(n)s件跟踪办理的建议。"),
    )
    actions = [
        accept_proposals, return_proposals, merge_proposals, assign_proposal, assign_on_site, mark_key,
        record_supervision, close_follow_up,
    ]  # fmt: skip
