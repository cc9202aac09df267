"""Projects: candidates shortlisted from ideas (初定) and edited before the vote; then, once
approved, their implementation (监督): milestones, progress reports rolled up to the project,
and the committee's supervision. The vote itself is in `ballots`."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import CongressSession, HandlingUnit, Region, User
from apps.livelihood.models import Ballot, BallotItem, Idea, Milestone, ProgressReport, Project, Supervision
from apps.livelihood.permissions import can_report_progress
from apps.livelihood.selectors import rolled_up
from apps.livelihood.services.common import LivelihoodError, clean, notify

ProjectStatus = Project.Status


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
    clean(project)
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
            _check_editable_candidate(project)
        setattr(project, name, value)
    clean(project)
    project.save()
    return project


def _check_editable_candidate(project: Project) -> None:
    on_ballot = BallotItem.objects.filter(project=project).exclude(ballot__status=Ballot.Status.DRAFT).exists()
    if project.status != ProjectStatus.CANDIDATE or on_ballot:
        raise LivelihoodError(_("项目已提交票决，名称、内容、责任单位、投资和完成时间不能再修改。"))


# --- implementation (监督) -----------------------------------------------------------------------


def _lock_project(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("region").get(pk=project.pk)


def _check_implementing(project: Project, action: str, *, allow_completed: bool = False) -> None:
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
    _check_implementing(project, _("添加实施节点"))
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
    clean(milestone)
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
    _check_implementing(project, _("填报进度"), allow_completed=True)
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
    clean(report, exclude=["milestone", "reported_by"])
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
    _check_implementing(project, _("记录监督情况"), allow_completed=True)
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
    clean(supervision, exclude=["project", "recorded_by"])
    supervision.save()
    notify(
        "livelihood.supervised",
        supervision,
        _unit_users(project.responsible_unit_id),
        _("民生实事项目“%(project)s”有新的%(kind)s意见") % {"project": project, "kind": supervision.get_kind_display()},
    )
    return supervision


def _unit_users(unit_id: int) -> list[User]:
    return list(User.objects.filter(handling_unit_id=unit_id, role=User.Role.UNIT, is_active=True))
