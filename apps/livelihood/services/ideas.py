"""Ideas (征集, DOMAIN.md §2): collected from citizens, representatives and units, then declined
or merged by staff; shortlisting them into a candidate project is in `projects`."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import HandlingUnit, Region, User
from apps.core.permissions import STAFF_WRITER_ROLES
from apps.core.phones import MOBILE, normalize_phone
from apps.core.scope import ancestor_paths
from apps.livelihood.models import Idea
from apps.livelihood.services.common import LivelihoodError, clean, notify
from apps.representatives.models import Representative


def _county_path(region: Region) -> str:
    return ancestor_paths(region.path)[0]


def _staff_covering(region: Region) -> list[User]:
    """Active staff whose own regions hold `region` (its county's office, its township's staff)."""
    return list(
        User.objects.filter(
            role__in=STAFF_WRITER_ROLES, is_active=True, regions__path__in=ancestor_paths(region.path)
        ).distinct()
    )


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
    if region.level == Region.Level.VILLAGE and region.parent is not None:
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
    clean(idea, exclude=["submission_key"])
    try:
        with transaction.atomic():
            idea.save()
    except IntegrityError:
        if submission_key and (existing := Idea.objects.filter(submission_key=submission_key).first()):
            return existing, False  # a double click that raced the first one
        raise
    notify(
        "livelihood.idea_submitted",
        idea,
        _staff_covering(region),
        _("新的民生实事项目建议：%(title)s") % {"title": idea.title},
    )
    return idea, True


def _lock_idea(idea: Idea) -> Idea:
    return Idea.objects.select_for_update().select_related("region").get(pk=idea.pk)


def _check_new(idea: Idea, action: str) -> None:
    if idea.status != Idea.Status.NEW:
        raise LivelihoodError(
            _("项目建议“%(title)s”当前状态为“%(status)s”，不能%(action)s。")
            % {"title": idea.title, "status": idea.get_status_display(), "action": action}
        )


@transaction.atomic
def idea_decline(*, idea: Idea, note: str, by: User) -> Idea:
    idea = _lock_idea(idea)
    _check_new(idea, _("不予采纳"))
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
    _check_new(idea, _("合并"))
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
