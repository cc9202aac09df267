"""Chromium through Playwright against the live server; every page's console errors are collected."""

import os
import shutil

import pytest

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


@pytest.fixture
def log_in(browser, live_server):
    """A fresh browser context logged in through the login form as `user`."""

    def _log_in(user, password="correct horse battery staple"):
        user.set_password(password)
        user.save()
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.csp_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.csp_errors.append(msg.text))
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    return _log_in
