"""Servers a fault test may stop: a private PostgreSQL cluster and the app under gunicorn.

The shared PostgreSQL and Redis of the suite are never stopped; a test that takes a server away
starts its own here (Redis: tests.servers.RedisServer) on a free loopback port.
"""

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.servers import ROOT, free_port, wait_for


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if found:
        return Path(found[0]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PostgresCluster:
    """A throwaway cluster owned by `postgres` when the tests run as root (as bin/test does).

    Once durable(), it runs as production does: fsync and synchronous_commit on, so a row whose
    commit returned survives an immediate (crash) stop."""

    def __init__(self):
        self.bin = postgres_bin()
        self.port = free_port()
        # /tmp, not pytest's tmp_path: the postgres user must be able to reach it.
        self.dir = Path(tempfile.mkdtemp(prefix="renda-faults-pg-", dir="/tmp"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://renda@127.0.0.1:{self.port}/renda"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)
        return subprocess.run(command, cwd=self.dir, capture_output=True, text=True, timeout=120, check=False)

    def _ok(self, tool: str, *args: str) -> None:
        result = self._run(str(self.bin / tool), *args)
        assert result.returncode == 0, f"{tool} failed:\n{result.stdout}{result.stderr}{self._log_text()}"

    def _log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def create(self) -> None:
        """A new cluster with an empty `renda` database, started fast (no fsync) to be migrated:
        call durable() once the schema is in."""
        self._ok("initdb", "-D", str(self.data), "-A", "trust", "-U", "renda", "-E", "UTF8", "--locale=C")
        self.start(durable=False)
        self._ok("createdb", "-h", str(self.dir), "-p", str(self.port), "-U", "renda", "renda")

    def durable(self) -> None:
        """Restart as production runs: fsync and synchronous_commit on."""
        self._ok("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        self.start()

    def start(self, *, durable: bool = True) -> None:
        sync = "on" if durable else "off"
        options = (
            f"-k {self.dir} -p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c fsync={sync} -c synchronous_commit={sync} -c max_connections=40"
        )
        self._ok("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")

    def crash(self) -> None:
        """Stop at once, as a crash of the server would (an OOM kill, say): no checkpoint, and the
        WAL is replayed on start. Only what synchronous_commit wrote before the commit returned
        is sure to be there."""
        self._ok("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args: str, env: dict, timeout: int = 300) -> str:
    """Run a manage.py command in its own process; fail the test with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Gunicorn:
    """The app as production serves it (gunicorn, sync workers) on a free loopback port."""

    def __init__(self, tmp_path, *, env: dict, workers: int = 2):
        self.port = free_port()
        self.log_path = tmp_path / f"gunicorn-{self.port}.log"
        self.env = env
        self.workers = workers
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "renda.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            # gunicorn's own worker timeout (30 s), as README's command runs it: a request that
            # waits longer on a dead server is killed, and the test sees it.
            "--log-level",
            "warning",
        ]
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(
                args,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        assert wait_for(lambda: len(self.worker_pids()) == self.workers or self.proc.poll() is not None, 60)
        assert self.proc.poll() is None, self.log()

    def worker_pids(self) -> set[int]:
        """The worker processes: unchanged pids mean the app was not restarted."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        with contextlib.suppress(OSError):
            return {int(pid) for pid in children.read_text().split()}
        return set()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@contextlib.contextmanager
def gunicorn(tmp_path, *, env: dict, workers: int = 2):
    server = Gunicorn(tmp_path, env=env, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()
