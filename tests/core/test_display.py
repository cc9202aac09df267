"""The large-font, high-contrast switch (适老化): a plain link that sets a cookie."""

import pytest
from django.urls import reverse

URL = reverse("display_mode")


@pytest.mark.django_db
def test_the_switch_is_on_every_public_page_and_returns_to_it(client):
    page = client.get(reverse("liaison:track")).text
    assert f"{URL}?mode=care&amp;next=/liaison/track/" in page
    response = client.get(URL, {"mode": "care", "next": "/liaison/track/?code=X"})
    assert response.status_code == 302 and response["Location"] == "/liaison/track/?code=X"
    assert response.cookies["renda_display"].value == "care"
    assert response.cookies["renda_display"]["httponly"]


@pytest.mark.django_db
def test_the_mode_is_remembered_and_can_be_switched_back(client):
    client.get(URL, {"mode": "care", "next": "/"})
    page = client.get(reverse("home")).text
    assert '<html lang="zh-hans" class="care">' in page and "?mode=standard" in page
    client.get(URL, {"mode": "standard", "next": "/"})
    assert 'class="care"' not in client.get(reverse("home")).text


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_it_never_sends_anyone_to_another_site(client, target):
    response = client.get(URL, {"mode": "care", "next": target})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_an_unknown_mode_changes_nothing(client):
    response = client.get(URL, {"mode": "purple", "next": "/"})
    assert "renda_display" not in response.cookies


@pytest.mark.django_db
def test_it_answers_only_safe_methods(client):
    assert client.post(URL, {"mode": "care"}).status_code == 405
