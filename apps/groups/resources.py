"""Spreadsheets of the groups app: the activity register and the inspection batches out, and
activities in. An import is all or nothing: every bad row is reported and none is kept."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from apps.core import imports
from apps.core.exports import AuditedExport
from apps.core.imports import CellError
from apps.core.models import Region
from apps.groups import services
from apps.groups.models import Activity, ActivityGroup, Inspection
from apps.representatives.choices import Status
from apps.representatives.models import Representative

NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


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


class CountWidget(imports.TextWidget):
    """A count a clerk types: blank is 0, anything but a whole number from 0 up is refused."""

    hint = gettext_lazy("非负整数，不填为 0")

    def clean(self, value, row=None, **kwargs):
        text = imports.cell_text(value)
        if text.endswith(".0"):
            text = text[:-2]
        if not text:
            return 0
        if not text.isdigit():
            raise CellError(_("“%(value)s”不是非负整数。") % {"value": text})
        return int(text)


def _text(header):
    return fields.Field(column_name=header, widget=imports.TextWidget())


class ActivityImportResource(imports.ServiceResource):
    """Activities from a sheet, each recorded through `activity_record` (confirmed, as staff enter
    them), all or none. An import only creates activities: a row naming an activity already
    recorded (same group or region, date and title) is skipped as unchanged."""

    sheet_title = gettext_lazy("代表活动")
    required = ("kind", "title", "date")
    notes = [
        gettext_lazy("每行一项活动，导入后即为已确认的活动。"),
        gettext_lazy("属于活动小组的活动填写小组名称（同名小组再填所属区域）；不属于小组的活动填写所属区域。"),
        gettext_lazy("参加代表为该区域的在任代表，多人之间用顿号“、”隔开。"),
        gettext_lazy("已有同一小组（或区域）、同一日期、同一名称的活动时，该行跳过：同一文件导入两次不会重复。"),
    ]
    examples = [
        {"group": "农业农村组", "kind": "微宣讲", "title": "党的二十大精神微宣讲", "date": "2022-11-08",
         "place": "儒林镇大竹村", "participants": "杨秀英、刘建国", "summary": "向村民宣讲党的二十大精神。",
         "people_reached": 120, "wishes_fulfilled": 0, "problems_solved": 0},
        {"region": "儒林镇", "kind": "走访选民", "title": "走访选民", "date": "2022/10/1", "participants": "杨秀英",
         "people_reached": 30},
    ]  # fmt: skip

    group = _text(gettext_lazy("活动小组"))
    region = _text(gettext_lazy("所属区域"))
    kind = fields.Field(column_name=gettext_lazy("活动类型"), widget=imports.ChoiceWidget(Activity.Kind.choices))
    title = _text(gettext_lazy("活动名称"))
    date = fields.Field(column_name=gettext_lazy("活动日期"), widget=imports.DateWidget())
    place = _text(gettext_lazy("活动地点"))
    participants = _text(gettext_lazy("参加代表"))
    summary = _text(gettext_lazy("活动情况"))
    people_reached = fields.Field(column_name=gettext_lazy("覆盖群众（人次）"), widget=CountWidget())
    wishes_fulfilled = fields.Field(column_name=gettext_lazy("实现微心愿（个）"), widget=CountWidget())
    problems_solved = fields.Field(column_name=gettext_lazy("解决问题（件）"), widget=CountWidget())

    class Meta:
        model = Activity
        fields = [
            "group", "region", "kind", "title", "date", "place", "participants", "summary", "people_reached",
            "wishes_fulfilled", "problems_solved",
        ]  # fmt: skip
        import_order = export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.groups: dict[str, list[ActivityGroup]] = {}
        self.regions: dict[str, Region] = {}
        if user is not None:
            for group in ActivityGroup.objects.visible_to(user).select_related("region"):
                self.groups.setdefault(group.name, []).append(group)
            regions = Region.objects.visible_to(user).exclude(level=Region.Level.VILLAGE)
            self.regions = {r.name: r for r in regions}
        self._people: dict[int, dict[str, list[Representative]]] = {}

    def example_rows(self):
        """The examples in the user's own groups and places, so the template imports as it is."""
        group = next((g[0] for g in self.groups.values() if len(g) == 1), None)
        place = next(iter(self.regions.values()), None)
        people = [rep.name for rep in self._serving_in(group.region)[:2]] if group else []
        if group is None or place is None or not people:
            return self.examples
        first, second = (dict(row) for row in self.examples)
        first.update(group=group.name, participants="、".join(people))
        second.update(region=group.region.name, participants=people[0])
        return [first, second]

    def resolve(self, values: dict, errors: dict) -> None:
        group, region = self._where(values, errors)
        values["group"], values["region"] = group, region
        area = group.region if group else region
        names = [n for n in NAME_SEPARATORS.split(values.get("participants") or "") if n]
        values["participants"] = []
        if area is None:
            return
        problems = []
        for name in names:
            try:
                values["participants"].append(self._person(name, area))
            except CellError as error:
                problems.append(str(error))
        if problems:
            errors["participants"] = [" ".join(problems)]

    def _where(self, values: dict, errors: dict) -> tuple[ActivityGroup | None, Region | None]:
        region = None
        if name := values.get("region"):
            region = self.regions.get(name)
            if region is None:
                errors["region"] = [_("您的管辖范围内没有“%(name)s”。") % {"name": name}]
                return None, None
        if not (name := values.get("group")):
            if region is None:
                errors["region"] = [_("不属于小组的活动请填写所属区域。")]
            return None, region
        found = [g for g in self.groups.get(name, []) if region is None or g.region_id == region.pk]
        if len(found) != 1:
            message = (
                _("没有名为“%(name)s”的小组。") if not found else _("名为“%(name)s”的小组不止一个，请填写所属区域。")
            )
            errors["group"] = [message % {"name": name}]
            return None, None
        return found[0], None

    def _serving_in(self, area: Region) -> list[Representative]:
        reps = Representative.objects.filter(township__path__startswith=area.path, status=Status.SERVING)
        return list(reps.select_related("township").order_by("pk"))

    def _person(self, name: str, area: Region) -> Representative:
        people = self._people.get(area.pk)
        if people is None:
            people = {}
            for rep in self._serving_in(area):
                people.setdefault(rep.name, []).append(rep)
            self._people[area.pk] = people
        found = people.get(name, [])
        if not found:
            raise CellError(_("%(region)s没有名为“%(name)s”的在任代表。") % {"region": area.name, "name": name})
        if len(found) > 1:
            raise CellError(
                _("%(region)s有%(n)s位名为“%(name)s”的代表，请在系统中逐条录入。")
                % {"region": area.name, "n": len(found), "name": name}
            )
        return found[0]

    def denied(self, values: dict) -> str:
        region = values["group"].region if values.get("group") else values.get("region")
        return _("您无权为“%(region)s”录入活动。") % {"region": region}

    def unchanged(self, values: dict) -> bool:
        where = {"group": values["group"]} if values["group"] else {"group": None, "region": values["region"]}
        return Activity.objects.filter(date=values["date"], title=values["title"], **where).exists()

    def create_row(self, **values):
        return services.activity_record(by=self.user, **values)

    def done_message(self, report) -> str:
        return _("已导入%(n)s项活动。") % {"n": report.new}
