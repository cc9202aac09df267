"""Real servers for integration tests: Celery worker processes and a Redis server of the test's own."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_database_url() -> str:
    """The URL of the database this test runs in, for processes that must share it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def require_servers() -> None:
    """Skip a test that needs the real PostgreSQL and Redis when run outside bin/test; in CI,
    where bin/test always provides them, their absence is a failure."""
    import pytest
    from django.conf import settings

    if settings.REDIS_URL and connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        pytest.fail("run the suite through bin/test: it needs PostgreSQL and Redis")
    pytest.skip("needs PostgreSQL and Redis: run the suite through bin/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def celery_worker(tmp_path, *, beat: bool = False, env: dict | None = None):
    """A real `celery worker` process on the test database; yields the Popen."""
    stamp = time.monotonic_ns()
    schedule = tmp_path / f"beat-{stamp}"
    log = (tmp_path / f"worker-{stamp}.log").open("w")
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "renda",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-mingle",
        "--without-gossip",
    ]
    if beat:
        args += ["--beat", "--schedule", str(schedule)]
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": test_database_url(), **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.log_path = Path(log.name)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def run_django(code: str, *, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `code` in a separate Django process on the test database, as a web server would."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": test_database_url(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def kill_hard(proc) -> str:
    """SIGKILL the worker and everything it started, as a crash would; returns its log."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    return worker_log(proc)


def worker_log(proc) -> str:
    return proc.log_path.read_text(encoding="utf-8", errors="replace")


class RedisServer:
    """A throwaway redis-server that a test can stop and start again on the same port."""

    def __init__(self, tmp_path):
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.dir = tmp_path
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self._answers, 10), "redis-server did not start"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False
