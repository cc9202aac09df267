"""A committee member opens the dashboard in real Chromium: every chart is drawn, and nothing is
refused by the content security policy or thrown in the console."""

import pytest

from tests.dashboard import conftest as data
from tests.factories import SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects the policy's refusals from the first byte of every page, before any script runs.
LISTEN_FOR_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

EVERY_CHART_DRAWN = """() => {
  const charts = [...document.querySelectorAll("[data-chart]")];
  return charts.length > 0 && charts.every((c) => c.querySelector("canvas"));
}"""


def test_the_dashboard_draws_every_chart_without_errors(
    live_server, log_in, county, township_a, township_b, county_term, rep_a, rep_b, unit, committee_staff
):
    session = SessionFactory(term=county_term, number=1)
    data.concerns(township_a, township_b)
    data.proposals(session=session, rep_a=rep_a, rep_b=rep_b, unit=unit, by=committee_staff)
    data.posts(township_a, township_b, rep_a)
    data.livelihood(session, township_a, township_b)
    page = log_in(committee_staff)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(LISTEN_FOR_CSP)

    page.goto(live_server.url + "/dashboard/?period=y2022")
    page.wait_for_function(EVERY_CHART_DRAWN, timeout=15000)

    charts = page.locator("[data-chart]")
    assert charts.count() >= 5
    for i in range(charts.count()):
        assert charts.nth(i).locator("canvas").count() == 1
    assert page.locator('[data-figure="concerns.received"] [data-value]').inner_text() == "5"
    page.locator('[data-chart="concerns.by_township"] canvas').hover()  # a tooltip, drawn on the canvas
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []
    assert page.csp_errors == []
