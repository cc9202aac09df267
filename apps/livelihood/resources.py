"""Spreadsheets of livelihood projects: the project list and a ballot's results out, a session's
candidates in.

Exports run through django-import-export (formula-safe formats, the export permission) or
tablib with apps.core.admin_pages.workbook; the import reads a sheet whose every row goes
through services.project_shortlist, in one transaction rolled back when any row fails, or when
it is only a preview.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import sheets
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import ChoicesWidget
from apps.core.models import HandlingUnit
from apps.core.sheets import Column, error_messages
from apps.livelihood import services
from apps.livelihood.models import Ballot, Project
from apps.livelihood.selectors import ballot_results


class ProjectResource(resources.ModelResource):
    """The project list: candidates with their votes, status, progress and grade."""

    session = fields.Field(column_name=gettext_lazy("人民代表大会会议"))
    number = fields.Field(attribute="number", column_name=gettext_lazy("编号"))
    title = fields.Field(attribute="title", column_name=gettext_lazy("项目名称"))
    description = fields.Field(attribute="description", column_name=gettext_lazy("项目内容"))
    responsible_unit = fields.Field(column_name=gettext_lazy("责任单位"))
    investment = fields.Field(attribute="investment", column_name=gettext_lazy("总投资（万元）"))
    completion_due = fields.Field(column_name=gettext_lazy("计划完成时间"))
    status = fields.Field(
        attribute="status", column_name=gettext_lazy("状态"), widget=ChoicesWidget(Project.Status.choices)
    )
    lead_leader = fields.Field(attribute="lead_leader", column_name=gettext_lazy("牵头领导"))
    progress = fields.Field(attribute="progress", column_name=gettext_lazy("进度（%）"))
    grade = fields.Field(
        attribute="grade", column_name=gettext_lazy("满意度测评结果"), widget=ChoicesWidget(Project.Grade.choices)
    )

    class Meta:
        model = Project
        name = gettext_lazy("民生实事项目清单")
        fields = [
            "session", "number", "title", "description", "responsible_unit", "investment", "completion_due",
            "status", "lead_leader", "progress", "grade",
        ]  # fmt: skip
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        qs = Project.objects.all()
        return qs.visible_to(self.user) if self.user else qs

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("session__term__region", "responsible_unit").order_by("session", "number")

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        audit_event(Audit.EXPORT, user=self.user, register="livelihood projects", rows=len(dataset))
        return dataset

    def dehydrate_session(self, project):
        return str(project.session)

    def dehydrate_responsible_unit(self, project):
        return project.responsible_unit.name

    def dehydrate_completion_due(self, project):
        return project.completion_due.strftime("%Y-%m-%d")


def results_dataset(ballot: Ballot) -> tablib.Dataset:
    """A closed ballot's result sheet: votes, rank and outcome, or the poll's counts and grade."""
    results = ballot_results(ballot)
    if ballot.kind == Ballot.Kind.SELECTION:
        headers = [_("名次"), _("编号"), _("项目名称"), _("责任单位"), _("总投资（万元）"), _("得票数"), _("结果")]
        rows = [
            [r.rank, r.number, r.title, r.responsible_unit, r.investment, r.votes, r.outcome_label] for r in results
        ]
    else:
        headers = [_("编号"), _("项目名称"), _("责任单位"), _("满意"), _("基本满意"), _("不满意"), _("测评结果")]
        rows = [
            [r.number, r.title, r.responsible_unit, r.satisfied, r.basic, r.dissatisfied, r.grade_label]
            for r in results
        ]
    dataset = tablib.Dataset(*rows, headers=headers, title=_("计票结果"))
    dataset.insert(0, _turnout_row(ballot, len(headers)))
    return dataset


def _turnout_row(ballot: Ballot, width: int) -> list:
    line = _("%(title)s：应参加投票代表 %(eligible)s 名，收回网上选票 %(online)s 张、纸质选票 %(paper)s 张") % {
        "title": ballot.title,
        "eligible": ballot.eligible_count,
        "online": ballot.sheets_online,
        "paper": ballot.sheets_paper,
    }
    return [line] + [""] * (width - 1)


# --- import of a session's candidates ------------------------------------------------------------


IMPORT_COLUMNS = [
    Column("title", gettext_lazy("项目名称"), required=True),
    Column("description", gettext_lazy("项目内容"), aliases=("建设内容",), required=True),
    Column("responsible_unit", gettext_lazy("责任单位"), required=True),
    Column("investment", gettext_lazy("总投资（万元）"), aliases=("投资（万元）", "总投资"), required=True),
    Column("completion_due", gettext_lazy("计划完成时间"), aliases=("完成时间",), required=True),
]
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(底)?$")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date | int | float) else str(value).strip()


def read_sheet(upload) -> list[dict]:
    return sheets.read_sheet(upload, IMPORT_COLUMNS, empty=_("文件中没有候选项目。"), cell=_cell)


def template_dataset() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[str(c.label) for c in IMPORT_COLUMNS], title=_("候选项目"))
    dataset.append(
        [_("白云村饮水安全巩固提升工程"), _("新建蓄水池 1 座，改造供水管网 6 公里。"), _("县水利局"), 180, "2022-12-31"]
    )
    return dataset


@dataclass
class ImportRow:
    line: int
    title: str = ""
    unit: str = ""
    investment: str = ""
    completion_due: str = ""
    number: int | None = None
    errors: list[str] = field(default_factory=list)


class CandidateSheet:
    """A session's candidates from a sheet, each through project_shortlist, all in one
    transaction, kept only when every row is valid and this is not a preview."""

    def __init__(self, *, session, user):
        self.session = session
        self.user = user
        self.units = {u.name: u for u in HandlingUnit.objects.visible_to(user).filter(is_active=True)}
        self.units.update({u.short_name: u for u in self.units.values() if u.short_name})

    def run(self, rows: list[dict], *, commit: bool) -> list[ImportRow]:
        with transaction.atomic():
            results = [self._row(line, values) for line, values in enumerate(rows, start=2)]
            if not commit or any(r.errors for r in results):
                transaction.set_rollback(True)
        if commit and not any(r.errors for r in results):
            audit_event(
                Audit.IMPORT, user=self.user, target=self.session, register="livelihood candidates", rows=len(results)
            )
        return results

    def _row(self, line: int, values: dict) -> ImportRow:
        result = ImportRow(
            line=line,
            title=str(values.get("title", "")),
            unit=str(values.get("responsible_unit", "")),
            investment=str(values.get("investment", "")),
            completion_due=str(values.get("completion_due", "")),
        )
        kwargs = self._parse(values, result.errors)
        if result.errors:
            return result
        try:
            with transaction.atomic():
                project = services.project_shortlist(session=self.session, ideas=[], by=self.user, **kwargs)
        except ValidationError as error:
            result.errors += error_messages(error, Project)
        else:
            result.number = project.number
        return result

    def _parse(self, values: dict, errors: list[str]) -> dict:
        for column in IMPORT_COLUMNS:
            if values.get(column.key) in ("", None):
                errors.append(_("%(column)s不能为空。") % {"column": column.label})
        kwargs = {"title": str(values.get("title", "")), "description": str(values.get("description", ""))}
        if unit_name := values.get("responsible_unit"):
            kwargs["responsible_unit"] = self.units.get(str(unit_name))
            if kwargs["responsible_unit"] is None:
                errors.append(_("责任单位：没有名为“%(name)s”的单位。") % {"name": unit_name})
        if (raw := values.get("investment")) not in ("", None):
            kwargs["investment"] = _investment(raw, errors)
        if (raw := values.get("completion_due")) not in ("", None):
            kwargs["completion_due"] = _due(raw, errors)
        return kwargs


def _investment(raw, errors: list[str]) -> Decimal | None:
    try:
        value = Decimal(str(raw).replace(",", "").replace("万元", "").strip())
    except InvalidOperation:
        errors.append(_("总投资：“%(value)s”不是数字（单位万元）。") % {"value": raw})
        return None
    if value < 0:
        errors.append(_("总投资不能为负数。"))
    return value


def _due(raw, errors: list[str]) -> date | None:
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if match := MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            # "2022年10月" means by the end of that month.
            next_month = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(next_month.toordinal() - 1)
    errors.append(_("计划完成时间：“%(value)s”不是日期，请写成 2022-12-31。") % {"value": raw})
    return None
