"""The committee's back office for livelihood projects. Every change of state goes through
apps.livelihood.services; the admin gathers input, shows what the services refuse, and lists
what they wrote. Ballot counts appear only on the result sheet of a closed ballot, and no page
links a representative to a choice."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import BooleanField, Value
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from apps.core import admin_pages
from apps.core.admin_filters import TownshipFilter
from apps.core.admin_mixins import (
    PhoneSearchAuditMixin,
    ReadOnlyInline,
    RendaModelAdmin,
    ServiceAdminMixin,
    audit_personal_view,
)
from apps.core.admin_pages import merge_targets, service_action
from apps.core.exports import SPREADSHEET_FORMATS
from apps.core.import_admin import RendaExportMixin, RendaImportMixin
from apps.core.masking import mask_name, mask_phone
from apps.livelihood import admin_views, services
from apps.livelihood.admin_forms import (
    BallotAddForm,
    CandidateImportForm,
    DeclineForm,
    IdeaAddForm,
    IdeaMergeForm,
    ProjectAddForm,
    ProjectChangeForm,
    sessions_for,
)
from apps.livelihood.models import Ballot, BallotItem, Idea, Milestone, PaperBatch, Project, Supervision
from apps.livelihood.resources import CandidateImportResource, ProjectResource
from apps.livelihood.services.projects import ANYTIME_FIELDS, CANDIDATE_FIELDS

PERSONAL_PERMISSION = "livelihood.view_idea_personal"


class IdeaTownshipFilter(TownshipFilter):
    # An idea's region is its township (a village is saved as its township) or the county.
    title = _("所在乡镇")
    township_field = "region"


class SessionFilter(admin.SimpleListFilter):
    title = _("会议")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        return [(s.pk, str(s)) for s in sessions_for(request.user)]

    def queryset(self, request, queryset):
        return queryset.filter(session=self.value()) if self.value() else queryset


# --- ideas (征集) --------------------------------------------------------------------------------


@admin.register(Idea)
class IdeaAdmin(PhoneSearchAuditMixin, ServiceAdminMixin, RendaModelAdmin):
    """Staff enter a unit's or the office's idea here; a saved idea changes only through the actions."""

    list_display = ["title", "source", "region", "proposer", "phone", "status", "submitted_at", "project"]
    list_filter = ["source", "status", IdeaTownshipFilter]
    list_select_related = ["region", "representative", "unit", "project"]
    search_fields = ["title", "description", "proposer_name", "representative__name", "unit__name"]
    search_help_text = _("按项目名称、内容或提出人查找")
    date_hierarchy = "submitted_at"
    personal_data = {
        "proposer_name": (PERSONAL_PERMISSION, mask_name),
        "proposer_phone": (PERSONAL_PERMISSION, mask_phone),
    }
    add_fieldsets = [(None, {"fields": ["source", "unit", "region", "title", "description", "estimated_cost"]})]
    fieldsets = [
        (None, {"fields": ["title", "description", "region", "estimated_cost", "status"]}),
        (_("提出人"), {"fields": ["source", "proposer", "phone", "representative", "unit", "submitted_at"]}),
        (_("筛选"), {"fields": ["feasibility_note", "merged_into", "project"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for _name, opts in self.fieldsets for f in opts["fields"]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = IdeaAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.user.has_perm(PERSONAL_PERMISSION):
            audit_personal_view(self, request, response, object_id)
        return response

    def service_create(self, request, form):
        data = form.cleaned_data
        idea, _created = services.idea_submit(
            region=data["region"],
            title=data["title"],
            description=data["description"],
            estimated_cost=data["estimated_cost"],
            source=data["source"],
            unit=data.get("unit"),
            by=request.user,
        )
        return idea

    @admin.display(description=_("提出人"))
    def proposer(self, idea):
        if idea.source == Idea.Source.REPRESENTATIVE:
            return idea.representative
        if idea.source == Idea.Source.UNIT:
            return idea.unit
        if not idea.proposer_name:
            return "—"
        return idea.proposer_name if getattr(idea, "personal_visible", False) else mask_name(idea.proposer_name)

    @admin.display(description=_("联系电话"))
    def phone(self, idea):
        if not idea.proposer_phone:
            return "—"
        return idea.proposer_phone if getattr(idea, "personal_visible", False) else mask_phone(idea.proposer_phone)

    def get_queryset(self, request):
        # The request is not at hand in a column: each row says whether this user may read it
        # (an old version on the history page carries no such flag, so it is always masked).
        visible = request.user.has_perm(PERSONAL_PERMISSION)
        return super().get_queryset(request).annotate(personal_visible=Value(visible, output_field=BooleanField()))

    def workflow_buttons(self, request, obj):
        if obj.status != Idea.Status.NEW or not self.may_act(request, obj):
            return []
        buttons = [
            {"action": "merge_ideas", "label": _("合并到其他建议")},
            {"action": "decline_ideas", "label": _("不予采纳")},
        ]
        if request.user.has_perm("livelihood.add_project"):
            buttons.insert(0, {"action": "shortlist_ideas", "label": _("列入候选项目")})
        return buttons

    @admin.action(description=_("将所选建议列入候选项目"), permissions=["shortlist"])
    def shortlist_ideas(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.order_by("pk").values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:livelihood_idea_shortlist')}?ids={ids}")

    def has_shortlist_permission(self, request):
        return request.user.has_perm("livelihood.add_project")

    merge_ideas = service_action(
        description=_("合并所选建议"),
        service=services.idea_merge,
        target="idea",
        form=IdeaMergeForm,
        form_kwargs=merge_targets,
        title=_("合并项目建议"),
        done=_("已合并%(n)s条项目建议。"),
    )
    decline_ideas = service_action(
        description=_("所选建议不予采纳"),
        service=services.idea_decline,
        target="idea",
        form=DeclineForm,
        title=_("不予采纳"),
        done=_("已将%(n)s条项目建议标为不予采纳。"),
    )
    actions = [shortlist_ideas, merge_ideas, decline_ideas]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("shortlist/", wrap(self.shortlist_view), name="livelihood_idea_shortlist"),
            *super().get_urls(),
        ]

    def shortlist_view(self, request):
        return admin_views.shortlist_view(self, request)


# --- projects (初定, 监督) -------------------------------------------------------------------------


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["title", "parent", "due_on", "weight", "progress", "completed_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


class SupervisionInline(ReadOnlyInline):
    model = Supervision
    fields = ["kind", "held_on", "participants", "findings"]


class ProjectBallotInline(ReadOnlyInline):
    model = BallotItem
    fields = ["ballot", "position", "votes", "rank", "outcome", "satisfied", "basic", "dissatisfied", "grade"]
    verbose_name_plural = _("票决与测评")

    def get_queryset(self, request):
        # Counts are written when a ballot closes; an open ballot shows no running figures.
        return super().get_queryset(request).select_related("ballot")


@admin.register(Project)
class ProjectAdmin(ServiceAdminMixin, RendaImportMixin, RendaExportMixin, RendaModelAdmin):
    """A candidate is added on its own page (or shortlisted from ideas) and edited here until the
    vote; afterwards only its lead leader changes here, and its implementation on its pages."""

    import_resource_class = CandidateImportResource
    import_form_class = CandidateImportForm
    resource_classes = [ProjectResource]
    formats = SPREADSHEET_FORMATS
    import_export_change_list_template = "admin/livelihood/project/change_list.html"

    list_display = ["number", "title", "session", "responsible_unit", "investment", "status", "progress", "grade"]
    list_display_links = ["number", "title"]
    list_filter = [SessionFilter, "status", "grade", ("responsible_unit", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["session__term__region", "responsible_unit"]
    search_fields = ["title", "description", "lead_leader"]
    inlines = [MilestoneInline, SupervisionInline, ProjectBallotInline]
    form = ProjectChangeForm
    fields = [
        "session", "number", "title", "description", "responsible_unit", "investment", "completion_due",
        "status", "lead_leader", "progress", "completed_on", "grade",
    ]  # fmt: skip

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/milestone/", wrap(self.milestone_view), name="livelihood_project_milestone"),
            path("<path:object_id>/supervision/", wrap(self.supervision_view), name="livelihood_project_supervision"),
            *super().get_urls(),
        ]

    def milestone_view(self, request, object_id):
        return admin_views.milestone_view(self, request, unquote(object_id))

    def supervision_view(self, request, object_id):
        return admin_views.supervision_view(self, request, unquote(object_id))

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def _editable(self, obj) -> tuple[str, ...]:
        if obj.status == Project.Status.CANDIDATE:
            return CANDIDATE_FIELDS + ANYTIME_FIELDS
        return ANYTIME_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f for f in self.fields if f not in self._editable(obj)]

    def add_view(self, request, form_url="", extra_context=None):
        return admin_views.project_add_view(self, request, form=ProjectAddForm)

    def service_update(self, request, obj, form):
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in self._editable(obj)}
        return services.project_update(project=obj, by=request.user, **changed) if changed else obj

    def workflow_buttons(self, request, obj):
        if obj.status not in Project.IMPLEMENTING or not request.user.has_perm("livelihood.add_milestone"):
            return []
        if not self.may_act(request, obj):
            return []
        return [
            {"url": reverse("admin:livelihood_project_milestone", args=[obj.pk]), "label": _("添加实施节点")},
            {"url": reverse("admin:livelihood_project_supervision", args=[obj.pk]), "label": _("登记监督情况")},
        ]


# --- ballots (票决, 满意度测评) ------------------------------------------------------------------------


class BallotItemInline(ReadOnlyInline):
    model = BallotItem
    fields = ["position", "project", "votes", "rank", "outcome", "satisfied", "basic", "dissatisfied", "grade"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project")


class PaperBatchInline(ReadOnlyInline):
    model = PaperBatch
    fields = ["number", "sheets", "entered_by", "entered_at"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("livelihood.view_paperbatch")


@admin.register(Ballot)
class BallotAdmin(ServiceAdminMixin, RendaModelAdmin):
    """A ballot is created here; it then changes only through its actions and pages."""

    list_display = ["title", "session", "kind", "status", "closes_at", "turnout"]
    list_filter = ["kind", "status"]
    list_select_related = ["session__term__region"]
    search_fields = ["title"]
    inlines = [BallotItemInline, PaperBatchInline]
    add_fieldsets = [
        (None, {"fields": ["session", "kind", "title", "candidates", "closes_at"]}),
        (_("票决规则"), {"fields": ["slots", "max_choices", "min_vote_ratio", "base"]}),
    ]
    fields = [
        "session", "kind", "title", "status", "slots", "max_choices", "min_vote_ratio", "base", "revote_of",
        "opens_at", "closes_at", "closed_at", "turnout",
    ]  # fmt: skip

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/paper/", wrap(self.paper_view), name="livelihood_ballot_paper"),
            path("<path:object_id>/results/", wrap(self.results_view), name="livelihood_ballot_results"),
            path("<path:object_id>/results.xlsx", wrap(self.results_xlsx_view), name="livelihood_ballot_results_xlsx"),
            path("<path:object_id>/revote/", wrap(self.revote_view), name="livelihood_ballot_revote"),
            path("<path:object_id>/voters/", wrap(self.voters_view), name="livelihood_ballot_voters"),
            *super().get_urls(),
        ]

    def paper_view(self, request, object_id):
        return admin_views.paper_batch_view(self, request, unquote(object_id))

    def results_view(self, request, object_id):
        return admin_views.results_view(self, request, unquote(object_id))

    def results_xlsx_view(self, request, object_id):
        return admin_views.results_xlsx_view(self, request, unquote(object_id))

    def revote_view(self, request, object_id):
        return admin_views.revote_view(self, request, unquote(object_id))

    def voters_view(self, request, object_id):
        return admin_views.voters_view(self, request, unquote(object_id))

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else [(None, {"fields": self.fields})]

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = BallotAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class ScopedAddForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=user, **kw)

        return ScopedAddForm

    def service_create(self, request, form):
        data = form.cleaned_data
        return services.ballot_create(
            session=data["session"],
            kind=data["kind"],
            title=data["title"],
            projects=form.ordered_projects(),
            closes_at=data["closes_at"],
            slots=data.get("slots"),
            max_choices=data.get("max_choices"),
            min_vote_ratio=data.get("min_vote_ratio"),
            base=data["base"],
            by=request.user,
        )

    @admin.display(description=_("投票情况（网上 + 纸质 / 应参加）"))
    def turnout(self, ballot):
        if ballot.status == Ballot.Status.DRAFT:
            return "—"
        return _("%(online)s + %(paper)s / %(eligible)s") % {
            "online": ballot.sheets_online,
            "paper": ballot.sheets_paper,
            "eligible": ballot.eligible_count,
        }

    def workflow_buttons(self, request, obj):
        buttons = []
        may_change = self.may_act(request, obj)
        if obj.status == Ballot.Status.DRAFT and may_change:
            buttons.append({"action": "open_ballots", "label": _("开始投票")})
        if obj.status == Ballot.Status.OPEN and may_change:
            buttons.append({"action": "close_ballots", "label": _("结束投票并计票")})
            if request.user.has_perm("livelihood.add_paperbatch"):
                url = reverse("admin:livelihood_ballot_paper", args=[obj.pk])
                buttons.append({"url": url, "label": _("录入纸质选票")})
        if obj.status == Ballot.Status.CLOSED:
            buttons.append({"url": reverse("admin:livelihood_ballot_results", args=[obj.pk]), "label": _("计票结果")})
        if obj.status != Ballot.Status.DRAFT and request.user.has_perm("livelihood.view_ballotvoter"):
            buttons.append({"url": reverse("admin:livelihood_ballot_voters", args=[obj.pk]), "label": _("已投票代表")})
        return buttons

    open_ballots = service_action(
        description=_("开始所选投票"),
        service=services.ballot_open,
        target="ballot",
        done=_("已开始%(n)s项投票，已通知代表。"),
    )

    @admin.action(description=_("结束所选投票并计票"), permissions=["change"])
    def close_ballots(self, request, queryset):
        response = admin_pages.run_action(
            self,
            request,
            queryset,
            apply=lambda b: services.ballot_close(ballot=b, by=request.user),
            done=_("已结束%(n)s项投票，计票结果已生成。"),
        )
        objects = list(queryset)
        if len(objects) == 1 and Ballot.objects.filter(pk=objects[0].pk, status=Ballot.Status.CLOSED).exists():
            return HttpResponseRedirect(reverse("admin:livelihood_ballot_results", args=[objects[0].pk]))
        return response

    actions = [open_ballots, close_ballots]
