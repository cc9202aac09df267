"""Spreadsheets of the groups app: the activity register and the inspection batches out, and
activities in. An import is all or nothing: every bad row is reported and none is kept."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import sheets
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import ChoicesWidget
from apps.core.models import Region
from apps.core.sheets import AuditedExport, Column
from apps.groups import services
from apps.groups.models import Activity, ActivityGroup, Inspection
from apps.representatives.choices import Status
from apps.representatives.models import Representative

NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _names(reps) -> str:
    return "、".join(r.name for r in reps)


class ActivityResource(AuditedExport, resources.ModelResource):
    """The activity register (代表活动台账): one row per activity."""

    audit_name = "activities"
    date = fields.Field(column_name=gettext_lazy("活动日期"))
    title = fields.Field(attribute="title", column_name=gettext_lazy("活动名称"))
    kind = fields.Field(column_name=gettext_lazy("活动类型"))
    group = fields.Field(column_name=gettext_lazy("活动小组"))
    region = fields.Field(column_name=gettext_lazy("所属区域"))
    place = fields.Field(attribute="place", column_name=gettext_lazy("活动地点"))
    participants = fields.Field(column_name=gettext_lazy("参加代表"))
    summary = fields.Field(attribute="summary", column_name=gettext_lazy("活动情况"))
    people_reached = fields.Field(attribute="people_reached", column_name=gettext_lazy("覆盖群众（人次）"))
    wishes_fulfilled = fields.Field(attribute="wishes_fulfilled", column_name=gettext_lazy("实现微心愿（个）"))
    problems_solved = fields.Field(attribute="problems_solved", column_name=gettext_lazy("解决问题（件）"))
    review = fields.Field(column_name=gettext_lazy("确认状态"))
    reported_by = fields.Field(column_name=gettext_lazy("填报代表"))

    class Meta:
        model = Activity
        name = gettext_lazy("代表活动台账")
        fields = [
            "date", "title", "kind", "group", "region", "place", "participants", "summary", "people_reached",
            "wishes_fulfilled", "problems_solved", "review", "reported_by",
        ]  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # Every column comes from these joins and one prefetch: a fixed number of queries.
        return queryset.select_related("group", "region", "reported_by").prefetch_related("participants")

    def dehydrate_date(self, activity):
        return _day(activity.date)

    def dehydrate_kind(self, activity):
        return activity.get_kind_display()

    def dehydrate_group(self, activity):
        return activity.group.name if activity.group_id else ""

    def dehydrate_region(self, activity):
        return activity.region.name

    def dehydrate_participants(self, activity):
        return _names(activity.participants.all())

    def dehydrate_review(self, activity):
        return activity.get_review_status_display()

    def dehydrate_reported_by(self, activity):
        return activity.reported_by.name if activity.reported_by_id else ""


class InspectionResource(AuditedExport, resources.ModelResource):
    """The inspection and survey batches of the years chosen."""

    audit_name = "inspections"
    year = fields.Field(attribute="year", column_name=gettext_lazy("年度"))
    batch_no = fields.Field(attribute="batch_no", column_name=gettext_lazy("批次"))
    kind = fields.Field(column_name=gettext_lazy("类型"))
    topic = fields.Field(attribute="topic", column_name=gettext_lazy("主题"))
    region = fields.Field(column_name=gettext_lazy("组织区域"))
    started_on = fields.Field(column_name=gettext_lazy("开始日期"))
    ended_on = fields.Field(column_name=gettext_lazy("结束日期"))
    organiser = fields.Field(attribute="organiser", column_name=gettext_lazy("组织单位"))
    participants = fields.Field(column_name=gettext_lazy("参加代表"))
    status = fields.Field(column_name=gettext_lazy("状态"))
    suggestions = fields.Field(column_name=gettext_lazy("意见建议"))
    report = fields.Field(attribute="report", column_name=gettext_lazy("视察调研报告"))

    class Meta:
        model = Inspection
        name = gettext_lazy("视察调研批次")
        fields = [
            "year", "batch_no", "kind", "topic", "region", "started_on", "ended_on", "organiser", "participants",
            "status", "suggestions", "report",
        ]  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("region").prefetch_related("participants", "suggestions__proposal")

    def dehydrate_kind(self, inspection):
        return inspection.get_kind_display()

    def dehydrate_region(self, inspection):
        return inspection.region.name

    def dehydrate_started_on(self, inspection):
        return _day(inspection.started_on)

    def dehydrate_ended_on(self, inspection):
        return _day(inspection.ended_on)

    def dehydrate_participants(self, inspection):
        return _names(inspection.participants.all())

    def dehydrate_status(self, inspection):
        return inspection.get_status_display()

    def dehydrate_suggestions(self, inspection):
        lines = []
        for s in inspection.suggestions.all():
            linked = _("（已形成建议：%(title)s）") % {"title": s.proposal.title} if s.proposal_id else ""
            lines.append(s.text + linked)
        return "\n".join(lines)


# --- import of activities ---------------------------------------------------------------------


IMPORT_COLUMNS = [
    Column("group", gettext_lazy("活动小组")),
    Column("region", gettext_lazy("所属区域")),
    Column("kind", gettext_lazy("活动类型"), required=True),
    Column("title", gettext_lazy("活动名称"), required=True),
    Column("date", gettext_lazy("活动日期"), required=True),
    Column("place", gettext_lazy("活动地点")),
    Column("participants", gettext_lazy("参加代表")),
    Column("summary", gettext_lazy("活动情况")),
    Column("people_reached", gettext_lazy("覆盖群众（人次）")),
    Column("wishes_fulfilled", gettext_lazy("实现微心愿（个）")),
    Column("problems_solved", gettext_lazy("解决问题（件）")),
]
COUNT_KEYS = ("people_reached", "wishes_fulfilled", "problems_solved")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(upload) -> list[dict[str, str]]:
    return sheets.read_sheet(upload, IMPORT_COLUMNS, empty=_("文件中没有活动。"), cell=_cell)


def template_dataset() -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[str(c.label) for c in IMPORT_COLUMNS])
    dataset.title = _("代表活动")
    dataset.append(
        [_("农业农村组"), "", _("微宣讲"), _("党的二十大精神微宣讲"), "2022-11-08", _("儒林镇大竹村"),
         _("杨秀英、刘建国"), _("向村民宣讲党的二十大精神。"), 120, 0, 0]
    )  # fmt: skip
    return dataset


def parse_date(text: str) -> date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s”不是有效的日期，请按“2022-05-18”填写。") % {"value": text})


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


class ActivitySheet:
    """Activities from a sheet, each recorded through `activity_record` (confirmed, as staff enter
    them), all in one transaction, kept only when every row is valid and this is not a check."""

    def __init__(self, *, user):
        self.user = user
        self.groups: dict[str, list[ActivityGroup]] = {}
        for group in ActivityGroup.objects.visible_to(user).select_related("region"):
            self.groups.setdefault(group.name, []).append(group)
        self.regions = {r.name: r for r in Region.objects.visible_to(user).exclude(level=Region.Level.VILLAGE)}
        self.kind = ChoicesWidget(Activity.Kind.choices)
        self._people: dict[int, dict[str, list[Representative]]] = {}

    def run(self, rows: list[dict[str, str]], *, commit: bool) -> list[ImportRow]:
        with transaction.atomic():
            results = [self._row(line, values) for line, values in enumerate(rows, start=2)]
            if not commit or any(r.errors for r in results):
                transaction.set_rollback(True)
        if commit and not any(r.errors for r in results):
            audit_event(Audit.IMPORT, user=self.user, register="activities", rows=len(results))
        return results

    def _row(self, line: int, values: dict[str, str]) -> ImportRow:
        result = ImportRow(line=line, values=values)
        kwargs = self._parse(values, result.errors)
        if result.errors:
            return result
        try:
            with transaction.atomic():
                services.activity_record(by=self.user, **kwargs)
        except ValidationError as error:
            result.errors += _messages(error)
        except PermissionDenied:
            result.errors.append(_("您无权为“%(region)s”录入活动。") % {"region": self._region_of(kwargs)})
        return result

    def _region_of(self, kwargs) -> Region:
        return kwargs["group"].region if kwargs.get("group") else kwargs["region"]

    def _parse(self, values: dict[str, str], errors: list[str]) -> dict:
        for column in IMPORT_COLUMNS:
            if column.required and not values.get(column.key):
                errors.append(_("%(column)s不能为空。") % {"column": column.label})
        kwargs = {
            "title": values.get("title", ""),
            "place": values.get("place", ""),
            "summary": values.get("summary", ""),
        }
        kwargs["kind"] = self._try(errors, "kind", lambda: self.kind.clean(values.get("kind")))
        if values.get("date"):
            kwargs["date"] = self._try(errors, "date", lambda: parse_date(values["date"]))
        for key in COUNT_KEYS:
            kwargs[key] = self._try(errors, key, lambda key=key: _count(values.get(key, "")))
        group, region = self._where(values, errors)
        kwargs["group"], kwargs["region"] = group, region
        area = group.region if group else region
        names = [n for n in NAME_SEPARATORS.split(values.get("participants", "")) if n]
        if area is not None:
            kwargs["participants"] = [
                p for n in names if (p := self._try(errors, "participants", lambda n=n: self._person(n, area)))
            ]
        return kwargs

    def _where(self, values: dict[str, str], errors: list[str]) -> tuple[ActivityGroup | None, Region | None]:
        region = None
        if name := values.get("region"):
            region = self.regions.get(name)
            if region is None:
                errors.append(
                    _("%(column)s：您的管辖范围内没有“%(name)s”。") % {"column": _label("region"), "name": name}
                )
                return None, None
        if not (name := values.get("group")):
            if region is None:
                errors.append(_("不属于小组的活动请填写所属区域。"))
            return None, region
        found = [g for g in self.groups.get(name, []) if region is None or g.region_id == region.pk]
        if len(found) != 1:
            message = (
                _("没有名为“%(name)s”的小组。") if not found else _("名为“%(name)s”的小组不止一个，请填写所属区域。")
            )
            errors.append(f"{_label('group')}：{message % {'name': name}}")
            return None, None
        return found[0], None

    def _person(self, name: str, area: Region) -> Representative:
        people = self._people.get(area.pk)
        if people is None:
            people = {}
            reps = Representative.objects.filter(township__path__startswith=area.path, status=Status.SERVING)
            for rep in reps.select_related("township"):
                people.setdefault(rep.name, []).append(rep)
            self._people[area.pk] = people
        found = people.get(name, [])
        if not found:
            raise ValueError(_("%(region)s没有名为“%(name)s”的在任代表。") % {"region": area.name, "name": name})
        if len(found) > 1:
            raise ValueError(
                _("%(region)s有%(n)s位名为“%(name)s”的代表，请在系统中逐条录入。")
                % {"region": area.name, "n": len(found), "name": name}
            )
        return found[0]

    def _try(self, errors: list[str], key: str, read):
        try:
            return read()
        except ValueError as error:
            errors.append(f"{_label(key)}：{error}")
            return None


def _count(text: str) -> int:
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(_("“%(value)s”不是非负整数。") % {"value": text})
    return int(text)


def _label(key: str) -> str:
    return next(str(c.label) for c in IMPORT_COLUMNS if c.key == key)


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    out = []
    for name, messages in error.message_dict.items():
        try:
            label = str(Activity._meta.get_field(name).verbose_name)
        except Exception:
            label = ""
        out += [f"{label}：{m}" if label else m for m in messages]
    return out
