"""The proposals' part of the duty record: proposals the representative led or co-signed.

A proposal counts in the year it was submitted once staff accepted it (a proposal waiting for
review is listed as such but earns nothing yet), never while a draft or when returned or
withdrawn; a co-signature counts once the co-signer confirmed it and the proposal counts.
"""

from collections import Counter

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.proposals.models import CoSigner, Proposal, Status
from apps.representatives.duty import DutyEntry, DutySource, count_each, newest_first

PROPOSAL_LED = "proposal_led"
PROPOSAL_COSIGNED = "proposal_cosigned"
NOT_LISTED = [Status.DRAFT, Status.RETURNED, Status.WITHDRAWN]
NOT_COUNTED = [*NOT_LISTED, Status.SUBMITTED]  # 待审查: staff may still return it


def _led(year: int, *, excluded=NOT_COUNTED):
    return Proposal.objects.filter(submitted_at__year=year).exclude(status__in=excluded)


def _cosigned(year: int, *, excluded=NOT_COUNTED):
    return CoSigner.objects.filter(
        confirmed_at__isnull=False, proposal__submitted_at__year=year, declined_at__isnull=True
    ).exclude(proposal__status__in=excluded)


def entries(representative, year: int) -> list[DutyEntry]:
    """Two queries: proposals led, and co-signatures with their proposals."""
    led = _led(year, excluded=NOT_LISTED).filter(lead=representative).order_by("-submitted_at", "-pk")
    cosigned = _cosigned(year, excluded=NOT_LISTED).filter(representative=representative).select_related("proposal")
    found = [_entry(PROPOSAL_LED, p) for p in led] + [_entry(PROPOSAL_COSIGNED, c.proposal) for c in cosigned]
    return newest_first(found)


def _entry(kind: str, proposal: Proposal) -> DutyEntry:
    return DutyEntry(
        kind=kind,
        on=timezone.localdate(proposal.submitted_at),
        title=str(proposal),
        counts=proposal.status not in NOT_COUNTED,
        status=proposal.get_status_display(),
        url=reverse("proposals:mine_detail", args=[proposal.pk]),
    )


def counts(representatives, year: int) -> dict[int, Counter]:
    """Two grouped queries for the whole queryset of representatives."""
    counted = {PROPOSAL_LED: (_led(year), "lead"), PROPOSAL_COSIGNED: (_cosigned(year), "representative")}
    return count_each(representatives, counted)


SOURCE = DutySource(
    key="proposals",
    label=gettext_lazy("代表建议"),
    kinds={PROPOSAL_LED: gettext_lazy("领衔提出建议"), PROPOSAL_COSIGNED: gettext_lazy("附议建议")},
    entries=entries,
    counts=counts,
    order=50,
)
