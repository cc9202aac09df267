"""Ballots (票决 and 满意度测评, DOMAIN.md §2): created, opened, voted online and on paper,
closed and counted.

Secret ballot. A vote writes two things that share nothing but the ballot: a BallotVoter row
(who) and +1 on counters (what). Three details keep them apart in the database itself:
- every vote and every paper batch rewrites *all* counters of the ballot (+0 for the options
  not chosen), so a counter's row version (PostgreSQL's xmin, its place in the heap) tells
  nothing about which options the last voter chose;
- votes on a ballot are serialised by the ballot row, so a count never lags its voter;
- at close, the voter rows are rewritten in representative order, so their ids and row
  versions no longer tell who voted when, nor which paper batch a voter's sheet was in.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.config import config
from apps.core.models import CongressSession, User
from apps.livelihood import grading
from apps.livelihood.models import Ballot, BallotItem, BallotTally, BallotVoter, PaperBatch, Project
from apps.livelihood.selectors import ballots_due_to_close, eligible_representatives, is_eligible
from apps.livelihood.services.common import LivelihoodError, clean, notify
from apps.representatives.models import Representative

Option = BallotTally.Option
Kind = Ballot.Kind
ProjectStatus = Project.Status
SATISFACTION_OPTIONS = (Option.SATISFIED, Option.BASIC, Option.DISSATISFIED)


def _ratio(value) -> Decimal:
    return Decimal(str(config("LIVELIHOOD", "MIN_VOTE_RATIO") if value is None else value))


def _check_selection(projects: list[Project], session, slots, max_choices, revote_of) -> tuple[int, int]:
    if revote_of is not None:
        tied = set(revote_of.items.filter(outcome=BallotItem.Outcome.TIE).values_list("project", flat=True))
        if revote_of.kind != Kind.SELECTION or revote_of.status != Ballot.Status.CLOSED or not tied:
            raise LivelihoodError(_("只能对已结束、有得票相同项目的票决再次票决。"))
        strangers = [str(p) for p in projects if p.pk not in tied or p.status != ProjectStatus.TIE]
        if strangers:
            raise LivelihoodError(
                _("再次票决只能包括得票相同的项目：%(titles)s不符合。") % {"titles": "、".join(strangers)}
            )
    else:
        strangers = [str(p) for p in projects if p.status != ProjectStatus.CANDIDATE or p.session_id != session.pk]
        if strangers:
            raise LivelihoodError(
                _("只能选择本次会议的候选项目：%(titles)s不符合。") % {"titles": "、".join(strangers)}
            )
    if not slots or slots < 1:
        raise LivelihoodError(_("请填写应选项目数。"))
    if slots > len(projects):
        raise LivelihoodError(_("应选项目数不能多于候选项目数。"))
    if revote_of is not None:
        approved = revote_of.items.filter(outcome=BallotItem.Outcome.APPROVED).count()
        if slots > (revote_of.slots or 0) - approved:
            raise LivelihoodError(_("再次票决的应选项目数不能超过上次票决剩余的名额。"))
    max_choices = max_choices or slots
    if not 1 <= max_choices <= len(projects):
        raise LivelihoodError(_("每票最多选择的项目数须在 1 到候选项目数之间。"))
    return slots, max_choices


def _check_satisfaction(projects: list[Project]) -> None:
    strangers = [str(p) for p in projects if p.status not in Project.IMPLEMENTING]
    if strangers:
        raise LivelihoodError(
            _("满意度测评只能包括票决通过的项目：%(titles)s不符合。") % {"titles": "、".join(strangers)}
        )
    graded = [str(p) for p in projects if p.grade]
    if graded:
        raise LivelihoodError(_("这些项目已经测评过：%(titles)s。") % {"titles": "、".join(graded)})


def _check_not_on_other_ballot(projects: list[Project], kind: str) -> None:
    busy = BallotItem.objects.filter(
        project__in=projects, ballot__kind=kind, ballot__status__in=[Ballot.Status.DRAFT, Ballot.Status.OPEN]
    ).select_related("project", "ballot")
    if busy:
        names = "、".join(f"{i.project}（{i.ballot}）" for i in busy)
        raise LivelihoodError(_("这些项目已在另一场未结束的投票中：%(titles)s。") % {"titles": names})


@transaction.atomic
def ballot_create(
    *,
    session: CongressSession,
    kind: str,
    title: str,
    projects: Iterable[Project],
    closes_at: datetime,
    by: User,
    slots: int | None = None,
    max_choices: int | None = None,
    min_vote_ratio: Decimal | float | None = None,
    base: str = Ballot.Base.ELIGIBLE,
    revote_of: Ballot | None = None,
) -> Ballot:
    """A draft ballot with its projects in the given order, and a zero counter for every option."""
    session = CongressSession.objects.select_related("term__region").get(pk=session.pk)
    wanted = list(dict.fromkeys(p.pk for p in projects))  # the caller's order is the ballot's
    locked = Project.objects.select_for_update().in_bulk(wanted)
    projects = [locked[pk] for pk in wanted if pk in locked]
    if not projects:
        raise LivelihoodError(_("请选择项目。"))
    revote_of = Ballot.objects.get(pk=revote_of.pk) if revote_of is not None else None
    if kind == Kind.SELECTION:
        slots, max_choices = _check_selection(projects, session, slots, max_choices, revote_of)
    elif kind == Kind.SATISFACTION:
        _check_satisfaction(projects)
        slots = max_choices = revote_of = None
    else:
        raise LivelihoodError(_("请选择票决或满意度测评。"))
    region = session.term.region
    strangers = [str(p) for p in projects if p.region_id != region.pk]
    if strangers:
        raise LivelihoodError(
            _("这些项目不属于%(region)s：%(titles)s。") % {"region": region, "titles": "、".join(strangers)}
        )
    if closes_at <= timezone.now():
        raise LivelihoodError(_("截止时间必须晚于现在。"))
    _check_not_on_other_ballot(projects, kind)
    ballot = Ballot(
        session=session,
        region=region,
        kind=kind,
        title=(title or "").strip(),
        slots=slots,
        max_choices=max_choices,
        min_vote_ratio=_ratio(min_vote_ratio),
        base=base,
        closes_at=closes_at,
        revote_of=revote_of,
    )
    clean(ballot)
    ballot.save()
    BallotItem.objects.bulk_create(BallotItem(ballot=ballot, project=p, position=n) for n, p in enumerate(projects, 1))
    options = [Option.FOR] if kind == Kind.SELECTION else list(SATISFACTION_OPTIONS)
    BallotTally.objects.bulk_create(BallotTally(ballot=ballot, project=p, option=o) for p in projects for o in options)
    return ballot


def _lock_ballot(ballot: Ballot) -> Ballot:
    return Ballot.objects.select_for_update(of=("self",)).select_related("session__term", "region").get(pk=ballot.pk)


@transaction.atomic
def ballot_open(*, ballot: Ballot, by: User) -> Ballot:
    """Open the vote; the number of representatives entitled to vote is fixed now."""
    ballot = _lock_ballot(ballot)
    if ballot.status != Ballot.Status.DRAFT:
        raise LivelihoodError(_("“%(ballot)s”已经开始过，不能再次开始。") % {"ballot": ballot})
    if ballot.closes_at <= timezone.now():
        raise LivelihoodError(_("截止时间已过，请先修改截止时间。"))
    voters = eligible_representatives(ballot)
    ballot.eligible_count = voters.count()
    if not ballot.eligible_count:
        raise LivelihoodError(_("本届没有在任代表，无法开始投票。"))
    ballot.status, ballot.opens_at, ballot.opened_by = Ballot.Status.OPEN, timezone.now(), by
    ballot.save()
    users = User.objects.filter(representative__in=voters, is_active=True)
    notify(
        "livelihood.ballot_open",
        ballot,
        users,
        _("请在%(time)s前参加“%(ballot)s”")
        % {"time": timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M"), "ballot": ballot},
        due_on=timezone.localtime(ballot.closes_at).date(),
    )
    return ballot


def _max_choices(ballot: Ballot) -> int:
    # Set by ballot_create on every selection ballot; a satisfaction poll has none.
    return ballot.max_choices or 0


def _normalised_choices(ballot: Ballot, choices: dict) -> dict[int, str]:
    """Refuse unknown projects and options, and sheets that break the ballot's rules."""
    try:
        picked = {int(pk): str(option) for pk, option in (choices or {}).items()}
    except (TypeError, ValueError):
        raise LivelihoodError(_("选票内容无法识别，请重新填写。")) from None
    on_ballot = set(ballot.items.values_list("project", flat=True))
    if set(picked) - on_ballot:
        raise LivelihoodError(_("选票上没有这个项目，请刷新页面后重新投票。"))
    if ballot.kind == Kind.SELECTION:
        picked = {pk: o for pk, o in picked.items() if o}  # an empty answer is no mark
        if any(o != Option.FOR for o in picked.values()):
            raise LivelihoodError(_("票决只能对项目投赞成票。"))
        if len(picked) > _max_choices(ballot):
            raise LivelihoodError(_("最多只能选择 %(n)s 个项目。") % {"n": ballot.max_choices})
    else:
        if set(picked) != on_ballot or any(o not in SATISFACTION_OPTIONS for o in picked.values()):
            raise LivelihoodError(_("请对每个项目选择满意、基本满意或不满意。"))
    return picked


def _add_to_tallies(ballot: Ballot, amounts: dict[tuple[int, str], int]) -> None:
    """Add to the counters in one statement touching every counter of the ballot (see the
    module's note on secrecy)."""
    cases = [When(project_id=pk, option=o, then=Value(n)) for (pk, o), n in amounts.items() if n]
    increment = Case(*cases, default=Value(0), output_field=IntegerField()) if cases else Value(0)
    BallotTally.objects.filter(ballot=ballot).update(count=F("count") + increment)


def _why_closed(ballot: Ballot) -> LivelihoodError:
    ballot = Ballot.objects.get(pk=ballot.pk)
    if ballot.status == Ballot.Status.DRAFT:
        return LivelihoodError(_("投票尚未开始。"))
    if ballot.status == Ballot.Status.CLOSED:
        return LivelihoodError(_("投票已经结束。"))
    return LivelihoodError(_("投票已经截止。"))


def ballot_vote(*, ballot: Ballot, representative: Representative, choices: dict) -> None:
    """One representative's sheet, online. Two tabs posting at once make one vote: the ballot
    row serialises votes and the (ballot, representative) constraint refuses the second."""
    ballot = Ballot.objects.select_related("session", "region").get(pk=ballot.pk)
    picked = _normalised_choices(ballot, choices)
    if not is_eligible(ballot, representative):
        raise LivelihoodError(_("您不是本次会议的在任代表，不能参加这次投票。"))
    with transaction.atomic():
        counted = Ballot.objects.filter(pk=ballot.pk, status=Ballot.Status.OPEN, closes_at__gt=timezone.now()).update(
            sheets_online=F("sheets_online") + 1
        )
        if not counted:
            raise _why_closed(ballot)
        try:
            with transaction.atomic():
                BallotVoter.objects.create(
                    ballot=ballot, representative=representative, channel=BallotVoter.Channel.ONLINE
                )
        except IntegrityError:
            raise LivelihoodError(_("您已经投过票，每位代表只能投一次。")) from None
        _add_to_tallies(ballot, dict.fromkeys(picked.items(), 1))


def _normalised_counts(ballot: Ballot, sheets: int, counts: dict) -> dict[int, dict[str, int]]:
    options = {Option.FOR} if ballot.kind == Kind.SELECTION else set(SATISFACTION_OPTIONS)
    on_ballot = set(ballot.items.values_list("project", flat=True))
    result: dict[int, dict[str, int]] = {}
    try:
        for pk, per_option in (counts or {}).items():
            result[int(pk)] = {str(o): int(n) for o, n in per_option.items()}
    except (TypeError, ValueError, AttributeError):
        raise LivelihoodError(_("票数无法识别，请填写整数。")) from None
    if set(result) - on_ballot:
        raise LivelihoodError(_("计票单上有不在本次投票中的项目。"))
    for per_option in result.values():
        if set(per_option) - options:
            raise LivelihoodError(_("计票单上有本次投票没有的选项。"))
        if any(n < 0 for n in per_option.values()):
            raise LivelihoodError(_("票数不能为负数。"))
        if sum(per_option.values()) > sheets:
            raise LivelihoodError(_("一个项目的票数不能多于本批选票张数。"))
    if ballot.kind == Kind.SELECTION and sum(sum(p.values()) for p in result.values()) > sheets * _max_choices(ballot):
        raise LivelihoodError(_("赞成票总数不能多于选票张数乘以每票最多选择的项目数。"))
    return result


def _record_paper_voters(ballot: Ballot, voters: list[Representative], sheets: int) -> None:
    if len(voters) != sheets or len({v.pk for v in voters}) != len(voters):
        raise LivelihoodError(_("登记的投票代表人数须与选票张数相同，且不能重复。"))
    allowed = set(eligible_representatives(ballot).filter(pk__in=[v.pk for v in voters]).values_list("pk", flat=True))
    strangers = [str(v) for v in voters if v.pk not in allowed]
    if strangers:
        raise LivelihoodError(_("这些代表不能参加这次投票：%(names)s。") % {"names": "、".join(strangers)})
    voted = BallotVoter.objects.filter(ballot=ballot, representative__in=voters).select_related("representative")
    if voted:
        raise LivelihoodError(
            _("这些代表已经投过票：%(names)s。") % {"names": "、".join(str(v.representative) for v in voted)}
        )
    BallotVoter.objects.bulk_create(
        BallotVoter(ballot=ballot, representative=v, channel=BallotVoter.Channel.PAPER) for v in voters
    )


@transaction.atomic
def paper_batch_enter(
    *,
    ballot: Ballot,
    sheets: int,
    counts: dict,
    by: User,
    voters: Iterable[Representative] = (),
) -> PaperBatch:
    """A batch of paper sheets counted by the secretariat, added to the online tallies."""
    ballot = _lock_ballot(ballot)
    if ballot.status != Ballot.Status.OPEN:
        raise LivelihoodError(_("只能在投票进行中录入纸质选票。"))
    if not isinstance(sheets, int) or sheets < 1:
        raise LivelihoodError(_("选票张数须是正整数。"))
    if ballot.sheets + sheets > ballot.eligible_count:
        raise LivelihoodError(
            _("已收选票 %(cast)s 张，再加 %(sheets)s 张将超过应参加投票代表数 %(eligible)s。")
            % {"cast": ballot.sheets, "sheets": sheets, "eligible": ballot.eligible_count}
        )
    normalised = _normalised_counts(ballot, sheets, counts)
    voters = list(voters)
    if voters:
        _record_paper_voters(ballot, voters, sheets)
    number = (ballot.paper_batches.aggregate(n=Max("number"))["n"] or 0) + 1
    batch = PaperBatch(
        ballot=ballot,
        number=number,
        sheets=sheets,
        counts={str(pk): per_option for pk, per_option in sorted(normalised.items())},
        entered_by=by,
    )
    clean(batch, exclude=["ballot", "entered_by"])
    batch.save()
    _add_to_tallies(ballot, {(pk, o): n for pk, per in normalised.items() for o, n in per.items()})
    Ballot.objects.filter(pk=ballot.pk).update(sheets_paper=F("sheets_paper") + sheets)
    return batch


# --- closing and results -------------------------------------------------------------------------


@transaction.atomic
def ballot_close(*, ballot: Ballot, by: User | None = None) -> Ballot:
    """End the vote and write the result: by staff at any time while it is open, or by the beat
    task (by=None) once the closing time has passed."""
    ballot = _lock_ballot(ballot)
    if ballot.status != Ballot.Status.OPEN:
        raise LivelihoodError(_("只能结束进行中的投票。"))
    now = timezone.now()
    if by is None and ballot.closes_at > now:
        raise LivelihoodError(_("还没到截止时间。"))
    ballot.status, ballot.closed_at, ballot.closed_by = Ballot.Status.CLOSED, now, by
    ballot.save()
    counts = {(t.project_id, t.option): t.count for t in ballot.tallies.all()}
    items = list(ballot.items.select_related("project").select_for_update(of=("self",)))
    if ballot.kind == Kind.SELECTION:
        _count_selection(ballot, items, counts)
    else:
        _count_satisfaction(ballot, items, counts)
    _forget_voting_order(ballot)
    return ballot


def _base(ballot: Ballot) -> int:
    return ballot.eligible_count if ballot.base == Ballot.Base.ELIGIBLE else ballot.sheets


def passes_threshold(votes: int, *, base: int, ratio: Decimal) -> bool:
    """More than `ratio` of the base (strictly: exactly half is not more than half)."""
    return Decimal(votes) > ratio * Decimal(base)


def selection_outcomes(votes: dict[int, int], *, slots: int, base: int, ratio: Decimal) -> dict[int, tuple[int, str]]:
    """Rank (1, 2, 2, 4 ...) and outcome of every project: those above the threshold win by votes
    within the slots; when the last slot falls among equal votes, those equal are a TIE for a
    re-vote (选举法 Art 45 analogue), unless all of them fit."""
    Outcome = BallotItem.Outcome
    ordered = sorted(votes.items(), key=lambda kv: -kv[1])
    ranks = {pk: 1 + sum(1 for v in votes.values() if v > n) for pk, n in ordered}
    passing = [(pk, n) for pk, n in ordered if passes_threshold(n, base=base, ratio=ratio)]
    result: dict[int, tuple[int, str]] = {pk: (ranks[pk], Outcome.NOT_APPROVED) for pk in votes}
    if len(passing) <= slots:
        result.update({pk: (ranks[pk], Outcome.APPROVED) for pk, _n in passing})
        return result
    cut = passing[slots - 1][1]
    above = [pk for pk, n in passing if n > cut]
    at_cut = [pk for pk, n in passing if n == cut]
    result.update({pk: (ranks[pk], Outcome.APPROVED) for pk in above})
    outcome = Outcome.APPROVED if len(above) + len(at_cut) <= slots else Outcome.TIE
    result.update({pk: (ranks[pk], outcome) for pk in at_cut})
    return result


PROJECT_STATUS_FOR: dict[str, str] = {
    BallotItem.Outcome.APPROVED: ProjectStatus.APPROVED,
    BallotItem.Outcome.NOT_APPROVED: ProjectStatus.NOT_APPROVED,
    BallotItem.Outcome.TIE: ProjectStatus.TIE,
}


def _count_selection(ballot: Ballot, items: list[BallotItem], counts) -> None:
    votes = {i.project_id: counts.get((i.project_id, Option.FOR), 0) for i in items}
    outcomes = selection_outcomes(votes, slots=ballot.slots or 0, base=_base(ballot), ratio=ballot.min_vote_ratio)
    for item in items:
        item.votes = votes[item.project_id]
        item.rank, item.outcome = outcomes[item.project_id]
        item.project.status = PROJECT_STATUS_FOR[item.outcome]
        item.project.save()
    BallotItem.objects.bulk_update(items, ["votes", "rank", "outcome"])


def _count_satisfaction(ballot: Ballot, items: list[BallotItem], counts) -> None:
    members = _base(ballot)
    for item in items:
        pk = item.project_id
        item.satisfied = counts.get((pk, Option.SATISFIED), 0)
        item.basic = counts.get((pk, Option.BASIC), 0)
        item.dissatisfied = counts.get((pk, Option.DISSATISFIED), 0)
        item.grade = grading.grade_for(
            satisfied=item.satisfied, basic=item.basic, dissatisfied=item.dissatisfied, members=members
        )
        item.project.grade = item.grade
        item.project.save()
    BallotItem.objects.bulk_update(items, ["satisfied", "basic", "dissatisfied", "grade"])


def _forget_voting_order(ballot: Ballot) -> None:
    """Rewrite the voter list in representative order: row ids and versions then say nothing of
    who voted when, nor which paper batch held whose sheet."""
    rows = list(ballot.voters.order_by("representative_id").values_list("representative_id", "channel"))
    ballot.voters.all().delete()
    BallotVoter.objects.bulk_create(
        BallotVoter(ballot=ballot, representative_id=rep, channel=channel) for rep, channel in rows
    )


def ballots_close_due() -> int:
    """Close every open ballot whose time has come (the beat task); each in its own transaction."""
    closed = 0
    for ballot in ballots_due_to_close():
        try:
            ballot_close(ballot=ballot, by=None)
        except LivelihoodError:
            continue  # closed by staff meanwhile
        closed += 1
    return closed
