"""The back office's proposal list puts what staff must review next on its first page."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from apps.proposals.models import Proposal, Status


def add(session, lead, by, *, status, submitted_at, title):
    return Proposal.objects.create(
        session=session, title=title, content="内容", category="education", lead=lead, township=lead.township,
        status=status, submitted_at=submitted_at, created_by=by,
    )  # fmt: skip


def test_committee_staff_see_the_newest_submissions_first_and_paper_drafts_last(login, committee_staff, session, rep_a):
    start = timezone.make_aware(datetime(2022, 3, 1, 9))
    keyed = add(session, rep_a, committee_staff, status=Status.DRAFT, submitted_at=None, title="纸质草稿")
    old = add(session, rep_a, committee_staff, status=Status.ASSIGNED, submitted_at=start, title="早先提交")
    later = start + timedelta(days=30)
    new = add(session, rep_a, committee_staff, status=Status.SUBMITTED, submitted_at=later, title="新提交")

    response = login(committee_staff).get(reverse("admin:proposals_proposal_changelist"))

    assert [p.pk for p in response.context["cl"].result_list] == [new.pk, old.pk, keyed.pk]
