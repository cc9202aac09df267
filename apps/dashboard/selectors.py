"""The dashboard's reads: one aggregate query per breakdown, whatever the number of rows.

Every function takes a `Scope` (what the viewer may see, possibly narrowed to one township) and a
`Period`, and returns plain rows; `apps.dashboard.figures` turns them into figures and tables.
Scopes are applied strictly: a township's dashboard counts the township's rows, not the county's
groups, halls or projects its staff may read elsewhere.
"""

import datetime

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.utils import timezone

from apps.core.models import CongressSession, CongressTerm, Region
from apps.core.scope import Scope
from apps.groups.models import Activity, ActivityGroup, Inspection, ProblemSolved
from apps.liaison.models import Concern, Funding, LiaisonOffice
from apps.liaison.selectors import concern_statistics
from apps.livelihood.models import Idea, Project
from apps.posts.models import DutyPost, PostAssignment, post_active_during
from apps.proposals.models import NOT_ASSIGNED, Proposal, Reply
from apps.proposals.selectors import handling_counts_by_township, unit_reconciliation, unit_statistics
from apps.representatives.models import Evaluation, Representative
from apps.training.models import Attendance, Instructor, Lecture, LectureHall
from apps.training.selectors import with_quota

from .figures_types import Period

Review = Activity.Review


def moments(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end) in local time, so timestamp columns are compared, not cast."""
    start = datetime.datetime.combine(period.starts_on, datetime.time.min)
    end = datetime.datetime.combine(period.ends_on + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start), timezone.make_aware(end)


def during(field: str, period: Period) -> Q:
    """Rows whose `field` (a date or a timestamp) falls inside the period."""
    start, end = moments(period)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def days_of(field: str, period: Period) -> Q:
    return Q(**{f"{field}__range": (period.starts_on, period.ends_on)})


def township_of(region: str) -> Case:
    """The township a row belongs to, from a region that may be a village (its parent is the
    township) or the township itself; county-level rows keep the county."""
    return Case(
        When(**{f"{region}__level": Region.Level.VILLAGE}, then=F(f"{region}__parent_id")),
        default=F(f"{region}_id"),
    )


def regions_in(scope: Scope) -> list[Region]:
    """The county and township regions in the scope, in their customary order: the table rows."""
    return list(
        Region.objects.exclude(level=Region.Level.VILLAGE)
        .in_scope(scope, strict=True)
        .order_by("level", "parent__sort_order", "sort_order", "code")
    )


def sessions_in(period: Period, *, regions: list[Region] | None = None, level: str | None = None) -> list[int]:
    """The congress sessions that opened in the period, of the congresses of `regions` (or of every
    congress of `level`): a township congress's session never joins the county's figures. For a
    congress term, the sessions of that term's own congress are the term's sessions only."""
    sessions = CongressSession.objects.filter(opened_on__range=(period.starts_on, period.ends_on))
    if regions is not None:
        sessions = sessions.filter(term__region__in=regions)
    if level is not None:
        sessions = sessions.filter(term__region__level=level)
    if period.term_id:
        congress = CongressTerm.objects.filter(pk=period.term_id).values("region_id")
        sessions = sessions.exclude(Q(term__region_id=Subquery(congress)) & ~Q(term_id=period.term_id))
    return list(sessions.values_list("pk", flat=True))


# --- 联系群众 -------------------------------------------------------------------------------------


def concerns_received(scope: Scope, period: Period) -> QuerySet:
    return Concern.objects.in_scope(scope, strict=True).filter(during("submitted_at", period))


def concerns_by_township(scope: Scope, period: Period, *, today: datetime.date) -> list[dict]:
    concerns = concerns_received(scope, period).annotate(township_id=township_of("region"))
    return list(concern_statistics(concerns, group_by="township_id", today=today))


def offices_by_township(scope: Scope, period: Period) -> list[dict]:
    """Per township: its liaison office(s) and village stations active today, and the stations set
    up during the period."""
    offices = LiaisonOffice.objects.in_scope(scope, strict=True).annotate(township_id=township_of("region"))
    station = Q(level=LiaisonOffice.Level.STATION)
    return list(
        offices.values("township_id")
        .annotate(
            offices=Count("pk", filter=Q(level=LiaisonOffice.Level.OFFICE, is_active=True)),
            stations=Count("pk", filter=station & Q(is_active=True)),
            stations_added=Count("pk", filter=station & days_of("established_on", period)),
        )
        .order_by()
    )


def funding_by_township(scope: Scope, period: Period) -> list[dict]:
    """The offices' and stations' funding of the period's years, per township and source."""
    funding = Funding.objects.in_scope(scope, strict=True).filter(
        year__range=(period.starts_on.year, period.ends_on.year)
    )
    return list(
        funding.annotate(township_id=township_of("office__region"))
        .values("township_id", "source")
        .annotate(amount=Sum("amount"))
        .order_by("source")
    )


# --- 代表建议 -------------------------------------------------------------------------------------


def session_proposals(scope: Scope, sessions: list[int]) -> QuerySet:
    """Assigned proposals made during the sessions (the cohort the seed's rates are about)."""
    return (
        Proposal.objects.in_scope(scope, strict=True)
        .filter(session__in=sessions, period=Proposal.Period.SESSION)
        .exclude(status__in=NOT_ASSIGNED)
    )


def recess_proposals(scope: Scope, period: Period) -> QuerySet:
    """Proposals made in recess to the county congress's standing committee (DOMAIN.md §1.9) and
    assigned during the period, in local time: one assigned at 23:40 on 31 December counts in
    that year."""
    return (
        Proposal.objects.in_scope(scope, strict=True)
        .filter(during("assigned_at", period), period=Proposal.Period.RECESS)
        .filter(session__term__region__level=Region.Level.COUNTY)
        .exclude(status__in=NOT_ASSIGNED)
    )


def year_proposals(scope: Scope, sessions: list[int], period: Period) -> QuerySet:
    """Both cohorts at once (they never overlap: a proposal is made in session or in recess)."""
    session = Q(session__in=sessions, period=Proposal.Period.SESSION)
    recess = during("assigned_at", period) & Q(
        period=Proposal.Period.RECESS, session__term__region__level=Region.Level.COUNTY
    )
    return Proposal.objects.in_scope(scope, strict=True).filter(session | recess).exclude(status__in=NOT_ASSIGNED)


def proposal_outcomes(proposals: QuerySet) -> dict[str, int]:
    """The answers of the current handling round by their A/B/C/D classification."""
    replies = (
        Reply.objects.filter(assignment__proposal__in=proposals.values("pk"), round=F("assignment__proposal__round"))
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["outcome"]: row["n"] for row in replies}


def proposals_by_township(proposals: QuerySet) -> list[dict]:
    return list(handling_counts_by_township(proposals))


# --- 学习培训 -------------------------------------------------------------------------------------


def halls_with_lectures(scope: Scope, period: Period) -> list[dict]:
    held = Q(lectures__status=Lecture.Status.HELD) & days_of("lectures__date", period)
    present = held & Q(lectures__attendance__status=Attendance.Status.PRESENT)
    return list(
        LectureHall.objects.in_scope(scope, strict=True)
        .filter(is_active=True)
        .values("pk", "name", "level")
        .annotate(held=Count("lectures", filter=held, distinct=True), present=Count("pk", filter=present))
        .order_by("level", "region__sort_order", "region__code")
    )


def instructors_on_quota(scope: Scope, year: int) -> list[dict]:
    """Active instructors with the lectures they gave in the year and their yearly quota."""
    instructors = Instructor.objects.in_scope(scope, strict=True).filter(is_active=True)
    return list(
        with_quota(instructors, year=year)
        .values("pk", "name", "hall__name", "held_count", "quota_target")
        .order_by("hall__region__path", "kind", "name", "pk")
    )


# --- 履职岗位 -------------------------------------------------------------------------------------


def posts_by_township(scope: Scope, period: Period, *, as_of: datetime.date) -> list[dict]:
    """Per township: the posts set up during the period and their places (a year's figures), and
    the posts open on `as_of` with those held that day (a snapshot, 截至 that day)."""
    current = PostAssignment.objects.current_on(as_of)
    is_open = post_active_during(as_of, as_of)
    return list(
        DutyPost.objects.in_scope(scope, strict=True)
        .active_during(period.starts_on, period.ends_on)
        .values("township")
        .annotate(
            posts=Count("pk"),
            capacity=Sum("capacity"),
            open=Count("pk", filter=is_open),
            filled=Count("pk", filter=is_open & Q(Exists(current.filter(post=OuterRef("pk"))))),
        )
        .order_by()
    )


def post_holders_by_township(scope: Scope, period: Period, *, as_of: datetime.date) -> dict[int, dict]:
    """Per township: representatives who held a post at some time in the period, and on `as_of`."""
    on_day = Q(started_on__lte=as_of) & (Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
    holders = (
        PostAssignment.objects.in_scope(scope, strict=True)
        .filter(started_on__lte=period.ends_on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.starts_on))
        .values("post__township")
        .annotate(
            held_during=Count("representative", distinct=True),
            holders=Count("representative", distinct=True, filter=on_day),
        )
        .order_by()
    )
    return {row["post__township"]: row for row in holders}


# --- 代表活动小组 ---------------------------------------------------------------------------------


def groups_with_activities(scope: Scope, period: Period) -> list[dict]:
    confirmed = Q(activities__review_status=Review.CONFIRMED) & days_of("activities__date", period)
    member = Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=period.ends_on)
    member &= Q(memberships__joined_on__lte=period.ends_on)
    return list(
        ActivityGroup.objects.in_scope(scope, strict=True)
        .filter(is_active=True)
        .values("pk", "name")
        .annotate(
            members=Count("memberships", filter=member, distinct=True),
            activities=Count("activities", filter=confirmed, distinct=True),
        )
        .order_by("region__path", "name")
    )


def group_totals(scope: Scope, period: Period) -> dict[str, int]:
    """Activities (with or without a group), problems solved in the campaign, batches of inspections
    and thematic surveys (视察、专题调研: the seed's figure) and of law-enforcement checks apart."""
    activities = Activity.objects.in_scope(scope, strict=True).filter(
        days_of("date", period), review_status=Review.CONFIRMED
    )
    solved = ProblemSolved.objects.in_scope(scope, strict=True).filter(
        days_of("date", period), review_status=Review.CONFIRMED, is_solved=True
    )
    batches = Inspection.objects.in_scope(scope, strict=True).filter(days_of("started_on", period))
    enforcement = Q(kind=Inspection.Kind.ENFORCEMENT)
    kinds = batches.aggregate(batches=Count("pk", filter=~enforcement), checks=Count("pk", filter=enforcement))
    return {"activities": activities.count(), "solved": solved.count(), **kinds}


# --- 民生实事 -------------------------------------------------------------------------------------


def projects_by_region(scope: Scope, sessions: list[int]) -> list[dict]:
    """Candidate projects of the sessions, by the region that voted them."""
    return list(
        Project.objects.in_scope(scope, strict=True)
        .filter(session__in=sessions)
        .values("region")
        .annotate(
            collected=Count("pk"),
            voted=Count("pk", filter=Q(status__in=Project.IMPLEMENTING)),
            completed=Count("pk", filter=Q(status=Project.Status.COMPLETED)),
        )
        .order_by()
    )


def ideas_by_township(scope: Scope, period: Period) -> list[dict]:
    ideas = Idea.objects.in_scope(scope, strict=True).filter(during("submitted_at", period))
    return list(
        ideas.annotate(township_id=township_of("region"))
        .values("township_id")
        .annotate(received=Count("pk"), shortlisted=Count("pk", filter=Q(status=Idea.Status.SHORTLISTED)))
        .order_by()
    )


# --- 代表 -----------------------------------------------------------------------------------------


def serving_by_level(scope: Scope) -> dict[str, int]:
    rows = (
        Representative.objects.in_scope(scope, strict=True).serving().values("level").annotate(n=Count("pk")).order_by()
    )
    return {row["level"]: row["n"] for row in rows}


def unit_rows(proposals: QuerySet, *, today: datetime.date) -> list[dict]:
    return list(unit_statistics(proposals, today=today))


def unit_totals(proposals: QuerySet) -> dict[str, int]:
    return unit_reconciliation(proposals)


def evaluations_by_grade(scope: Scope, period: Period) -> dict[str, dict]:
    """The years' duty evaluations (年度履职评价) of the period, by grade."""
    rows = (
        Evaluation.objects.in_scope(scope, strict=True)
        .filter(year__range=(period.starts_on.year, period.ends_on.year))
        .values("grade")
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(status=Evaluation.State.CONFIRMED)))
        .order_by()
    )
    return {row["grade"]: row for row in rows}
