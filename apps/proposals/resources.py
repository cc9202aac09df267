"""Spreadsheets of proposals: the proposal list and the handling report out, a session's paper proposals in.

Exports run through django-import-export (formula-safe formats, the export permission);
the import is a sheet read with tablib whose every row goes through the services, in one
transaction that is rolled back when any row fails, or when it is only a preview.
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import imports
from apps.core.exports import AuditedExport, ChoicesWidget
from apps.core.imports import CellError
from apps.core.models import CongressSession
from apps.proposals import services
from apps.proposals.models import Assignment, ContactRecord, CoSigner, Proposal, Rating
from apps.representatives.models import Representative

Role = Assignment.Role
ANSWERING = [Role.LEAD, Role.SEPARATE]


def _day(value) -> str:
    if value is None:
        return ""
    return (timezone.localdate(value) if hasattr(value, "tzinfo") else value).strftime("%Y-%m-%d")


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or ""))


def _yes_no(value: bool) -> str:
    return _("是") if value else _("否")


def _active(proposal) -> list[Assignment]:
    """The proposal's active assignments, lead first, from the prefetched rows."""
    order = {Role.LEAD: 0, Role.SEPARATE: 1, Role.ASSIST: 2}
    rows = [a for a in proposal.assignments.all() if a.state == Assignment.State.ACTIVE]
    return sorted(rows, key=lambda a: (order[a.role], a.unit.name))


def _latest_reply(assignment):
    replies = list(assignment.replies.all())
    return max(replies, key=lambda r: r.round) if replies else None


def _latest_feedback(proposal):
    feedback = list(proposal.feedback.all())
    return max(feedback, key=lambda f: f.round) if feedback else None


def units_and_roles(proposal) -> str:
    return "、".join(f"{a.unit}（{a.get_role_display()}）" for a in _active(proposal))


class ProposalResource(AuditedExport, resources.ModelResource):
    """The proposal list (建议清单): one row per proposal, with its units, deadline, outcome and rating."""

    audit_name = "proposals"

    session = fields.Field(column_name=gettext_lazy("会议"))
    number = fields.Field(attribute="number", column_name=gettext_lazy("建议编号"))
    title = fields.Field(attribute="title", column_name=gettext_lazy("建议标题"))
    lead = fields.Field(column_name=gettext_lazy("领衔代表"))
    cosigners = fields.Field(column_name=gettext_lazy("附议代表"))
    category = fields.Field(
        attribute="category", column_name=gettext_lazy("类别"), widget=ChoicesWidget(Proposal.Category.choices)
    )
    period = fields.Field(
        attribute="period", column_name=gettext_lazy("提出时间"), widget=ChoicesWidget(Proposal.Period.choices)
    )
    status = fields.Field(
        attribute="status",
        column_name=gettext_lazy("状态"),
        widget=ChoicesWidget(Proposal._meta.get_field("status").choices),
    )
    is_key = fields.Field(column_name=gettext_lazy("重点督办"))
    assigned_on = fields.Field(column_name=gettext_lazy("交办日期"))
    units = fields.Field(column_name=gettext_lazy("承办单位及办理方式"))
    due_on = fields.Field(column_name=gettext_lazy("答复期限"))
    outcome = fields.Field(column_name=gettext_lazy("办理结果分类"))
    attitude = fields.Field(column_name=gettext_lazy("代表评价（办理态度）"))
    result = fields.Field(column_name=gettext_lazy("代表评价（办理结果）"))
    closed_on = fields.Field(column_name=gettext_lazy("办结日期"))

    class Meta:
        model = Proposal
        name = gettext_lazy("建议清单")
        fields = [
            "session", "number", "title", "lead", "cosigners", "category", "period", "status", "is_key",
            "assigned_on", "units", "due_on", "outcome", "attitude", "result", "closed_on",
        ]  # fmt: skip
        export_order = fields

    def get_queryset(self):
        qs = Proposal.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        # Everything a row shows comes in a fixed number of queries, however many rows.
        return queryset.select_related("session__term__region", "lead").prefetch_related(
            "cosigners__representative", "assignments__unit", "assignments__replies", "feedback"
        )

    def dehydrate_session(self, proposal):
        return str(proposal.session)

    def dehydrate_lead(self, proposal):
        return proposal.lead.name

    def dehydrate_cosigners(self, proposal):
        return "、".join(c.representative.name for c in proposal.cosigners.all() if not c.declined_at)

    def dehydrate_is_key(self, proposal):
        return _yes_no(proposal.is_key)

    def dehydrate_assigned_on(self, proposal):
        return _day(proposal.assigned_at)

    def dehydrate_units(self, proposal):
        return units_and_roles(proposal)

    def dehydrate_due_on(self, proposal):
        dues = [a.due_on for a in _active(proposal) if a.role in ANSWERING]
        return _day(min(dues)) if dues else ""

    def dehydrate_outcome(self, proposal):
        replies = [r for a in _active(proposal) if (r := _latest_reply(a))]
        return "、".join(sorted({r.outcome for r in replies}))

    def dehydrate_attitude(self, proposal):
        feedback = _latest_feedback(proposal)
        return _label(Rating.choices, feedback.attitude) if feedback else ""

    def dehydrate_result(self, proposal):
        feedback = _latest_feedback(proposal)
        return _label(Rating.choices, feedback.result) if feedback else ""

    def dehydrate_closed_on(self, proposal):
        return _day(proposal.closed_at)


class ReplyReportResource(AuditedExport, resources.ModelResource):
    """The handling report (答复情况表): one row per proposal and answering unit."""

    audit_name = "proposal replies"

    number = fields.Field(column_name=gettext_lazy("建议编号"))
    title = fields.Field(column_name=gettext_lazy("建议标题"))
    lead = fields.Field(column_name=gettext_lazy("领衔代表"))
    unit = fields.Field(column_name=gettext_lazy("承办单位"))
    role = fields.Field(
        attribute="role", column_name=gettext_lazy("办理方式"), widget=ChoicesWidget(Assignment.Role.choices)
    )
    assigned_on = fields.Field(column_name=gettext_lazy("交办日期"))
    due_on = fields.Field(column_name=gettext_lazy("答复期限"))
    outcome = fields.Field(column_name=gettext_lazy("办理结果分类"))
    replied_on = fields.Field(column_name=gettext_lazy("答复日期"))
    on_time = fields.Field(column_name=gettext_lazy("按期答复"))
    contact = fields.Field(column_name=gettext_lazy("沟通方式"))
    attitude = fields.Field(column_name=gettext_lazy("代表评价（办理态度）"))
    result = fields.Field(column_name=gettext_lazy("代表评价（办理结果）"))

    class Meta:
        model = Assignment
        name = gettext_lazy("答复情况表")
        fields = [
            "number", "title", "lead", "unit", "role", "assigned_on", "due_on", "outcome", "replied_on",
            "on_time", "contact", "attitude", "result",
        ]  # fmt: skip
        export_order = fields

    def get_queryset(self):
        qs = Assignment.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        # The admin exports from the proposal list: its filtered proposals become their answering units.
        if queryset.model is Proposal:
            queryset = Assignment.objects.filter(proposal__in=queryset.values("pk"))
        return (
            queryset.filter(state=Assignment.State.ACTIVE, role__in=ANSWERING)
            .select_related("proposal__lead", "unit")
            .prefetch_related("replies", "contacts", "proposal__feedback")
            .order_by("proposal__session", "proposal__number", "unit__name", "pk")
        )

    def dehydrate_number(self, assignment):
        return assignment.proposal.number

    def dehydrate_title(self, assignment):
        return assignment.proposal.title

    def dehydrate_lead(self, assignment):
        return assignment.proposal.lead.name

    def dehydrate_unit(self, assignment):
        return assignment.unit.name

    def dehydrate_assigned_on(self, assignment):
        return _day(assignment.assigned_at)

    def dehydrate_due_on(self, assignment):
        return _day(assignment.due_on)

    def dehydrate_outcome(self, assignment):
        reply = _latest_reply(assignment)
        return reply.outcome if reply else ""

    def dehydrate_replied_on(self, assignment):
        reply = _latest_reply(assignment)
        return _day(reply.replied_at) if reply else ""

    def dehydrate_on_time(self, assignment):
        reply = _latest_reply(assignment)
        return _yes_no(reply.on_time) if reply else ""

    def dehydrate_contact(self, assignment):
        kinds = sorted({c.kind for c in assignment.contacts.all()})
        return "、".join(_label(ContactRecord.Kind.choices, k) for k in kinds)

    def dehydrate_attitude(self, assignment):
        feedback = _latest_feedback(assignment.proposal)
        return _label(Rating.choices, feedback.attitude) if feedback else ""

    def dehydrate_result(self, assignment):
        feedback = _latest_feedback(assignment.proposal)
        return _label(Rating.choices, feedback.result) if feedback else ""


# --- import of a session's proposals ----------------------------------------------------------


# Staff also write "会议期间" for proposals made during the session.
PERIOD_CHOICES = [*Proposal.Period.choices, (Proposal.Period.SESSION, "会议期间")]
COSIGNER_SEPARATORS = re.compile(r"[、;；,，\n]+")
NAME_WITH_CREDENTIAL = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<credential>[^（()）]+?)\s*[)）]$")


class RepresentativeIndex:
    """The representatives a sheet may name, looked up by name or credential number."""

    def __init__(self, representatives):
        self.by_name: dict[str, list[Representative]] = {}
        self.by_credential: dict[str, Representative] = {}
        for rep in representatives:
            self.by_name.setdefault(rep.name, []).append(rep)
            if rep.credential_no:
                self.by_credential[rep.credential_no] = rep

    def find(self, text: str, credential: str = "") -> Representative:
        match = NAME_WITH_CREDENTIAL.match(text)
        if match:
            text, credential = match["name"], credential or match["credential"]
        if credential:
            return self._by_credential(text, credential)
        if text in self.by_credential and text not in self.by_name:
            return self.by_credential[text]
        found = self.by_name.get(text, [])
        if not found:
            raise CellError(_("本届代表中没有“%(name)s”。") % {"name": text})
        if len(found) > 1:
            raise CellError(_("名为“%(name)s”的代表有%(n)s位，请同时填写代表证号。") % {"name": text, "n": len(found)})
        return found[0]

    def _by_credential(self, name: str, credential: str) -> Representative:
        rep = self.by_credential.get(credential)
        if rep is None:
            raise CellError(_("本届代表中没有代表证号为“%(no)s”的代表。") % {"no": credential})
        if name and name != credential and rep.name != name:
            raise CellError(
                _("代表证号“%(no)s”是%(actual)s的，不是%(name)s的。")
                % {"no": credential, "actual": rep.name, "name": name}
            )
        return rep


class LeadWidget(imports.TextWidget):
    """The lead representative by name, by "name (credential number)", or with the credential
    number of the row's 领衔代表证号 column."""

    hint = gettext_lazy("本届代表姓名；同名时写成“杨秀英（18001）”或填写领衔代表证号")

    def __init__(self, credential_column: str, **kwargs):
        self.credential_column, self.index = credential_column, None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = imports.cell_text(value)
        if not text or self.index is None:
            return None
        return self.index.find(text, imports.cell_text((row or {}).get(self.credential_column)))


class CosignersWidget(imports.TextWidget):
    """The co-signers, names separated by 、 or commas; every unknown name is reported at once."""

    hint = gettext_lazy("本届代表姓名，多人之间用顿号“、”隔开")

    def __init__(self, **kwargs):
        self.index = None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in COSIGNER_SEPARATORS.split(imports.cell_text(value)) if n.strip()]
        if self.index is None:
            return []
        found, problems = [], []
        for name in names:
            try:
                found.append(self.index.find(name))
            except CellError as error:
                problems.append(str(error))
        if problems:
            raise CellError(" ".join(problems))
        return found


def _choice(header, choices):
    return fields.Field(column_name=header, widget=imports.ChoiceWidget(choices))


class ProposalImportResource(imports.ServiceResource):
    """A session's paper proposals: each row created and submitted through the services (with
    the co-signers' paper signatures recorded when the clerk says they signed), all or none.
    An import only creates proposals: a row whose lead already has a proposal of that title in
    the session is skipped as unchanged, so a file imported twice adds nothing the second time."""

    sheet_title = gettext_lazy("代表建议")
    required = ("title", "content", "category", "lead")
    header_aliases = {"代表证号": "领衔代表证号", "附议人": "附议代表", "会议期间/闭会期间": "提出时间",
                      "大会期间/闭会期间": "提出时间"}  # fmt: skip
    denied_message = gettext_lazy("您无权为这位代表录入建议。")
    notes = [
        gettext_lazy("每行一件建议，导入后即为已提交，按行的顺序编号。"),
        gettext_lazy("领衔代表和附议代表须为所选会议届次的在任代表；同名时写成“杨秀英（18001）”。"),
        gettext_lazy("本次会议已有同一领衔代表、同一标题的建议时，该行跳过：同一文件导入两次不会重复。"),
    ]
    examples = [
        {"title": "关于修缮儒林镇中心小学校舍的建议", "content": "校舍年久失修，存在安全隐患。",
         "category": "教育科技文化", "lead": "杨秀英", "cosigners": "刘建国、王芳", "publication": "同意全文公开",
         "formation": "走访选民", "period": "大会期间"},
        {"title": "关于改善农村公路的建议", "content": "路面破损，雨天难行。", "category": "交通水利",
         "lead": "刘建国", "publication": "仅同意公开标题", "formation": "专题调研", "period": "闭会期间"},
    ]  # fmt: skip

    title = fields.Field(column_name=gettext_lazy("建议标题"), widget=imports.TextWidget())
    content = fields.Field(column_name=gettext_lazy("建议内容"), widget=imports.TextWidget())
    category = _choice(gettext_lazy("类别"), Proposal.Category.choices)
    lead = fields.Field(column_name=gettext_lazy("领衔代表"), widget=LeadWidget(""))
    lead_credential = fields.Field(column_name=gettext_lazy("领衔代表证号"), widget=imports.TextWidget())
    cosigners = fields.Field(column_name=gettext_lazy("附议代表"), widget=CosignersWidget())
    publication = _choice(gettext_lazy("公开意见"), Proposal.Publication.choices)
    formation = _choice(gettext_lazy("形成方式"), Proposal.Formation.choices)
    period = _choice(gettext_lazy("提出时间"), PERIOD_CHOICES)

    class Meta:
        model = Proposal
        fields = [
            "title", "content", "category", "lead", "lead_credential", "cosigners", "publication", "formation",
            "period",
        ]  # fmt: skip
        import_order = export_order = fields

    def __init__(self, user=None, session=None, cosigners_signed=False, **kwargs):
        super().__init__(user=user, **kwargs)
        self.session = CongressSession.objects.filter(pk=session).select_related("term").first() if session else None
        self.cosigners_signed = cosigners_signed
        self.numbers: list[int] = []
        self.fields["lead"].widget = LeadWidget(self.fields["lead_credential"].column_name)
        self.fields["cosigners"].widget = CosignersWidget()
        if self.session is not None:
            index = RepresentativeIndex(Representative.objects.visible_to(user).filter(term=self.session.term_id))
            self.fields["lead"].widget.index = self.fields["cosigners"].widget.index = index

    def example_rows(self):
        """The examples led by two of the user's serving representatives, so the template imports as it is."""
        reps = list(Representative.objects.visible_to(self.user).serving().order_by("-term__number", "pk")[:2])
        if len(reps) < 2:
            return self.examples
        first, second = (dict(row) for row in self.examples)
        first.update(lead=reps[0].name, cosigners=reps[1].name)
        second.update(lead=reps[1].name)
        return [first, second]

    def unchanged(self, values: dict) -> bool:
        return Proposal.objects.filter(session=self.session, lead=values["lead"], title=values["title"]).exists()

    def create_row(self, *, lead, cosigners, **values):
        values.pop("lead_credential", None)  # read by the lead's column already
        values = {key: value for key, value in values.items() if value not in ("", None)}
        proposal = services.proposal_create(
            session=self.session, by=self.user, lead=lead, cosigners=cosigners, **values
        )
        if self.cosigners_signed:
            # The co-signers' signatures on the paper proposal are their confirmation.
            for rep in {c.pk: c for c in cosigners if c.pk != proposal.lead_id}.values():
                services.cosigner_record(
                    proposal=proposal, representative=rep, source=CoSigner.Source.PAPER, by=self.user
                )
        return services.proposal_submit(proposal=proposal, by=self.user)

    def saved(self, obj) -> None:
        self.numbers.append(obj.number)

    def done_message(self, report) -> str:
        if not self.numbers:
            return super().done_message(report)
        return _("已导入%(n)s件建议，编号%(first)s至%(last)s。") % {
            "n": len(self.numbers), "first": min(self.numbers), "last": max(self.numbers),
        }  # fmt: skip

    def done_query(self) -> str:
        return f"session={self.session.pk}" if self.session else ""
