"""Spreadsheets of lectures and attendance: both out (formula-safe), both in (all or nothing).

Exports run through django-import-export with the formats of apps.core.exports. Imports read
the sheet with tablib and put every row through the services inside one transaction, which is
rolled back when any row fails: the page then lists every bad row with its reasons.
"""

import contextlib
import re
from collections import defaultdict
from datetime import datetime, time

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from apps.core import imports
from apps.core.exports import AuditedExport, ChoicesWidget
from apps.core.imports import CellError
from apps.core.resources import ReferenceResource, YesNoWidget
from apps.core.scope import scope_for
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


# --- lectures in ---------------------------------------------------------------------------------


TIME_TEXT = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：]\s*(\d{1,2}))?\s*分?")


class TimeWidget(imports.TextWidget):
    """A time of day as clerks type it (14:30, 14：30, 14时30分) or as Excel stores it."""

    hint = gettext_lazy("时间，例如 14:30")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.time()
        if isinstance(value, time):
            return value
        text = imports.cell_text(value)
        if not text:
            return None
        match = TIME_TEXT.fullmatch(text)
        with contextlib.suppress(ValueError):  # 25:00 is no time either
            if match:
                return time(*(int(part) for part in match.groups() if part is not None))
        raise CellError(_("时间“%(value)s”无法识别，请写成 14:30 的形式。") % {"value": text})


def _unique(found: list, missing: str, many: str):
    if not found:
        raise CellError(missing)
    if len(found) > 1:
        raise CellError(many)
    return found[0]


def _text(header):
    return fields.Field(column_name=header, widget=imports.TextWidget())


class LectureImportResource(imports.ServiceResource):
    """Lectures of the halls the user runs, each created (planned or held) through lecture_save,
    all or none. An import only creates lectures: a row naming a lecture already recorded (same
    hall, date and topic) is skipped as unchanged."""

    sheet_title = gettext_lazy("授课")
    required = ("hall", "date", "instructor", "topic")
    header_aliases = {"教员": "主讲教员", "主讲": "主讲教员", "授课题目": "题目"}
    notes = [
        gettext_lazy("每行一次授课；讲堂须在您的管辖范围内，主讲教员为该讲堂或县级讲堂的在任教员。"),
        gettext_lazy("专题不填为“代表履职”，状态不填为“计划”。同一讲堂同一日期同一题目已有授课时，该行跳过。"),
    ]
    examples = [
        {"hall": "儒林镇人大讲堂", "date": "2022-03-15", "starts_at": "09:00", "instructor": "张德明",
         "topic": "代表法解读", "theme": "代表法等法律法规", "audience": "全镇县乡人大代表", "status": "计划"},
        {"hall": "儒林镇人大讲堂", "date": "2022-04-12", "starts_at": "14:30", "instructor": "张德明",
         "topic": "如何提出高质量的建议", "audience": "全镇县乡人大代表", "status": "计划"},
    ]  # fmt: skip

    hall = _text(gettext_lazy("讲堂"))
    date = fields.Field(column_name=gettext_lazy("日期"), widget=imports.DateWidget())
    starts_at = fields.Field(column_name=gettext_lazy("开始时间"), widget=TimeWidget())
    instructor = _text(gettext_lazy("主讲教员"))
    topic = _text(gettext_lazy("题目"))
    theme = fields.Field(
        column_name=gettext_lazy("专题"), widget=imports.ChoiceWidget(Lecture.Theme.choices, blank=Lecture.Theme.DUTY)
    )
    audience = _text(gettext_lazy("听课对象"))
    status = fields.Field(
        column_name=gettext_lazy("状态"),
        widget=imports.ChoiceWidget(Lecture.Status.choices, blank=Lecture.Status.PLANNED),
    )

    class Meta:
        model = Lecture
        fields = ["hall", "date", "starts_at", "instructor", "topic", "theme", "audience", "status"]
        import_order = export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.halls: dict[str, list[LectureHall]] = defaultdict(list)
        self.instructors: dict[str, list[Instructor]] = defaultdict(list)
        if user is None:
            return
        for hall in LectureHall.objects.in_scope(scope_for(user), strict=True).select_related("region"):
            self.halls[hall.name].append(hall)
        for instructor in Instructor.objects.visible_to(user).filter(is_active=True).select_related("hall"):
            self.instructors[instructor.name].append(instructor)

    def example_rows(self):
        """The examples in one of the user's halls with one of its instructors, so the template imports."""
        for name, halls in self.halls.items():
            teachers = [i.name for i in self.instructors_of(halls[0]) if len(self.instructors[i.name]) == 1]
            if len(halls) == 1 and teachers:
                return [{**row, "hall": name, "instructor": teachers[0]} for row in self.examples]
        return self.examples

    def instructors_of(self, hall: LectureHall) -> list[Instructor]:
        # The hall's own instructors first; county instructors teach in every hall.
        mine = [i for found in self.instructors.values() for i in found if i.hall_id == hall.pk]
        county = [i for found in self.instructors.values() for i in found if i.hall.level == LectureHall.Level.COUNTY]
        return mine or county

    def resolve(self, values: dict, errors: dict) -> None:
        name, values["hall"] = values.get("hall"), None
        if not name:
            return
        try:
            values["hall"] = _unique(
                self.halls.get(name, []),
                _("没有名为“%(name)s”的讲堂，或不在您的管辖范围内。") % {"name": name},
                _("名为“%(name)s”的讲堂不止一个，请联系管理员。") % {"name": name},
            )
        except CellError as error:
            errors["hall"] = [str(error)]
            return
        if values.get("instructor"):
            try:
                values["instructor"] = self._instructor(values["instructor"], values["hall"])
            except CellError as error:
                errors["instructor"] = [str(error)]

    def _instructor(self, name: str, hall: LectureHall) -> Instructor:
        found = [i for i in self.instructors.get(name, []) if i.hall_id == hall.pk]
        found = found or [i for i in self.instructors.get(name, []) if i.hall.level == LectureHall.Level.COUNTY]
        return _unique(
            found,
            _("%(hall)s没有名为“%(name)s”的在任教员。") % {"hall": hall.name, "name": name},
            _("名为“%(name)s”的教员不止一位，请联系管理员。") % {"name": name},
        )

    def unchanged(self, values: dict) -> bool:
        return Lecture.objects.filter(hall=values["hall"], date=values["date"], topic=values["topic"]).exists()

    def create_row(self, **values):
        return services.lecture_save(lecture=Lecture(**values), by=self.user)

    def done_message(self, report) -> str:
        return _("已导入%(n)s次授课。") % {"n": report.new}


# --- attendance in -------------------------------------------------------------------------------


class AttendanceImportResource(imports.ServiceResource):
    """Attendance of lectures (by number, or by date and hall), each row marked through
    attendance_mark. A row that says what is already recorded is skipped, so an export imported
    back changes nothing; a changed mark is corrected."""

    sheet_title = gettext_lazy("听课签到")
    required = ("name", "status")
    header_aliases = {"姓名": "代表姓名", "代表": "代表姓名", "出勤情况": "出勤"}
    notes = [
        gettext_lazy("每行一位代表一次授课的出勤：填写授课编号，或同时填写日期和讲堂。"),
        gettext_lazy("同名代表请填写代表证号。已登记的出勤再次导入会被更正，相同的跳过。"),
    ]
    examples = [
        {"date": "2022-03-15", "hall": "儒林镇人大讲堂", "name": "杨秀英", "credential_no": "C00001", "status": "出席"},
        {"date": "2022-03-15", "hall": "儒林镇人大讲堂", "name": "刘建国", "credential_no": "", "status": "请假"},
    ]  # fmt: skip

    lecture = fields.Field(column_name=gettext_lazy("授课编号"), widget=imports.TextWidget())
    date = fields.Field(column_name=gettext_lazy("日期"), widget=imports.DateWidget())
    hall = _text(gettext_lazy("讲堂"))
    name = _text(gettext_lazy("代表姓名"))
    credential_no = _text(gettext_lazy("代表证号"))
    status = fields.Field(column_name=gettext_lazy("出勤"), widget=imports.ChoiceWidget(Attendance.Status.choices))

    class Meta:
        model = Attendance
        fields = ["lecture", "date", "hall", "name", "credential_no", "status"]
        import_order = export_order = fields

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.lectures = Lecture.objects.select_related("hall__region")
        if user is not None:
            self.lectures = self.lectures.in_scope(scope_for(user), strict=True)
        self.seen: dict[tuple[int, int], int] = {}
        self.row_line = 0

    def example_rows(self):
        """Two representatives of a held lecture of the user's, so the template imports as it is."""
        lecture = self.lectures.filter(status=Lecture.Status.HELD).order_by("-date").first()
        reps = list(self._people(lecture).filter(status="serving").order_by("pk")[:2]) if lecture else []
        if len(reps) < 2:
            return self.examples
        return [
            {**row, "date": _day(lecture.date), "hall": lecture.hall.name, "name": rep.name,
             "credential_no": rep.credential_no}
            for row, rep in zip(self.examples, reps, strict=True)
        ]  # fmt: skip

    def import_row(self, row, instance_loader, **kwargs):
        self.row_line = self.line(kwargs.get("row_number", 0))
        return super().import_row(row, instance_loader, **kwargs)

    def resolve(self, values: dict, errors: dict) -> None:
        values["representative"] = None
        try:
            values["lecture"] = lecture = self._lecture(values)
        except CellError as error:
            errors.setdefault("lecture", []).append(str(error))
            return
        if values.get("name"):
            try:
                values["representative"] = self._representative(values["name"], values["credential_no"], lecture)
            except CellError as error:
                errors.setdefault("name", []).append(str(error))
                return
            key = (lecture.pk, values["representative"].pk)
            if key in self.seen:
                message = _("与第%(line)s行重复：同一次授课同一位代表只能登记一次。") % {"line": self.seen[key]}
                errors.setdefault("name", []).append(message)
            else:
                self.seen[key] = self.row_line

    def _lecture(self, values: dict) -> Lecture:
        number = values.get("lecture") or ""
        if number:
            found = list(self.lectures.filter(pk=int(number))) if number.isdigit() else []
            return _unique(found, _("授课编号“%(no)s”不存在，或不在您的管辖范围内。") % {"no": number}, "")
        if not values.get("date") or not values.get("hall"):
            raise CellError(_("请填写授课编号，或同时填写日期和讲堂。"))
        day, hall = values["date"], values["hall"]
        found = list(self.lectures.filter(date=day, hall__name=hall))
        return _unique(
            found,
            _("%(date)s%(hall)s没有授课，或不在您的管辖范围内。") % {"date": _day(day), "hall": hall},
            _("%(date)s%(hall)s有多次授课，请填写授课编号。") % {"date": _day(day), "hall": hall},
        )

    @staticmethod
    def _people(lecture: Lecture):
        return Representative.objects.filter(township__path__startswith=lecture.hall.region.path)

    def _representative(self, name: str, credential: str, lecture: Lecture) -> Representative:
        reps = self._people(lecture)
        if credential:
            rep = reps.filter(credential_no=credential).first()
            if rep is None or rep.name != name:
                raise CellError(
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

    def _recorded(self, values: dict):
        return Attendance.objects.filter(lecture=values["lecture"], representative=values["representative"])

    def unchanged(self, values: dict) -> bool:
        return self._recorded(values).filter(status=values["status"]).exists()

    def updates(self, values: dict) -> bool:
        return self._recorded(values).exists()

    def create_row(self, *, lecture, representative, status, **values):
        services.attendance_mark(lecture=lecture, marks={representative.pk: status}, by=self.user)
        return Attendance.objects.get(lecture=lecture, representative=representative)

    def done_message(self, report) -> str:
        return _("已登记%(n)s条听课出勤。") % {"n": report.new + report.changed}


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
