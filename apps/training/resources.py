"""Spreadsheets of lectures and attendance: both out (formula-safe), both in (all or nothing).

Exports run through django-import-export with the formats of apps.core.exports. Imports read
the sheet with tablib and put every row through the services inside one transaction, which is
rolled back when any row fails: the page then lists every bad row with its reasons.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from apps.core import imports, sheets
from apps.core.audit import Kind as Audit
from apps.core.audit import audit_event
from apps.core.exports import ChoicesWidget
from apps.core.resources import ReferenceResource, YesNoWidget
from apps.core.scope import scope_for
from apps.core.sheets import AuditedExport, Column, error_messages
from apps.representatives.models import Representative
from apps.training import services
from apps.training.models import Attendance, Instructor, Lecture, LectureHall


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


class LectureResource(AuditedExport, resources.ModelResource):
    """The lecture register (授课台账): one row per lecture with its attendance figures."""

    audit_name = "lectures"

    id = fields.Field(attribute="id", column_name=gettext_lazy("授课编号"))
    hall = fields.Field(column_name=gettext_lazy("讲堂"))
    date = fields.Field(column_name=gettext_lazy("日期"))
    starts_at = fields.Field(column_name=gettext_lazy("开始时间"))
    instructor = fields.Field(column_name=gettext_lazy("主讲教员"))
    topic = fields.Field(attribute="topic", column_name=gettext_lazy("题目"))
    theme = fields.Field(
        attribute="theme", column_name=gettext_lazy("专题"), widget=ChoicesWidget(Lecture.Theme.choices)
    )
    audience = fields.Field(attribute="audience", column_name=gettext_lazy("听课对象"))
    status = fields.Field(
        attribute="status", column_name=gettext_lazy("状态"), widget=ChoicesWidget(Lecture.Status.choices)
    )
    present = fields.Field(attribute="n_present", column_name=gettext_lazy("出席"))
    absent = fields.Field(attribute="n_absent", column_name=gettext_lazy("缺席"))
    excused = fields.Field(attribute="n_excused", column_name=gettext_lazy("请假"))

    class Meta:
        model = Lecture
        name = gettext_lazy("授课台账")
        fields = [
            "id", "hall", "date", "starts_at", "instructor", "topic", "theme", "audience", "status", "present",
            "absent", "excused",
        ]  # fmt: skip
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # Every column comes from these joins and counts: a fixed number of queries however many rows.
        def count(status):
            return Count("attendance", filter=Q(attendance__status=status))

        return queryset.select_related("hall", "instructor").annotate(
            n_present=count(Attendance.Status.PRESENT),
            n_absent=count(Attendance.Status.ABSENT),
            n_excused=count(Attendance.Status.EXCUSED),
        )

    def dehydrate_hall(self, lecture):
        return lecture.hall.name

    def dehydrate_date(self, lecture):
        return _day(lecture.date)

    def dehydrate_starts_at(self, lecture):
        return lecture.starts_at.strftime("%H:%M") if lecture.starts_at else ""

    def dehydrate_instructor(self, lecture):
        return lecture.instructor.name


class AttendanceResource(AuditedExport, resources.ModelResource):
    """Attendance (听课签到表): one row per representative and lecture."""

    audit_name = "lecture attendance"

    lecture = fields.Field(column_name=gettext_lazy("授课编号"))
    date = fields.Field(column_name=gettext_lazy("日期"))
    hall = fields.Field(column_name=gettext_lazy("讲堂"))
    topic = fields.Field(column_name=gettext_lazy("题目"))
    name = fields.Field(column_name=gettext_lazy("代表姓名"))
    credential_no = fields.Field(column_name=gettext_lazy("代表证号"))
    township = fields.Field(column_name=gettext_lazy("所在乡镇"))
    status = fields.Field(
        attribute="status", column_name=gettext_lazy("出勤"), widget=ChoicesWidget(Attendance.Status.choices)
    )

    class Meta:
        model = Attendance
        name = gettext_lazy("听课签到表")
        fields = ["lecture", "date", "hall", "topic", "name", "credential_no", "township", "status"]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # The admin may export from the lecture list: its filtered lectures become their attendance.
        if queryset.model is Lecture:
            queryset = Attendance.objects.filter(lecture__in=queryset.values("pk"))
        return queryset.select_related("lecture__hall", "representative__township").order_by(
            "-lecture__date", "lecture", "representative__township__path", "representative__name", "pk"
        )

    def dehydrate_lecture(self, row):
        return row.lecture_id

    def dehydrate_date(self, row):
        return _day(row.lecture.date)

    def dehydrate_hall(self, row):
        return row.lecture.hall.name

    def dehydrate_topic(self, row):
        return row.lecture.topic

    def dehydrate_name(self, row):
        return row.representative.name

    def dehydrate_credential_no(self, row):
        return row.representative.credential_no

    def dehydrate_township(self, row):
        return row.representative.township.name


# --- reading a sheet ---------------------------------------------------------------------------


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, date | time):
        return value  # dates and times typed as such in Excel
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed as a number
    return str(value).strip()


def read_sheet(upload, columns: list[Column]) -> list[dict]:
    return sheets.read_sheet(upload, columns, empty=_("文件中没有数据行。"), cell=_cell)


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    raise ValueError(_("日期“%(value)s”无法识别，请写成 2022-03-15 的形式。") % {"value": value})


def parse_time(value) -> time | None:
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    for fmt in ("%H:%M", "%H:%M:%S", "%H时%M分"):
        try:
            return datetime.strptime(str(value), fmt).time()
        except ValueError:
            continue
    raise ValueError(_("时间“%(value)s”无法识别，请写成 14:30 的形式。") % {"value": value})


@dataclass
class ImportRow:
    line: int
    summary: str = ""
    errors: list[str] = field(default_factory=list)


class Sheet:
    """An import: rows read by `read_sheet`, each parsed and saved through the services inside one
    transaction, kept only when every row is valid."""

    columns: list[Column] = []
    title = ""
    audit_name = ""

    def __init__(self, *, user):
        self.user = user

    def run(self, rows: list[dict], *, commit: bool = True) -> list[ImportRow]:
        with transaction.atomic():
            results = self.save(rows)
            if not commit or any(r.errors for r in results):
                transaction.set_rollback(True)
        if commit and not any(r.errors for r in results):
            audit_event(Audit.IMPORT, user=self.user, register=self.audit_name, rows=len(results))
        return results

    def save(self, rows: list[dict]) -> list[ImportRow]:
        raise NotImplementedError

    def required(self, values: dict, errors: list[str]) -> None:
        for column in self.columns:
            if column.required and values.get(column.key, "") == "":
                errors.append(_("%(column)s不能为空。") % {"column": column.label})

    @classmethod
    def template(cls) -> tablib.Dataset:
        dataset = tablib.Dataset(headers=[str(c.label) for c in cls.columns])
        dataset.title = str(cls.title)
        dataset.append(cls.example())
        return dataset

    @classmethod
    def example(cls) -> list:
        return []


# --- lectures in ---------------------------------------------------------------------------------

LECTURE_COLUMNS = [
    Column("hall", gettext_lazy("讲堂"), required=True),
    Column("date", gettext_lazy("日期"), required=True),
    Column("starts_at", gettext_lazy("开始时间")),
    Column("instructor", gettext_lazy("主讲教员"), required=True, aliases=("教员", "主讲")),
    Column("topic", gettext_lazy("题目"), required=True, aliases=("授课题目",)),
    Column("theme", gettext_lazy("专题")),
    Column("audience", gettext_lazy("听课对象")),
    Column("status", gettext_lazy("状态")),
]


def _unique(found: list, missing: str, many: str):
    if not found:
        raise ValueError(missing)
    if len(found) > 1:
        raise ValueError(many)
    return found[0]


class LectureSheet(Sheet):
    """Lectures of the halls the user runs, created as planned or held."""

    columns = LECTURE_COLUMNS
    title = gettext_lazy("授课")
    audit_name = "lectures"

    def __init__(self, *, user):
        super().__init__(user=user)
        halls = LectureHall.objects.in_scope(scope_for(user), strict=True).select_related("region")
        self.halls: dict[str, list[LectureHall]] = defaultdict(list)
        for hall in halls:
            self.halls[hall.name].append(hall)
        self.instructors: dict[str, list[Instructor]] = defaultdict(list)
        for instructor in Instructor.objects.visible_to(user).filter(is_active=True).select_related("hall"):
            self.instructors[instructor.name].append(instructor)
        self.theme = ChoicesWidget(Lecture.Theme.choices)
        self.status = ChoicesWidget(Lecture.Status.choices)

    @classmethod
    def example(cls):
        return [
            "儒林镇人大讲堂",
            "2022-03-15",
            "09:00",
            "张德明",
            "代表法解读",
            _("代表法等法律法规"),
            "全镇县乡人大代表",
            _("计划"),
        ]

    def save(self, rows):
        return [self._row(line, values) for line, values in enumerate(rows, start=2)]

    def _row(self, line: int, values: dict) -> ImportRow:
        result = ImportRow(line=line, summary=" ".join(str(values.get(k, "")) for k in ("date", "hall", "topic")))
        self.required(values, result.errors)
        if result.errors:
            return result
        lecture = self._lecture(values, result.errors)
        if result.errors:
            return result
        try:
            with transaction.atomic():
                services.lecture_save(lecture=lecture, by=self.user)
        except ValidationError as error:
            result.errors += error_messages(error, Lecture)
        return result

    def _lecture(self, values: dict, errors: list[str]) -> Lecture | None:
        lecture = Lecture(topic=values["topic"], audience=str(values.get("audience", "")))
        steps = [
            ("hall", lambda: self._hall(values["hall"])),
            ("date", lambda: parse_date(values["date"])),
            ("starts_at", lambda: parse_time(values.get("starts_at", ""))),
            ("theme", lambda: self.theme.clean(values.get("theme", "")) or Lecture.Theme.DUTY),
            ("status", lambda: self.status.clean(values.get("status", "")) or Lecture.Status.PLANNED),
        ]
        for key, read in steps:
            try:
                setattr(lecture, key, read())
            except ValueError as error:
                errors.append(f"{_column_label(LECTURE_COLUMNS, key)}：{error}")
        if lecture.hall_id:
            try:
                lecture.instructor = self._instructor(values["instructor"], lecture.hall)
            except ValueError as error:
                errors.append(f"{_column_label(LECTURE_COLUMNS, 'instructor')}：{error}")
        return lecture

    def _hall(self, name: str) -> LectureHall:
        return _unique(
            self.halls.get(name, []),
            _("没有名为“%(name)s”的讲堂，或不在您的管辖范围内。") % {"name": name},
            _("名为“%(name)s”的讲堂不止一个，请联系管理员。") % {"name": name},
        )

    def _instructor(self, name: str, hall: LectureHall) -> Instructor:
        # The hall's own instructors first; county instructors teach in every hall.
        found = [i for i in self.instructors.get(name, []) if i.hall_id == hall.pk]
        found = found or [i for i in self.instructors.get(name, []) if i.hall.level == LectureHall.Level.COUNTY]
        return _unique(
            found,
            _("%(hall)s没有名为“%(name)s”的在任教员。") % {"hall": hall.name, "name": name},
            _("名为“%(name)s”的教员不止一位，请联系管理员。") % {"name": name},
        )


def _column_label(columns: list[Column], key: str) -> str:
    return next(str(c.label) for c in columns if c.key == key)


# --- attendance in -------------------------------------------------------------------------------

ATTENDANCE_COLUMNS = [
    Column("lecture", gettext_lazy("授课编号")),
    Column("date", gettext_lazy("日期")),
    Column("hall", gettext_lazy("讲堂")),
    Column("name", gettext_lazy("代表姓名"), required=True, aliases=("姓名", "代表")),
    Column("credential_no", gettext_lazy("代表证号")),
    Column("status", gettext_lazy("出勤"), required=True, aliases=("出勤情况",)),
]


@dataclass
class _Mark:
    result: ImportRow
    lecture: Lecture
    representative: Representative
    status: str


class AttendanceSheet(Sheet):
    """Attendance of lectures (by number, or by date and hall), marked through attendance_mark."""

    columns = ATTENDANCE_COLUMNS
    title = gettext_lazy("听课签到")
    audit_name = "lecture attendance"

    def __init__(self, *, user):
        super().__init__(user=user)
        self.status = ChoicesWidget(Attendance.Status.choices)
        self.lectures = Lecture.objects.in_scope(scope_for(user), strict=True).select_related("hall__region")

    @classmethod
    def example(cls):
        return ["", "2022-03-15", "儒林镇人大讲堂", "杨秀英", "C00001", _("出席")]

    def save(self, rows):
        marks: list[_Mark] = []
        results = []
        for line, values in enumerate(rows, start=2):
            result = ImportRow(line=line, summary=" ".join(str(values.get(k, "")) for k in ("lecture", "date", "name")))
            results.append(result)
            if mark := self._parse(values, result):
                marks.append(mark)
        self._check_duplicates(marks)
        if not any(r.errors for r in results):
            self._mark(marks)
        return results

    def _parse(self, values: dict, result: ImportRow) -> _Mark | None:
        self.required(values, result.errors)
        if result.errors:
            return None
        try:
            lecture = self._lecture(values)
        except ValueError as error:
            result.errors.append(str(error))
            return None
        try:
            rep = self._representative(values["name"], str(values.get("credential_no", "")), lecture)
            status = self.status.clean(values["status"])
        except ValueError as error:
            result.errors.append(str(error))
            return None
        return _Mark(result=result, lecture=lecture, representative=rep, status=status)

    def _lecture(self, values: dict) -> Lecture:
        number = str(values.get("lecture", ""))
        if number:
            found = list(self.lectures.filter(pk=int(number))) if number.isdigit() else []
            return _unique(found, _("授课编号“%(no)s”不存在，或不在您的管辖范围内。") % {"no": number}, "")
        if values.get("date", "") == "" or not values.get("hall"):
            raise ValueError(_("请填写授课编号，或同时填写日期和讲堂。"))
        day = parse_date(values["date"])
        found = list(self.lectures.filter(date=day, hall__name=values["hall"]))
        return _unique(
            found,
            _("%(date)s%(hall)s没有授课，或不在您的管辖范围内。") % {"date": _day(day), "hall": values["hall"]},
            _("%(date)s%(hall)s有多次授课，请填写授课编号。") % {"date": _day(day), "hall": values["hall"]},
        )

    def _representative(self, name: str, credential: str, lecture: Lecture) -> Representative:
        reps = Representative.objects.filter(township__path__startswith=lecture.hall.region.path)
        if credential:
            rep = reps.filter(credential_no=credential).first()
            if rep is None or rep.name != name:
                raise ValueError(
                    _("%(region)s没有代表证号为“%(no)s”的代表%(name)s。")
                    % {"region": lecture.hall.region.name, "no": credential, "name": name}
                )
            return rep
        return _unique(
            list(reps.filter(name=name, status="serving")),
            _("%(region)s没有名为“%(name)s”的在任代表。") % {"region": lecture.hall.region.name, "name": name},
            _("%(region)s有不止一位名为“%(name)s”的代表，请填写代表证号。")
            % {"region": lecture.hall.region.name, "name": name},
        )

    @staticmethod
    def _check_duplicates(marks: list[_Mark]) -> None:
        seen: dict[tuple[int, int], int] = {}
        for mark in marks:
            key = (mark.lecture.pk, mark.representative.pk)
            if key in seen:
                mark.result.errors.append(
                    _("与第%(line)s行重复：同一次授课同一位代表只能登记一次。") % {"line": seen[key]}
                )
            else:
                seen[key] = mark.result.line

    def _mark(self, marks: list[_Mark]) -> None:
        by_lecture: dict[int, list[_Mark]] = defaultdict(list)
        for mark in marks:
            by_lecture[mark.lecture.pk].append(mark)
        for group in by_lecture.values():
            try:
                with transaction.atomic():
                    services.attendance_mark(
                        lecture=group[0].lecture,
                        marks={m.representative.pk: m.status for m in group},
                        by=self.user,
                    )
            except ValidationError as error:
                for mark in group:
                    mark.result.errors += error_messages(error, Attendance)


# --- reference data: lecture halls and instructors (apps/core/resources.py) ------------------------


class LectureHallResource(ReferenceResource):
    """The "1+12" halls: one row each, matched by region and name; the level follows the region."""

    sheet_title = gettext_lazy("培训讲堂")
    required = ("name", "region")
    resolved_fields = ("region",)
    notes = [
        gettext_lazy("每行一个讲堂：县级讲堂所在区域填县名，乡镇讲堂填乡镇名；同一区域按名称对应，不会重复。"),
    ]
    examples = [
        {"name": "县人大代表讲堂", "level": "县级讲堂", "region": "城步苗族自治县", "address": "县人大常委会三楼",
         "is_active": "是"},
        {"name": "儒林镇人大代表讲堂", "level": "乡镇讲堂", "region": "儒林镇", "address": "儒林镇政府会议室",
         "is_active": "是"},
    ]  # fmt: skip

    name = fields.Field(attribute="name", column_name=gettext_lazy("名称"), widget=imports.TextWidget())
    level = fields.Field(
        attribute="level", column_name=gettext_lazy("层级"), widget=imports.ChoiceWidget(LectureHall.Level.choices)
    )
    region = fields.Field(attribute="region", column_name=gettext_lazy("所在区域"))
    address = fields.Field(attribute="address", column_name=gettext_lazy("地址"), widget=imports.TextWidget())
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("启用"), widget=YesNoWidget())

    class Meta:
        model = LectureHall
        import_id_fields = ["region", "name"]
        fields = ["name", "level", "region", "address", "is_active"]
        export_order = fields

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.region_id and not instance.level:
            instance.level = instance.region.level

    def prepare_export(self, queryset):
        return queryset.select_related("region")


class InstructorResource(ReferenceResource):
    """Instructors (教员) by hall and name, with their kind, position and yearly quota."""

    sheet_title = gettext_lazy("教员")
    region_field = "hall"
    required = ("name", "kind", "hall")
    resolved_fields = ("hall",)
    notes = [
        gettext_lazy("每行一名教员，按主讲讲堂和姓名对应；须先导入讲堂。年度授课任务不填则用系统默认值。"),
    ]
    examples = [
        {"name": "杨华", "kind": "兼职教员", "position": "县人大常委会委员", "hall": "县人大代表讲堂",
         "yearly_quota": 2, "is_active": "是"},
        {"name": "刘芳", "kind": "专职教员", "position": "乡镇党委书记", "hall": "儒林镇人大代表讲堂",
         "yearly_quota": "", "is_active": "是"},
    ]  # fmt: skip

    name = fields.Field(attribute="name", column_name=gettext_lazy("姓名"), widget=imports.NameWidget())
    kind = fields.Field(
        attribute="kind", column_name=gettext_lazy("类别"), widget=imports.ChoiceWidget(Instructor.Kind.choices)
    )
    position = fields.Field(attribute="position", column_name=gettext_lazy("职务"), widget=imports.TextWidget())
    hall = fields.Field(attribute="hall", column_name=gettext_lazy("主讲讲堂"))
    yearly_quota = fields.Field(
        attribute="yearly_quota", column_name=gettext_lazy("年度授课任务"), widget=widgets.IntegerWidget()
    )
    is_active = fields.Field(attribute="is_active", column_name=gettext_lazy("在任"), widget=YesNoWidget())

    class Meta:
        model = Instructor
        import_id_fields = ["hall", "name"]
        fields = ["name", "kind", "position", "hall", "yearly_quota", "is_active"]
        export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        halls = LectureHall.objects.filter(is_active=True)
        halls = halls.in_scope(scope_for(user), strict=True) if user else halls
        self.fields["hall"].widget = imports.RecordWidget(halls, noun=_("讲堂"))

    def prepare_export(self, queryset):
        return queryset.select_related("hall")
