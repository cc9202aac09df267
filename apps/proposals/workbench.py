"""The proposals app's rows on the staff workbench: proposals to review and assign, units' return
and extension requests to decide, notices to publish. None has a deadline in law: they are listed
after the dated rows, oldest first."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import CongressSession
from apps.core.workbench import WorkSource, register
from apps.proposals.models import Assignment, Extension, Notice, Proposal, ReturnRequest, Status

PENDING = ReturnRequest.Decision.PENDING


def _on(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "—"


def to_review(user):
    return Proposal.objects.visible_to(user).filter(status=Status.SUBMITTED).select_related("lead")


def to_assign(user):
    return Proposal.objects.visible_to(user).filter(status=Status.ACCEPTED).select_related("lead")


def _describe_proposal(proposal: Proposal) -> tuple[str, str]:
    detail = _("第 %(number)s 号 · 领衔代表 %(lead)s · 提交于 %(on)s") % {
        "number": proposal.number or "—",
        "lead": proposal.lead.name,
        "on": _on(proposal.submitted_at),
    }
    return proposal.title, detail


def _requests(model, user):
    assignments = Assignment.objects.visible_to(user)
    return model.objects.filter(decision=PENDING, assignment__in=assignments).select_related(
        "assignment__proposal", "assignment__unit"
    )


def returns_to_decide(user):
    return _requests(ReturnRequest, user)


def extensions_to_decide(user):
    return _requests(Extension, user)


def _describe_request(request) -> tuple[str, str]:
    detail = _("%(unit)s · 申请于 %(on)s") % {"unit": request.assignment.unit.name, "on": _on(request.requested_at)}
    if isinstance(request, Extension):
        detail += _(" · 延期 %(days)s 天") % {"days": request.days}
    return request.assignment.proposal.title, detail


def notices_to_publish(user):
    return Notice.objects.filter(published_at__isnull=True, session__in=CongressSession.objects.visible_to(user))


def _describe_notice(notice: Notice) -> tuple[str, str]:
    detail = _("%(kind)s · 起草于 %(on)s") % {"kind": notice.get_kind_display(), "on": _on(notice.created_at)}
    return notice.title, detail


SOURCES = [
    ("proposal_review", gettext_lazy("代表建议待审查"), "proposals.change_proposal", to_review, _describe_proposal),
    ("proposal_assign", gettext_lazy("代表建议待交办"), "proposals.change_proposal", to_assign, _describe_proposal),
    ("return_request", gettext_lazy("退回申请待决定"), "proposals.change_returnrequest", returns_to_decide,
     _describe_request),
    ("extension", gettext_lazy("延期申请待决定"), "proposals.change_extension", extensions_to_decide,
     _describe_request),
    ("notice", gettext_lazy("通报待发布"), "proposals.change_notice", notices_to_publish, _describe_notice),
]  # fmt: skip


def register_sources() -> None:
    for order, (key, label, permission, rows, describe) in enumerate(SOURCES, start=20):
        register(WorkSource(key=key, label=label, permission=permission, rows=rows, describe=describe, order=order))
