"""Development secrets (issue 17, finding 4): no key from the source code signs anything, the
demo keeps DEBUG for the loopback only, and production refuses a missing, published or weak key."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import signing
from django.urls import reverse

from apps.liaison.views import PHOTO_LINK_SALT
from renda import demo_host, keys

ROOT = Path(__file__).resolve().parents[2]
OLD_DEFAULT = "dev-only-insecure-key-do-not-use-in-production"
STRONG = "x9!k2#pL0@qR7$vW4^zT1&mN8*bC5(dF3)hJ6_sY0+eG2-uI9=oA"


def _settings_in_a_fresh_process(code: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_ENV", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", f"from renda import settings as s; {code}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- development and the demo --------------------------------------------------------------------


def test_a_development_key_is_made_once_private_and_then_reused(tmp_path):
    path = tmp_path / "var" / "secret_key"
    key = keys.development_key(path)
    assert keys.weakness(key) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.development_key(path) == key
    assert keys.development_key(tmp_path / "other" / "secret_key") != key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_processes_starting_together_all_get_the_same_key(tmp_path):
    path = tmp_path / "secret_key"
    code = f"from pathlib import Path; from renda import keys; print(keys.development_key(Path({str(path)!r})))"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    printed = {p.communicate(timeout=120)[0].strip() for p in processes}
    assert printed == {path.read_text().strip()}


def test_an_unreadable_key_file_is_refused_not_used(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    with pytest.raises(keys.ImproperlyConfigured, match="secret_key"):
        keys.development_key(path)


def test_the_development_profile_signs_with_the_installations_own_key():
    result = _settings_in_a_fresh_process("print(s.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert key == (ROOT / "var" / "secret_key").read_text().strip()
    assert key != OLD_DEFAULT and keys.weakness(key) is None


def test_a_photo_link_signed_with_the_old_public_key_is_refused(client, settings, world):
    photo = world.concern_photo.pk
    genuine = signing.dumps(photo, salt=PHOTO_LINK_SALT)
    assert client.get(reverse("liaison:track_photo", args=[genuine])).status_code == 200  # the control
    forged = signing.dumps(photo, key=OLD_DEFAULT, salt=PHOTO_LINK_SALT)
    assert client.get(reverse("liaison:track_photo", args=[forged])).status_code == 404


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]"])
def test_the_demo_keeps_debug_on_a_loopback_address(host, capsys):
    assert demo_host.main(["demo_host", host]) == 0
    assert capsys.readouterr().err == ""


ELSEWHERE = ["0.0.0.0", "::", "192.168.1.10", "renda.example.gov.cn", ""]  # noqa: S104 (refused, not bound)


@pytest.mark.parametrize("host", ELSEWHERE)
def test_the_demo_turns_debug_off_elsewhere_and_says_so(host, capsys):
    assert demo_host.main(["demo_host", host]) == demo_host.NOT_LOOPBACK
    warning = capsys.readouterr().err
    assert "DEBUG" in warning and "ALLOWED_HOSTS" in warning and "警告" in warning


def test_bin_demo_asks_before_serving_and_turns_debug_off():
    script = (ROOT / "bin" / "demo").read_text()
    check = script.index('if ! python -m renda.demo_host "$HOST"; then')
    assert "export DEBUG=false" in script[check : check + 200]
    assert check < script.index("python manage.py runserver --insecure")


def test_debug_false_from_the_environment_is_obeyed():
    result = _settings_in_a_fresh_process("print(s.DEBUG)", DEBUG="false")
    assert result.stdout.strip() == "False", result.stderr


# --- production -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, "未设置"),
        ("", "未设置"),
        (OLD_DEFAULT, "公开的默认密钥"),
        ("django-insecure-" + STRONG, "公开的默认密钥"),
        (STRONG[:49], "太弱"),
        ("x" * 60, "太弱"),
        ("abcd" * 20, "太弱"),
    ],
)
def test_production_refuses_to_start_with_a_missing_published_or_weak_key(key, says):
    env = {"DJANGO_ENV": "production"} | ({} if key is None else {"SECRET_KEY": key})
    result = _settings_in_a_fresh_process("print('started')", **env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert says in result.stderr and "refuses to start" in result.stderr


def test_production_starts_with_a_strong_key_from_the_environment():
    code = f"print(s.SECRET_KEY == {STRONG!r})"
    result = _settings_in_a_fresh_process(code, DJANGO_ENV="production", SECRET_KEY=STRONG)
    assert result.stdout.strip() == "True", result.stderr
