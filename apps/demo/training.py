"""Demo lecture halls for 城步苗族自治县, loaded by `manage.py load_demo` after the liaison offices.

* "1+12": the county's 县人大代表培训讲堂 and a 人大讲堂 in each of the 12 townships.
* Instructors: part-time at the county (standing-committee members and office heads), full-time
  in each township (its party secretary and its congress chair), and three outstanding county
  representatives sharing their experience. The names are invented. The congress chairs of 儒林镇
  and 茅坪镇 use their township congress office's demo account, so quota reminders reach someone.
* The lectures of 2022: most instructors give their two, a few fall behind (the behind-quota
  list shows them); county instructors also teach in the townships. Attendance of each lecture
  for its hall's audience, mostly present; a handful of retraining assignments, some completed.
* Two lectures planned a fortnight from today, so that representatives see what is coming.

Rows are found by natural keys (hall and name; hall, date and topic; lecture and representative)
before they are written, so loading twice creates nothing; the volume rows go in with bulk_create.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.core.models import Region, User
from apps.representatives.choices import Level, Status
from apps.representatives.models import Representative
from apps.training.models import Attendance, Instructor, Lecture, LectureHall, Retraining
from apps.training.selectors import expected_audience, with_quota

YEAR = 2022
SEED = 20221
COUNTY_CODE = "430529"
COUNTY_HALL = "县人大代表培训讲堂"

# (name, position): invented people in plausible posts.
COUNTY_INSTRUCTORS = [
    ("邓志远", "县人大常委会副主任"),
    ("肖红梅", "县人大常委会委员"),
    ("戴建新", "县人大常委会委员"),
    ("刘海波", "县人大常委会办公室主任"),
    ("蒋丽华", "县人大常委会代表工作委员会主任"),
    ("杨光明", "县人大常委会法制工作委员会主任"),
]
SURNAMES = "杨蓝吴龙刘李陈张王肖戴蒋邓唐胡谢罗周彭黄"
GIVEN = ["建华", "志刚", "永红", "德明", "春生", "海燕", "国庆", "晓东", "秀兰", "卫东", "立新", "文军", "金花", "正平"]

TOPICS = {
    Lecture.Theme.THEORY: ["人民代表大会制度的历史与实践", "全过程人民民主的基本内涵", "中央人大工作会议精神解读"],
    Lecture.Theme.LAW: ["代表法解读", "地方组织法修改要点", "选举法与代表资格"],
    Lecture.Theme.DUTY: ["代表如何联系选民", "代表履职的方法与技巧", "代表在联系群众工作室的接待工作"],
    Lecture.Theme.PROPOSALS: ["怎样写好代表建议", "代表建议的提出与办理", "从群众意见到代表建议"],
    Lecture.Theme.SUPERVISION: ["代表参加视察和专题调研", "民生实事项目票决与监督"],
    Lecture.Theme.POLICY: ["党的二十大精神宣讲", "乡村振兴政策解读", "生态环境保护与代表履职"],
}
# Months of a township instructor's two lectures: party secretaries, then congress chairs.
SECRETARY_MONTHS, CHAIR_MONTHS = (3, 9), (5, 11)
# Attendance of the audience: mostly present.
MARKS = [Attendance.Status.PRESENT] * 17 + [Attendance.Status.ABSENT] * 2 + [Attendance.Status.EXCUSED]
CHAIR_ACCOUNTS = {"430529100": "township_rulin", "430529101": "township_maoping"}
RETRAINING_REASONS = [
    "全年驻室值班缺勤三次以上，履职积分偏低",
    "选民满意度测评结果为不满意，需再培训再指导",
    "未按要求参加乡镇人大讲堂培训",
    "年度履职考评为不称职",
]


@dataclass(frozen=True)
class Plan:
    instructor: Instructor
    hall: LectureHall
    day: date
    theme: str
    status: str = Lecture.Status.HELD


def training_demo_load(*, today: date | None = None) -> str:
    """Load (or complete) the training demo in one transaction and say what is there now."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311  (demo data: reproducible, not secret)
    county = Region.objects.get(code=COUNTY_CODE)
    townships = list(Region.objects.filter(parent=county, level=Region.Level.TOWNSHIP).order_by("sort_order", "code"))
    with transaction.atomic():
        halls = _halls_load(county=county, townships=townships)
        instructors = _instructors_load(halls=halls, townships=townships, rng=rng)
        lectures = _lectures_load(plans=_year_plan(halls=halls, instructors=instructors, rng=rng), rng=rng)
        _attendance_load(lectures=lectures, rng=rng)
        _retraining_load(county=county, rng=rng)
        _upcoming_load(halls=halls, instructors=instructors, today=today)
    return training_demo_summary(county=county)


# --- halls and instructors ---------------------------------------------------------------------


def _halls_load(*, county: Region, townships: list[Region]) -> dict[int, LectureHall]:
    wanted = [LectureHall(region=county, level=LectureHall.Level.COUNTY, name=COUNTY_HALL, address="县人大机关三楼")]
    wanted += [
        LectureHall(
            region=t, level=LectureHall.Level.TOWNSHIP, name=f"{t.name}人大讲堂", address=f"{t.name}人民政府会议室"
        )
        for t in townships
    ]
    existing = {(h.region_id, h.name) for h in LectureHall.objects.filter(region__in=[county, *townships])}
    bulk_create_with_history([h for h in wanted if (h.region_id, h.name) not in existing], LectureHall)
    return {
        h.region_id: h for h in LectureHall.objects.filter(region__in=[county, *townships]).select_related("region")
    }


def _person(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in taken:
            taken.add(name)
            return name


def _instructors_load(*, halls: dict[int, LectureHall], townships: list[Region], rng: random.Random) -> list:
    county_hall = next(h for h in halls.values() if h.level == LectureHall.Level.COUNTY)
    part, full = Instructor.Kind.PART_TIME, Instructor.Kind.FULL_TIME
    wanted = [Instructor(hall=county_hall, name=n, position=p, kind=part) for n, p in COUNTY_INSTRUCTORS]
    taken = {n for n, _p in COUNTY_INSTRUCTORS}
    accounts = {u.username: u for u in User.objects.filter(username__in=CHAIR_ACCOUNTS.values())}
    for township in townships:
        hall = halls[township.pk]
        chair = township.name[-1] + "人大主席"
        wanted.append(
            Instructor(hall=hall, name=_person(rng, taken), position=township.name[-1] + "党委书记", kind=full)
        )
        account = accounts.get(CHAIR_ACCOUNTS.get(township.code, ""))
        wanted.append(Instructor(hall=hall, name=_person(rng, taken), position=chair, kind=full, user=account))
    wanted += _sharing_representatives(halls=halls, rng=rng)
    existing = {(i.hall_id, i.name) for i in Instructor.objects.filter(hall__in=halls.values())}
    bulk_create_with_history([i for i in wanted if (i.hall_id, i.name) not in existing], Instructor)
    return list(Instructor.objects.filter(hall__in=halls.values()).select_related("hall__region").order_by("pk"))


def _sharing_representatives(*, halls: dict[int, LectureHall], rng: random.Random) -> list[Instructor]:
    """Three outstanding county representatives share their experience in their township's hall."""
    reps = list(
        Representative.objects.filter(level=Level.COUNTY, status=Status.SERVING, township_id__in=halls)
        .exclude(user__isnull=False)
        .order_by("credential_no", "pk")
    )
    return [
        Instructor(
            hall=halls[rep.township_id],
            name=rep.name,
            position="优秀代表",
            kind=Instructor.Kind.PART_TIME,
            representative=rep,
            yearly_quota=1,
        )
        for rep in rng.sample(reps, min(3, len(reps)))
    ]


# --- the year's lectures -----------------------------------------------------------------------


def _day(rng: random.Random, month: int) -> date:
    day = date(YEAR, month, rng.randint(5, 25))
    return day + timedelta(days=(2 - day.weekday()) % 7)  # on a Wednesday, a usual study day


def _year_plan(*, halls: dict[int, LectureHall], instructors: list[Instructor], rng: random.Random) -> list[Plan]:
    township_halls = [h for h in halls.values() if h.level == LectureHall.Level.TOWNSHIP]
    full = [i for i in instructors if i.kind == Instructor.Kind.FULL_TIME]
    # Three fall behind: the 茅坪镇 chair (who has an account) and two others, at random.
    behind = {i.pk for i in full if i.user_id and i.hall.region.code == "430529101"}
    behind |= {i.pk for i in rng.sample([i for i in full if i.pk not in behind], 2)}
    plans = []
    for instructor in instructors:
        if instructor.representative_id:
            plans.append(Plan(instructor, instructor.hall, _day(rng, rng.choice((6, 10))), Lecture.Theme.EXPERIENCE))
        elif instructor.kind == Instructor.Kind.PART_TIME:
            guest = rng.choice(township_halls)  # county instructors also teach in the townships
            plans += [
                Plan(instructor, instructor.hall, _day(rng, rng.choice((4, 7))), rng.choice(list(TOPICS))),
                Plan(instructor, guest, _day(rng, rng.choice((8, 10, 12))), rng.choice(list(TOPICS))),
            ]
        else:
            months = SECRETARY_MONTHS if "党委书记" in instructor.position else CHAIR_MONTHS
            plans.append(Plan(instructor, instructor.hall, _day(rng, months[0]), rng.choice(list(TOPICS))))
            second = Lecture.Status.CANCELLED if instructor.pk in behind else Lecture.Status.HELD
            plans.append(Plan(instructor, instructor.hall, _day(rng, months[1]), rng.choice(list(TOPICS)), second))
    return plans


def _topic(plan: Plan, rng: random.Random) -> str:
    if plan.theme == Lecture.Theme.EXPERIENCE:
        return f"{plan.instructor.name}代表谈履职：扎根基层，为民代言"
    return rng.choice(TOPICS[plan.theme])


def _audience(hall: LectureHall) -> str:
    if hall.level == LectureHall.Level.COUNTY:
        return "全县县人大代表"
    return f"全{hall.region.name[-1]}县乡人大代表"


def _lectures_load(*, plans: list[Plan], rng: random.Random) -> list[Lecture]:
    wanted = [
        Lecture(
            hall=p.hall,
            instructor=p.instructor,
            date=p.day,
            starts_at=None,
            topic=_topic(p, rng),
            theme=p.theme,
            audience=_audience(p.hall),
            status=p.status,
        )
        for p in plans
    ]
    halls = {p.hall.pk for p in plans}
    existing = {(x.hall_id, x.date, x.instructor_id) for x in Lecture.objects.filter(hall__in=halls, date__year=YEAR)}
    bulk_create_with_history([x for x in wanted if (x.hall_id, x.date, x.instructor_id) not in existing], Lecture)
    return list(
        Lecture.objects.filter(hall__in=halls, date__year=YEAR, status=Lecture.Status.HELD)
        .select_related("hall__region")
        .order_by("date", "pk")
    )


def _attendance_load(*, lectures: list[Lecture], rng: random.Random) -> None:
    audiences: dict[int, list[int]] = {}
    rows = []
    for lecture in lectures:
        if lecture.hall_id not in audiences:
            audiences[lecture.hall_id] = list(
                expected_audience(lecture.hall).order_by("pk").values_list("pk", flat=True)
            )
        for rep_id in audiences[lecture.hall_id]:
            mark = rng.choice(MARKS)
            rows.append(Attendance(lecture=lecture, representative_id=rep_id, status=mark, marked_at=_noon(lecture)))
    # The unique key (lecture, representative) keeps a second load from adding anything.
    Attendance.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def _noon(lecture: Lecture):
    return timezone.make_aware(datetime.combine(lecture.date, time(12)))


# --- retraining and what is coming -------------------------------------------------------------


def _retraining_load(*, county: Region, rng: random.Random) -> None:
    if Retraining.objects.filter(representative__township__path__startswith=county.path).exists():
        return
    absent = (
        Attendance.objects.filter(lecture__date__year=YEAR, lecture__hall__region__path__startswith=county.path)
        .values("representative")
        .annotate(n=Count("pk", filter=Q(status=Attendance.Status.ABSENT)))
        .filter(n__gte=2, representative__user__isnull=True)
        .order_by("-n", "representative")
    )
    chosen = [row["representative"] for row in absent[: len(RETRAINING_REASONS)]]
    committee = User.objects.filter(username="committee").first()
    for i, (rep_id, reason) in enumerate(zip(chosen, RETRAINING_REASONS, strict=False)):
        retraining = Retraining(
            representative_id=rep_id,
            reason=reason,
            assigned_by=committee,
            assigned_on=date(YEAR, 7, 15),
            due_on=date(YEAR, 12, 31),
        )
        if i % 2 == 0:
            _complete(retraining, committee)
        retraining.save()


def _complete(retraining: Retraining, by) -> None:
    """Completed by the first lecture after the assignment that the representative attended."""
    attended = (
        Attendance.objects.filter(
            representative_id=retraining.representative_id,
            status=Attendance.Status.PRESENT,
            lecture__date__gt=retraining.assigned_on,
        )
        .select_related("lecture")
        .order_by("lecture__date")
        .first()
    )
    if attended is None:
        return
    retraining.lecture, retraining.completed_on = attended.lecture, attended.lecture.date
    retraining.completed_by, retraining.note = by, "参加讲堂培训，经考核合格"


def _upcoming_load(*, halls: dict[int, LectureHall], instructors: list[Instructor], today: date) -> None:
    rulin = next((h for h in halls.values() if h.region.code == "430529100"), None)
    county_hall = next(h for h in halls.values() if h.level == LectureHall.Level.COUNTY)
    for hall, topic, theme in [
        (county_hall, "代表建议的提出与办理（新届培训）", Lecture.Theme.PROPOSALS),
        (rulin, "代表在联系群众工作室的接待工作", Lecture.Theme.DUTY),
    ]:
        if hall is None or Lecture.objects.filter(hall=hall, topic=topic, status=Lecture.Status.PLANNED).exists():
            continue
        teacher = next(i for i in instructors if i.hall_id == hall.pk and not i.representative_id)
        Lecture.objects.create(
            hall=hall,
            instructor=teacher,
            date=today + timedelta(days=14),
            topic=topic,
            theme=theme,
            audience=_audience(hall),
        )


# --- summary -----------------------------------------------------------------------------------


def training_demo_summary(*, county: Region) -> str:
    halls = LectureHall.objects.filter(region__path__startswith=county.path)
    instructors = Instructor.objects.filter(hall__in=halls)
    kinds = dict(instructors.values_list("kind").annotate(n=Count("pk")))
    lectures = Lecture.objects.filter(hall__in=halls, date__year=YEAR, status=Lecture.Status.HELD)
    marks = Attendance.objects.filter(lecture__in=lectures).aggregate(
        present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)),
        due=Count("pk", filter=~Q(status=Attendance.Status.EXCUSED)),
    )
    behind = with_quota(instructors.filter(is_active=True), year=YEAR).filter(held_count__lt=F("quota_target"))
    retrainings = Retraining.objects.filter(representative__township__path__startswith=county.path)
    return _(
        "培训讲堂：%(halls)s 个（“1+%(townships)s”），教员 %(instructors)s 名（兼职 %(part)s 名、专职 %(full)s 名），"
        "%(year)s 年授课 %(lectures)s 次，听课出席 %(present)s 人次（出勤率 %(rate)s%%，请假不计），"
        "%(behind)s 名教员未完成年度授课任务；再培训 %(retraining)s 人（已完成 %(done)s 人）。"
    ) % {
        "halls": halls.count(),
        "townships": halls.filter(level=LectureHall.Level.TOWNSHIP).count(),
        "instructors": sum(kinds.values()),
        "part": kinds.get(Instructor.Kind.PART_TIME, 0),
        "full": kinds.get(Instructor.Kind.FULL_TIME, 0),
        "year": YEAR,
        "lectures": lectures.count(),
        "present": marks["present"],
        "rate": round(100 * marks["present"] / marks["due"], 1) if marks["due"] else 0,
        "behind": behind.count(),
        "retraining": retrainings.count(),
        "done": retrainings.filter(completed_on__isnull=False).count(),
    }
