"""Drafting, co-signing, submission and review (accept, return, merge, withdraw), and staff corrections."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import CongressSession, User
from apps.core.permissions import require_staff_writer
from apps.proposals.models import (
    CoSigner,
    Proposal,
    ProposalEvent,
    Status,
)
from apps.proposals.selectors import signers
from apps.proposals.services._common import (
    ProposalError,
    apply_changes,
    field_label,
    lock,
    log_event,
    move,
    notify,
    require_status,
    users_of,
)
from apps.representatives.models import Representative


@transaction.atomic
def proposal_create(
    *,
    lead: Representative,
    session: CongressSession,
    title: str,
    content: str,
    category: str,
    by: User,
    cosigners: Iterable[Representative] = (),
    **fields,
) -> Proposal:
    cosigners = list(cosigners)
    proposal = Proposal(
        lead=lead,
        session=session,
        title=title,
        content=content,
        category=category,
        township=lead.township,
        created_by=by,
        **fields,
    )
    proposal.full_clean(exclude=["township"])
    if lead.status != "serving":
        raise ProposalError(_("只有在任代表才能提出建议。"))
    outsiders = [str(r) for r in [lead, *cosigners] if r.term_id != session.term_id or r.status != "serving"]
    if outsiders:
        raise ProposalError(
            _("领衔代表和附议代表须是本届在任代表：%(names)s不符合。") % {"names": "、".join(outsiders)}
        )
    proposal.save()
    others = {c.pk: c for c in cosigners if c.pk != lead.pk}
    CoSigner.objects.bulk_create(CoSigner(proposal=proposal, representative=r) for r in others.values())
    ProposalEvent.objects.create(proposal=proposal, action="create", to_status=Status.DRAFT, by=by)
    return proposal


EDITABLE = (
    "session",
    "period",
    "title",
    "content",
    "category",
    "publication",
    "formation",
    "wants_contact",
    "reference_only",
)


@transaction.atomic
def proposal_update(
    *, proposal: Proposal, by: User, cosigners: Iterable[Representative] | None = None, **fields
) -> Proposal:
    """Edit a draft, or a returned proposal before it is submitted again. Co-signers who are
    kept keep their answer; new ones are asked after submission."""
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.RETURNED, action=_("修改"))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ProposalError(_("不能修改“%(field)s”。") % {"field": name})
        setattr(proposal, name, value)
    proposal.full_clean(exclude=["township"])
    proposal.save()
    if cosigners is not None:
        cosigners = list(cosigners)
        outsiders = [str(r) for r in cosigners if r.term_id != proposal.session.term_id or r.status != "serving"]
        if outsiders:
            raise ProposalError(_("附议代表须是本届在任代表：%(names)s不符合。") % {"names": "、".join(outsiders)})
        wanted = {c.pk for c in cosigners if c.pk != proposal.lead_id}
        proposal.cosigners.exclude(representative__in=wanted).delete()
        kept = set(proposal.cosigners.values_list("representative", flat=True))
        CoSigner.objects.bulk_create(CoSigner(proposal=proposal, representative_id=pk) for pk in wanted - kept)
    log_event(proposal, "edit", by)
    return proposal


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User) -> Proposal:
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.RETURNED, action=_("提交"))
    # Numbers run per session; the session row lock serialises concurrent submissions.
    CongressSession.objects.select_for_update().get(pk=proposal.session_id)
    number = proposal.number or (
        (Proposal.objects.filter(session=proposal.session_id).aggregate(n=Max("number"))["n"] or 0) + 1
    )
    move(proposal, Status.SUBMITTED, action="submit", by=by, number=number, submitted_at=timezone.now())
    pending = proposal.cosigners.filter(confirmed_at__isnull=True, declined_at__isnull=True)
    notify(
        "proposal.cosign_request",
        proposal,
        users_of(c.representative for c in pending.select_related("representative__user")),
        _("请确认是否附议建议：%(title)s") % {"title": proposal.title},
    )
    return proposal


@transaction.atomic
def cosign_respond(*, proposal: Proposal, representative: Representative, agree: bool, by: User) -> CoSigner:
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.SUBMITTED, action=_("确认附议"))
    try:
        cosigner = proposal.cosigners.get(representative=representative)
    except CoSigner.DoesNotExist:
        raise ProposalError(_("您不是这件建议的附议代表。")) from None
    if cosigner.confirmed_at or cosigner.declined_at:
        raise ProposalError(_("您已经答复过附议请求。"))
    now = timezone.now()
    cosigner.confirmed_at, cosigner.declined_at = (now, None) if agree else (None, now)
    cosigner.answered_via = CoSigner.Source.PORTAL
    cosigner.save()
    action = "cosign_confirm" if agree else "cosign_decline"
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        from_status=proposal.status,
        to_status=proposal.status,
        by=by,
        note=str(representative),
    )
    return cosigner


def _cosigner_of(proposal: Proposal, representative: Representative) -> CoSigner:
    try:
        return proposal.cosigners.get(representative=representative)
    except CoSigner.DoesNotExist:
        raise ProposalError(_("%(name)s不是这件建议的附议代表。") % {"name": representative}) from None


@transaction.atomic
def cosigner_record(
    *, proposal: Proposal, representative: Representative, source: str, by: User, note: str = ""
) -> CoSigner:
    """Staff record a co-signer's confirmation given on paper, by phone or in person: many
    representatives never log in, and a joint proposal cannot be accepted before they answer."""
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.SUBMITTED, action=_("登记附议确认"))
    if source not in CoSigner.STAFF_SOURCES:
        raise ProposalError(_("请选择代表确认附议的方式：纸质签名、电话或当面。"))
    cosigner = _cosigner_of(proposal, representative)
    if cosigner.confirmed_at or cosigner.declined_at:
        raise ProposalError(_("%(name)s已经答复过附议请求。") % {"name": representative})
    cosigner.confirmed_at, cosigner.declined_at = timezone.now(), None
    cosigner.answered_via, cosigner.recorded_by = source, by
    cosigner.save()
    text = f"{representative}（{CoSigner.Source(source).label}）"
    log_event(proposal, "cosign_recorded", by, f"{text} {note.strip()}".strip())
    return cosigner


@transaction.atomic
def cosigner_remove(
    *, proposal: Proposal, representative: Representative, reason: str, by: User, source: str = ""
) -> Proposal:
    """Take off a co-signer who declines (or cannot be reached): the proposal goes on without
    them, and the timeline keeps who removed whom and why."""
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.SUBMITTED, action=_("移除附议代表"))
    if not reason.strip():
        raise ProposalError(_("请说明移除附议代表的原因。"))
    if source and source not in CoSigner.Source.values:
        raise ProposalError(_("请选择代表答复的方式。"))
    _cosigner_of(proposal, representative).delete()
    via = f"（{CoSigner.Source(source).label}）" if source else ""
    log_event(proposal, "cosign_removed", by, f"{representative}{via}：{reason.strip()}")
    return proposal


@transaction.atomic
def proposal_accept(*, proposal: Proposal, by: User) -> Proposal:
    proposal = lock(proposal)
    require_status(proposal, Status.SUBMITTED, action=_("受理"))
    if proposal.cosigners.filter(confirmed_at__isnull=True, declined_at__isnull=True).exists():
        raise ProposalError(_("还有附议代表没有确认，暂不能受理。"))
    return move(proposal, Status.ACCEPTED, action="accept", by=by)


@transaction.atomic
def proposal_return(*, proposal: Proposal, exclusion: str, reason: str, by: User) -> Proposal:
    proposal = lock(proposal)
    require_status(proposal, Status.SUBMITTED, Status.ACCEPTED, action=_("退回"))
    if exclusion not in Proposal.Exclusion.values:
        raise ProposalError(_("请选择退回情形。"))
    if not reason.strip():
        raise ProposalError(_("退回必须说明理由。"))
    move(proposal, Status.RETURNED, action="return", by=by, note=reason, exclusion=exclusion, return_reason=reason)
    notify(
        "proposal.returned",
        proposal,
        users_of(signers(proposal)),
        _("您的建议已退回：%(title)s") % {"title": proposal.title},
    )
    return proposal


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, by: User) -> Proposal:
    proposal = lock(proposal)
    require_status(proposal, Status.SUBMITTED, Status.ACCEPTED, action=_("并案"))
    if into.pk == proposal.pk or into.session_id != proposal.session_id:
        raise ProposalError(_("只能并入同一次会议的另一件建议。"))
    if into.status in (Status.MERGED, Status.WITHDRAWN, Status.RETURNED, Status.DRAFT):
        raise ProposalError(_("不能并入状态为“%(status)s”的建议。") % {"status": into.get_status_display()})
    return move(proposal, Status.MERGED, action="merge", by=by, note=str(into), merged_into=into)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, representative: Representative, by: User) -> Proposal:
    """A signer agrees to withdraw; the proposal is withdrawn once the lead and every confirmed
    co-signer have agreed."""
    proposal = lock(proposal)
    require_status(proposal, Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED, action=_("撤回"))
    now = timezone.now()
    if representative.pk != proposal.lead_id:
        updated = proposal.cosigners.filter(representative=representative, confirmed_at__isnull=False).update(
            agreed_to_withdraw_at=now
        )
        if not updated:
            raise ProposalError(_("只有领衔代表和附议代表才能撤回建议。"))
        ProposalEvent.objects.create(
            proposal=proposal,
            action="withdraw_agree",
            from_status=proposal.status,
            to_status=proposal.status,
            by=by,
            note=str(representative),
        )
        return proposal
    waiting = proposal.cosigners.filter(confirmed_at__isnull=False, agreed_to_withdraw_at__isnull=True)
    if waiting.exists():
        names = "、".join(str(c.representative) for c in waiting.select_related("representative"))
        raise ProposalError(_("联名建议撤回须全体附议代表同意，尚未同意：%(names)s。") % {"names": names})
    return move(proposal, Status.WITHDRAWN, action="withdraw", by=by)


@transaction.atomic
def proposal_correct(*, proposal: Proposal, changes: dict, by: User) -> Proposal:
    """Staff correct a proposal in the back office (its classification, or its wording while under
    review: `Proposal.fields_staff_may_correct`); the timeline says who changed which fields."""
    proposal = lock(proposal)
    require_staff_writer(by, proposal, "proposals.change_proposal")
    changed = apply_changes(proposal, changes, proposal.fields_staff_may_correct())
    if not changed:
        return proposal
    proposal.full_clean(exclude=["township"])
    proposal.save(update_fields=changed)
    labels = "、".join(field_label(Proposal, name) for name in changed)
    log_event(proposal, "edit", by, labels)
    return proposal
