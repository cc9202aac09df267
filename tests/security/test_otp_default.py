"""Two-factor for staff is on by default in the production profile (issue 17, finding 11), and
can still be turned off there by setting; development keeps it off unless asked for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG = "x9!k2#pL0@qR7$vW4^zT1&mN8*bC5(dF3)hJ6_sY0+eG2-uI9=oA"


def _otp_required(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "RENDA_OTP_REQUIRED_FOR_STAFF"}}
    result = subprocess.run(
        [sys.executable, "-c", "from renda import settings as s; print(s.RENDA_OTP_REQUIRED_FOR_STAFF)"],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": STRONG, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({"DJANGO_ENV": "production"}, "True"),
        ({"DJANGO_ENV": "production", "RENDA_OTP_REQUIRED_FOR_STAFF": "false"}, "False"),
        ({}, "False"),
        ({"RENDA_OTP_REQUIRED_FOR_STAFF": "true"}, "True"),
    ],
)
def test_staff_two_factor_defaults_to_on_in_production_only(env, required):
    assert _otp_required(**env) == required


# --- the first device, from the command line ----------------------------------------------------


def test_a_staff_member_gets_a_device_from_the_command_line(committee_staff):
    from base64 import b32encode
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    out = StringIO()
    call_command("add_totp_device", "committee", stdout=out)
    device = TOTPDevice.objects.get(user=committee_staff)
    assert device.confirmed
    assert b32encode(device.bin_key).decode() in out.getvalue()


def test_the_command_refuses_accounts_that_are_not_staff(representative_user):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("add_totp_device", representative_user.username)
    with pytest.raises(CommandError):
        call_command("add_totp_device", "nobody-at-all")
