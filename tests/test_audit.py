"""`scripts/audit` (make audit) really audits, or says loudly that it could not.

Which of the two tests runs depends on whether PyPI's per-release JSON API (pip-audit's
vulnerability service) answers from this machine: one always runs, the other is skipped with
the reason (docs/security.md).
"""

import os
import subprocess
import urllib.error
import urllib.request
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "scripts" / "audit"
PROBE_URL = "https://pypi.org/pypi/django/4.2.0/json"


@cache
def database_reachable():
    try:
        with urllib.request.urlopen(PROBE_URL, timeout=15) as response:
            return response.status == 200
    except (urllib.error.URLError, TimeoutError, OSError):
        return False


def audit(tmp_path, pins, **env):
    lock = tmp_path / "requirements.lock"
    lock.write_text("\n".join(pins) + "\n")
    return subprocess.run(
        [str(AUDIT), str(lock)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )


def test_audit_fails_on_a_known_vulnerability(tmp_path):
    if not database_reachable():
        pytest.skip(f"no vulnerability database reachable ({PROBE_URL} does not answer)")
    result = audit(tmp_path, ["django==4.2.0"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "django" in result.stdout.lower()
    assert "PYSEC-" in result.stdout or "GHSA-" in result.stdout


def test_audit_says_loudly_that_no_database_answered(tmp_path):
    if database_reachable():
        pytest.skip("a vulnerability database is reachable: the audit really runs")
    result = audit(tmp_path, ["django==4.2.0"])
    assert result.returncode == 0
    assert "DEPENDENCY AUDIT NOT RUN" in result.stderr
    required = audit(tmp_path, ["django==4.2.0"], AUDIT_REQUIRED="1")
    assert required.returncode == 2
    assert "have NOT been audited" in required.stderr
