"""The dashboard's figures: one period in one scope, read with a constant number of queries.

Each section has its own builder; the queries live in `apps.dashboard.selectors` and every one of
them is an aggregate, so the page costs the same for ten rows or a province. Every figure that
counts a list links to that list in the admin, filtered with parameters the changelist accepts.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import CongressTerm, Region
from apps.core.scope import Scope
from apps.groups.models import Inspection
from apps.liaison.models import Concern
from apps.livelihood.models import Project
from apps.proposals.models import NOT_ASSIGNED, Outcome, Proposal, Status
from apps.proposals.selectors import rates_by_period
from apps.representatives.choices import Level
from apps.representatives.duty import grade_label
from apps.training.models import LectureHall

from . import selectors
from .figures_types import Dashboard, Figure, Period, Section, Table

TERM_YEARS = 5
ASSIGNED_STATUSES = [s for s in Status.values if s not in NOT_ASSIGNED]
HANDLED = [Concern.Status.RESOLVED, Concern.Status.CLOSED]
SURVEY_KINDS = [Inspection.Kind.INSPECTION, Inspection.Kind.SURVEY]


def period_for_year(year: int) -> Period:
    return Period(
        label=_("%(year)s年") % {"year": year},
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        year=year,
    )


def period_for_term(term: CongressTerm) -> Period:
    """A term runs from its start to its end; an open term to five years after its start."""
    ends_on = term.ended_on or _years_later(term.started_on, TERM_YEARS) - datetime.timedelta(days=1)
    return Period(label=str(term), starts_on=term.started_on, ends_on=ends_on, term_id=term.pk)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Frame:
    """What every section builder needs: the scope, the period, and the rows' names."""

    scope: Scope
    period: Period
    region: Region | None
    today: datetime.date
    regions: list[Region]
    sessions: list[int]  # of the county congress: its proposals are what the committee reports
    congress_sessions: list[int] | None  # of the congress of the region shown: a township's own projects

    @property
    def as_of(self) -> datetime.date:
        """Counts of a moment (posts held, members) are taken at the period's end, or today."""
        return min(self.period.ends_on, self.today)

    @property
    def now_label(self) -> str:
        """Said of a figure that is today's state whatever the period (halls, groups, serving)."""
        return _("截至 %(day)s") % {"day": self.today.isoformat()}

    @property
    def townships(self) -> list[Region]:
        return [r for r in self.regions if r.level == Region.Level.TOWNSHIP]

    def name_of(self, region_id) -> str:
        for region in self.regions:
            if region.pk == region_id:
                return region.name
        return _("其他")

    def dates(self, field: str) -> dict:
        return {f"{field}__gte": self.period.starts_on, f"{field}__lte": self.period.ends_on}

    @property
    def project_sessions(self) -> list[int]:
        return self.sessions if self.congress_sessions is None else self.congress_sessions

    def township_param(self) -> dict:
        return {"township": self.region.pk} if self.region else {}


def build_dashboard(*, scope: Scope, period: Period, scope_label: str, region=None) -> Dashboard:
    """Every section's figures for `period`, inside `scope` (narrowed to `region` if given)."""
    if region is not None:
        scope = Scope(region_paths=(region.path,))
    regions = selectors.regions_in(scope)
    frame = Frame(
        scope=scope,
        period=period,
        region=region,
        today=timezone.localdate(),
        regions=regions,
        sessions=selectors.sessions_in(period, level=Region.Level.COUNTY),
        congress_sessions=_congress_sessions(period, regions),
    )
    builders = [liaison_section, proposal_sections, training_section, posts_section, groups_section]
    builders += [livelihood_section, representatives_section]
    sections = []
    for build in builders:
        built = build(frame)
        sections += built if isinstance(built, list) else [built]
    return Dashboard(period=period, scope_label=scope_label, sections=sections)


def _congress_sessions(period: Period, regions: list[Region]) -> list[int] | None:
    """The sessions of the congress whose projects the dashboard shows: the county's on a county's
    dashboard (then the same as the proposals' sessions: None), a township's own on a township's."""
    if not regions or any(r.level == Region.Level.COUNTY for r in regions):
        return None
    return selectors.sessions_in(period, regions=[r for r in regions if r.level == Region.Level.TOWNSHIP])


# --- helpers --------------------------------------------------------------------------------------


def admin_list(model: str, **params) -> str:
    """The admin changelist of `model` ("app_model") with its filters; lists become "a,b"."""
    query = {k: ",".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in params.items()}
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate_figure(key: str, label: str, rate, url: str | None) -> Figure:
    return Figure(key=key, label=label, numerator=rate.numerator, denominator=rate.denominator, url=url)


def total_row(rows: list[list], label: str, *, rates: dict[int, tuple[int, int]] | None = None) -> list:
    """Sums of the numeric columns; a rate column is recomputed from the summed columns it divides."""
    totals = [label] + [sum(row[i] or 0 for row in rows) for i in range(1, len(rows[0]))] if rows else [label]
    for column, (num, den) in (rates or {}).items():
        if rows:
            totals[column] = percent(totals[num], totals[den])
    return totals


def region_rows(frame: Frame, data: dict, columns: list[str]) -> list[list]:
    """One row per township in scope (zeros included), then any other region that has data."""
    ids = [t.pk for t in frame.townships] + [k for k in data if k not in {t.pk for t in frame.townships}]
    return [[frame.name_of(pk)] + [data.get(pk, {}).get(c, 0) or 0 for c in columns] for pk in ids]


# --- 联系群众 ---------------------------------------------------------------------------------------


def liaison_section(frame: Frame) -> Section:
    found = selectors.concerns_by_township(frame.scope, frame.period, today=frame.today)
    data = {row["township_id"]: row for row in found}
    rows = region_rows(frame, data, ["received", "resolved", "rated", "satisfied"])
    for row in rows:
        row.append(percent(row[4], row[3]))
    total = total_row(rows, _("合计"), rates={5: (4, 3)})
    received, handled, rated, satisfied = (total[i] if rows else 0 for i in range(1, 5))
    listed = {**frame.dates("submitted_at__date"), **frame.township_param()}
    handled_url = admin_list("liaison_concern", status__in=HANDLED, **listed)
    figures = [
        Figure(
            key="concerns.received",
            label=_("受理群众意见"),
            value=received,
            url=admin_list("liaison_concern", **listed),
        ),
        Figure(key="concerns.handled", label=_("办理群众意见"), value=handled, url=handled_url),
        Figure(
            key="concerns.handling_rate", label=_("办理率"), numerator=handled, denominator=received, url=handled_url
        ),
        Figure(
            key="concerns.satisfaction_rate",
            label=_("群众满意率"),
            numerator=satisfied,
            denominator=rated,
            url=admin_list("liaison_concern", rating__in=["satisfied", "basic"], **listed),
            note=_("满意和基本满意占已评价的比例"),
        ),
    ]
    table = Table(
        key="concerns.by_township",
        title=_("各乡镇联系群众情况"),
        columns=[_("乡镇"), _("收到"), _("办理"), _("已评价"), _("满意"), _("满意率（%）")],
        rows=rows,
        chart="bar",
        chart_columns=(1, 2),
        totals=total,
    )
    office_figures, office_table = _offices(frame)
    return Section(key="liaison", title=_("联系群众"), figures=figures + office_figures, tables=[table, office_table])


def _offices(frame: Frame) -> tuple[list[Figure], Table]:
    """The offices, the village stations (those set up in the period apart) and their funding, by
    source (the seed's 20,000 yuan of 县财政专项 per township office)."""
    data = {row["township_id"]: row for row in selectors.offices_by_township(frame.scope, frame.period)}
    funding = selectors.funding_by_township(frame.scope, frame.period)
    sources = sorted({row["source"] for row in funding})
    for row in funding:
        data.setdefault(row["township_id"], {})[row["source"]] = row["amount"]
    rows = region_rows(frame, data, ["offices", "stations", "stations_added", *sources])
    for row in rows:
        row.append(sum(row[4:], Decimal(0)))
    total = total_row(rows, _("合计"))
    count = total[1:] if rows else [0] * 4
    township = frame.township_param()
    years = {"year__gte": frame.period.starts_on.year, "year__lte": frame.period.ends_on.year}
    added = {"level__exact": "station", **frame.dates("established_on"), **township}
    figures = [
        Figure(
            key="liaison.stations_added",
            label=_("新设村级联络站"),
            value=count[2],
            url=admin_list("liaison_liaisonoffice", **added),
        ),
        Figure(
            key="liaison.funding",
            label=_("工作室和联络站经费"),
            value=count[-1],
            url=admin_list("liaison_funding", **years, **township),
            note=_("元，按年度经费登记"),
        ),
    ]
    table = Table(
        key="liaison.offices",
        title=_("各乡镇代表联系群众工作室、联络站和经费"),
        columns=[_("乡镇"), _("工作室"), _("村级联络站"), _("新设联络站"), *sources, _("经费合计（元）")],
        rows=rows,
        totals=total,
        note=_("工作室和联络站数截至 %(day)s；新设联络站按设立日期计；经费按来源分列。")
        % {"day": frame.today.isoformat()},
    )
    return figures, table


# --- 代表建议 ---------------------------------------------------------------------------------------

RATE_LABELS = [
    ("visit_rate", _("走访率"), "visited"),
    ("reply_rate", _("答复率"), "answered"),
    ("on_time_reply_rate", _("按期答复率"), "on_time"),
    ("satisfaction_rate", _("满意率"), "satisfied"),
    ("fully_satisfied_rate", _("其中满意"), "fully_satisfied"),
    ("closure_rate", _("办结率"), None),
]


def proposal_sections(frame: Frame) -> list[Section]:
    """Proposals made during the sessions (the seed's cohort), those made in recess and assigned
    in the period (DOMAIN.md §1.9), each with the same figures, then both together."""
    session = selectors.session_proposals(frame.scope, frame.sessions)
    recess = selectors.recess_proposals(frame.scope, frame.period)
    found = rates_by_period(selectors.year_proposals(frame.scope, frame.sessions, frame.period))
    session_list = _session_params(frame)
    counted = {"counted_in": f"{frame.period.starts_on}..{frame.period.ends_on}", "status__in": ASSIGNED_STATUSES}
    return [
        Section(
            key="proposals",
            title=_("代表建议（大会期间）"),
            figures=_cohort_figures("proposals", _("大会期间代表建议"), found[Proposal.Period.SESSION], session_list),
            tables=_cohort_tables(frame, session, "proposals"),
        ),
        Section(
            key="proposals_recess",
            title=_("代表建议（闭会期间）"),
            figures=_cohort_figures(
                "proposals.recess", _("闭会期间交办建议"), found[Proposal.Period.RECESS], _recess_params(frame)
            ),
            tables=_cohort_tables(frame, recess, "proposals.recess"),
        ),
        _combined_section(frame, found["all"], {**counted, **frame.township_param()}),
    ]


def _cohort_figures(prefix: str, label: str, found: dict, listed: dict | None) -> list[Figure]:
    # "proposals.count" and "proposals.recess" are the keys the seed's counts go by.
    count_key = {"proposals": "proposals.count", "proposals.all": "proposals.all.count"}.get(prefix, prefix)
    figures = [Figure(key=count_key, label=label, value=found["reply_rate"].denominator, url=_proposals_url(listed))]
    for key, rate_label, handling in RATE_LABELS:
        url = _proposals_url(listed, handling=handling) if handling else _proposals_url(listed, closed=True)
        figures.append(rate_figure(f"{prefix}.{key}", rate_label, found[key], url))
    return figures


def _proposals_url(listed: dict | None, *, handling: str = "", closed: bool = False) -> str | None:
    """The proposals a figure counts; a rate links to its numerator's proposals."""
    if listed is None:
        return None
    params = {**listed, "handling": handling} if handling else dict(listed)
    if closed:
        params["status__in"] = [Status.CLOSED]
    return admin_list("proposals_proposal", **params)


def _combined_section(frame: Frame, found: dict, listed: dict) -> Section:
    whole = _("全年") if frame.period.year is not None else _("本届")
    figures = _cohort_figures("proposals.all", _("代表建议合计"), found, listed)
    figures[0] = replace(figures[0], note=_("大会期间和闭会期间交办的建议"))
    title = _("代表建议（%(whole)s合计）") % {"whole": whole}
    return Section(key="proposals_all", title=title, figures=figures)


def _session_params(frame: Frame) -> dict | None:
    if not frame.sessions:
        return None
    listed = {"session__in": frame.sessions, "period__exact": "session", "status__in": ASSIGNED_STATUSES}
    return {**listed, **frame.township_param()}


def _recess_params(frame: Frame) -> dict:
    listed = {"period__exact": "recess", "congress": Region.Level.COUNTY, "status__in": ASSIGNED_STATUSES}
    return {**listed, **frame.dates("assigned_at__date"), **frame.township_param()}


def _cohort_tables(frame: Frame, cohort, prefix: str) -> list[Table]:
    return [_outcome_table(cohort, prefix), _unit_table(frame, cohort, prefix), _township_table(frame, cohort, prefix)]


def _outcome_table(cohort, prefix: str) -> Table:
    counts = selectors.proposal_outcomes(cohort)
    rows = [[label, counts.get(value, 0)] for value, label in Outcome.choices]
    return Table(
        key=f"{prefix}.outcomes",
        title=_("答复分类（本轮答复）"),
        columns=[_("分类"), _("答复件数")],
        rows=rows,
        chart="pie",
        totals=total_row(rows, _("合计")),
    )


UNIT_COLUMNS = ["lead", "separate", "replied", "on_time", "feedback", "satisfied"]
UNIT_COLUMNS += ["assisting", "opinions", "opinions_on_time", "handed_back"]


def _unit_table(frame: Frame, cohort, prefix: str) -> Table:
    found = selectors.unit_rows(cohort, today=frame.today)
    rows = [[row["unit__name"]] + [row[c] for c in UNIT_COLUMNS] for row in found]
    totals = total_row(rows, _("合计"))
    return Table(
        key=f"{prefix}.by_unit",
        title=_("各承办单位办理情况"),
        columns=[
            _("承办单位"),
            _("主办"),
            _("分办"),
            _("答复"),
            _("按期答复"),
            _("代表评价"),
            _("满意"),
            _("协办"),
            _("协办意见"),
            _("按期送达意见"),
            _("退回调整"),
        ],
        rows=rows,
        chart="bar",
        chart_columns=(1, 2, 3),
        totals=totals,
        note=unit_reconciliation_note(selectors.unit_totals(cohort), totals if rows else None),
    )


def unit_reconciliation_note(counts: dict, totals: list | None) -> str:
    """How the unit table adds up to the proposal count, in the committee's words."""
    separate_units = totals[2] if totals else 0
    note = _("交办建议 %(n)s 件 = 主办 %(lead)s 件 + 分办 %(separate)s 件（由 %(units)s 个单位件次分别答复）") % {
        "n": counts["proposals"],
        "lead": counts["lead"],
        "separate": counts["separate"],
        "units": separate_units,
    }
    if counts["unanswered"]:
        note += _(" + 退回后尚未重新交办 %(k)s 件") % {"k": counts["unanswered"]}
    return note + _(
        "。答复、按期答复、评价和满意按主办、分办单位计，分办建议的评价计入每个分办单位；"
        "协办单位只计协办意见，不计件数；退回调整的交办不计。"
    )


def _township_table(frame: Frame, cohort, prefix: str) -> Table:
    data = {row["township"]: row for row in selectors.proposals_by_township(cohort)}
    rows = region_rows(frame, data, ["proposals", "on_site", "replied", "closed"])
    return Table(
        key=f"{prefix}.by_township",
        title=_("各乡镇代表领衔建议"),
        columns=[_("领衔代表所在乡镇"), _("建议"), _("现场交办"), _("已答复"), _("已办结")],
        rows=rows,
        totals=total_row(rows, _("合计")),
        note=_("已答复：所有主办、分办单位均已答复。"),
    )


# --- 学习培训 ---------------------------------------------------------------------------------------


def training_section(frame: Frame) -> Section:
    halls = selectors.halls_with_lectures(frame.scope, frame.period)
    county = sum(1 for h in halls if h.get("level") == LectureHall.Level.COUNTY)
    township = len(halls) - county
    rows = [[h["name"], h["held"], h["present"]] for h in halls]
    total = total_row(rows, _("合计"))
    lectures = admin_list("training_lecture", status__exact="held", **frame.dates("date"))
    figures = [
        Figure(
            key="training.halls",
            label=_("代表培训讲堂"),
            value=len(halls),
            text=f"{county}+{township}",
            url=admin_list("training_lecturehall", is_active__exact=1),
            note=_("县级讲堂 + 乡镇讲堂，%(as_of)s") % {"as_of": frame.now_label},
        ),
        Figure(key="training.lectures", label=_("举办讲座"), value=total[1] if rows else 0, url=lectures),
        Figure(key="training.attendances", label=_("代表听课"), value=total[2] if rows else 0, note=_("人次")),
    ]
    table = Table(
        key="training.by_hall",
        title=_("各讲堂授课情况"),
        columns=[_("讲堂"), _("授课次数"), _("听课人次")],
        rows=rows,
        chart="bar",
        chart_columns=(1,),
        totals=total,
    )
    tables = [table]
    if frame.period.year is not None:  # a quota is a year's
        quota_figure, quota_table = _instructor_quota(frame, frame.period.year)
        figures.append(quota_figure)
        tables.append(quota_table)
    return Section(key="training", title=_("学习培训"), figures=figures, tables=tables)


def _instructor_quota(frame: Frame, year: int) -> tuple[Figure, Table]:
    """Who of the instructors gave their lectures of the year (每年完成两次以上主讲任务)."""
    found = selectors.instructors_on_quota(frame.scope, year)
    met = [i for i in found if i["held_count"] >= i["quota_target"]]
    yes, no = _("是"), _("否")
    rows = [[i["name"], i["hall__name"], i["held_count"], i["quota_target"], yes if i in met else no] for i in found]
    figure = Figure(
        key="training.instructors_on_quota",
        label=_("完成年度授课任务的教员"),
        numerator=len(met),
        denominator=len(found),
        url=admin_list("training_instructor", quota="done", quota_year=year, is_active__exact=1),
        note=_("年度任务默认每人 %(n)s 次") % {"n": config("TRAINING", "DEFAULT_YEARLY_QUOTA")},
    )
    table = Table(
        key="training.instructors",
        title=_("教员年度授课任务完成情况"),
        columns=[_("教员"), _("讲堂"), _("授课次数"), _("年度任务"), _("完成")],
        rows=rows,
    )
    return figure, table


# --- 履职岗位 ---------------------------------------------------------------------------------------


def posts_section(frame: Frame) -> Section:
    """Posts set up during the period (a year's figure: a post closed in June counts in its year)
    and, as a snapshot at the period's end or today, the posts open and held then."""
    data = {row["township"]: row for row in selectors.posts_by_township(frame.scope, frame.period, as_of=frame.as_of)}
    for township, row in selectors.post_holders_by_township(frame.scope, frame.period, as_of=frame.as_of).items():
        data.setdefault(township, {}).update(held_during=row["held_during"], holders=row["holders"])
    rows = region_rows(frame, data, ["posts", "capacity", "held_during", "open", "filled", "holders"])
    total = total_row(rows, _("合计"))
    count = total[1:] if rows else [0] * 6
    as_of = _("截至 %(day)s") % {"day": frame.as_of.isoformat()}
    during = f"{frame.period.starts_on.isoformat()}..{frame.period.ends_on.isoformat()}"
    listed = admin_list("posts_dutypost", active_during=during, **frame.township_param())
    figures = [
        Figure(key="posts.count", label=_("履职岗位"), value=count[0], url=listed, note=_("期间内设有的岗位")),
        Figure(key="posts.capacity", label=_("岗位定员"), value=count[1], url=listed),
        Figure(key="posts.held_during", label=_("期间内在岗代表"), value=count[2], url=_assignments_url(frame)),
        Figure(
            key="posts.filled",
            label=_("在岗岗位"),
            numerator=count[4],
            denominator=count[3],
            url=admin_list("posts_dutypost", active_during=f"{frame.as_of}..{frame.as_of}", **frame.township_param()),
            note=as_of,
        ),
        Figure(key="posts.holders", label=_("在岗代表"), value=count[5], note=as_of),
    ]
    table = Table(
        key="posts.by_township",
        title=_("各乡镇履职岗位"),
        columns=[
            _("乡镇"),
            _("岗位"),
            _("定员"),
            _("期间内在岗代表"),
            _("设有岗位（%(as_of)s）") % {"as_of": as_of},
            _("在岗岗位（%(as_of)s）") % {"as_of": as_of},
            _("在岗代表（%(as_of)s）") % {"as_of": as_of},
        ],
        rows=rows,
        chart="bar",
        chart_columns=(1, 5),
        totals=total,
    )
    return Section(key="posts", title=_("履职岗位"), figures=figures, tables=[table])


def _assignments_url(frame: Frame) -> str:
    during = f"{frame.period.starts_on.isoformat()}..{frame.period.ends_on.isoformat()}"
    return admin_list("posts_postassignment", held_during=during, **frame.township_param())


# --- 代表活动小组 -----------------------------------------------------------------------------------


def groups_section(frame: Frame) -> Section:
    groups = selectors.groups_with_activities(frame.scope, frame.period)
    totals = selectors.group_totals(frame.scope, frame.period)
    rows = [[g["name"], g["members"], g["activities"]] for g in groups]
    confirmed = {"review_status__exact": "confirmed", **frame.dates("date")}
    figures = [
        Figure(
            key="groups.count",
            label=_("代表活动小组"),
            value=len(groups),
            url=admin_list("groups_activitygroup", is_active__exact=1),
            note=frame.now_label,
        ),
        Figure(
            key="groups.activities",
            label=_("小组活动"),
            value=totals["activities"],
            url=admin_list("groups_activity", **confirmed),
        ),
        Figure(
            key="groups.problems_solved",
            label=_("办实事解决问题"),
            value=totals["solved"],
            url=admin_list("groups_problemsolved", is_solved__exact=1, **confirmed),
        ),
        Figure(
            key="groups.inspections",
            label=_("视察调研批次"),
            value=totals["batches"],
            url=admin_list("groups_inspection", kind__in=SURVEY_KINDS, **frame.dates("started_on")),
            note=_("视察和专题调研"),
        ),
        Figure(
            key="groups.enforcement_checks",
            label=_("执法检查批次"),
            value=totals["checks"],
            url=admin_list("groups_inspection", kind__exact=Inspection.Kind.ENFORCEMENT, **frame.dates("started_on")),
        ),
    ]
    table = Table(
        key="groups.by_group",
        title=_("各活动小组"),
        columns=[_("活动小组"), _("成员"), _("活动次数")],
        rows=rows,
        chart="bar",
        chart_columns=(2,),
        totals=total_row(rows, _("合计")),
    )
    return Section(key="groups", title=_("代表活动小组"), figures=figures, tables=[table])


# --- 民生实事 ---------------------------------------------------------------------------------------


def livelihood_section(frame: Frame) -> Section:
    projects = {row["region"]: row for row in selectors.projects_by_region(frame.scope, frame.project_sessions)}
    project_rows = [
        [frame.name_of(pk), row["collected"], row["voted"], row["completed"]] for pk, row in projects.items()
    ]
    project_total = total_row(project_rows, _("合计"))
    ideas = {row["township_id"]: row for row in selectors.ideas_by_township(frame.scope, frame.period)}
    idea_rows = region_rows(frame, ideas, ["received", "shortlisted"])
    figures = _livelihood_figures(frame, project_total if project_rows else [None, 0, 0, 0], idea_rows)
    tables = [
        Table(
            key="livelihood.projects",
            title=_("民生实事项目"),
            columns=[_("票决的人民代表大会"), _("候选项目"), _("票决通过"), _("已完成")],
            rows=project_rows,
            chart="bar",
            chart_columns=(1, 2, 3),
            totals=project_total,
        ),
        Table(
            key="livelihood.ideas_by_township",
            title=_("各乡镇征集项目建议"),
            columns=[_("乡镇"), _("收到建议"), _("列入候选")],
            rows=idea_rows,
            totals=total_row(idea_rows, _("合计")),
        ),
    ]
    return Section(key="livelihood", title=_("民生实事"), figures=figures, tables=tables)


def _livelihood_figures(frame: Frame, totals: list, idea_rows: list[list]) -> list[Figure]:
    if frame.project_sessions:
        sessions = {"session__in": frame.project_sessions}
        collected = admin_list("livelihood_project", **sessions)
        voted = admin_list("livelihood_project", status__in=list(Project.IMPLEMENTING), **sessions)
        completed = admin_list("livelihood_project", status__exact="completed", **sessions)
    else:
        collected = voted = completed = None
    ideas = admin_list("livelihood_idea", **frame.dates("submitted_at__date"), **frame.township_param())
    return [
        Figure(key="livelihood.collected", label=_("征集候选项目"), value=totals[1], url=collected),
        Figure(key="livelihood.voted", label=_("代表票决通过"), value=totals[2], url=voted),
        Figure(key="livelihood.completed", label=_("已完成"), value=totals[3], url=completed),
        Figure(
            key="livelihood.ideas",
            label=_("收到项目建议"),
            value=sum(row[1] for row in idea_rows),
            url=ideas,
        ),
    ]


# --- 代表 -------------------------------------------------------------------------------------------


def representatives_section(frame: Frame) -> Section:
    counts = selectors.serving_by_level(frame.scope)
    rows = [[label, counts.get(value, 0)] for value, label in Level.choices]
    listed = {"status__exact": "serving", **frame.township_param()}
    figure = Figure(
        key="representatives.serving",
        label=_("在任代表"),
        value=sum(counts.values()),
        url=admin_list("representatives_representative", **listed),
        note=frame.now_label,
    )
    table = Table(
        key="representatives.by_level",
        title=_("在任代表（按层级）"),
        columns=[_("层级"), _("人数")],
        rows=rows,
        totals=total_row(rows, _("合计")),
    )
    return Section(key="representatives", title=_("人大代表"), figures=[figure], tables=[table, _grade_table(frame)])


def _grade_table(frame: Frame) -> Table:
    """Duty grades of the period's evaluations, best grade first; empty until evaluations exist."""
    found = selectors.evaluations_by_grade(frame.scope, frame.period)
    order = [code for code, _threshold in config("DUTY", "GRADES")]
    grades = sorted(found, key=lambda code: order.index(code) if code in order else len(order))
    rows = [[grade_label(code), found[code]["n"], found[code]["confirmed"]] for code in grades]
    return Table(
        key="representatives.grades",
        title=_("年度履职评价等次"),
        columns=[_("等次"), _("评价人数"), _("已确认")],
        rows=rows,
        totals=total_row(rows, _("合计")),
    )
