"""The 2022 demo on the dashboard yields exactly the seed article's figures."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.core.models import User
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
