"""The dead-code check's whitelist stays honest (issue 20, item 7): every name it lists still exists
in the code, and the apps whose dead code was deleted stay clean. bin/test runs vulture over the
whole tree; these catch a stale whitelist entry, which vulture itself never reports."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WHITELIST = ROOT / "bin" / "vulture_whitelist.py"


def _source_text() -> str:
    files = [p for d in ("apps", "renda") for p in (ROOT / d).rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_whitelisted_name_still_exists():
    names = re.findall(r"^_\.(\w+)\s", WHITELIST.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(names) > 100
    source = _source_text()
    gone = sorted({name for name in names if not re.search(rf"\b{name}\b", source)})
    assert gone == [], f"delete these from {WHITELIST.name}: the code they excused is gone"


@pytest.mark.parametrize(
    "prefix", ["apps/notifications/", "apps/dashboard/", "apps/core/selectors.py", "apps/core/jobs.py"]
)
def test_no_dead_code_in(prefix):
    # The whole tree, as bin/test checks it ([tool.vulture] in pyproject.toml): a name used
    # only by another app counts as used.
    run = subprocess.run([sys.executable, "-m", "vulture"], cwd=ROOT, capture_output=True, text=True)
    assert run.stderr == ""
    assert [line for line in run.stdout.splitlines() if line.startswith(prefix)] == []
