"""Demo proposals for 城步苗族自治县, loaded by `manage.py load_demo` after the core demo data.

* The 132 proposals of the first session of the 18th county congress (the seed article): submitted
  during the session, assigned at one on-site meeting on 2022-01-20, every one visited, answered on
  time, rated satisfactory and closed by mid-December 2022.
* A few proposals made in recess, one in each other state, dated relative to `today` so that the
  portals (rep_demo, unit_edu, committee) show open work.

Everything goes through apps.proposals.services, so events, history rows and notifications are
the ones real use writes. The services stamp `timezone.now()`; a Timeline records when each call
should have happened (each call writes exactly one ProposalEvent), and `_redate` then moves every
timestamp the calls wrote to that moment.
"""

import json
import random
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from apps.core import services as core_services
from apps.core.config import config
from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.workdays import is_workday
from apps.demo.bulk import update_rows
from apps.demo.core import demo_data_read
from apps.notifications.models import Notification
from apps.proposals import services
from apps.proposals.models import (
    Assignment,
    AssistOpinion,
    ContactRecord,
    CoSigner,
    Feedback,
    Outcome,
    Proposal,
    ProposalEvent,
    Rating,
    Reply,
    Status,
    Supervision,
)
from apps.proposals.selectors import cohort, rates
from apps.representatives.choices import Level
from apps.representatives.choices import Status as RepStatus
from apps.representatives.models import Representative

DATA_PATH = Path(settings.BASE_DIR) / "fixtures" / "proposals.json"

Data = dict[str, Any]
Role = Assignment.Role
Period = Proposal.Period


# --- What happens to each proposal ---------------------------------------------------------------


@dataclass
class Case:
    """One demo proposal: what it says, who signs it, where it goes, and each step with its time."""

    title: str
    content: str
    category: str
    lead: Representative
    period: str
    units: list[tuple[HandlingUnit, str]] = field(default_factory=list)
    cosigners: list[Representative] = field(default_factory=list)
    steps: list[tuple[datetime, str]] = field(default_factory=list)
    formation: str = Proposal.Formation.VISIT
    publication: str = Proposal.Publication.FULL
    outcome: str = Outcome.A
    reply: str = ""
    rating: tuple[str, str] = (Rating.SATISFIED, Rating.SATISFIED)
    reasons: str = ""
    close_note: str = ""
    leader: str = ""
    exclusion: str = ""
    return_reason: str = ""
    merge_into: "Case | None" = None
    place: str = ""
    contact_kind: str = ContactRecord.Kind.VISIT
    proposal: Proposal | None = None
    assignments: dict[str, Assignment] = field(default_factory=dict)

    def lead_assignment(self) -> Assignment:
        return self.assignments[Role.LEAD]


@dataclass
class Cast:
    """Who acts: committee staff, one account per handling unit, representatives' own accounts."""

    committee: User
    unit_users: dict[int, User] = field(default_factory=dict)

    def of(self, representative: Representative) -> User:
        """The representative's own account; staff enter it on their behalf when there is none."""
        user = representative.user if representative.user_id else None
        return user if user is not None and user.is_active else self.committee

    def unit(self, unit: HandlingUnit) -> User:
        return self.unit_users[unit.pk]


class Timeline:
    """When each service call should have happened, per proposal, in call order."""

    def __init__(self) -> None:
        self.planned: dict[int, list[datetime]] = defaultdict(list)

    def step(self, proposal: Proposal, when: datetime) -> None:
        planned = self.planned[proposal.pk]
        if planned and when <= planned[-1]:  # keep a proposal's events in order
            when = planned[-1] + timedelta(minutes=15)
        planned.append(when)


@dataclass
class Context:
    data: Data
    session: CongressSession
    cast: Cast
    timeline: Timeline


@dataclass
class Pool:
    """What proposals are drawn from: the fixture, the county representatives, units and places."""

    data: Data
    reps: list[Representative]
    units: dict[str, HandlingUnit]
    places: dict[str, dict[str, list[str]]]
    rng: random.Random

    def units_for(self, names: list[str]) -> list[tuple[HandlingUnit, str]]:
        """The first unit leads, any others assist."""
        return [(self.units[name], Role.LEAD if i == 0 else Role.ASSIST) for i, name in enumerate(names)]


# --- Entry point ---------------------------------------------------------------------------------


def proposals_demo_load(*, today: date | None = None, path: Path = DATA_PATH) -> dict[str, int]:
    """Load the demo proposals once, in one transaction, and return the counts that are there now."""
    today = today or timezone.localdate()
    data = _read(path)
    session = _demo_session()
    if session.proposals.exists():
        return proposals_demo_summary(session=session, created=0, unit_accounts=0)
    with transaction.atomic():
        rng = random.Random(data["seed"])  # noqa: S311  (demo data: reproducible, not secret)
        county = session.term.region
        pool = Pool(
            data=data,
            reps=_county_representatives(session=session),
            units={u.name: u for u in HandlingUnit.objects.filter(region=county)},
            places=_places(county),
            rng=rng,
        )
        in_session = _session_cases(pool=pool)
        in_recess = _recess_cases(pool=pool, today=today)
        cast = Cast(committee=User.objects.get(username="committee"))
        unit_accounts = _unit_accounts(
            cast=cast, data=data, units=[u for c in in_session + in_recess for u, _r in c.units]
        )
        context = Context(data=data, session=session, cast=cast, timeline=Timeline())
        _run(cases=in_session, context=context)
        _run(cases=in_recess, context=context)
        _forget_old_notifications(cases=in_session)
        _redate(timeline=context.timeline)
    created = len(in_session) + len(in_recess)
    return proposals_demo_summary(session=session, created=created, unit_accounts=unit_accounts)


def proposals_demo_summary(*, session: CongressSession, created: int, unit_accounts: int) -> dict[str, int]:
    in_session = session.proposals.filter(period=Period.SESSION)
    stats = rates(cohort(session=session).filter(period=Period.SESSION))
    return {
        "created": created,
        "unit_accounts": unit_accounts,
        "session": in_session.count(),
        "recess": session.proposals.filter(period=Period.RECESS).count(),
        "assigned": stats["visit_rate"].denominator,
        "visited": stats["visit_rate"].numerator,
        "replied": stats["reply_rate"].numerator,
        "on_time": stats["on_time_reply_rate"].numerator,
        "feedback": stats["satisfaction_rate"].denominator,
        "satisfied": stats["satisfaction_rate"].numerator,
        "closed": in_session.filter(status=Status.CLOSED).count(),
    }


def _read(path: Path) -> Data:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _demo_session() -> CongressSession:
    """The first session of the county's 18th congress, as the core demo data defines it."""
    core = demo_data_read()
    term = core["county_term"]
    return CongressSession.objects.select_related("term__region").get(
        term__region__code=core["county"]["code"], term__number=term["number"], number=term["session"]["number"]
    )


def _county_representatives(*, session: CongressSession) -> list[Representative]:
    return list(
        Representative.objects.filter(term=session.term, level=Level.COUNTY, status=RepStatus.SERVING)
        .select_related("user", "township")
        .order_by("credential_no")
    )


def _places(county: Region) -> dict[str, dict[str, list[str]]]:
    """Township name -> its villages and its communities."""
    places: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"village": [], "community": []})
    children = Region.objects.filter(parent__parent=county).select_related("parent").order_by("sort_order", "code")
    for region in children:
        kind = "community" if region.kind == Region.Kind.COMMUNITY else "village"
        places[region.parent.name][kind].append(region.name)
    return places


# --- Dates ---------------------------------------------------------------------------------------


def _at(day: date, rng: random.Random, *, hour: int | None = None) -> datetime:
    """A moment in office hours on `day`, local time."""
    hour = rng.randint(8, 16) if hour is None else hour
    moment = datetime.combine(day, time(hour, rng.randrange(0, 60, 5)))
    return timezone.make_aware(moment)


def _workday(day: date, *, back: bool = False) -> date:
    step = timedelta(days=-1 if back else 1)
    while not is_workday(day):
        day += step
    return day


def _day(start: date, rng: random.Random, span: int, *, limit: date | None = None) -> date:
    """A working day from `start` up to `span` days later (and not after `limit`)."""
    day = _workday(start + timedelta(days=rng.randint(0, span)))
    return min(day, limit) if limit else day


# --- The 132 session proposals -------------------------------------------------------------------


def _session_cases(*, pool: Pool) -> list[Case]:
    """The topics in turn, each for a lead drawn from the county representatives; titles are unique."""
    topics, titles, cases = pool.data["topics"], set(), []
    cursor = 0
    while len(cases) < pool.data["session_count"]:
        topic = topics[cursor % len(topics)]
        cursor += 1
        case = _session_case(pool=pool, topic=topic)
        if case is not None and case.title not in titles:
            titles.add(case.title)
            cases.append(case)
    leaders = pool.data["key_leaders"]
    for i, case in enumerate(pool.rng.sample(cases, k=6)):  # 重点督办: the chair takes one
        case.leader = leaders[0] if i == 0 else leaders[-1]
    for case in cases:
        case.steps = _session_steps(case=case, rng=pool.rng)
    return cases


def _session_case(*, pool: Pool, topic: dict) -> Case | None:
    """A topic for a lead drawn from the county representatives (of the topic's townships, if it names any)."""
    rng, allowed = pool.rng, topic.get("townships")
    candidates = [r for r in pool.reps if not allowed or r.township.name in allowed]
    if not candidates:
        return None
    lead = rng.choice(candidates)
    township = lead.township.name
    place = pool.places[township]
    village = rng.choice(place["village"] or place["community"] or [""])
    community = rng.choice(place["community"] or place["village"] or [""])
    names = {"township": township, "village": village, "community": community}
    outcome = topic.get("outcome") or rng.choices([Outcome.A, Outcome.B, Outcome.C], weights=[78, 18, 4])[0]
    return Case(
        title=topic["title"].format(**names),
        content=topic["content"].format(**names),
        category=topic["category"],
        lead=lead,
        period=Period.SESSION,
        units=pool.units_for(topic["units"] if rng.random() < 0.5 else topic["units"][:1]),  # assist: sometimes
        cosigners=_cosigners(lead=lead, reps=pool.reps, rng=rng),
        formation=rng.choices(["visit", "research", "symposium", "liaison", "inspection"], [40, 25, 15, 15, 5])[0],
        publication=Proposal.Publication.FULL if rng.random() < 0.92 else Proposal.Publication.TITLE_ONLY,
        outcome=outcome,
        reply=topic["reply"].format(**names) if outcome == Outcome.A or topic.get("outcome") else "",
        rating=_rating(outcome=outcome, rng=rng),
        close_note=topic.get("close", ""),
        place=f"{township}{village}" if "{village}" in topic["title"] else township,
        contact_kind=ContactRecord.Kind.MEETING if rng.random() < 0.3 else ContactRecord.Kind.VISIT,
    )


def _cosigners(*, lead: Representative, reps: list[Representative], rng: random.Random) -> list[Representative]:
    """About one proposal in five is joint: one to three co-signers, from the lead's township if possible."""
    if rng.random() >= 0.2:
        return []
    k = rng.randint(1, 3)
    same = [r for r in reps if r.township_id == lead.township_id and r.pk != lead.pk]
    pool = same if len(same) >= k else [r for r in reps if r.pk != lead.pk]
    return rng.sample(pool, k=k)


def _rating(*, outcome: str, rng: random.Random) -> tuple[str, str]:
    """(attitude, result): satisfied or basically satisfied; never dissatisfied (the seed's 100%)."""
    satisfied_share = {Outcome.A: 0.85, Outcome.B: 0.6}.get(outcome, 0.0)
    result = Rating.SATISFIED if rng.random() < satisfied_share else Rating.BASIC
    attitude = Rating.SATISFIED if rng.random() < 0.95 else Rating.BASIC
    return attitude, result


def _session_steps(*, case: Case, rng: random.Random) -> list[tuple[datetime, str]]:
    """Submitted 6-7 January, accepted the week after, assigned on 20 January (due 20 April),
    contact in February-March, reply in March-April, feedback in April-May, B/C closed by 15 December."""
    submitted_on = date(2022, 1, rng.choice((6, 7)))
    submitted, created = _at(submitted_on, rng), _at(submitted_on - timedelta(days=1), rng)
    steps = [(created, "create")]
    steps += [(created + timedelta(minutes=10 * (i + 1)), f"cosign:{i}") for i in range(len(case.cosigners))]
    steps += [(submitted, "submit"), (_at(_day(date(2022, 1, 10), rng, 4), rng), "accept")]
    if case.leader:
        steps.append((_at(date(2022, 1, 18), rng, hour=15), "mark_key"))
    if any(role == Role.ASSIST for _u, role in case.units):
        steps.append((_at(_day(date(2022, 2, 7), rng, 9, limit=date(2022, 2, 18)), rng), "opinion"))
    contact = _day(date(2022, 2, 8), rng, 45)
    reply = _day(max(contact + timedelta(days=7), date(2022, 3, 1)), rng, 30, limit=date(2022, 4, 15))
    steps += [(_at(contact, rng), "contact"), (_at(reply, rng), "reply")]
    if case.leader:
        steps.append((_at(_workday(reply - timedelta(days=3), back=True), rng, hour=8), "supervise"))
    feedback = _day(max(reply + timedelta(days=7), date(2022, 4, 1)), rng, 20)
    steps.append((_at(feedback, rng), "feedback"))
    if case.outcome != Outcome.A:
        steps.append((_at(_day(date(2022, 8, 1), rng, 50), rng), "follow_up"))
        steps.append((_at(_day(date(2022, 10, 10), rng, 60, limit=date(2022, 12, 15)), rng), "close"))
    return _ordered(sorted(steps, key=lambda step: step[0]))


def _ordered(steps: list[tuple[datetime, str]]) -> list[tuple[datetime, str]]:
    """Strictly increasing times in the given order (two steps may fall on the same working day)."""
    result: list[tuple[datetime, str]] = []
    for when, action in steps:
        if result and when <= result[-1][0]:
            when = result[-1][0] + timedelta(minutes=30)
        result.append((when, action))
    return result


# --- Recess proposals, one per state ------------------------------------------------------------

# Days before today of each step; the due-soon case is computed from its due date.
# fmt: off
RECESS_STEPS: dict[str, dict[str, int]] = {
    "draft": {"create": 2},
    "submitted": {"create": 6, "submit": 5},
    "returned": {"create": 42, "submit": 41, "return": 38},
    "withdrawn": {"create": 33, "submit": 32, "withdraw": 28},
    "accepted": {"create": 7, "submit": 6, "accept": 3},
    "merged": {"create": 105, "submit": 104, "merge": 101},
    "overdue": {"create": 107, "submit": 106, "accept": 102, "assign": 100, "contact": 60},
    "replied": {"create": 85, "submit": 84, "accept": 81, "assign": 80, "contact": 45, "reply": 8},
    "rehandling": {"create": 135, "submit": 134, "accept": 131, "assign": 130, "contact": 100, "reply": 45,
                   "feedback": 20, "recontact": 10},
    "follow_up": {"create": 165, "submit": 164, "accept": 161, "assign": 160, "contact": 130, "reply": 75,
                  "feedback": 60, "follow_up": 20},
}
# fmt: on
DUE_SOON_DAYS = 10


def _recess_cases(*, pool: Pool, today: date) -> list[Case]:
    """One proposal per state besides closed, each step so many days before today (on a working day)."""
    demo_rep = Representative.objects.filter(user__username="rep_demo").select_related("user", "township").first()
    cases: dict[str, Case] = {}
    for spec in pool.data["recess"]:
        case = _recess_case(spec=spec, pool=pool, demo_rep=demo_rep)
        days = _offsets(spec, today)
        case.steps = _ordered([(_at(_workday(today - timedelta(days=d), back=True), pool.rng), a) for a, d in days])
        cases[spec["state"]] = case
    for spec in pool.data["recess"]:
        if "into" in spec:
            cases[spec["state"]].merge_into = cases[spec["into"]]
    return list(cases.values())


def _offsets(spec: dict, today: date) -> list[tuple[str, int]]:
    if spec["state"] != "due_soon":
        return list(RECESS_STEPS[spec["state"]].items())
    due = today + timedelta(days=DUE_SOON_DAYS)
    assign = (today - (due - relativedelta(months=config("PROPOSALS", "REPLY_MONTHS")))).days
    return [("create", assign + 8), ("submit", assign + 7), ("accept", assign + 4), ("assign", assign), ("contact", 20)]


def _recess_case(*, spec: dict, pool: Pool, demo_rep: Representative | None) -> Case:
    lead = demo_rep if spec.get("lead") == "rep_demo" and demo_rep else None
    if lead is None:
        township = spec.get("township", "儒林镇")
        lead = pool.rng.choice([r for r in pool.reps if r.township.name == township and r != demo_rep] or pool.reps)
    cosigners = [demo_rep] if spec.get("cosigner") == "rep_demo" and demo_rep and demo_rep != lead else []
    outcome = spec.get("outcome", Outcome.A)
    return Case(
        title=spec["title"],
        content=spec["content"],
        category=spec["category"],
        lead=lead,
        period=Period.RECESS,
        units=pool.units_for(spec.get("units", [])),
        cosigners=cosigners,
        outcome=outcome,
        reply=spec.get("reply", ""),
        rating=(Rating.BASIC, Rating.DISSATISFIED) if spec.get("reasons") else (Rating.SATISFIED, Rating.BASIC),
        reasons=spec.get("reasons", ""),
        exclusion=spec.get("exclusion", ""),
        return_reason=spec.get("reason", ""),
        place=spec.get("township", lead.township.name),
    )


# --- Accounts ------------------------------------------------------------------------------------


def _unit_accounts(*, cast: Cast, data: Data, units: list[HandlingUnit]) -> int:
    """One active account per involved unit: the existing one (unit_edu), or a new one without a password."""
    created = 0
    for unit in {u.pk: u for u in units}.values():
        user = User.objects.filter(handling_unit=unit, role=User.Role.UNIT, is_active=True).order_by("pk").first()
        if user is None:
            username = data["unit_accounts"].get(unit.name, f"unit_{unit.pk}")
            if User.objects.filter(username=username).exists():
                username = f"unit_{unit.pk}"
            user = core_services.user_create(
                username=username,
                password=None,
                role=User.Role.UNIT,
                full_name=f"{unit.short_name or unit.name}建议办理专干",
                handling_unit=unit,
            )
            created += 1
        cast.unit_users[unit.pk] = user
    return created


# --- Running the steps through the services ------------------------------------------------------


def _run(*, cases: list[Case], context: Context) -> None:
    """Every step of every case in time order; the on-site meeting assigns all session proposals at once."""
    steps = sorted(
        ((when, i, action, case) for i, case in enumerate(cases) for when, action in case.steps),
        key=lambda step: step[:3],
    )
    meeting = _meeting_at(context) if any(c.period == Period.SESSION for c in cases) else None
    for when, _i, action, case in steps:
        if meeting and when > meeting:
            _assign_on_site(cases=cases, context=context, when=meeting)
            meeting = None
        _act(case=case, action=action, when=when, context=context)
        context.timeline.step(case.proposal, when)
    if meeting:
        _assign_on_site(cases=cases, context=context, when=meeting)


def _meeting_at(context: Context) -> datetime:
    spec = context.data["batch"]
    return timezone.make_aware(datetime.combine(date.fromisoformat(spec["held_on"]), time(9, 30)))


def _assign_on_site(*, cases: list[Case], context: Context, when: datetime) -> None:
    spec = context.data["batch"]
    ordered = sorted(cases, key=lambda c: c.proposal.number)
    batch = services.assign_on_site(
        session=context.session,
        title=spec["title"],
        held_on=date.fromisoformat(spec["held_on"]),
        place=spec["place"],
        plan=[(c.proposal, c.units, False) for c in ordered],
        by=context.cast.committee,
    )
    assignments = list(batch.assignments.all())
    by_proposal: dict[int, dict[str, Assignment]] = defaultdict(dict)
    for assignment in assignments:
        by_proposal[assignment.proposal_id][assignment.role] = assignment
    for case in ordered:
        case.assignments = by_proposal[case.proposal.pk]
        context.timeline.step(case.proposal, when)


def _act(*, case: Case, action: str, when: datetime, context: Context) -> None:
    name, _sep, arg = action.partition(":")
    ACTIONS[name](case, when, context, arg)


def _create(case: Case, when: datetime, context: Context, arg: str) -> None:
    case.proposal = services.proposal_create(
        lead=case.lead,
        session=context.session,
        title=case.title,
        content=case.content,
        category=case.category,
        by=context.cast.of(case.lead),
        cosigners=case.cosigners,
        period=case.period,
        formation=case.formation,
        publication=case.publication,
    )


def _cosign(case: Case, when: datetime, context: Context, arg: str) -> None:
    rep = case.cosigners[int(arg)]
    services.cosign_respond(proposal=case.proposal, representative=rep, agree=True, by=context.cast.of(rep))


def _submit(case: Case, when: datetime, context: Context, arg: str) -> None:
    case.proposal = services.proposal_submit(proposal=case.proposal, by=context.cast.of(case.lead))


def _accept(case: Case, when: datetime, context: Context, arg: str) -> None:
    services.proposal_accept(proposal=case.proposal, by=context.cast.committee)


def _return(case: Case, when: datetime, context: Context, arg: str) -> None:
    services.proposal_return(
        proposal=case.proposal, exclusion=case.exclusion, reason=case.return_reason, by=context.cast.committee
    )


def _withdraw(case: Case, when: datetime, context: Context, arg: str) -> None:
    services.proposal_withdraw(proposal=case.proposal, representative=case.lead, by=context.cast.of(case.lead))


def _merge(case: Case, when: datetime, context: Context, arg: str) -> None:
    services.proposal_merge(proposal=case.proposal, into=case.merge_into.proposal, by=context.cast.committee)


def _mark_key(case: Case, when: datetime, context: Context, arg: str) -> None:
    services.proposal_mark_key(proposal=case.proposal, leader=case.leader, by=context.cast.committee)


def _assign(case: Case, when: datetime, context: Context, arg: str) -> None:
    assignments = services.proposal_assign(proposal=case.proposal, units=case.units, by=context.cast.committee)
    case.assignments = {a.role: a for a in assignments}


def _opinion(case: Case, when: datetime, context: Context, arg: str) -> None:
    assignment = case.assignments[Role.ASSIST]
    text = context.data["opinion"]
    services.assist_opinion_send(assignment=assignment, text=text, by=context.cast.unit(assignment.unit))


def _contact(case: Case, when: datetime, context: Context, arg: str) -> None:
    assignment = case.lead_assignment()
    kind = arg or case.contact_kind
    summary = context.data["contacts"][kind].format(unit=assignment.unit, township=case.place, rep=case.lead.name)
    services.contact_record_add(
        assignment=assignment,
        kind=kind,
        # The service refuses future dates; _redate sets the planned one.
        contacted_on=min(timezone.localdate(when), timezone.localdate()),
        summary=summary,
        by=context.cast.unit(assignment.unit),
    )


def _supervise(
    case: Case, when: datetime, context: Context, arg: str, *, method: str = Supervision.Method.COUNTERPART
) -> None:
    follow_up = method == Supervision.Method.FOLLOW_UP
    # supervision_record checks (and logs) the status of the instance it is given without
    # re-reading it, unlike the other services: hand it the current row.
    case.proposal.refresh_from_db()
    services.supervision_record(
        proposal=case.proposal,
        method=method,
        supervised_on=timezone.localdate(when),
        supervisor="县人大常委会代表工委" if follow_up or not case.leader else case.leader,
        notes=context.data["supervision"]["follow_up" if follow_up else "counterpart"],
        by=context.cast.committee,
    )


def _follow_up(case: Case, when: datetime, context: Context, arg: str) -> None:
    _supervise(case, when, context, arg, method=Supervision.Method.FOLLOW_UP)


def _reply(case: Case, when: datetime, context: Context, arg: str) -> None:
    assignment = case.lead_assignment()
    replies = context.data["replies"]
    body = case.reply or replies[case.outcome]
    text = replies["header"].format(rep=case.lead.name, title=case.title) + body + replies["footer"]
    services.reply_submit(assignment=assignment, outcome=case.outcome, text=text, by=context.cast.unit(assignment.unit))


def _feedback(case: Case, when: datetime, context: Context, arg: str) -> None:
    attitude, result = case.rating
    services.feedback_submit(
        proposal=case.proposal,
        representative=case.lead,
        attitude=attitude,
        result=result,
        reasons=case.reasons,
        by=context.cast.of(case.lead),
    )


def _close(case: Case, when: datetime, context: Context, arg: str) -> None:
    note = case.close_note or context.data["closes"][case.outcome]
    services.follow_up_close(proposal=case.proposal, note=note, by=context.cast.committee)


ACTIONS: dict[str, Callable[[Case, datetime, Context, str], None]] = {
    "create": _create,
    "cosign": _cosign,
    "submit": _submit,
    "accept": _accept,
    "return": _return,
    "withdraw": _withdraw,
    "merge": _merge,
    "mark_key": _mark_key,
    "assign": _assign,
    "opinion": _opinion,
    "contact": _contact,
    "recontact": lambda case, when, context, arg: _contact(case, when, context, ContactRecord.Kind.MEETING),
    "supervise": _supervise,
    "follow_up": _follow_up,
    "reply": _reply,
    "feedback": _feedback,
    "close": _close,
}


# --- Moving the timestamps to when things happened ----------------------------------------------


class Shift:
    """Maps a timestamp a service call wrote to the moment that call was planned for.

    Each call writes its rows and then its one event (only notifications come after the event):
    a row belongs to the first event of its proposal written at or after it.
    """

    def __init__(self, timeline: Timeline) -> None:
        self.planned = timeline.planned
        self.real: dict[int, list[datetime]] = defaultdict(list)
        self.rehandled: dict[int, list[datetime]] = defaultdict(list)
        events = list(
            ProposalEvent.objects.filter(proposal_id__in=list(self.planned))
            .order_by("proposal_id", "pk")
            .only("pk", "proposal_id", "at", "action")
        )
        for event in events:
            self.real[event.proposal_id].append(event.at)
        for pk, planned in self.planned.items():
            if len(self.real[pk]) != len(planned):
                raise RuntimeError(f"proposal {pk}: {len(self.real[pk])} events for {len(planned)} service calls")
        position: dict[int, int] = defaultdict(int)
        for event in events:
            event.at = self.planned[event.proposal_id][position[event.proposal_id]]
            position[event.proposal_id] += 1
            if event.action == "rehandle":
                self.rehandled[event.proposal_id].append(event.at)
        update_rows(model=ProposalEvent, rows=events, fields=["at"])

    def at(self, proposal_id: int, real: datetime) -> datetime:
        reals = self.real[proposal_id]
        return self.planned[proposal_id][min(bisect_left(reals, real), len(reals) - 1)]

    def after(self, proposal_id: int, real: datetime) -> tuple[datetime, timedelta]:
        """For rows written after their call's event (notifications): the moment, and the offset."""
        reals = self.real[proposal_id]
        i = max(bisect_right(reals, real) - 1, 0)
        return self.planned[proposal_id][i], self.planned[proposal_id][i] - reals[i]


class Deadlines:
    """Each assignment's deadlines as of a moment: three (six) months from its planned assignment,
    or the re-handling deadline once the representative was dissatisfied."""

    def __init__(self, *, shift: Shift, ids: list[int]) -> None:
        self.shift = shift
        rows = Assignment.objects.filter(proposal_id__in=ids).values(
            "pk", "proposal_id", "assigned_at", "role", "proposal__is_complex"
        )
        self.rows = {row["pk"]: {**row, "planned": shift.at(row["proposal_id"], row["assigned_at"])} for row in rows}

    def due_on(self, assignment_id: int, *, at: datetime | None = None) -> date:
        row = self.rows[assignment_id]
        rehandled = [r for r in self.shift.rehandled[row["proposal_id"]] if at is None or r <= at]
        if rehandled:
            return timezone.localdate(rehandled[-1]) + timedelta(days=config("PROPOSALS", "REHANDLE_DAYS"))
        return services.reply_due_on(timezone.localdate(row["planned"]), complex_=row["proposal__is_complex"])

    def of(self, assignment_id: int, *, at: datetime | None = None) -> dict:
        row = self.rows[assignment_id]
        opinion_days = timedelta(days=config("PROPOSALS", "ASSIST_OPINION_DAYS"))
        assist = row["role"] == Role.ASSIST
        return {
            "due_on": self.due_on(assignment_id, at=at),
            "opinion_due_on": timezone.localdate(row["planned"]) + opinion_days if assist else None,
        }

    def on_time(self, assignment_id: int, replied_at: datetime) -> dict:
        return {"on_time": timezone.localdate(replied_at) <= self.due_on(assignment_id, at=replied_at)}


def _redate(*, timeline: Timeline) -> None:
    shift = Shift(timeline)
    ids = list(timeline.planned)
    deadlines = Deadlines(shift=shift, ids=ids)
    proposal_times = ["created_at", "submitted_at", "assigned_at", "closed_at"]
    cosign_times = ["confirmed_at", "declined_at", "agreed_to_withdraw_at"]
    by_assignment = "assignment__proposal_id"
    rows = [
        (Proposal, "pk", proposal_times, None),
        (Proposal.history.model, "id", ["history_date", *proposal_times], None),
        (CoSigner, "proposal_id", cosign_times, None),
        (CoSigner.history.model, "proposal_id", ["history_date", *cosign_times], None),
        (Assignment, "proposal_id", ["assigned_at", "replied_at"], lambda row: deadlines.of(row.pk)),
        (
            Assignment.history.model,
            "proposal_id",
            ["history_date", "assigned_at", "replied_at"],
            lambda row: deadlines.of(row.id, at=row.history_date),
        ),
        (Reply, by_assignment, ["replied_at"], lambda row: deadlines.on_time(row.assignment_id, row.replied_at)),
        (
            Reply.history.model,
            by_assignment,
            ["history_date", "replied_at"],
            lambda row: deadlines.on_time(row.assignment_id, row.replied_at),
        ),
        (
            ContactRecord,
            by_assignment,
            ["recorded_at"],
            lambda row: {"contacted_on": timezone.localdate(row.recorded_at)},
        ),
        (AssistOpinion, by_assignment, ["sent_at"], None),
        (Feedback, "proposal_id", ["submitted_at"], None),
    ]
    for model, owner, fields, compute in rows:
        _shift_rows(model=model, owner=owner, fields=fields, ids=ids, shift=shift, compute=compute)
    _shift_notifications(ids=ids, shift=shift)


def _shift_rows(
    *,
    model: type[models.Model],
    owner: str,
    fields: list[str],
    ids: list[int],
    shift: Shift,
    compute: Callable[[Any], dict] | None,
) -> None:
    """Move the rows' timestamps (then set the fields that follow from them) in a few bulk updates."""
    rows = list(model._default_manager.filter(**{f"{owner}__in": ids}).annotate(demo_owner=F(owner)))
    derived: set[str] = set()
    for row in rows:
        for name in fields:
            value = getattr(row, name)
            if value is not None:
                setattr(row, name, shift.at(row.demo_owner, value))
        for name, value in (compute(row) if compute else {}).items():
            setattr(row, name, value)
            derived.add(name)
    update_rows(model=model, rows=rows, fields=[*fields, *sorted(derived)])


def _shift_notifications(*, ids: list[int], shift: Shift) -> None:
    """The open proposals' inbox messages: written when their step happened, due as long after it,
    and delivered then (an inbox message needs no delivery, and a demo usually runs without a worker)."""
    proposal_type = ContentType.objects.get_for_model(Proposal)
    rows = list(
        Notification.objects.filter(content_type=proposal_type, object_id__in=ids, channel=Notification.Channel.INBOX)
    )
    for row in rows:
        row.created_at, offset = shift.after(row.object_id, row.created_at)
        row.next_attempt_at = row.sent_at = row.created_at
        row.due_on += timedelta(days=round(offset / timedelta(days=1)))
        row.status, row.attempts = Notification.Status.SENT, 1
    fields = ["created_at", "next_attempt_at", "sent_at", "due_on", "status", "attempts"]
    update_rows(model=Notification, rows=rows, fields=fields)


def _forget_old_notifications(*, cases: list[Case]) -> None:
    """The 2022 proposals' messages were read long ago: keep them out of today's inboxes (and unsent)."""
    proposals = [c.proposal.pk for c in cases]
    opinions = list(AssistOpinion.objects.filter(assignment__proposal_id__in=proposals).values_list("pk", flat=True))
    for model, ids in ((Proposal, proposals), (AssistOpinion, opinions)):
        content_type = ContentType.objects.get_for_model(model)
        Notification.objects.filter(content_type=content_type, object_id__in=ids).delete()
