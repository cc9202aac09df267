"""Every change of the livelihood app (DOMAIN.md §2): 征集 -> 初定 -> 票决 -> 监督 -> 评估.

Each write is one keyword-only function in one transaction; a refusal raises LivelihoodError
with a message a person can read, and nothing is written.

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
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Max, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.core.phones import MOBILE, normalize_phone
from apps.core.scope import ancestor_paths
from apps.livelihood import grading
from apps.livelihood.models import (
    Ballot,
    BallotItem,
    BallotTally,
    BallotVoter,
    Idea,
    Milestone,
    PaperBatch,
    ProgressReport,
    Project,
    Supervision,
)
from apps.livelihood.selectors import (  # noqa: F401  (part of this module's contract)
    can_report_progress,
    eligible_representatives,
    is_eligible,
    project_progress,
    rolled_up,
)
from apps.notifications.services import notification_queue
from apps.representatives.models import Representative

Option = BallotTally.Option
Kind = Ballot.Kind
ProjectStatus = Project.Status
SATISFACTION_OPTIONS = (Option.SATISFIED, Option.BASIC, Option.DISSATISFIED)


class LivelihoodError(ValidationError):
    """A step the rules do not allow, with a message for the person who tried it.

    A ValidationError, so the admin's all-or-nothing actions and forms show it as they show
    the other apps' refusals; str() is the readable message itself."""

    def __str__(self):
        return " ".join(self.messages)


def config(key):
    return settings.RENDA_LIVELIHOOD[key]


def _clean(obj, **kwargs) -> None:
    """full_clean, refusing with this app's error. Field errors stay on their fields (for forms)
    and name the field (for the admin's message line)."""
    try:
        obj.full_clean(**kwargs)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise LivelihoodError(error.messages) from None
        raise LivelihoodError(
            {field: [_labelled(obj, field, m) for m in messages] for field, messages in error.message_dict.items()}
        ) from None


def _labelled(obj, field: str, message: str) -> str:
    try:
        label = obj._meta.get_field(field).verbose_name
    except Exception:  # NON_FIELD_ERRORS and the like
        return message
    return _("%(field)s：%(message)s") % {"field": label, "message": message}


def _county_path(region: Region) -> str:
    return ancestor_paths(region.path)[0]


def _staff_covering(region: Region, roles=(User.Role.COMMITTEE, User.Role.TOWNSHIP)) -> list[User]:
    """Active staff whose own regions hold `region` (its county's office, its township's staff)."""
    return list(
        User.objects.filter(role__in=roles, is_active=True, regions__path__in=ancestor_paths(region.path)).distinct()
    )


def _unit_users(unit_id: int) -> list[User]:
    return list(User.objects.filter(handling_unit_id=unit_id, role=User.Role.UNIT, is_active=True))


def _notify(rule: str, target, recipients, subject: str, *, due_on: date | None = None) -> None:
    notification_queue(
        rule=rule,
        target=target,
        recipients=recipients,
        due_on=due_on or timezone.localdate(),
        subject=subject,
        channels=["inbox"],
    )


# --- ideas (征集) --------------------------------------------------------------------------------


def _check_proposer(source, *, proposer_name, proposer_phone, consent, representative, unit) -> str:
    """The proposer a source needs; returns the normalised phone."""
    phone = normalize_phone(proposer_phone)
    if source == Idea.Source.CITIZEN:
        if not consent:
            raise LivelihoodError(_("请阅读并同意隐私说明后再提交。"))
        if not (proposer_name or "").strip() or not phone:
            raise LivelihoodError(_("请填写您的姓名和手机号码，以便工作人员联系您。"))
        if not MOBILE.fullmatch(phone):
            raise LivelihoodError(_("请填写 11 位手机号码，例如 13812345678。"))
    elif source == Idea.Source.REPRESENTATIVE and representative is None:
        raise LivelihoodError(_("请选择提出建议的代表。"))
    elif source == Idea.Source.UNIT and unit is None:
        raise LivelihoodError(_("请选择提出建议的单位。"))
    elif source not in Idea.Source.values:
        raise LivelihoodError(_("请选择建议来源。"))
    return phone


@transaction.atomic
def idea_submit(
    *,
    region: Region,
    title: str,
    description: str,
    source: str,
    estimated_cost: Decimal | None = None,
    proposer_name: str = "",
    proposer_phone: str = "",
    consent: bool = False,
    representative: Representative | None = None,
    unit: HandlingUnit | None = None,
    by: User | None = None,
    submission_key: str | None = None,
) -> tuple[Idea, bool]:
    """Save a project idea from a citizen (public form), a representative (portal) or a unit
    (admin). The same submission key twice returns the first idea. Returns (idea, created)."""
    if submission_key and (existing := Idea.objects.filter(submission_key=submission_key).first()):
        return existing, False
    phone = _check_proposer(
        source,
        proposer_name=proposer_name,
        proposer_phone=proposer_phone,
        consent=consent,
        representative=representative,
        unit=unit,
    )
    if region.level == Region.Level.VILLAGE:
        region = region.parent
    idea = Idea(
        region=region,
        title=(title or "").strip(),
        description=(description or "").strip(),
        estimated_cost=estimated_cost,
        source=source,
        proposer_name=(proposer_name or "").strip(),
        proposer_phone=phone,
        consented_at=timezone.now() if consent else None,
        representative=representative if source == Idea.Source.REPRESENTATIVE else None,
        unit=unit if source == Idea.Source.UNIT else None,
        submitted_by=by if by is not None and by.is_authenticated else None,
        submission_key=submission_key,
    )
    _clean(idea, exclude=["submission_key"])
    try:
        with transaction.atomic():
            idea.save()
    except IntegrityError:
        if submission_key and (existing := Idea.objects.filter(submission_key=submission_key).first()):
            return existing, False  # a double click that raced the first one
        raise
    _notify(
        "livelihood.idea_submitted",
        idea,
        _staff_covering(region),
        _("新的民生实事项目建议：%(title)s") % {"title": idea.title},
    )
    return idea, True


def _lock_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("region").get(pk=idea.pk)


def _require_new(idea: Idea, action: str) -> None:
    if idea.status != Idea.Status.NEW:
        raise LivelihoodError(
            _("项目建议“%(title)s”当前状态为“%(status)s”，不能%(action)s。")
            % {"title": idea.title, "status": idea.get_status_display(), "action": action}
        )


@transaction.atomic
def idea_decline(*, idea: Idea, note: str, by: User) -> Idea:
    idea = _lock_idea(idea)
    _require_new(idea, _("不予采纳"))
    if not (note or "").strip():
        raise LivelihoodError(_("请写明不予采纳的理由。"))
    idea.status, idea.feasibility_note = Idea.Status.DECLINED, note.strip()
    idea.save()
    return idea


@transaction.atomic
def idea_merge(*, idea: Idea, into: Idea, by: User) -> Idea:
    """A duplicate joins another idea (并案): it follows that idea into its candidate project."""
    idea, into = _lock_idea(idea), _lock_idea(into)
    if idea.pk == into.pk:
        raise LivelihoodError(_("不能把项目建议合并到它自己。"))
    _require_new(idea, _("合并"))
    if into.status not in (Idea.Status.NEW, Idea.Status.SHORTLISTED):
        raise LivelihoodError(
            _("只能合并到待筛选或已列入候选项目的建议，“%(title)s”当前为“%(status)s”。")
            % {"title": into.title, "status": into.get_status_display()}
        )
    if _county_path(idea.region) != _county_path(into.region):
        raise LivelihoodError(_("只能合并同一县内的项目建议。"))
    idea.status, idea.merged_into, idea.project_id = Idea.Status.MERGED, into, into.project_id
    idea.save()
    return idea


# --- candidate projects (初定) ---------------------------------------------------------------------


def _check_ideas(ideas: list[Idea], region: Region) -> list[Idea]:
    locked = list(Idea.objects.select_for_update().select_related("region").filter(pk__in=[i.pk for i in ideas]))
    taken = [str(i) for i in locked if i.status != Idea.Status.NEW]
    if taken:
        raise LivelihoodError(_("这些建议已经处理过，不能再列入候选项目：%(titles)s。") % {"titles": "、".join(taken)})
    strangers = [str(i) for i in locked if not i.region.path.startswith(region.path)]
    if strangers:
        raise LivelihoodError(
            _("这些建议不属于%(region)s，不能列入：%(titles)s。") % {"region": region, "titles": "、".join(strangers)}
        )
    return locked


@transaction.atomic
def project_shortlist(
    *,
    session: CongressSession,
    ideas: Iterable[Idea],
    title: str,
    description: str,
    responsible_unit: HandlingUnit,
    investment: Decimal,
    completion_due: date,
    by: User,
    region: Region | None = None,
) -> Project:
    """Screen ideas into one candidate project of a session. Numbers run per session; the
    session row lock keeps two staff from taking the same number."""
    session = CongressSession.objects.select_for_update().select_related("term__region").get(pk=session.pk)
    region = region or session.term.region
    ideas = _check_ideas(list(ideas), region)
    number = (Project.objects.filter(session=session).aggregate(n=Max("number"))["n"] or 0) + 1
    project = Project(
        session=session,
        region=region,
        number=number,
        title=(title or "").strip(),
        description=(description or "").strip(),
        responsible_unit=responsible_unit,
        investment=investment,
        completion_due=completion_due,
    )
    _clean(project)
    project.save()
    ids = [i.pk for i in ideas]
    Idea.objects.filter(pk__in=ids).update(status=Idea.Status.SHORTLISTED, project=project)
    # Duplicates merged into these ideas earlier follow them.
    Idea.objects.filter(merged_into__in=ids).update(project=project)
    return project


CANDIDATE_FIELDS = ("title", "description", "responsible_unit", "investment", "completion_due")
ANYTIME_FIELDS = ("lead_leader",)


@transaction.atomic
def project_update(*, project: Project, by: User, **fields) -> Project:
    """Edit a candidate before it is put to the vote; the lead leader may change at any time."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    for name, value in fields.items():
        if name not in CANDIDATE_FIELDS + ANYTIME_FIELDS:
            raise LivelihoodError(_("不能修改“%(field)s”。") % {"field": name})
        if name in CANDIDATE_FIELDS and getattr(project, name) != value:
            _require_editable_candidate(project)
        setattr(project, name, value)
    _clean(project)
    project.save()
    return project


def _require_editable_candidate(project: Project) -> None:
    on_ballot = BallotItem.objects.filter(project=project).exclude(ballot__status=Ballot.Status.DRAFT).exists()
    if project.status != ProjectStatus.CANDIDATE or on_ballot:
        raise LivelihoodError(_("项目已提交票决，名称、内容、责任单位、投资和完成时间不能再修改。"))


# --- ballots (票决 and 满意度测评) -------------------------------------------------------------------


def _ratio(value) -> Decimal:
    return Decimal(str(config("MIN_VOTE_RATIO") if value is None else value))


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
    _clean(ballot)
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
    _notify(
        "livelihood.ballot_open",
        ballot,
        users,
        _("请在%(time)s前参加“%(ballot)s”")
        % {"time": timezone.localtime(ballot.closes_at).strftime("%Y-%m-%d %H:%M"), "ballot": ballot},
        due_on=timezone.localtime(ballot.closes_at).date(),
    )
    return ballot


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
        if len(picked) > ballot.max_choices:
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
    if ballot.kind == Kind.SELECTION and sum(sum(p.values()) for p in result.values()) > sheets * ballot.max_choices:
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
    _clean(batch, exclude=["ballot", "entered_by"])
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
    result = {pk: (ranks[pk], Outcome.NOT_APPROVED) for pk in votes}
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


PROJECT_STATUS_FOR = {
    BallotItem.Outcome.APPROVED: ProjectStatus.APPROVED,
    BallotItem.Outcome.NOT_APPROVED: ProjectStatus.NOT_APPROVED,
    BallotItem.Outcome.TIE: ProjectStatus.TIE,
}


def _count_selection(ballot: Ballot, items: list[BallotItem], counts) -> None:
    votes = {i.project_id: counts.get((i.project_id, Option.FOR), 0) for i in items}
    outcomes = selection_outcomes(votes, slots=ballot.slots, base=_base(ballot), ratio=ballot.min_vote_ratio)
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
    from apps.livelihood.selectors import ballots_due_to_close

    closed = 0
    for ballot in ballots_due_to_close():
        try:
            ballot_close(ballot=ballot, by=None)
        except LivelihoodError:
            continue  # closed by staff meanwhile
        closed += 1
    return closed


# --- implementation (监督) -----------------------------------------------------------------------


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("region").get(pk=project.pk)


def _require_implementing(project: Project, action: str, *, allow_completed: bool = False) -> None:
    allowed = Project.IMPLEMENTING if allow_completed else (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS)
    if project.status not in allowed:
        raise LivelihoodError(
            _("项目当前状态为“%(status)s”，不能%(action)s。")
            % {"status": project.get_status_display(), "action": action}
        )


@transaction.atomic
def milestone_add(
    *,
    project: Project,
    title: str,
    due_on: date,
    by: User,
    parent: Milestone | None = None,
    weight: int = 1,
) -> Milestone:
    project = _lock_project(project)
    _require_implementing(project, _("添加实施节点"))
    if parent is not None and ProgressReport.objects.filter(milestone=parent).exists():
        raise LivelihoodError(_("“%(parent)s”已经填报过进度，不能再分解下级节点。") % {"parent": parent})
    siblings = Milestone.objects.filter(project=project, parent=parent)
    milestone = Milestone(
        project=project,
        parent=parent,
        title=(title or "").strip(),
        due_on=due_on,
        weight=weight,
        sort_order=(siblings.aggregate(n=Max("sort_order"))["n"] or 0) + 1,
    )
    _clean(milestone)
    milestone.save()
    _roll_up(project, on=timezone.localdate())
    return milestone


@transaction.atomic
def milestone_report(
    *,
    milestone: Milestone,
    progress: int,
    note: str,
    by: User,
    reported_on: date | None = None,
) -> ProgressReport:
    """Report a leaf milestone's progress; its parents and the project follow."""
    milestone = Milestone.objects.select_related("project__region").get(pk=milestone.pk)
    project = _lock_project(milestone.project)
    milestone = Milestone.objects.get(pk=milestone.pk)  # re-read under the project lock
    if not can_report_progress(by, project):
        raise LivelihoodError(_("只有责任单位或本级人大工作人员可以填报进度。"))
    _require_implementing(project, _("填报进度"), allow_completed=True)
    if milestone.children.exists():
        raise LivelihoodError(_("“%(m)s”有下级节点，请填报下级节点的进度。") % {"m": milestone})
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise LivelihoodError(_("进度须是 0 到 100 之间的整数。"))
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise LivelihoodError(_("填报日期不能晚于今天。"))
    report = ProgressReport(
        milestone=milestone, progress=progress, note=(note or "").strip(), reported_on=reported_on, reported_by=by
    )
    _clean(report, exclude=["milestone", "reported_by"])
    report.save()
    milestone.progress = progress
    milestone.completed_on = (milestone.completed_on or reported_on) if progress == 100 else None
    milestone.save()
    _roll_up(project, on=reported_on)
    return report


def _roll_up(project: Project, *, on: date) -> None:
    """Re-derive every parent's progress and the project's; the project's status follows."""
    milestones = {m.pk: m for m in Milestone.objects.filter(project=project)}
    nodes = [
        {"pk": m.pk, "parent_id": m.parent_id, "weight": m.weight, "progress": m.progress} for m in milestones.values()
    ]
    derived = rolled_up(nodes) if nodes else {None: 0}
    parents = {n["parent_id"] for n in nodes} - {None}
    for pk in parents:
        node, progress = milestones[pk], derived[pk]
        if node.progress == progress:
            continue
        node.progress = progress
        node.completed_on = (node.completed_on or on) if progress == 100 else None
        node.save()
    _set_project_progress(project, derived[None], on=on)


def _set_project_progress(project: Project, progress: int, *, on: date) -> None:
    project.progress = progress
    if progress == 100:
        project.status, project.completed_on = ProjectStatus.COMPLETED, project.completed_on or on
    else:
        started = progress > 0 or ProgressReport.objects.filter(milestone__project=project).exists()
        project.status = ProjectStatus.IN_PROGRESS if started else ProjectStatus.APPROVED
        project.completed_on = None
    project.save()


@transaction.atomic
def supervision_record(
    *,
    project: Project,
    kind: str,
    held_on: date,
    participants: str,
    findings: str,
    by: User,
) -> Supervision:
    project = _lock_project(project)
    _require_implementing(project, _("记录监督情况"), allow_completed=True)
    if held_on > timezone.localdate():
        raise LivelihoodError(_("监督日期不能晚于今天。"))
    supervision = Supervision(
        project=project,
        kind=kind,
        held_on=held_on,
        participants=(participants or "").strip(),
        findings=(findings or "").strip(),
        recorded_by=by,
    )
    _clean(supervision, exclude=["project", "recorded_by"])
    supervision.save()
    _notify(
        "livelihood.supervised",
        supervision,
        _unit_users(project.responsible_unit_id),
        _("民生实事项目“%(project)s”有新的%(kind)s意见") % {"project": project, "kind": supervision.get_kind_display()},
    )
    return supervision
