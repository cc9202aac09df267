"""Demo duty records for 城步苗族自治县, loaded by `manage.py load_demo` after training, posts
and groups (whose records the points also count).

* 2022 activities reported by the representatives of the rated townships, about a third of
  the others, and rep_demo: mostly confirmed by the committee office, some waiting, a few rejected with a reason.
* The 2022 voter ratings (选民满意度测评) of the township representatives of three townships, a
  few of them below the satisfaction minimum.
* The 2022 evaluations of those representatives, proposed from their points and ratings, with
  the commendations of one township confirmed.

Rows are written in bulk and found by their natural keys (the unique constraints, or the year's
activities already there), so a second run adds nothing.
"""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import Region, User
from apps.representatives import duty, selectors
from apps.representatives.choices import Level
from apps.representatives.models import DutyActivity, Evaluation, Representative, VoterRating

YEAR = 2022
COUNTY_CODE = "430529"
RATED_TOWNSHIPS = 3
Review = DutyActivity.Review

DESCRIPTIONS = {
    "meeting": ["列席镇人大主席团会议，就村道硬化项目发言。", "出席县人大常委会组织的代表座谈会。"],
    "survey": ["参加县人大常委会组织的农村饮水安全专题调研。", "随代表小组视察乡镇卫生院建设情况。"],
    "voters": ["走访选区选民十余户，收集农田灌溉方面的意见。", "在村部接待选民，听取对村道维护的意见。"],
    "group": ["参加代表小组学习活动，学习代表法。", "参加代表小组“我为群众办实事”活动。"],
    "other": ["参与村级矛盾纠纷调解。", "宣传森林防火政策。"],
}
KIND_WEIGHTS = {"meeting": 3, "survey": 2, "voters": 4, "group": 2, "other": 1}
REJECT_NOTES = ["没有活动签到记录，请补充佐证材料。", "与已登记的小组活动重复。"]


def duty_demo_load() -> str:
    county = Region.objects.get(code=COUNTY_CODE)
    committee = User.objects.get(username="committee")
    reps = list(
        Representative.objects.serving()
        .filter(township__parent=county)
        .select_related("township", "user")
        .order_by("pk")
    )
    with transaction.atomic():
        _activities_load(reps, committee)
        rated = _ratings_load(reps, committee)
        _evaluations_load(rated, committee)
    return _summary(county)


def _activities_load(reps: list[Representative], clerk: User) -> None:
    if DutyActivity.objects.filter(date__year=YEAR, representative__township__parent__code=COUNTY_CODE).exists():
        return
    rng = random.Random(2022)  # noqa: S311  (demo data: reproducible, not secret)
    rated = set(_rated_townships(reps))
    reporters = [r for r in reps if r.user_id or r.township_id in rated or rng.random() < 0.33]
    rows = [row for rep in reporters for row in _activities_of(rng, rep, clerk)]
    DutyActivity.objects.bulk_create(rows, batch_size=1000)


def _activities_of(rng: random.Random, rep: Representative, clerk: User) -> list[DutyActivity]:
    # A few diligent representatives, most doing a fair share, some very little: the grades spread.
    roll = rng.random()
    n = rng.randint(30, 42) if roll < 0.15 else rng.randint(12, 22) if roll < 0.8 else rng.randint(1, 5)
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=n)
    return [_activity(rng, rep, kind, clerk) for kind in kinds]


def _activity(rng: random.Random, rep: Representative, kind: str, clerk: User) -> DutyActivity:
    on = date(YEAR, 1, 10) + timedelta(days=rng.randrange(340))
    roll = rng.random()
    status = Review.CONFIRMED if roll < 0.8 else Review.PENDING if roll < 0.92 else Review.REJECTED
    reviewed = status != Review.PENDING
    return DutyActivity(
        representative=rep,
        kind=kind,
        date=on,
        place=rep.township.name,
        description=rng.choice(DESCRIPTIONS[kind]),
        created_by=rep.user or clerk,
        review_status=status,
        reviewed_by=clerk if reviewed else None,
        reviewed_at=timezone.make_aware(datetime(YEAR, 12, 20, 10)) if reviewed else None,
        review_note=rng.choice(REJECT_NOTES) if status == Review.REJECTED else "",
    )


def _rated_townships(reps: list[Representative]) -> list[int]:
    townships = sorted({(r.township.sort_order, r.township.code, r.township_id) for r in reps})
    return [pk for _order, _code, pk in townships[:RATED_TOWNSHIPS]]


def _ratings_load(reps: list[Representative], clerk: User) -> list[Representative]:
    townships = _rated_townships(reps)
    rated = [r for r in reps if r.level == Level.TOWNSHIP and r.township_id in townships]
    rng = random.Random(20221210)  # noqa: S311  (demo data: reproducible, not secret)
    rows = []
    for rep in rated:
        voters = rng.randint(30, 80)
        share = rng.uniform(0.3, 0.6) if rng.random() < 0.08 else rng.uniform(0.75, 0.98)
        satisfied = int(voters * share * 0.8)
        basic = int(voters * share) - satisfied
        rows.append(
            VoterRating(
                representative=rep,
                year=YEAR,
                held_on=date(YEAR, 12, 10),
                satisfied=satisfied,
                basic=basic,
                dissatisfied=voters - satisfied - basic,
                recorded_by=clerk,
            )
        )
    VoterRating.objects.bulk_create(rows, ignore_conflicts=True)
    return rated


def _evaluations_load(rated: list[Representative], clerk: User) -> None:
    if not rated:
        return
    points = duty.points_for_many(Representative.objects.filter(pk__in=[r.pk for r in rated]), YEAR)
    ratings = {v.representative_id: v for v in VoterRating.objects.filter(representative__in=rated, year=YEAR)}
    first_township = rated[0].township_id
    rows = []
    for rep in rated:
        earned, rating = points.get(rep.pk) or duty.Points(), ratings.get(rep.pk)
        outcome = selectors.proposed_outcome(earned.grade, rating.rate if rating else None)
        confirmed = outcome == Evaluation.Outcome.COMMEND and rep.township_id == first_township
        rows.append(
            Evaluation(
                representative=rep,
                year=YEAR,
                points=Decimal(str(earned.total)).quantize(Decimal("0.1")),
                grade=earned.grade,
                voter_rate=Decimal(str(rating.percent)) if rating and rating.percent is not None else None,
                outcome=outcome,
                status=Evaluation.State.CONFIRMED if confirmed else Evaluation.State.PROPOSED,
                confirmed_by=clerk if confirmed else None,
                confirmed_at=timezone.make_aware(datetime(YEAR + 1, 1, 15, 10)) if confirmed else None,
            )
        )
    Evaluation.objects.bulk_create(rows, ignore_conflicts=True)


def _summary(county: Region) -> str:
    mine = {"representative__township__parent": county}
    activities = DutyActivity.objects.filter(date__year=YEAR, **mine)
    evaluations = Evaluation.objects.filter(year=YEAR, **mine)
    return _(
        "履职档案：%(year)s年自报履职 %(activities)s 条（待确认 %(pending)s 条），"
        "选民满意度测评 %(ratings)s 人，年度履职评价 %(evaluations)s 人（已确认 %(confirmed)s 人）。"
    ) % {
        "year": YEAR,
        "activities": activities.count(),
        "pending": activities.filter(review_status=Review.PENDING).count(),
        "ratings": VoterRating.objects.filter(year=YEAR, **mine).count(),
        "evaluations": evaluations.count(),
        "confirmed": evaluations.filter(status=Evaluation.State.CONFIRMED).count(),
    }
