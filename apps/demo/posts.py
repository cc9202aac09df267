"""Demo duty posts for 城步苗族自治县, loaded by `manage.py load_demo` after the roster.

* The seed article's 1150 posts of "双培三联四岗" over the 12 townships, in proportion to their
  serving representatives: 宣传员, 监督员, 巡查员, 调解员 and 信息员 in dispute resolution,
  environmental protection and the other fields, in the townships' villages or the township seat.
* Assignments from early 2022: nearly every serving representative holds a post (some two), no
  post over its capacity, a few left in the autumn.
* Some four hundred 2022 work logs, mostly confirmed, some waiting, a few rejected; rep_demo has
  one of each.

Everything is written with bulk_create (with history rows), the same rows the services write;
tests/posts/test_demo.py checks them against the services' rules. Posts are found by their
natural key (township, title): loading twice creates nothing new.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from apps.core.models import Region, User
from apps.demo.core import apportion, demo_data_read
from apps.posts.models import DutyPost, PostAssignment, PostField, PostLog, PostRole, default_programme
from apps.representatives.choices import Status
from apps.representatives.models import Representative

YEAR = 2022
POSTS = 1150
LOGS = 420
SEED = "posts-demo-2022"
# Which roles work in which fields (weights): what the seed article names, and common practice.
ROLE_FIELDS = {
    "调解员": {PostField.DISPUTES: 1.0},
    "巡查员": {PostField.ENVIRONMENT: 0.6, PostField.SAFETY: 0.4},
    "宣传员": {PostField.POLICY: 0.6, PostField.RURAL: 0.4},
    "监督员": {PostField.LIVELIHOOD: 0.5, PostField.ENVIRONMENT: 0.3, PostField.SAFETY: 0.2},
    "信息员": {PostField.DISPUTES: 0.4, PostField.LIVELIHOOD: 0.6},
}
ROLE_WEIGHTS = {"调解员": 0.24, "巡查员": 0.24, "宣传员": 0.2, "监督员": 0.18, "信息员": 0.14}
WORK = {
    PostField.DISPUTES: "到{place}调解{n}起{kind}纠纷，双方当场达成和解。",
    PostField.ENVIRONMENT: "巡查{place}河段和山林，劝止露天焚烧{n}起，发现的问题已报乡镇。",
    PostField.RURAL: "走访{place}{n}户农户，了解产业发展情况，宣传小额信贷政策。",
    PostField.SAFETY: "检查{place}{n}处自建房和农家乐的消防安全，督促整改隐患。",
    PostField.POLICY: "在{place}召开群众会，宣讲惠民政策，参加群众{n}人。",
    PostField.LIVELIHOOD: "收集{place}群众关于饮水、道路的意见{n}条，已转代表联系群众工作室。",
    PostField.OTHER: "在{place}开展岗位工作{n}次。",
}
DISPUTE_KINDS = ["宅基地", "山林权属", "邻里", "土地流转", "婚姻家庭"]
REJECT_NOTES = ["日期与活动记录不符，请核实后重新填报。", "内容过于简单，请写明地点和事项。"]


def posts_demo_load() -> str:
    """Load (or complete) the posts demo in one transaction and say what is there now."""
    county = Region.objects.get(code=demo_data_read()["county"]["code"])
    rng = random.Random(SEED)  # noqa: S311  (demo data: reproducible, not secret)
    with transaction.atomic():
        roles = _roles()
        townships = list(Region.objects.filter(parent=county, level=Region.Level.TOWNSHIP).order_by("sort_order"))
        reps = _serving(townships)
        posts = _posts_load(townships=townships, reps=reps, roles=roles, rng=rng)
        assignments = _assignments_load(posts=posts, reps=reps, rng=rng)
        _logs_load(assignments=assignments, rng=rng)
    return posts_demo_summary(county=county, created=len(posts))


def posts_demo_summary(*, county: Region, created: int = 0) -> str:
    posts = DutyPost.objects.filter(township__parent=county)
    figures = posts.aggregate(n=Count("pk"), capacity=Sum("capacity"))
    holders = PostAssignment.objects.during_year(YEAR).filter(post__in=posts).values("representative").distinct()
    logs = PostLog.objects.filter(assignment__post__in=posts, date__year=YEAR).aggregate(
        n=Count("pk"),
        confirmed=Count("pk", filter=Q(review_status=PostLog.Review.CONFIRMED)),
        pending=Count("pk", filter=Q(review_status=PostLog.Review.PENDING)),
        rejected=Count("pk", filter=Q(review_status=PostLog.Review.REJECTED)),
    )
    return _(
        "履职岗位：%(posts)s 个（定员 %(capacity)s 人），%(year)s 年在岗代表 %(holders)s 人；"
        "%(year)s 年岗位工作记录 %(logs)s 条"
        "（已确认 %(confirmed)s 条，待确认 %(pending)s 条，未通过 %(rejected)s 条）；"
        "本次新建岗位 %(created)s 个。"
    ) % {
        "posts": figures["n"],
        "capacity": figures["capacity"] or 0,
        "year": YEAR,
        "holders": holders.count(),
        "logs": logs["n"],
        "confirmed": logs["confirmed"],
        "pending": logs["pending"],
        "rejected": logs["rejected"],
        "created": created,
    }


def _roles() -> dict[str, PostRole]:
    roles = {}
    for order, name in enumerate(ROLE_WEIGHTS, start=1):
        roles[name], _created = PostRole.objects.get_or_create(name=name, defaults={"sort_order": order})
    return roles


def _serving(townships: list[Region]) -> dict[int, list[Representative]]:
    reps = defaultdict(list)
    serving = Representative.objects.filter(township__in=townships, status=Status.SERVING).select_related("user")
    for rep in serving.order_by("township", "pk"):
        reps[rep.township_id].append(rep)
    return reps


# --- posts ------------------------------------------------------------------------------------


def _posts_load(*, townships, reps, roles, rng: random.Random) -> list[DutyPost]:
    """The posts not there yet, by (township, title); returns those created now."""
    counts = apportion(weights={t.pk: len(reps[t.pk]) or 1 for t in townships}, n=POSTS)
    villages = defaultdict(list)
    for village in Region.objects.filter(parent__in=townships, level=Region.Level.VILLAGE).order_by("sort_order"):
        villages[village.parent_id].append(village)
    planned = [
        post
        for township in townships
        for post in _township_posts(township, villages[township.pk], counts[township.pk], roles, rng)
    ]
    existing = set(DutyPost.objects.filter(township__in=townships).values_list("township_id", "title"))
    new = [p for p in planned if (p.township_id, p.title) not in existing]
    for post in new:
        post.full_clean(exclude=["township", "role", "village"], validate_constraints=False)
    return bulk_create_with_history(new, DutyPost, batch_size=500)


def _township_posts(township: Region, villages: list[Region], n: int, roles, rng: random.Random) -> list[DutyPost]:
    names = list(ROLE_WEIGHTS)
    taken: dict[str, int] = defaultdict(int)
    posts = []
    for i in range(n):
        role = rng.choices(names, weights=[ROLE_WEIGHTS[r] for r in names])[0]
        fields = ROLE_FIELDS[role]
        field = rng.choices(list(fields), weights=list(fields.values()))[0]
        # One in five posts serves the whole township from its seat.
        village = villages[i % len(villages)] if villages and rng.random() > 0.2 else None
        base = f"{(village or township).name}{field.label}{role}岗"
        taken[base] += 1
        title = base if taken[base] == 1 else f"{base}（{taken[base]}）"
        posts.append(
            DutyPost(
                title=title,
                role=roles[role],
                field=field,
                township=township,
                village=village,
                programme=default_programme(),
                capacity=2 if role == "巡查员" and rng.random() < 0.5 else 1,
                description=_describe(field, village or township),
            )
        )
    return posts


def _describe(field: str, place: Region) -> str:
    return f"负责{place.name}{PostField(field).label}工作，定期开展活动并填写工作记录。"


# --- assignments ------------------------------------------------------------------------------


def _assignments_load(*, posts: list[DutyPost], reps, rng: random.Random) -> list[PostAssignment]:
    """Holders for the posts created now: first one post for (nearly) every serving
    representative of the township, then more until about nine places in ten are taken."""
    staff = User.objects.filter(username="committee").first() or User.objects.filter(is_superuser=True).first()
    by_township = defaultdict(list)
    for post in posts:
        by_township[post.township_id].append(post)
    rows = []
    for township_id, township_posts in by_township.items():
        rows += _township_assignments(township_posts, reps[township_id], staff, rng)
    return bulk_create_with_history(rows, PostAssignment, batch_size=500)


def _township_assignments(posts, reps, staff, rng: random.Random) -> list[PostAssignment]:
    seats = [post for post in posts for _seat in range(post.capacity)]
    rng.shuffle(seats)
    people = list(reps)
    rng.shuffle(people)
    # rep_demo's portal shows a post; a few others hold none.
    people.sort(key=lambda rep: not (rep.user and rep.user.username == "rep_demo"))
    first = people[: max(len(people) - len(people) // 20, 1)] if people else []
    held = {(post.pk, rep.pk) for post, rep in zip(seats, first, strict=False)}
    pairs = list(zip(seats, first, strict=False))
    for post in seats[len(pairs) : int(len(seats) * 0.9)]:
        rep = rng.choice(people) if people else None
        if rep is not None and (post.pk, rep.pk) not in held:
            held.add((post.pk, rep.pk))
            pairs.append((post, rep))
    return [_assignment(post, rep, staff, rng) for post, rep in pairs]


def _assignment(post: DutyPost, rep: Representative, staff: User, rng: random.Random) -> PostAssignment:
    started = date(YEAR, 1, 4) + timedelta(days=rng.randrange(85))
    ended = None
    if rng.random() < 0.04 and not (rep.user and rep.user.username == "rep_demo"):
        ended = date(YEAR, 7, 1) + timedelta(days=rng.randrange(150))
    return PostAssignment(
        post=post, representative=rep, started_on=started, ended_on=ended, assigned_by=staff, ended_by=ended and staff
    )


# --- logs -------------------------------------------------------------------------------------


def _logs_load(*, assignments: list[PostAssignment], rng: random.Random) -> list[PostLog]:
    if not assignments:
        return []
    reviewers = _reviewers()
    chosen = rng.sample(assignments, min(LOGS, len(assignments)))
    demo = [a for a in assignments if a.representative.user and a.representative.user.username == "rep_demo"]
    rows = [_log(a, reviewers, rng, state=_state(rng)) for a in chosen]
    rows += [_log(demo[0], reviewers, rng, state=state) for state in PostLog.Review.values] if demo else []
    return bulk_create_with_history(rows, PostLog, batch_size=500)


def _reviewers() -> dict[int | None, User]:
    """Township staff review their township's logs; the committee those of the others."""
    committee = User.objects.filter(username="committee").first()
    found: dict[int | None, User] = {None: committee}
    for user in User.objects.filter(role=User.Role.TOWNSHIP).prefetch_related("regions"):
        for region in user.regions.all():
            found.setdefault(region.pk, user)
    return found


def _state(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.85:
        return PostLog.Review.CONFIRMED
    return PostLog.Review.PENDING if roll < 0.96 else PostLog.Review.REJECTED


def _log(assignment: PostAssignment, reviewers, rng: random.Random, *, state: str) -> PostLog:
    post = assignment.post
    last = min(assignment.ended_on or date(YEAR, 12, 31), date(YEAR, 12, 31), timezone.localdate())
    day = assignment.started_on + timedelta(days=rng.randrange(max((last - assignment.started_on).days, 0) + 1))
    place = (post.village or post.township).name
    text = WORK[post.field].format(place=place, n=rng.randint(2, 30), kind=rng.choice(DISPUTE_KINDS))
    reviewer = reviewers.get(post.township_id) or reviewers[None]
    log = PostLog(assignment=assignment, date=day, content=text, created_by=assignment.representative.user or reviewer)
    if state != PostLog.Review.PENDING:
        log.review_status, log.reviewed_by = state, reviewer
        log.reviewed_at = timezone.make_aware(datetime.combine(day + timedelta(days=rng.randint(1, 7)), time(10)))
        log.review_note = rng.choice(REJECT_NOTES) if state == PostLog.Review.REJECTED else ""
    return log
