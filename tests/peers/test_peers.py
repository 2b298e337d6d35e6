"""The peer guards as part of the suite: every (peer, label) that tests/peers holds.

Each guard runs in its own environment (``scripts/peers`` builds ``.venv-peers/<peer>-<label>``
from the requirements file, once) and prints a JSON summary as its last stdout line. A peer
must pass every check, fail exactly its listed expected failures (each with a reason), and
exit 0.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "peers"


def _pairs() -> list[str]:
    pairs = []
    for requirements in sorted(ROOT.glob("tests/peers/*/requirements-*.txt")):
        peer = requirements.parent.name
        if (requirements.parent / "guard.py").is_file():
            pairs.append(f"{peer}:{requirements.stem.removeprefix('requirements-')}")
    return pairs


def _summary(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.splitlines() if line.strip()]
    assert lines, "the guard printed nothing"
    summary: dict[str, Any] = json.loads(lines[-1])
    return summary


def test_guards_are_found() -> None:
    """The listing the script uses and the one parametrising this file agree."""
    listed = subprocess.run(
        ["bash", str(SCRIPT), "--list"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed == _pairs()
    assert "python_openevse_http:1.5.0" in listed
    assert "python_openevse_http:1.9.1" in listed


@pytest.mark.timeout(600)
@pytest.mark.parametrize("pair", _pairs())
def test_peer_guard(pair: str) -> None:
    """One peer at one version against our simulator: no unexpected failure."""
    peer, label = pair.split(":", 1)
    result = subprocess.run(
        ["bash", str(SCRIPT), pair],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=590,
        env=os.environ | {"PYTHONDONTWRITEBYTECODE": "1"},
        check=False,
    )
    summary = _summary(result.stdout)
    detail = f"{pair}: {json.dumps(summary, indent=1)}\n--- stderr ---\n{result.stderr[-4000:]}"
    assert set(summary) == {"peer", "version", "passed", "expected_failures", "failed"}, detail
    assert summary["version"] == label, detail
    assert summary["failed"] == [], detail
    assert summary["passed"], detail
    for expected in summary["expected_failures"]:
        assert expected["reason"].strip(), f"{expected['check']} has no reason: {detail}"
    assert result.returncode == 0, detail
    print(
        f"{peer} {label}: {len(summary['passed'])} passed, "
        f"{len(summary['expected_failures'])} expected failures"
    )
