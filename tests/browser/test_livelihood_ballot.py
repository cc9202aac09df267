"""Two representatives vote in the portal, staff close the ballot in the admin, and the public page
shows the result: clicked through in real Chromium."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core import services as core_services
from apps.core.models import User
from apps.livelihood import services
from apps.livelihood.models import Ballot, BallotVoter
from tests.factories import RepresentativeFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _voter(township, term, n):
    rep = RepresentativeFactory(township=township, term=term)
    rep.user = core_services.user_create(username=f"voter{n}", password=None, role=User.Role.REPRESENTATIVE)
    rep.save()
    return rep


def _candidate(session, unit, by, title):
    return services.project_shortlist(
        session=session,
        ideas=[],
        title=title,
        description="建设内容。",
        responsible_unit=unit,
        investment=Decimal("300"),
        completion_due=date(2022, 12, 31),
        by=by,
    )


def test_two_representatives_vote_staff_close_and_the_public_sees_the_result(
    live_server, log_in, browser, township_a, township_b, county_term, unit, committee_staff
):
    url = live_server.url
    session = SessionFactory(term=county_term)
    titles = ["县城区供水管网改造工程", "乡镇中心小学食堂改造", "城区公共厕所提质改造"]
    projects = [_candidate(session, unit, committee_staff, t) for t in titles]
    first, second, _absent = (_voter(t, county_term, n) for n, t in enumerate([township_a, township_b, township_a]))
    ballot = services.ballot_create(
        session=session,
        kind=Ballot.Kind.SELECTION,
        title="2022年民生实事项目票决",
        projects=projects,
        closes_at=timezone.now() + timedelta(hours=2),
        slots=2,
        by=committee_staff,
    )
    services.ballot_open(ballot=ballot, by=committee_staff)

    # Each representative finds the ballot in the portal, ticks two candidates and votes.
    pages = []
    for rep in (first, second):
        page = log_in(rep.user)
        page.goto(url + "/livelihood/ballots/")
        page.get_by_role("link", name="投票").click()
        page.wait_for_load_state()
        page.get_by_label(projects[0].title).check()
        page.get_by_label(projects[1].title).check()
        page.get_by_role("button", name="提交选票").click()
        page.wait_for_load_state()
        assert "选票已经记录" in page.content()
        assert projects[0].title not in page.inner_text("main")  # the choice is never shown back
        page.goto(url + "/livelihood/ballots/")
        assert "已投票" in page.content()
        pages.append(page)
    assert BallotVoter.objects.filter(ballot=ballot).count() == 2

    # Staff see the turnout, close the ballot from its admin page and land on the result sheet.
    staff = log_in(committee_staff)
    staff.goto(url + f"/admin/livelihood/ballot/{ballot.pk}/change/")
    assert "2 + 0 / 3" in staff.content()
    staff.get_by_role("button", name="结束投票并计票").click()
    staff.wait_for_load_state()
    assert "/results/" in staff.url
    results = staff.inner_text("#results")
    assert projects[0].title in results and "通过" in results and "未通过" in results

    # Anyone reads the result on the public page.
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(url + "/livelihood/?year=2022")
    assert "候选项目 3 个，票决确定正式项目 2 个" in public.inner_text("#summary")
    winner = public.inner_text(f"#project-{projects[0].pk}")
    loser = public.inner_text(f"#project-{projects[2].pk}")
    assert public.inner_text(f"#project-{projects[0].pk} .votes").split() == ["2", "第", "1", "名"]
    assert public.inner_text(f"#project-{projects[2].pk} .votes").split() == ["0", "第", "3", "名"]
    assert "票决通过" in winner and "未通过" in loser
    for page in (*pages, staff):
        assert page.csp_errors == []
