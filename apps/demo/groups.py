"""Demo activity groups, activities, campaigns and inspections for 城步苗族自治县 in 2022, loaded by
`manage.py load_demo` after the roster and the proposals (the seed article's figures):

* six county activity groups by expertise, each with a leader, 8–15 county representatives and a
  standing-committee member keeping contact (one through the committee's account); rep_demo is a
  member of 农业农村组;
* 36 confirmed group activities in 2022, mostly 微宣讲 and 微心愿 (with wishes fulfilled), and one
  activity rep_demo reported that waits for confirmation;
* the campaigns "大学习、大调研、大走访、大宣讲、大服务", "我为群众办实事" (still running) and the
  five-level visits to voters; 128 confirmed, solved problems of 2022, plus a few of rep_demo's
  waiting for confirmation and one rejected;
* 12 inspection and survey batches of 2022, numbered 1–12, with participants, reports and
  suggestions, some linked to proposals of the first session of the 18th county congress.

Everything goes through the services, so the rows are the ones real use writes (about two
thousand small queries). Idempotent: once the groups are there, nothing is added.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.models import Region, User
from apps.demo.core import demo_data_read
from apps.groups import services
from apps.groups.models import (
    Activity,
    ActivityGroup,
    Campaign,
    GroupMembership,
    Inspection,
    InspectionSuggestion,
    ProblemSolved,
)
from apps.proposals.models import Proposal
from apps.representatives.choices import Level
from apps.representatives.choices import Status as RepStatus
from apps.representatives.models import Representative

YEAR = 2022
SEED = 20221
JOINED = date(2022, 1, 10)
Kind = Activity.Kind
Review = Activity.Review

# (name, theme, liaison: True = the committee's account, else a name)
GROUPS = [
    ("农业农村组", "农业农村、乡村振兴", True),
    ("教育卫生组", "教育、医疗卫生", "县人大常委会委员 蓝玉珍"),
    ("生态环保组", "生态环境保护", "县人大常委会委员 杨再兴"),
    ("城建交通组", "城乡建设、交通水利", "县人大常委会委员 刘光明"),
    ("文化旅游组", "民族文化、旅游发展", "县人大常委会委员 肖春梅"),
    ("法治社会组", "法治建设、社会治理", "县人大常委会委员 戴国华"),
]

# Six activities of each group: kind and title; most are 微宣讲 and 微心愿 (seed article).
ACTIVITIES = [
    (Kind.TALK, "中央人大工作会议精神“微宣讲”"),
    (Kind.WISH, "我为群众办实事“微心愿”认领"),
    (Kind.TALK, "党的二十大精神“微宣讲”"),
    (Kind.WISH, "“微心愿”圆梦行动"),
    (Kind.SURVEY, "小组专题调研"),
    (Kind.VOTER_VISIT, "走访联系选民"),
]
ACTIVITY_MONTHS = [3, 5, 11, 6, 8, 9]
PLACES = ["村部", "社区服务中心", "中心小学", "农贸市场", "代表联系群众工作室"]

CAMPAIGNS = [
    ("大学习、大调研、大走访、大宣讲、大服务", date(2022, 3, 1), date(2022, 12, 31)),
    ("我为群众办实事", date(2022, 1, 1), None),
    ("五级代表走访选民", date(2022, 6, 1), date(2022, 9, 30)),
]
PROBLEMS_SOLVED = 128

PROBLEMS = [
    ("{village}路灯损坏，夜间出行不便", "协调镇政府更换路灯，当月修复"),
    ("{village}通组路塌方，车辆无法通行", "联系县交通运输局抢修，清理塌方并加固路基"),
    ("{village}饮水管道破裂，群众用水困难", "协调水利站更换管道，恢复供水"),
    ("{village}留守儿童放学无人接送", "联系学校和村委会组织志愿者护送"),
    ("{village}孤寡老人房屋漏雨", "协调民政部门和爱心企业维修房屋"),
    ("{village}农产品滞销", "对接电商平台和县城商超，帮助销售"),
    ("{village}垃圾清运不及时", "督促保洁公司增加清运频次"),
    ("{village}小学门口交通拥堵", "协调交警在上下学时段疏导交通"),
    ("{village}灌溉水渠堵塞", "组织群众和村干部清淤疏通"),
    ("{village}村卫生室缺少常用药品", "联系县卫生健康局配齐药品"),
]

# (kind, topic, organiser, proposal category or "" when no proposal came of it)
INSPECTIONS = [
    (
        Inspection.Kind.INSPECTION,
        "县十八届人大一次会议代表建议交办落实情况视察",
        "县人大常委会代表工作委员会",
        "transport",
    ),
    (Inspection.Kind.SURVEY, "农村饮水安全工作专题调研", "县人大常委会农业农村工作委员会", "agriculture"),
    (Inspection.Kind.INSPECTION, "乡村振兴衔接资金使用情况视察", "县人大常委会农业农村工作委员会", ""),
    (Inspection.Kind.INSPECTION, "食品安全工作视察", "县人大常委会教育科学文化卫生工作委员会", ""),
    (Inspection.Kind.SURVEY, "义务教育“双减”工作专题调研", "县人大常委会教育科学文化卫生工作委员会", "education"),
    (Inspection.Kind.INSPECTION, "生态环境保护工作视察", "县人大常委会城乡建设环境保护工作委员会", "environment"),
    (Inspection.Kind.INSPECTION, "防汛抗旱工作视察", "县人大常委会城乡建设环境保护工作委员会", ""),
    (Inspection.Kind.SURVEY, "民族文化传承与旅游发展专题调研", "县人大常委会民族宗教侨务外事工作委员会", ""),
    (Inspection.Kind.SURVEY, "安全生产工作专题调研", "县人大常委会法制工作委员会", ""),
    (Inspection.Kind.SURVEY, "基层医疗卫生服务能力专题调研", "县人大常委会教育科学文化卫生工作委员会", "health"),
    (Inspection.Kind.INSPECTION, "县城重点项目建设情况视察", "县人大常委会财政经济工作委员会", ""),
    (Inspection.Kind.SURVEY, "优化营商环境工作专题调研", "县人大常委会财政经济工作委员会", "economy"),
    # The seed's 12 batches are inspections and surveys; law-enforcement checks are counted apart.
    (Inspection.Kind.ENFORCEMENT, "《中华人民共和国食品安全法》执法检查", "县人大常委会教育科学文化卫生工作委员会", ""),
    (Inspection.Kind.ENFORCEMENT, "《中华人民共和国安全生产法》执法检查", "县人大常委会法制工作委员会", ""),
]
SUGGESTIONS = [
    "建立问题清单和整改台账，明确责任单位和完成时限。",
    "加大财政投入，优先解决群众反映集中的突出问题。",
]


def groups_demo_load() -> str:
    """Load the demo once, in one transaction, and say what is there now."""
    county = Region.objects.get(code=demo_data_read()["county"]["code"])
    if not ActivityGroup.objects.filter(region=county).exists():
        with transaction.atomic():
            _load(county=county, rng=random.Random(SEED))  # noqa: S311  (demo data: reproducible, not secret)
    return groups_demo_summary(county=county)


def _load(*, county: Region, rng: random.Random) -> None:
    committee = User.objects.get(username="committee")
    rep_demo = Representative.objects.filter(user__username="rep_demo").select_related("township").first()
    groups = _groups_load(county=county, committee=committee, rep_demo=rep_demo, rng=rng)
    for group in groups:
        _activities_load(group=group, committee=committee, rng=rng)
    if rep_demo is not None and rep_demo.user_id:
        _reported_activity(group=groups[0], rep=rep_demo)
    campaigns = [
        services.campaign_create(name=name, region=county, started_on=start, ended_on=end, by=committee)
        for name, start, end in CAMPAIGNS
    ]
    _problems_load(campaign=campaigns[1], county=county, committee=committee, rep_demo=rep_demo, rng=rng)
    _inspections_load(county=county, committee=committee, rng=rng)


def _county_members(county: Region) -> list[Representative]:
    return list(
        Representative.objects.filter(
            level=Level.COUNTY, status=RepStatus.SERVING, township__path__startswith=county.path
        )
        .select_related("township", "user")
        .order_by("credential_no", "pk")
    )


def _groups_load(*, county, committee, rep_demo, rng) -> list[ActivityGroup]:
    pool = _county_members(county)
    rng.shuffle(pool)
    if rep_demo is not None and rep_demo in pool:
        pool.remove(rep_demo)
        pool.insert(1, rep_demo)  # a member of the first group, not its leader
    groups = []
    for name, theme, liaison in GROUPS:
        size = rng.randint(8, 15)
        members, pool = pool[:size], pool[size:]
        group = services.group_create(
            name=name,
            theme=theme,
            region=county,
            leader=members[0],
            liaison_member=committee if liaison is True else None,
            liaison_name="" if liaison is True else liaison,
            joined_on=JOINED,
            by=committee,
        )
        for rep in members[1:]:
            services.group_member_add(group=group, representative=rep, joined_on=JOINED, by=committee)
        group.demo_members = members
        groups.append(group)
    return groups


def _activities_load(*, group: ActivityGroup, committee: User, rng: random.Random) -> None:
    members = group.demo_members
    for (kind, title), month in zip(ACTIVITIES, ACTIVITY_MONTHS, strict=True):
        rep = rng.choice(members)
        wishes = rng.randint(5, 20) if kind == Kind.WISH else 0
        services.activity_record(
            group=group,
            kind=kind,
            title=f"{group.name}{title}",
            date=date(YEAR, month, rng.randint(3, 25)),
            place=f"{rep.township.name}{rng.choice(PLACES)}",
            participants=rng.sample(members, k=rng.randint(3, min(8, len(members)))),
            summary=_("小组代表%(n)s人参加，围绕“%(theme)s”开展活动。") % {"n": len(members), "theme": group.theme},
            wishes_fulfilled=wishes,
            people_reached=rng.randint(30, 300),
            problems_solved=rng.randint(0, 3) if kind in (Kind.SURVEY, Kind.VOTER_VISIT) else 0,
            by=committee,
        )


def _reported_activity(*, group: ActivityGroup, rep: Representative) -> None:
    services.activity_report(
        representative=rep,
        group=group,
        kind=Kind.WISH,
        title=_("为大竹村留守儿童圆“微心愿”"),
        date=date(YEAR, 11, 26),
        place=_("儒林镇大竹村"),
        summary=_("为留守儿童送去书包和文具。"),
        wishes_fulfilled=15,
        people_reached=40,
        by=rep.user,
    )


def _villages_by_township(county: Region) -> dict[int, list[str]]:
    villages: dict[int, list[str]] = {}
    for parent, name in Region.objects.filter(level=Region.Level.VILLAGE, path__startswith=county.path).values_list(
        "parent", "name"
    ):
        villages.setdefault(parent, []).append(name)
    return villages


def _problems_load(*, campaign: Campaign, county: Region, committee, rep_demo, rng) -> None:
    reps = list(
        Representative.objects.filter(status=RepStatus.SERVING, township__path__startswith=county.path)
        .select_related("township")
        .order_by("pk")
    )
    villages = _villages_by_township(county)
    start = date(YEAR, 1, 10)
    for _i in range(PROBLEMS_SOLVED):
        rep = rng.choice(reps)
        problem, action = rng.choice(PROBLEMS)
        village = rng.choice(villages.get(rep.township_id) or [rep.township.name])
        services.problem_record(
            campaign=campaign,
            representative=rep,
            date=start + timedelta(days=rng.randint(0, 320)),
            problem=problem.format(village=village),
            action_taken=action,
            by=committee,
        )
    if rep_demo is not None and rep_demo.user_id:
        _rep_demo_problems(campaign=campaign, rep=rep_demo, committee=committee)


def _rep_demo_problems(*, campaign: Campaign, rep: Representative, committee: User) -> None:
    reported = [
        (date(YEAR, 11, 18), "大竹村三组路灯不亮", "联系镇政府更换路灯"),
        (date(YEAR, 11, 22), "城南社区垃圾清运不及时", "督促保洁公司增加清运频次"),
        (date(YEAR, 11, 25), "白云村灌溉水渠堵塞", "组织群众清淤疏通"),
    ]
    records = [
        services.problem_report(
            campaign=campaign, representative=rep, date=day, problem=problem, action_taken=action, by=rep.user
        )
        for day, problem, action in reported
    ]
    services.problem_review(problem=records[0], by=committee, confirm=False, note=_("请补充解决结果和群众评价。"))


def _inspections_load(*, county: Region, committee: User, rng: random.Random) -> None:
    members = _county_members(county)
    proposals = Proposal.objects.filter(
        session__term__region=county, session__opened_on__year=YEAR, number__isnull=False
    ).order_by("number")
    for i, (kind, topic, organiser, category) in enumerate(INSPECTIONS):
        started = date(YEAR, 1 + i * 10 // 12, 1) + timedelta(days=8 + i % 3 * 5)
        inspection = services.inspection_create(
            kind=kind,
            region=county,
            topic=topic,
            started_on=started,
            ended_on=started + timedelta(days=rng.randint(1, 3)),
            organiser=organiser,
            status=Inspection.Status.DONE,
            report=_("%(topic)s报告：肯定成绩，指出问题，提出意见建议。") % {"topic": topic},
            participants=rng.sample(members, k=rng.randint(8, 15)),
            by=committee,
        )
        linked = proposals.filter(category=category).first() if category else None
        for j, text in enumerate(SUGGESTIONS):
            services.inspection_suggestion_add(
                inspection=inspection, text=text, proposal=linked if j == 0 else None, by=committee
            )


def groups_demo_summary(*, county: Region) -> str:
    groups = ActivityGroup.objects.filter(region=county)
    activities = Activity.objects.filter(region__path__startswith=county.path, date__year=YEAR)
    confirmed = activities.filter(review_status=Review.CONFIRMED)
    problems = ProblemSolved.objects.filter(township__path__startswith=county.path, date__year=YEAR)
    batches = Inspection.objects.filter(region=county, year=YEAR)
    return _(
        "代表活动：活动小组 %(groups)s 个（成员 %(members)s 人），%(year)s 年小组活动 %(activities)s 次"
        "（实现微心愿 %(wishes)s 个，待确认 %(pending_activities)s 次）；主题活动 %(campaigns)s 项，"
        "办实事解决问题 %(solved)s 件（待确认 %(pending_problems)s 件）；视察调研 %(batches)s 批次、"
        "执法检查 %(checks)s 批次（意见建议 %(suggestions)s 条，形成代表建议 %(linked)s 件）。"
    ) % {
        "groups": groups.count(),
        "members": GroupMembership.objects.filter(group__in=groups, left_on__isnull=True).count(),
        "year": YEAR,
        "activities": confirmed.count(),
        "wishes": sum(confirmed.values_list("wishes_fulfilled", flat=True)),
        "pending_activities": activities.filter(review_status=Review.PENDING).count(),
        "campaigns": Campaign.objects.filter(region=county).count(),
        "solved": problems.filter(review_status=Review.CONFIRMED, is_solved=True).count(),
        "pending_problems": problems.filter(review_status=Review.PENDING).count(),
        "batches": batches.exclude(kind=Inspection.Kind.ENFORCEMENT).count(),
        "checks": batches.filter(kind=Inspection.Kind.ENFORCEMENT).count(),
        "suggestions": InspectionSuggestion.objects.filter(inspection__in=batches).count(),
        "linked": InspectionSuggestion.objects.filter(inspection__in=batches, proposal__isnull=False).count(),
    }
