"""The 2022 demo on the dashboard yields exactly the seed article's figures."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.core.models import User
from apps.core.scope import scope_for
from apps.dashboard.figures import build_dashboard, period_for_year
from tests.dashboard.test_views import figure, ratio

SEED = {
    "concerns.handled": "526",
    "proposals.count": "132",
    "proposals.visit_rate": "100.0%",
    "proposals.reply_rate": "100.0%",
    "proposals.satisfaction_rate": "100.0%",
    "posts.count": "1150",
    "groups.inspections": "12",
    "livelihood.collected": "33",
    "livelihood.voted": "21",
    "groups.count": "6",
    "groups.activities": "36",
    "groups.problems_solved": "128",
    "training.halls": "1+12",
    "liaison.stations_added": "12",  # a village station added in each township
    "groups.enforcement_checks": "2",  # counted apart from the 12 batches
}


@pytest.mark.django_db
def test_the_2022_demo_shows_the_seed_figures(client):
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="committee"))
    response = client.get(reverse("dashboard:index"), {"period": "y2022"})
    html = response.content.decode()
    assert response.status_code == 200
    assert {key: figure(html, key) for key in SEED} == SEED
    for key in ("proposals.visit_rate", "proposals.reply_rate", "proposals.satisfaction_rate"):
        assert ratio(html, key) == "132 / 132"


@pytest.mark.django_db
def test_the_2022_demo_shows_each_township_offices_extra_funding():
    call_command("load_demo", stdout=io.StringIO())
    committee = User.objects.get(username="committee")
    board = build_dashboard(scope=scope_for(committee), period=period_for_year(2022), scope_label="")
    offices = next(t for s in board.sections for t in s.tables if t.key == "liaison.offices")
    special = offices.columns.index("县财政专项")
    assert [row[special] for row in offices.rows] == [Decimal("20000")] * 12  # one row per township
    assert offices.totals[special] == Decimal("240000")
    assert board.figure("proposals.all.count").value >= board.figure("proposals.count").value == 132
