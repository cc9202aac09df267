"""Real Chromium against the live server: a person logs in and reads the pages, with the CSP on."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_committee_staff_log_in_through_the_form_and_reach_the_admin_in_chinese(live_server, page, committee_staff):
    committee_staff.set_password("correct horse battery staple")
    committee_staff.save()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("committee")
    page.get_by_label("密码").fill("correct horse battery staple")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workbench/")  # their to-do list first, then the admin it links to
    page.get_by_role("link", name="后台管理").click()
    page.wait_for_url("**/admin/")
    assert "人大代表" in page.content()
    assert page.csp_errors == []


def test_the_public_roster_renders_with_its_stylesheet(live_server, page, rep_a):
    page.goto(live_server.url + "/representatives/")
    assert page.get_by_role("cell", name=rep_a.name).is_visible()
    background = page.eval_on_selector(".site-header", "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(183, 28, 28)"  # served locally, not from a CDN
    assert page.csp_errors == []
