"""Real Chromium against the live server: a person logs in and reads the pages, with the CSP on."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("RENDA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are
    # plain synchronous ones and safe here.
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.csp_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.csp_errors.append(msg.text))
    yield page
    context.close()


def test_committee_staff_log_in_through_the_form_and_reach_the_admin_in_chinese(live_server, page, committee_staff):
    committee_staff.set_password("correct horse battery staple")
    committee_staff.save()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("committee")
    page.get_by_label("密码").fill("correct horse battery staple")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/admin/")
    assert "人大代表" in page.content()
    assert page.csp_errors == []


def test_the_public_roster_renders_with_its_stylesheet(live_server, page, rep_a):
    page.goto(live_server.url + "/representatives/")
    assert page.get_by_role("cell", name=rep_a.name).is_visible()
    background = page.eval_on_selector(".site-header", "el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(183, 28, 28)"  # served locally, not from a CDN
    assert page.csp_errors == []
