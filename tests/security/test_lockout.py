"""Login lock-out (issue 17, finding 5): failures are counted per address across usernames and per
username across addresses, the address being the connection's unless a trusted proxy is declared."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from apps.core.network import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.66"


@pytest.fixture
def staff_with_password(staff_a):
    staff_a.set_password(PASSWORD)
    staff_a.save()
    return staff_a


def _login(client, username, password, ip, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


def _locked(response) -> bool:
    return response.status_code == 429 and "锁定" in response.text


def test_thirty_usernames_from_one_address_are_locked_after_the_limit(client, settings, staff_with_password):
    limit = settings.AXES_FAILURE_LIMIT
    responses = [_login(client, f"guess{i:02d}", "wrong", ATTACKER) for i in range(30)]
    assert not any(_locked(r) for r in responses[: limit - 1])
    assert all(_locked(r) for r in responses[limit:])
    # Even the right password of a real account is refused from that address now ...
    assert _locked(_login(client, "staff_a", PASSWORD, ATTACKER))
    # ... while its owner elsewhere logs in.
    assert _login(client, "staff_a", PASSWORD, "198.51.100.7").status_code == 302


def test_one_username_from_many_addresses_is_locked_after_the_limit(client, settings, staff_with_password):
    limit = settings.AXES_FAILURE_LIMIT
    responses = [_login(client, "staff_a", "wrong", f"198.51.100.{i + 1}") for i in range(limit)]
    assert not any(_locked(r) for r in responses[:-1])
    assert _locked(responses[-1])
    assert _locked(_login(client, "staff_a", PASSWORD, "192.0.2.200"))


def test_logging_in_to_ones_own_account_does_not_clear_the_addresss_failures(client, settings, staff_with_password):
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        _login(client, f"victim{i}", "wrong", ATTACKER)
    assert _login(client, "staff_a", PASSWORD, ATTACKER).status_code == 302  # the attacker's own account
    client.logout()
    assert _locked(_login(client, "victim-next", "wrong", ATTACKER))


def test_a_successful_login_forgives_its_own_typos(client, settings, staff_with_password):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        _login(client, "staff_a", "wrong", "198.51.100.7")
    assert _login(client, "staff_a", PASSWORD, "198.51.100.7").status_code == 302
    client.logout()
    assert not _locked(_login(client, "staff_a", "wrong", "198.51.100.7"))
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_a_forwarded_for_header_from_the_client_does_not_change_the_address(client, settings):
    assert settings.RENDA_TRUSTED_PROXIES == 0
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", "wrong", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.9.8.{i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert _locked(_login(client, "guess-next", "wrong", ATTACKER, HTTP_X_FORWARDED_FOR="10.9.8.250"))


def test_behind_a_declared_proxy_the_address_it_saw_is_counted(client, settings):
    settings.RENDA_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # Another visitor behind the same proxy is not locked out with the attacker.
    response = _login(client, "guess-other", "wrong", proxy, HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert not _locked(response)


# --- the one rule for the address ------------------------------------------------------------


def test_the_client_ip_ignores_forwarded_headers_unless_proxies_are_declared(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", HTTP_X_REAL_IP="7.7.7.7", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    settings.RENDA_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"
    settings.RENDA_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    settings.RENDA_TRUSTED_PROXIES, settings.RENDA_TRUSTED_PROXY_HEADER = 1, "X-Real-IP"
    assert client_ip(request) == "7.7.7.7"


def test_a_header_shorter_than_the_proxy_chain_or_not_an_address_is_not_trusted(rf, settings):
    settings.RENDA_TRUSTED_PROXIES = 2
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.RENDA_TRUSTED_PROXIES = 1
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_lock_out_and_the_public_forms_use_the_same_rule(settings):
    from apps.liaison import views as liaison_views
    from apps.livelihood import views as livelihood_views

    assert settings.AXES_CLIENT_IP_CALLABLE == "apps.core.network.client_ip"
    assert liaison_views.client_ip is client_ip
    assert livelihood_views.client_ip is client_ip
