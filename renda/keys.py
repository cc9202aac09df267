"""The SECRET_KEY, which signs sessions, CSRF tokens and the citizens' photo links.

In development and the demo a key is made at random on first run and kept in `var/secret_key`
(mode 0600, outside git), so no two installations share one and nobody can forge their signed
links from the source code. The production profile takes it from the environment only, and
refuses to start with a missing, published or weak one. Plain strings, not gettext: this runs
while settings load, before translations exist.
"""

import os
import secrets
from pathlib import Path

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

# Keys that have been published (renda's old development default): anyone may sign with them.
PUBLISHED_KEYS = frozenset({"dev-only-insecure-key-do-not-use-in-production"})

GENERATE_HINT = "python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())'"


def development_key(path: Path) -> str:
    """The key kept in `path`, made on first use. Processes starting together (pytest workers,
    the demo's web server, worker and beat) all end up with the one key that was linked first."""
    if not path.exists():
        _create(path)
    key = path.read_text(encoding="ascii").strip()
    if weakness(key):
        raise ImproperlyConfigured(
            f"{path} 中的密钥无效，请删除该文件后重新启动。\nThe key in {path} is invalid: delete the file and restart."
        )
    return key


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as draft_file:
            draft_file.write(get_random_secret_key() + secrets.token_urlsafe(16) + "\n")
            draft_file.flush()
            os.fsync(draft_file.fileno())
        # A hard link appears whole or not at all, and never replaces a key another process made.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def weakness(key: str) -> tuple[str, str] | None:
    """What is wrong with `key` (in Chinese and in English), by Django's own deploy check; None if nothing."""
    if not key:
        return "未设置", "is not set"
    if key in PUBLISHED_KEYS or key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return "使用了公开的默认密钥", "is a published default key"
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"太弱（至少 {SECRET_KEY_MIN_LENGTH} 个字符、{SECRET_KEY_MIN_UNIQUE_CHARACTERS} 个不同字符）",
            f"is too weak (at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones)",
        )
    return None


def production_key(key: str) -> str:
    """`key` if it is fit for production; ImproperlyConfigured with what to do otherwise."""
    problem = weakness(key)
    if problem is None:
        return key
    chinese, english = problem
    raise ImproperlyConfigured(
        f"生产环境（DJANGO_ENV=production）拒绝启动：环境变量 SECRET_KEY {chinese}。"
        f"请设置一个随机生成的密钥，例如用 {GENERATE_HINT} 生成。\n"
        f"The production profile (DJANGO_ENV=production) refuses to start: SECRET_KEY {english}. "
        f"Set a randomly generated key in the environment, e.g. from {GENERATE_HINT}."
    )
