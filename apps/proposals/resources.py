"""Spreadsheets of proposals: the proposal list and the handling report out, a session's paper proposals in.

Exports run through django-import-export (formula-safe formats, the export permission);
the import is a sheet read with tablib whose every row goes through the services, in one
transaction that is rolled back when any row fails, or when it is only a preview.
"""

import re
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import sheets
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import ChoicesWidget
from apps.core.sheets import AuditedExport, Column, error_messages
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


IMPORT_COLUMNS = [
    Column("title", gettext_lazy("建议标题"), required=True),
    Column("content", gettext_lazy("建议内容"), required=True),
    Column("category", gettext_lazy("类别"), required=True),
    Column("lead", gettext_lazy("领衔代表"), required=True),
    Column("lead_credential", gettext_lazy("领衔代表证号"), aliases=("代表证号",)),
    Column("cosigners", gettext_lazy("附议代表"), aliases=("附议人",)),
    Column("publication", gettext_lazy("公开意见")),
    Column("formation", gettext_lazy("形成方式")),
    Column("period", gettext_lazy("提出时间"), aliases=("会议期间/闭会期间", "大会期间/闭会期间")),
]

# Staff also write "会议期间" for proposals made during the session.
PERIOD_ALIASES = {"会议期间": Proposal.Period.SESSION}
COSIGNER_SEPARATORS = re.compile(r"[、;；,，\n]+")
NAME_WITH_CREDENTIAL = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<credential>[^（()）]+?)\s*[)）]$")


def read_sheet(upload) -> list[dict[str, str]]:
    return sheets.read_sheet(upload, IMPORT_COLUMNS, empty=_("文件中没有建议。"))


def template_dataset() -> tablib.Dataset:
    """An empty import sheet with its headers and one example row."""
    dataset = tablib.Dataset(headers=[str(c.label) for c in IMPORT_COLUMNS])
    dataset.title = _("代表建议")
    dataset.append(
        [
            _("关于修缮儒林镇中心小学校舍的建议"),
            _("校舍年久失修，存在安全隐患。"),
            _("教育科技文化"),
            _("杨秀英"),
            "",
            _("刘建国、王芳"),
            _("同意全文公开"),
            _("走访选民"),
            _("大会期间"),
        ]
    )
    return dataset


@dataclass
class ImportRow:
    line: int
    title: str = ""
    lead: str = ""
    cosigners: str = ""
    category: str = ""
    number: int | None = None
    errors: list[str] = field(default_factory=list)


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
            raise ValueError(_("本届代表中没有“%(name)s”。") % {"name": text})
        if len(found) > 1:
            raise ValueError(_("名为“%(name)s”的代表有%(n)s位，请同时填写代表证号。") % {"name": text, "n": len(found)})
        return found[0]

    def _by_credential(self, name: str, credential: str) -> Representative:
        rep = self.by_credential.get(credential)
        if rep is None:
            raise ValueError(_("本届代表中没有代表证号为“%(no)s”的代表。") % {"no": credential})
        if name and name != credential and rep.name != name:
            raise ValueError(
                _("代表证号“%(no)s”是%(actual)s的，不是%(name)s的。")
                % {"no": credential, "actual": rep.name, "name": name}
            )
        return rep


class ProposalSheet:
    """A session's proposals from a sheet: each row created and submitted through the services,
    all in one transaction, kept only when every row is valid and this is not a preview."""

    def __init__(self, *, session, user, cosigners_signed: bool = False):
        self.session = session
        self.user = user
        self.cosigners_signed = cosigners_signed
        members = Representative.objects.visible_to(user).filter(term=session.term_id)
        self.index = RepresentativeIndex(members)
        self.widgets = {
            "category": ChoicesWidget(Proposal.Category.choices),
            "publication": ChoicesWidget(Proposal.Publication.choices),
            "formation": ChoicesWidget(Proposal.Formation.choices),
            "period": ChoicesWidget(Proposal.Period.choices),
        }

    def run(self, rows: list[dict[str, str]], *, commit: bool) -> list[ImportRow]:
        with transaction.atomic():
            results = [self._row(line, values) for line, values in enumerate(rows, start=2)]
            if not commit or any(r.errors for r in results):
                transaction.set_rollback(True)
        if commit and not any(r.errors for r in results):
            audit_event(Audit.IMPORT, user=self.user, target=self.session, register="proposals", rows=len(results))
        return results

    def _row(self, line: int, values: dict[str, str]) -> ImportRow:
        result = ImportRow(
            line=line,
            title=values.get("title", ""),
            lead=values.get("lead", ""),
            cosigners=values.get("cosigners", ""),
            category=values.get("category", ""),
        )
        kwargs = self._parse(values, result.errors)
        if result.errors:
            return result
        try:
            with transaction.atomic():
                result.number = self._save(**kwargs).number
        except ValidationError as error:
            result.errors += error_messages(error, Proposal)
        return result

    def _parse(self, values: dict[str, str], errors: list[str]) -> dict:
        """The row as keyword arguments of proposal_create; what cannot be read goes to `errors`."""
        for column in IMPORT_COLUMNS:
            if column.required and not values.get(column.key):
                errors.append(_("%(column)s不能为空。") % {"column": column.label})
        kwargs = {key: values.get(key, "") for key in ("title", "content")}
        kwargs |= self._choices(values, errors)
        if values.get("lead"):
            kwargs["lead"] = self._person(values["lead"], values.get("lead_credential", ""), "lead", errors)
        names = [item.strip() for item in COSIGNER_SEPARATORS.split(values.get("cosigners", "")) if item.strip()]
        kwargs["cosigners"] = [rep for name in names if (rep := self._person(name, "", "cosigners", errors))]
        return kwargs

    def _choices(self, values: dict[str, str], errors: list[str]) -> dict:
        chosen = {}
        for key, widget in self.widgets.items():
            raw = values.get(key, "")
            if key == "period":
                raw = PERIOD_ALIASES.get(raw, raw)
            try:
                if value := widget.clean(raw):
                    chosen[key] = value
            except ValueError as error:
                errors.append(f"{_column_label(key)}：{error}")
        return chosen

    def _person(self, text: str, credential: str, column: str, errors: list[str]) -> Representative | None:
        try:
            return self.index.find(text, credential)
        except ValueError as error:
            errors.append(f"{_column_label(column)}：{error}")
            return None

    def _save(self, *, cosigners, **kwargs) -> Proposal:
        proposal = services.proposal_create(session=self.session, by=self.user, cosigners=cosigners, **kwargs)
        if self.cosigners_signed:
            # The co-signers' signatures on the paper proposal are their confirmation.
            for rep in {c.pk: c for c in cosigners if c.pk != proposal.lead_id}.values():
                services.cosigner_record(
                    proposal=proposal, representative=rep, source=CoSigner.Source.PAPER, by=self.user
                )
        return services.proposal_submit(proposal=proposal, by=self.user)


def _column_label(key: str) -> str:
    return next(str(c.label) for c in IMPORT_COLUMNS if c.key == key)
