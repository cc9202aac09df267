"""Each role, from the login form: lands on its workbench or home, opens the top item and acts on it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.models import Confirmable
from apps.liaison.models import Concern
from apps.proposals.models import Status
from tests.core.test_workbench import add_activity, add_concern, add_proposal
from tests.factories import SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_top_item(page, landing_path: str):
    assert page.url.endswith(landing_path), page.url
    page.locator("table.agenda tbody tr").first.get_by_role("link").click()
    page.wait_for_load_state()


def act(page, button: str):
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


def test_committee_staff_accept_the_proposal_waiting_for_review(log_in, committee_staff, rep_a, county_term):
    proposal = add_proposal(SessionFactory(term=county_term, number=1), rep_a)

    page = log_in(committee_staff)
    open_top_item(page, "/workbench/")
    assert proposal.title in page.content()
    act(page, "受理")

    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED
    assert page.csp_errors == []


def test_township_staff_confirm_a_reported_duty(log_in, staff_a, rep_a):
    activity = add_activity(rep_a, description="走访选民，收集道路修缮意见")

    page = log_in(staff_a)
    open_top_item(page, "/workbench/")
    act(page, "确认")

    activity.refresh_from_db()
    assert activity.review_status == Confirmable.Review.CONFIRMED
    assert page.csp_errors == []


def test_liaison_staff_accept_the_concern_due_first(log_in, liaison_a, township_a):
    today = timezone.localdate()
    add_concern(township_a, accept_due_on=today + timedelta(days=2))
    first = add_concern(township_a, accept_due_on=today - timedelta(days=1))

    page = log_in(liaison_a)
    assert page.locator("table.agenda tbody tr").first.locator(".badge.overdue").count() == 1
    open_top_item(page, "/workbench/")
    assert first.display_code in page.content()
    act(page, "受理")

    first.refresh_from_db()
    assert first.status == Concern.Status.ACCEPTED
    assert page.csp_errors == []


def answer(page):
    page.get_by_label("办理情况").fill("已联系镇交通站抢修，3 天内完成。")
    page.get_by_label("给群众的公开答复").fill("塌方路段已修复，现已恢复通行。")
    act(page, "提交答复")


def test_a_unit_answers_the_concern_routed_to_it(log_in, unit_staff, unit, township_a):
    concern = add_concern(
        township_a, status=Concern.Status.ROUTED, route=Concern.Route.UNIT, unit=unit,
        resolve_due_on=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip

    page = log_in(unit_staff)
    open_top_item(page, "/unit/")
    answer(page)

    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESOLVED
    assert page.csp_errors == []


def test_a_representative_answers_the_concern_routed_to_them(log_in, representative_user, rep_a, township_a):
    concern = add_concern(
        township_a, status=Concern.Status.ROUTED, route=Concern.Route.REPRESENTATIVE, representative=rep_a,
        resolve_due_on=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip

    page = log_in(representative_user)
    assert page.url.endswith("/representatives/mine/")
    page.locator("#todo-concerns li").first.get_by_role("link").click()
    page.wait_for_load_state()
    answer(page)

    concern.refresh_from_db()
    assert concern.status == Concern.Status.RESOLVED
    assert page.csp_errors == []
