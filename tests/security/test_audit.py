"""bin/audit against a vulnerability feed served on loopback (the OSV query API): a clean feed
passes, a finding fails, and an unreachable feed is never taken for a pass."""

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DJANGO_ADVISORY = {
    "id": "GHSA-test-0000-0000",
    "aliases": ["CVE-2099-0001"],
    "summary": "SQL injection in a test advisory",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
        }
    ],
}


class Feed(BaseHTTPRequestHandler):
    vulnerable: set[str] = set()

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        body = json.dumps({"vulns": [DJANGO_ADVISORY]} if name in self.vulnerable else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    Feed.vulnerable = set()


def _audit(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RENDA_AUDIT")}
    return subprocess.run(
        [str(ROOT / "bin" / "audit")],
        env={**environment, "RENDA_AUDIT_TIMEOUT": "5", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/v1/query"


def test_a_clean_feed_passes(feed):
    result = _audit(RENDA_AUDIT_OSV_URL=_url(feed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "audit: OK"
    assert "no known vulnerabilities" in result.stdout


def test_a_finding_fails_and_is_named_even_when_the_audit_is_optional(feed):
    Feed.vulnerable = {"django"}
    result = _audit(RENDA_AUDIT_OSV_URL=_url(feed), RENDA_AUDIT_OPTIONAL="1")
    assert result.returncode == 1
    assert "GHSA-test-0000-0000" in result.stdout and "django" in result.stdout
    assert "audit: FINDINGS" in result.stdout


def test_an_unreachable_feed_is_not_a_pass(feed):
    url = _url(feed)
    feed.shutdown()
    feed.server_close()  # nothing listens on the port any more
    refused = _audit(RENDA_AUDIT_OSV_URL=url)
    assert refused.returncode == 2
    assert "audit: NOT AUDITED" in refused.stdout
    skipped = _audit(RENDA_AUDIT_OSV_URL=url, RENDA_AUDIT_OPTIONAL="1")
    assert skipped.returncode == 0
    assert skipped.stdout.strip().splitlines()[-1].startswith("audit: SKIPPED")
