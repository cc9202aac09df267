"""Optional TOTP for the back office: off changes nothing; on, staff need a verified device."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def otp_on(settings):
    settings.RENDA_OTP_REQUIRED_FOR_STAFF = True


@pytest.fixture
def device(committee_staff):
    return TOTPDevice.objects.create(user=committee_staff, name="手机", confirmed=True)


def with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def current_token(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def admin_login(client, user, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")},
    )


def test_with_otp_off_staff_reach_the_admin_with_the_password_alone(committee_staff):
    client = Client()
    response = admin_login(client, with_password(committee_staff))
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200


def test_with_otp_off_the_admin_login_asks_no_token(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "otp_token" not in response.content.decode()


def test_with_otp_on_a_password_session_does_not_open_admin_pages(otp_on, login, committee_staff, device):
    client = login(committee_staff)
    for url in (reverse("admin:index"), reverse("admin:core_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_with_otp_on_staff_without_a_device_are_told_how_to_enrol(otp_on, login, committee_staff):
    response = login(committee_staff).get(reverse("admin:login"))
    page = response.content.decode()
    assert "需要绑定动态口令设备" in page
    assert "TOTP devices" in page


def test_with_otp_on_the_login_form_refuses_staff_without_a_device(otp_on, committee_staff):
    client = Client()
    response = admin_login(client, with_password(committee_staff), token="123456")
    assert response.status_code == 200
    assert "还没有绑定动态口令" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_with_otp_on_the_current_token_opens_the_admin(otp_on, committee_staff, device):
    client = Client()
    response = admin_login(client, with_password(committee_staff), token=current_token(device))
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200


def test_with_otp_on_a_wrong_token_is_refused(otp_on, committee_staff, device):
    client = Client()
    wrong = f"{(int(current_token(device)) + 1) % 1_000_000:06d}"
    response = admin_login(client, with_password(committee_staff), token=wrong)
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_with_otp_on_a_missing_token_is_asked_for(otp_on, committee_staff, device):
    response = admin_login(Client(), with_password(committee_staff))
    assert response.status_code == 200
    assert "六位动态口令" in response.content.decode()


def test_with_otp_on_an_unconfirmed_device_does_not_count(otp_on, committee_staff, device):
    device.confirmed = False
    device.save()
    response = admin_login(Client(), with_password(committee_staff), token=current_token(device))
    assert "还没有绑定动态口令" in response.content.decode()


def test_with_otp_on_portal_users_are_not_asked(otp_on, login, representative_user, unit_staff):
    assert login(representative_user).get(reverse("representatives:mine")).status_code == 200
    assert login(unit_staff).get(reverse("proposals:unit_list")).status_code == 200
