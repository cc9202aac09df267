"""Spreadsheets of livelihood projects: the project list and a ballot's results out, a session's
candidates in.

Exports run through django-import-export (formula-safe formats, the export permission) or
tablib with apps.core.admin_pages.workbook; the import reads a sheet whose every row goes
through services.project_shortlist, in one transaction rolled back when any row fails, or when
it is only a preview.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import imports
from apps.core.exports import AuditedExport, ChoicesWidget
from apps.core.imports import CellError
from apps.core.models import CongressSession, HandlingUnit
from apps.livelihood import services
from apps.livelihood.models import Ballot, Project
from apps.livelihood.selectors import ballot_results


class ProjectResource(AuditedExport, resources.ModelResource):
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

    audit_name = "livelihood projects"

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("session__term__region", "responsible_unit").order_by("session", "number")

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


MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(底)?$")


class InvestmentWidget(imports.TextWidget):
    """An amount in 万元 as clerks type it (180, 1,200.5, 180万元)."""

    hint = gettext_lazy("数字，单位万元，例如 180")

    def clean(self, value, row=None, **kwargs):
        text = imports.cell_text(value).replace(",", "").replace("万元", "").strip()
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(_("“%(value)s”不是数字（单位万元）。") % {"value": text}) from None
        if amount < 0:
            raise CellError(_("总投资不能为负数。"))
        return amount


class DueWidget(imports.DateWidget):
    """A date, or a month ("2022年10月", "2022-10月底") meaning the end of that month."""

    hint = gettext_lazy("日期，例如 2022-12-31；只写年月（2022年10月）表示该月底")

    def clean(self, value, row=None, **kwargs):
        match = MONTH.match(imports.cell_text(value))
        if match and 1 <= int(match[2]) <= 12:
            year, month = int(match[1]), int(match[2])
            next_month = date(year + month // 12, month % 12 + 1, 1)
            return date.fromordinal(next_month.toordinal() - 1)
        return super().clean(value, row, **kwargs)


class CandidateImportResource(imports.ServiceResource):
    """A session's candidate projects, each shortlisted through project_shortlist, all or none.
    An import only creates candidates: a row naming a project the session already has (same
    title) is skipped as unchanged."""

    sheet_title = gettext_lazy("候选项目")
    required = ("title", "description", "responsible_unit", "investment", "completion_due")
    header_aliases = {"建设内容": "项目内容", "投资（万元）": "总投资（万元）", "总投资": "总投资（万元）",
                      "完成时间": "计划完成时间"}  # fmt: skip
    notes = [
        gettext_lazy("每行一个候选项目，按行的顺序编号；责任单位填单位全称或简称。"),
        gettext_lazy("本次会议已有同名候选项目时，该行跳过：同一文件导入两次不会重复。"),
    ]
    examples = [
        {"title": "白云村饮水安全巩固提升工程", "description": "新建蓄水池 1 座，改造供水管网 6 公里。",
         "responsible_unit": "县水利局", "investment": 180, "completion_due": "2022-12-31"},
        {"title": "儒林镇农贸市场改造", "description": "改造市场棚顶和排水沟。", "responsible_unit": "县水利局",
         "investment": "85.5", "completion_due": "2022年10月"},
    ]  # fmt: skip

    title = fields.Field(column_name=gettext_lazy("项目名称"), widget=imports.TextWidget())
    description = fields.Field(column_name=gettext_lazy("项目内容"), widget=imports.TextWidget())
    responsible_unit = fields.Field(column_name=gettext_lazy("责任单位"), widget=imports.TextWidget())
    investment = fields.Field(column_name=gettext_lazy("总投资（万元）"), widget=InvestmentWidget())
    completion_due = fields.Field(column_name=gettext_lazy("计划完成时间"), widget=DueWidget())

    class Meta:
        model = Project
        fields = ["title", "description", "responsible_unit", "investment", "completion_due"]
        import_order = export_order = fields

    def __init__(self, user=None, session=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.session = CongressSession.objects.filter(pk=session).first() if session else None
        self.units: dict[str, HandlingUnit] = {}
        if user is not None:
            self.units = {u.name: u for u in HandlingUnit.objects.visible_to(user).filter(is_active=True)}
            self.units.update({u.short_name: u for u in list(self.units.values()) if u.short_name})

    def example_rows(self):
        """The examples with one of the user's units, so the template imports as it is."""
        unit = next(iter(self.units), None)
        return [{**row, "responsible_unit": unit} for row in self.examples] if unit else self.examples

    def resolve(self, values: dict, errors: dict) -> None:
        name = values.get("responsible_unit")
        values["responsible_unit"] = self.units.get(name) if name else None
        if name and values["responsible_unit"] is None:
            errors["responsible_unit"] = [
                _("没有名为“%(name)s”的单位。") % {"name": name} + imports.suggestion(name, self.units)
            ]

    def unchanged(self, values: dict) -> bool:
        return Project.objects.filter(session=self.session, title=values["title"]).exists()

    def create_row(self, **values):
        return services.project_shortlist(session=self.session, ideas=[], by=self.user, **values)

    def done_message(self, report) -> str:
        return _("已导入%(n)s个候选项目。") % {"n": report.new}

    def done_query(self) -> str:
        return f"session={self.session.pk}" if self.session else ""
