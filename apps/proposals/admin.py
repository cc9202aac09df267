"""The committee's back office for proposals. Every change of state goes through apps.proposals.services;
the admin only gathers input, shows what the services refuse, and lists what they wrote."""

from datetime import date

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.core import admin_pages
from apps.core.admin_filters import BoundedCountPaginator, CountyFilter, township_lookups, warn_when_bounded
from apps.core.admin_mixins import NoDeleteMixin, ReadOnlyInline, RendaModelAdmin, WorkflowButtonsMixin
from apps.core.export_jobs import BackgroundExportMixin
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin, RendaImportMixin
from apps.core.models import CongressSession, Region
from apps.core.scope import scope_for
from apps.proposals import admin_views, selectors, services
from apps.proposals.admin_forms import (
    DecisionNoteForm,
    FollowUpCloseForm,
    MarkKeyForm,
    MergeForm,
    ProposalAddForm,
    ProposalImportForm,
    ReturnForm,
    SupervisionForm,
    session_choices,
)
from apps.proposals.models import (
    Assignment,
    AssignmentBatch,
    ContactRecord,
    CoSigner,
    Extension,
    Feedback,
    Notice,
    Proposal,
    ProposalEvent,
    Reply,
    ReturnRequest,
    Status,
    Supervision,
)
from apps.proposals.resources import ProposalImportResource, ProposalResource, ReplyReportResource
from apps.representatives.models import Representative

HANDLING = [Status.ASSIGNED, Status.REHANDLING, Status.FOLLOW_UP]
OVERDUE_STATUSES = [Status.ASSIGNED, Status.REHANDLING]
FINISHED = [Status.DRAFT, Status.RETURNED, Status.MERGED, Status.WITHDRAWN, Status.CLOSED]

# What each status-history row records, as staff say it (the services write the codes).
EVENT_LABELS = {
    "create": _("录入"),
    "submit": _("提交"),
    "cosign_confirm": _("确认附议"),
    "cosign_decline": _("拒绝附议"),
    "cosign_recorded": _("代为登记附议确认"),
    "cosign_removed": _("移除附议代表"),
    "accept": _("受理"),
    "return": _("退回"),
    "merge": _("并案"),
    "withdraw_agree": _("同意撤回"),
    "withdraw": _("撤回"),
    "assign": _("交办"),
    "return_request": _("申请退回调整"),
    "return_decided": _("退回申请已决定"),
    "reassign_needed": _("退回后待重新交办"),
    "plan": _("办理方案"),
    "contact": _("沟通"),
    "assist_opinion": _("协办意见"),
    "extension_request": _("申请延期"),
    "extension_decided": _("延期申请已决定"),
    "reply": _("答复"),
    "rehandle": _("重新办理"),
    "follow_up": _("跟踪办理"),
    "close": _("办结"),
    "carry_over": _("结转下年办理"),
    "supervise": _("督办"),
    "mark_key": _("列为重点督办"),
}


def in_scope(queryset, user, path_field: str):
    """Rows of a model without its own scope, through the region path of the row they belong to."""
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    q = Q()
    for region_path in scope.region_paths:
        q |= Q(**{f"{path_field}__startswith": region_path})
    return queryset.filter(q) if scope.region_paths else queryset.none()


def _person_column(attr: str, label):
    """A user column with a Chinese heading (the models' user keys have no verbose name)."""

    @admin.display(description=label, ordering=attr)
    def column(self, obj):
        return getattr(obj, attr)

    return column


def _local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


# --- proposals --------------------------------------------------------------------------------


class CoSignerInline(ReadOnlyInline):
    model = CoSigner
    fields = ["representative", "confirmed_at", "declined_at", "answered_via", "recorder", "agreed_to_withdraw_at"]
    recorder = _person_column("recorded_by", _("代为登记人"))

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
    recorder = _person_column("recorded_by", _("登记人"))

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


class SessionFilter(admin.SimpleListFilter):
    title = _("会议")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        return session_choices(request.user)

    def queryset(self, request, queryset):
        return queryset.filter(session=self.value()) if self.value() else queryset


class TownshipFilter(admin.SimpleListFilter):
    title = _("代表所在乡镇")
    parameter_name = "township"

    def lookups(self, request, model_admin):
        return township_lookups(request)

    def queryset(self, request, queryset):
        return queryset.filter(township=self.value()) if self.value() else queryset


class CongressFilter(admin.SimpleListFilter):
    """Whose congress the proposal was made to: the county's, or a township's (乡镇人大)."""

    title = _("人民代表大会")
    parameter_name = "congress"

    def lookups(self, request, model_admin):
        return [(Region.Level.COUNTY, _("县级人民代表大会")), (Region.Level.TOWNSHIP, _("乡镇人民代表大会"))]

    def queryset(self, request, queryset):
        return queryset.filter(session__term__region__level=self.value()) if self.value() else queryset


class HandlingFilter(admin.SimpleListFilter):
    """What the statistics count: answered means every 主办 or 分办 unit has answered (first round)."""

    title = _("办理情况")
    parameter_name = "handling"

    def lookups(self, request, model_admin):
        return [
            ("visited", _("已见面走访")),
            ("answered", _("已全部答复")),
            ("unanswered", _("尚未全部答复")),
            ("on_time", _("按期答复")),
            ("rated", _("已收回首轮评价")),
            ("satisfied", _("满意或基本满意")),
            ("fully_satisfied", _("满意")),
        ]

    def queryset(self, request, queryset):
        found = selectors.handling_conditions()
        conditions = {
            **found,
            "unanswered": ~found["answered"],
            "satisfied": found["satisfied"] | found["basic"],
            "fully_satisfied": found["satisfied"],
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class CountedInFilter(admin.SimpleListFilter):
    """A period's proposals as the dashboard's whole-year figures count them ("2022-01-01..2022-12-31"):
    those of the county congress's sessions opened in it and those of its recess assigned in it."""

    title = _("统计期间")
    parameter_name = "counted_in"
    YEARS_OFFERED = 5

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        years = range(this_year, this_year - self.YEARS_OFFERED, -1)
        return [(f"{y}-01-01..{y}-12-31", _("%(year)s年") % {"year": y}) for y in years]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        starts_on, ends_on = (date.fromisoformat(day) for day in self.value().split(".."))  # else invalid filter
        return queryset.filter(selectors.counted_in(starts_on, ends_on))


class ProposalCountyFilter(CountyFilter):
    path_field = "township__path"


@admin.register(Proposal)
class ProposalAdmin(
    WorkflowButtonsMixin, NoDeleteMixin, RendaImportMixin, BackgroundExportMixin, RendaExportMixin, RendaModelAdmin
):
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
    list_filter = [SessionFilter, "status", "category", "is_key", "period", ProposalCountyFilter, TownshipFilter]
    list_filter += [CongressFilter, HandlingFilter, CountedInFilter]
    list_select_related = ["lead", "session__term__region"]
    search_fields = ["title", "lead__name"]
    search_help_text = _("按标题、领衔代表姓名或建议编号查找")
    # No date_hierarchy: it reads the distinct dates of every proposal in scope, and the session
    # filter already picks the year.
    paginator = BoundedCountPaginator
    autocomplete_fields = ["lead"]
    actions = [
        "accept_proposals",
        "return_proposals",
        "merge_proposals",
        "assign_proposal",
        "assign_on_site",
        "mark_key",
        "record_supervision",
        "close_follow_up",
    ]

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

    def _editable(self, obj) -> set[str]:
        editable = {"publication", "category"}
        if obj.status in (Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED):
            editable.add("is_complex")
        if obj.status == Status.SUBMITTED:
            editable |= {"title", "content"}
        return editable

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in flatten_fieldsets(self.fieldsets) if f not in self._editable(obj)]

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ProposalError as error:
            # The form passed, the service refused (the lead left office meanwhile, say): nothing was saved.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            changed = [name for name in form.changed_data if name in self._editable(obj)]
            if changed:
                obj.save(update_fields=changed)
            return
        proposal = self._create(request, form.cleaned_data)
        for f in Proposal._meta.concrete_fields:
            setattr(obj, f.attname, getattr(proposal, f.attname))
        obj._state.adding, obj._state.db = False, proposal._state.db

    def _create(self, request, data) -> Proposal:
        """A paper proposal: created (and usually submitted) by staff on the lead's behalf."""
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
                _local(r.replied_at),
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
        if not self.has_change_permission(request, obj):
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

    @admin.action(description=_("受理所选建议"), permissions=["change"])
    def accept_proposals(self, request, queryset):
        return admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda p: services.proposal_accept(proposal=p, by=request.user),
            done=_("已受理%(n)s件建议。"),
        )

    @admin.action(description=_("退回所选建议"), permissions=["change"])
    def return_proposals(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="return_proposals",
            title=_("退回建议"),
            form=ReturnForm,
            apply=lambda p, data: services.proposal_return(
                proposal=p, exclusion=data["exclusion"], reason=data["reason"], by=request.user
            ),
            done=_("已退回%(n)s件建议，并通知了代表。"),
        )

    @admin.action(description=_("将所选建议并案"), permissions=["change"])
    def merge_proposals(self, request, queryset):
        sessions = set(queryset.values_list("session", flat=True))
        if len(sessions) != 1:
            self.message_user(request, _("只能将同一次会议的建议并案。"), messages.ERROR)
            return None
        targets = self.get_queryset(request).filter(session__in=sessions).exclude(pk__in=queryset.values("pk"))
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="merge_proposals",
            title=_("并案"),
            form=lambda data: MergeForm(data, targets=targets),
            apply=lambda p, data: services.proposal_merge(proposal=p, into=data["into"], by=request.user),
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

    @admin.action(description=_("列为重点督办"), permissions=["change"])
    def mark_key(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="mark_key",
            title=_("列为重点督办建议"),
            form=MarkKeyForm,
            apply=lambda p, data: services.proposal_mark_key(proposal=p, leader=data["leader"], by=request.user),
            done=_("已将%(n)s件建议列为重点督办。"),
        )

    @admin.action(description=_("登记督办"), permissions=["change"])
    def record_supervision(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="record_supervision",
            title=_("登记督办"),
            form=SupervisionForm,
            apply=lambda p, data: services.supervision_record(proposal=p, by=request.user, **data),
            done=_("已为%(n)s件建议登记督办。"),
        )

    @admin.action(description=_("跟踪办结所选建议（B、C类答复）"), permissions=["change"])
    def close_follow_up(self, request, queryset):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="close_follow_up",
            title=_("跟踪办结"),
            form=FollowUpCloseForm,
            apply=lambda p, data: services.follow_up_close(
                proposal=p, note=data["note"], carried_over=data["carried_over"], by=request.user
            ),
            done=_("已办结%(n)s件跟踪办理的建议。"),
        )


# --- assignments and the requests of units ----------------------------------------------------


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
            proposal__status__in=OVERDUE_STATUSES,
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
            and assignment.proposal.status in OVERDUE_STATUSES
            and assignment.due_on < timezone.localdate()
            and not assignment.replied_this_round
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Assignments change only through the services (assignment, returns, extensions).
        return False


class DecisionAdminMixin(WorkflowButtonsMixin, NoDeleteMixin):
    """Requests of units that committee staff approve or reject; the record itself is read-only."""

    list_select_related = ["assignment__proposal", "assignment__unit"]
    list_filter = ["decision"]

    def get_queryset(self, request):
        return in_scope(super().get_queryset(request), request.user, "assignment__proposal__township__path")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(f"proposals.change_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("建议"))
    def proposal(self, obj):
        return obj.assignment.proposal

    @admin.display(description=_("承办单位"))
    def unit(self, obj):
        return obj.assignment.unit

    def workflow_buttons(self, request, obj):
        if obj.decision != ReturnRequest.Decision.PENDING or not self.has_decide_permission(request):
            return []
        return [{"action": "approve", "label": _("同意")}, {"action": "reject", "label": _("不同意")}]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(DecisionAdminMixin, RendaModelAdmin):
    list_display = ["proposal", "unit", "short_reason", "requested_at", "decision", "decided_at"]
    fields = ["proposal", "unit", "reason", "requested_at", "decision", "decider", "decided_at", "decision_note"]
    actions = ["approve", "reject"]
    decider = _person_column("decided_by", _("决定人"))

    @admin.display(description=_("申请理由"))
    def short_reason(self, obj):
        return Truncator(obj.reason).chars(40)

    def _decide(self, request, queryset, *, approve: bool):
        return admin_pages.form_action(
            self,
            request,
            queryset,
            name="approve" if approve else "reject",
            title=_("同意退回调整") if approve else _("不同意退回调整"),
            form=DecisionNoteForm,
            apply=lambda r, data: services.return_request_decide(
                request=r, approve=approve, by=request.user, note=data["note"]
            ),
            done=_("已决定%(n)s项退回申请。"),
        )

    @admin.action(description=_("同意退回调整"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_("不同意退回调整"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)


@admin.register(Extension)
class ExtensionAdmin(DecisionAdminMixin, RendaModelAdmin):
    list_display = ["proposal", "unit", "days", "requested_at", "decision", "decided_at"]
    fields = ["proposal", "unit", "days", "reason", "requested_at", "decision", "decider", "decided_at"]
    actions = ["approve", "reject"]
    decider = _person_column("approver", _("审批人"))

    def _decide(self, request, queryset, *, approve: bool):
        return admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda e: services.extension_decide(extension=e, approve=approve, by=request.user),
            done=_("已决定%(n)s项延期申请。"),
        )

    @admin.action(description=_("批准延期"), permissions=["decide"])
    def approve(self, request, queryset):
        return self._decide(request, queryset, approve=True)

    @admin.action(description=_("不批准延期"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._decide(request, queryset, approve=False)


@admin.register(Supervision)
class SupervisionAdmin(NoDeleteMixin, RendaModelAdmin):
    list_display = ["proposal", "method", "supervised_on", "supervisor", "recorder"]
    list_filter = ["method"]
    list_select_related = ["proposal", "recorded_by"]
    search_fields = ["proposal__title", "supervisor"]
    fields = ["proposal", "method", "supervised_on", "supervisor", "notes", "recorder"]
    readonly_fields = fields
    recorder = _person_column("recorded_by", _("登记人"))

    def get_queryset(self, request):
        return in_scope(super().get_queryset(request), request.user, "proposal__township__path")

    def has_add_permission(self, request):
        # Supervision is recorded on the proposals (action “登记督办”), which checks their state.
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- meetings and notices ---------------------------------------------------------------------


@admin.register(AssignmentBatch)
class AssignmentBatchAdmin(WorkflowButtonsMixin, NoDeleteMixin, RendaModelAdmin):
    list_display = ["title", "session", "held_on", "place", "proposal_count", "links"]
    list_select_related = ["session__term__region"]
    fields = ["title", "session", "held_on", "place", "creator"]
    readonly_fields = fields
    creator = _person_column("created_by", _("录入人"))

    def get_queryset(self, request):
        qs = super().get_queryset(request).annotate(proposal_count=Count("assignments__proposal", distinct=True))
        return in_scope(qs, request.user, "session__term__region__path")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/list/", wrap(self.print_view), name="proposals_assignmentbatch_print"),
            path("<path:object_id>/list.xlsx", wrap(self.xlsx_view), name="proposals_assignmentbatch_xlsx"),
            *super().get_urls(),
        ]

    def print_view(self, request, object_id):
        return admin_views.batch_print_view(self, request, unquote(object_id))

    def xlsx_view(self, request, object_id):
        return admin_views.batch_xlsx_view(self, request, unquote(object_id))

    @admin.display(description=_("建议件数"), ordering="proposal_count")
    def proposal_count(self, batch):
        return batch.proposal_count

    @admin.display(description=_("交办清单"))
    def links(self, batch):
        return format_html(
            '<a href="{}">{}</a> | <a href="{}">{}</a>',
            reverse("admin:proposals_assignmentbatch_print", args=[batch.pk]),
            _("打印"),
            reverse("admin:proposals_assignmentbatch_xlsx", args=[batch.pk]),
            _("导出 xlsx"),
        )

    def workflow_buttons(self, request, obj):
        buttons = [{"url": reverse("admin:proposals_assignmentbatch_print", args=[obj.pk]), "label": _("打印交办清单")}]
        if request.user.has_perm(admin_views.EXPORT_PERMISSION):
            url = reverse("admin:proposals_assignmentbatch_xlsx", args=[obj.pk])
            buttons.append({"url": url, "label": _("导出交办清单（xlsx）")})
        return buttons

    def add_view(self, request, form_url="", extra_context=None):
        # A meeting is recorded by assigning its proposals on site.
        self.message_user(request, _("请在代表建议列表中勾选待交办的建议，再选择“现场交办所选建议”。"), messages.INFO)
        url = reverse("admin:proposals_proposal_changelist")
        return HttpResponseRedirect(f"{url}?status__exact={Status.ACCEPTED}")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(WorkflowButtonsMixin, NoDeleteMixin, RendaModelAdmin):
    list_display = ["title", "session", "kind", "is_public", "published_at", "created_at", "print_link"]
    list_filter = ["kind", "is_public", ("published_at", admin.EmptyFieldListFilter)]
    list_select_related = ["session__term__region"]
    fields = [
        "session", "kind", "title", "body", "units", "is_public", "published_at", "publisher", "creator", "created_at",
    ]  # fmt: skip
    actions = ["publish"]
    creator = _person_column("created_by", _("起草人"))
    publisher = _person_column("published_by", _("发布人"))

    def get_queryset(self, request):
        return in_scope(super().get_queryset(request), request.user, "session__term__region__path")

    def _editable(self, obj) -> tuple[str, ...]:
        # Whether the public may read it can change after publication; the text cannot.
        return ("title", "body", "is_public") if obj.published_at is None else ("is_public",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [f for f in self.fields if f not in self._editable(obj)]
        return self.fields

    @admin.display(description=_("打印"))
    def print_link(self, notice):
        return format_html('<a href="{}">{}</a>', reverse("proposals:notice_detail", args=[notice.pk]), _("打印"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("generate/", wrap(self.generate_view), name="proposals_notice_generate"),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        return admin_views.notice_generate_view(self, request)

    def add_view(self, request, form_url="", extra_context=None):
        # A notice is drafted from the records, never typed from nothing.
        return HttpResponseRedirect(reverse("admin:proposals_notice_generate"))

    def save_model(self, request, obj, form, change):
        changed = [name for name in form.changed_data if name in self._editable(obj)]
        if change and changed:
            obj.save(update_fields=changed)

    def workflow_buttons(self, request, obj):
        buttons = [
            {"url": reverse("proposals:notice_detail", args=[obj.pk]), "label": _("打印预览")},
            {"url": reverse("proposals:notice_pdf", args=[obj.pk]), "label": _("下载 PDF")},
        ]
        if obj.published_at or not self.has_change_permission(request, obj):
            return buttons
        return [{"action": "publish", "label": _("发布通报")}, *buttons]

    @admin.action(description=_("发布所选通报"), permissions=["change"])
    def publish(self, request, queryset):
        return admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda n: services.notice_publish(notice=n, by=request.user),
            done=_("已发布%(n)s份通报，并通知了通报涉及的承办单位。"),
        )
