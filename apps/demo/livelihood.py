"""Demo livelihood projects of 城步苗族自治县 for the 2022 session (县十八届人大一次会议), loaded by
`manage.py load_demo` after the roster.

* 45 project ideas from citizens, representatives and government units, screened into the 33
  candidate projects of the seed article (a few ideas merged as duplicates, a few declined).
* The selection ballot of the session: 21 slots, "more than half of all representatives"; the
  county representatives vote online and the last sheets come in as a paper batch; exactly 21
  candidates pass. Votes come from a seeded generator through the services, so voters, tallies
  and sheets agree; the ballot's times are then moved to the session's days.
* The approved projects in various stages: completed, in progress, one with an overdue
  milestone, each with a lead leader, milestones, progress reports and supervision records.

The core demo has no 2023 session, so there is no satisfaction poll here.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.demo.core import demo_data_read
from apps.livelihood import services
from apps.livelihood.models import Ballot, BallotItem, Idea, Milestone, Project
from apps.livelihood.selectors import eligible_representatives
from apps.notifications.models import Notification
from apps.representatives.choices import Level
from apps.representatives.models import Representative

SEED = 20220107
SLOTS = 21
BALLOT_TITLE = "城步苗族自治县2022年民生实事项目票决"
PAPER_SHEETS = 30


@dataclass(frozen=True)
class Candidate:
    title: str
    description: str
    unit: str
    investment: int  # 万元
    township: str


CANDIDATES = [
    Candidate(
        "县城区供水管网改造工程",
        "改造县城老旧供水管网 18 公里，解决儒林镇城区高峰时段水压不足问题。",
        "县住房和城乡建设局",
        2600,
        "儒林镇",
    ),
    Candidate(
        "农村饮水安全巩固提升工程",
        "新建、改造集中供水工程 26 处，巩固提升 3.2 万农村人口饮水安全。",
        "县水利局",
        3800,
        "丹口镇",
    ),
    Candidate("县第三幼儿园建设", "新建 12 个班的公办幼儿园一所，新增学位 360 个。", "县教育局", 2900, "儒林镇"),
    Candidate(
        "乡镇中心小学食堂改造",
        "改造茅坪、西岩、五团等 6 所乡镇中心小学食堂，配齐冷链和消毒设备。",
        "县教育局",
        680,
        "茅坪镇",
    ),
    Candidate("农村义务教育学校教师周转房", "在边远乡镇学校新建教师周转房 120 套。", "县教育局", 1500, "汀坪乡"),
    Candidate(
        "县人民医院发热门诊及传染病区改造",
        "改造发热门诊和传染病区，新增负压病房 8 间。",
        "县卫生健康局",
        1800,
        "儒林镇",
    ),
    Candidate(
        "乡镇卫生院标准化建设",
        "完成白毛坪、蒋坊、金紫 3 个乡镇卫生院业务用房和设备标准化改造。",
        "县卫生健康局",
        960,
        "白毛坪镇",
    ),
    Candidate("村卫生室提质改造", "改造村卫生室 60 所，配备基本诊疗设备。", "县卫生健康局", 420, "威溪乡"),
    Candidate(
        "县城区农贸市场提质改造",
        "改造县城两个农贸市场的棚顶、排水和摊位，实行分区经营。",
        "县市场监督管理局",
        750,
        "儒林镇",
    ),
    Candidate(
        "农村公路安全生命防护工程", "在临水临崖路段新建护栏 85 公里，增设警示标志。", "县交通运输局", 1650, "长安营镇"
    ),
    Candidate("自然村通水泥路工程", "硬化 25 户以上自然村通组道路 60 公里。", "县交通运输局", 2400, "五团镇"),
    Candidate("危旧桥梁改造", "改造农村公路危桥 12 座。", "县交通运输局", 1320, "西岩镇"),
    Candidate("县城公交站台及候车亭建设", "新建、改造县城公交站台和候车亭 40 个。", "县交通运输局", 260, "儒林镇"),
    Candidate(
        "农村电网改造升级", "改造农村低电压台区 45 个，解决用电高峰电压偏低问题。", "国网城步供电公司", 2100, "蒋坊乡"
    ),
    Candidate(
        "行政村 4G 及千兆光网覆盖",
        "实现行政村 4G 网络和千兆光网全覆盖，偏远村组补盲基站 30 个。",
        "县发展和改革局",
        1200,
        "兰蓉乡",
    ),
    Candidate(
        "县城养老服务中心建设",
        "建设床位 200 张的县级养老服务中心，兼顾失能特困人员集中供养。",
        "县民政局",
        3200,
        "儒林镇",
    ),
    Candidate(
        "农村互助养老服务点建设", "在 30 个行政村建设互助养老服务点，提供助餐、日间照料。", "县民政局", 450, "丹口镇"
    ),
    Candidate("困难残疾人家庭无障碍改造", "为 300 户困难重度残疾人家庭进行无障碍改造。", "县民政局", 150, "茅坪镇"),
    Candidate(
        "城区老旧小区改造", "改造 2000 年以前建成的老旧小区 15 个，涉及 1800 户。", "县住房和城乡建设局", 2700, "儒林镇"
    ),
    Candidate("城区停车场建设", "新建公共停车场 3 处，新增停车位 600 个。", "县城市管理和综合执法局", 1100, "儒林镇"),
    Candidate("城区公共厕所提质改造", "新建、改造城区公共厕所 20 座。", "县城市管理和综合执法局", 380, "儒林镇"),
    Candidate(
        "乡镇污水处理设施建设",
        "建设西岩、五团、长安营 3 个集镇污水处理设施及配套管网。",
        "县生态环境分局",
        2300,
        "西岩镇",
    ),
    Candidate(
        "农村生活垃圾收运体系建设",
        "配备垃圾收集箱和转运车辆，实现行政村生活垃圾收运全覆盖。",
        "县城市管理和综合执法局",
        640,
        "金紫乡",
    ),
    Candidate("农村户厕改造", "完成农村户厕改造 3000 户。", "县农业农村局", 900, "汀坪乡"),
    Candidate("高标准农田建设", "建设高标准农田 2 万亩，配套灌溉渠道和机耕道。", "县农业农村局", 3000, "长安营镇"),
    Candidate(
        "南山牧场草场改良及道路提质", "改良草场 5000 亩，提质改造牧场道路 18 公里。", "县农业农村局", 1450, "五团镇"
    ),
    Candidate(
        "山洪灾害防治及河道治理", "治理巫水河、兰蓉河重点河段 14 公里，完善山洪预警设施。", "县水利局", 2200, "兰蓉乡"
    ),
    Candidate("城区应急避难场所建设", "建设县城应急避难场所 2 处，配备应急物资储备点。", "县应急管理局", 520, "儒林镇"),
    Candidate(
        "全民健身设施建设",
        "新建乡镇全民健身广场 12 个，更新村级健身器材 100 套。",
        "县文化旅游广电体育局",
        560,
        "蒋坊乡",
    ),
    Candidate(
        "苗乡农家书屋及文化广场提质",
        "提质改造农家书屋 80 个、村级文化广场 20 个。",
        "县文化旅游广电体育局",
        330,
        "白毛坪镇",
    ),
    Candidate(
        "零就业家庭就业援助",
        "开发公益性岗位 500 个，确保零就业家庭至少一人就业。",
        "县人力资源和社会保障局",
        600,
        "威溪乡",
    ),
    Candidate("脱贫人口小额信贷及产业奖补", "为脱贫户发放小额信贷贴息和产业发展奖补。", "县乡村振兴局", 1000, "金紫乡"),
    Candidate(
        "校园及周边食品安全智慧监管", "为全县中小学校食堂安装明厨亮灶智慧监管设备。", "县市场监督管理局", 240, "西岩镇"
    ),
]
# Collected but not shortlisted: duplicates merged into a candidate's idea, and ideas declined.
DUPLICATES = {0: "城区自来水水压低，建议改造管网", 10: "我们组还没通水泥路", 15: "县城缺少公办养老院"}
DECLINED = [
    (
        "建设县城高铁站",
        "建议修建通往县城的高铁。",
        "投资规模和审批权限超出县级民生实事范围，已转交县发展和改革局研究。",
    ),
    ("儒林镇建大型游乐园", "建议建设大型游乐园。", "不属于基本民生保障项目，建议通过招商引资解决。"),
    ("给每户发放取暖补贴", "冬天寒冷，建议发放取暖补贴。", "不符合民生实事项目“当年能完成、群众普遍受益”的标准。"),
    ("修建机场", "建议修建通用机场。", "投资规模和审批权限超出县级民生实事范围。"),
    ("城区全部道路刷黑", "建议城区道路全部改为沥青路面。", "已纳入县城市更新规划分年实施。"),
    ("村村建游泳池", "建议每个村建游泳池。", "安全管理和维护成本高，暂不采纳。"),
    ("统一安装太阳能路灯到户", "建议给每户门前装太阳能路灯。", "已由各乡镇结合人居环境整治统筹安排。"),
    ("扩建县体育馆", "建议扩建县体育馆。", "已列入县“十四五”规划项目。"),
    ("增加城区出租车", "城区打车难。", "属于行业管理事项，已转交县交通运输局。"),
]
# How far each approved project has come (by its place in the result): completed, in progress, one overdue.
COMPLETED_PLACES = set(range(1, 10))
OVERDUE_PLACE = 14
SUPERVISED_PLACES = [1, 3, 5, 8, 10, 12, 14, 16, 19, 21]
LEADERS = ["县委常委、副县长 杨某", "副县长 刘某", "副县长 蓝某", "副县长 肖某", "县政府党组成员 戴某"]


def livelihood_demo_load(*, today: date | None = None) -> str:
    """Load the demo once (idempotent) and return one line saying what is there."""
    today = today or timezone.localdate()
    session = _demo_session()
    if not Project.objects.filter(session=session).exists():
        with transaction.atomic():
            _load(session=session, today=today)
    return livelihood_demo_summary(session=session, today=today)


def livelihood_demo_summary(*, session: CongressSession, today: date) -> str:
    projects = Project.objects.filter(session=session)
    ballot = Ballot.objects.filter(session=session, kind=Ballot.Kind.SELECTION).order_by("pk").first()
    overdue = Milestone.objects.filter(
        project__session=session, completed_on__isnull=True, due_on__lt=today, children__isnull=True
    ).count()
    return _(
        "民生实事：%(session)s征集项目建议 %(ideas)s 条，候选项目 %(candidates)s 个，代表票决通过 %(approved)s 个"
        "（应参加投票代表 %(eligible)s 名，收回选票 %(sheets)s 张）；已完成 %(completed)s 个，"
        "实施中 %(in_progress)s 个，逾期节点 %(overdue)s 个。"
    ) % {
        "session": session,
        "ideas": Idea.objects.filter(region__path__startswith=session.term.region.path).count(),
        "candidates": projects.count(),
        "approved": projects.filter(status__in=Project.IMPLEMENTING).count(),
        "eligible": ballot.eligible_count if ballot else 0,
        "sheets": ballot.sheets if ballot else 0,
        "completed": projects.filter(status=Project.Status.COMPLETED).count(),
        "in_progress": projects.filter(status=Project.Status.IN_PROGRESS).count(),
        "overdue": overdue,
    }


def _demo_session() -> CongressSession:
    core = demo_data_read()
    term = core["county_term"]
    return CongressSession.objects.select_related("term__region").get(
        term__region__code=core["county"]["code"], term__number=term["number"], number=term["session"]["number"]
    )


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- collection and shortlist --------------------------------------------------------------------


def _load(*, session: CongressSession, today: date) -> None:
    rng = random.Random(SEED)  # noqa: S311  (demo data: reproducible, not secret)
    committee = User.objects.get(username="committee")
    county = session.term.region
    townships = {r.name: r for r in Region.objects.filter(parent=county)}
    units = {u.name: u for u in HandlingUnit.objects.filter(region=county)}
    reps = list(
        Representative.objects.filter(term=session.term, level=Level.COUNTY).select_related("township").order_by("pk")
    )
    ideas = _ideas_collect(rng=rng, session=session, townships=townships, units=units, reps=reps)
    projects = _shortlist(session=session, ideas=ideas, units=units, by=committee)
    _screen_the_rest(ideas=ideas, townships=townships, by=committee)
    ballot = _vote(session=session, projects=projects, rng=rng, by=committee)
    _implement(ballot=ballot, units=units, rng=rng, today=today, by=committee)


def _ideas_collect(*, rng, session, townships, units, reps) -> list[Idea]:
    """One idea per candidate, by source in turn (citizen, representative, unit), dated in the
    collection month before the session; they are written in bulk, as the public form would."""
    people = demo_data_read()["people"]
    start = session.opened_on - timedelta(days=75)
    ideas = []
    for n, spec in enumerate(CANDIDATES):
        township = townships[spec.township]
        source = [Idea.Source.CITIZEN, Idea.Source.REPRESENTATIVE, Idea.Source.UNIT][n % 3]
        idea = Idea(
            region=township,
            title=spec.title,
            description=spec.description,
            estimated_cost=Decimal(spec.investment),
            source=source,
            status=Idea.Status.NEW,
        )
        if source == Idea.Source.CITIZEN:
            surname = rng.choices(list(people["surnames"]), weights=list(people["surnames"].values()))[0]
            idea.proposer_name = surname + "".join(rng.sample(people["given_female"], 2))
            idea.proposer_phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            idea.consented_at = _at(start + timedelta(days=n), 20)
        elif source == Idea.Source.REPRESENTATIVE:
            idea.representative = next((r for r in reps if r.township_id == township.pk), reps[n % len(reps)])
        else:
            idea.unit = units[spec.unit]
        ideas.append(idea)
    return ideas


def _shortlist(*, session, ideas: list[Idea], units, by: User) -> list[Project]:
    Idea.objects.bulk_create(ideas)
    return [
        services.project_shortlist(
            session=session,
            ideas=[idea],
            title=spec.title,
            description=spec.description,
            responsible_unit=units[spec.unit],
            investment=Decimal(spec.investment),
            completion_due=date(session.opened_on.year, 12, 31),
            by=by,
        )
        for spec, idea in zip(CANDIDATES, ideas, strict=True)
    ]


def _screen_the_rest(*, ideas: list[Idea], townships, by: User) -> None:
    county_seat = townships["儒林镇"]
    for n, title in DUPLICATES.items():
        duplicate, _created = services.idea_submit(
            region=ideas[n].region, title=title, description=title + "。", source=Idea.Source.STAFF, by=by
        )
        services.idea_merge(idea=duplicate, into=ideas[n], by=by)
    for title, description, note in DECLINED:
        idea, _created = services.idea_submit(
            region=county_seat, title=title, description=description, source=Idea.Source.STAFF, by=by
        )
        services.idea_decline(idea=idea, note=note, by=by)


# --- the ballot ----------------------------------------------------------------------------------


def _vote(*, session, projects: list[Project], rng, by: User) -> Ballot:
    """Open, vote and close through the services now; then move the times to the session."""
    ballot = services.ballot_create(
        session=session,
        kind=Ballot.Kind.SELECTION,
        title=BALLOT_TITLE,
        projects=projects,
        closes_at=timezone.now() + timedelta(hours=1),
        slots=SLOTS,
        by=by,
    )
    ballot = services.ballot_open(ballot=ballot, by=by)
    voters = list(eligible_representatives(ballot).order_by("pk"))
    rng.shuffle(voters)
    voters = voters[: len(voters) - rng.randint(4, 9)]  # a few absent
    sheets = _sheets(projects=projects, voters=len(voters), eligible=ballot.eligible_count, rng=rng)
    online, paper = voters[:-PAPER_SHEETS], sheets[-PAPER_SHEETS:]
    for rep, sheet in zip(online, sheets, strict=False):
        services.ballot_vote(ballot=ballot, representative=rep, choices=dict.fromkeys(sheet, "for"))
    counts = {p.pk: {"for": sum(p.pk in s for s in paper)} for p in projects}
    services.paper_batch_enter(ballot=ballot, sheets=len(paper), counts=counts, by=by, voters=voters[-PAPER_SHEETS:])
    ballot = services.ballot_close(ballot=ballot, by=by)
    _redate_ballot(ballot, session)
    return ballot


def _sheets(*, projects: list[Project], voters: int, eligible: int, rng) -> list[set[int]]:
    """Sheets of at most SLOTS marks whose totals pass exactly SLOTS projects over half of all."""
    half = eligible // 2
    order = projects[:]
    rng.shuffle(order)
    targets = {p.pk: rng.randint(half + 8, min(half + 60, voters - 4)) for p in order[:SLOTS]}
    targets |= {p.pk: rng.randint(max(5, half // 4), half - 6) for p in order[SLOTS:]}
    remaining = [SLOTS] * voters
    sheets: list[set[int]] = [set() for _n in range(voters)]
    for pk, target in sorted(targets.items(), key=lambda kv: -kv[1]):
        # The voters with the most room left take the marks, so every sheet stays within SLOTS.
        chosen = sorted(range(voters), key=lambda i: (-remaining[i], rng.random()))[:target]
        for i in chosen:
            sheets[i].add(pk)
            remaining[i] -= 1
    return sheets


def _redate_ballot(ballot: Ballot, session: CongressSession) -> None:
    day = session.opened_on + timedelta(days=2)
    Ballot.objects.filter(pk=ballot.pk).update(opens_at=_at(day, 9), closes_at=_at(day, 11), closed_at=_at(day, 11, 10))
    # The invitation to vote belongs to that morning; nobody is to act on it now.
    Notification.objects.filter(rule="livelihood.ballot_open", object_id=ballot.pk).delete()


# --- implementation ------------------------------------------------------------------------------


def _implement(*, ballot: Ballot, units, rng, today: date, by: User) -> None:
    items = BallotItem.objects.filter(ballot=ballot, outcome=BallotItem.Outcome.APPROVED).select_related("project")
    year = ballot.session.opened_on.year
    # Places in the result (ranks may repeat when votes are equal).
    for place, item in enumerate(items.order_by("rank", "position"), start=1):
        project = services.project_update(project=item.project, by=by, lead_leader=rng.choice(LEADERS))
        _milestones(project=project, stage=_stage(place), year=year, today=today, rng=rng, by=by)
        if place in SUPERVISED_PLACES:
            services.supervision_record(
                project=project,
                kind=rng.choice(["inspection", "supervision", "inquiry"]),
                held_on=date(year, rng.randint(5, 9), rng.randint(1, 28)),
                participants="县人大常委会民生实事项目监督小组",
                findings=rng.choice(FINDINGS),
                by=by,
            )


FINDINGS = [
    "工程进度符合计划，施工现场安全文明措施到位，建议加快资金拨付。",
    "部分标段进度滞后，责任单位须倒排工期，每月报送进展情况。",
    "群众反映施工影响出行，建议设置临时便道并加强沟通。",
    "项目建成后须明确管护主体和经费，防止重建轻管。",
]


def _stage(place: int) -> str:
    if place in COMPLETED_PLACES:
        return "completed"
    if place == OVERDUE_PLACE:
        return "overdue"
    return "in_progress"


def _milestones(*, project: Project, stage: str, year: int, today: date, rng, by: User) -> None:
    """Design, tender, build, accept: all done for a completed project; the last steps later
    than today for one in progress; an unfinished step past its date for the overdue one."""
    steps = [("完成项目设计和立项", date(year, 3, 31)), ("完成招标", date(year, 5, 31))]
    if stage == "completed":
        steps += [("主体工程完工", date(year, 10, 31)), ("竣工验收", date(year, 12, 20))]
    elif stage == "overdue":
        steps += [("主体工程完工", today - timedelta(days=20)), ("竣工验收", today + timedelta(days=60))]
    else:
        steps += [
            ("主体工程完工", today + timedelta(days=rng.randint(20, 90))),
            ("竣工验收", today + timedelta(days=120)),
        ]
    milestones = [services.milestone_add(project=project, title=t, due_on=d, by=by) for t, d in steps]
    done = 4 if stage == "completed" else 2
    for milestone in milestones[:done]:
        reported_on = min(milestone.due_on - timedelta(days=rng.randint(3, 20)), today)
        note = _("%(step)s已完成。") % {"step": milestone.title}
        services.milestone_report(milestone=milestone, progress=100, note=note, by=by, reported_on=reported_on)
    build = milestones[2]
    if stage != "completed":
        progress = 40 if stage == "overdue" else rng.choice([30, 50, 60, 80])
        note = _("主体工程完成约 %(p)s%%。") % {"p": progress}
        services.milestone_report(
            milestone=build, progress=progress, note=note, by=by, reported_on=min(today, date(year, 11, 15))
        )
