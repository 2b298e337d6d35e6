"""Runs a benchmark's pytest module inside Home Assistant's test harness and keeps its results.

The measurements that need a real Home Assistant are pytest tests (the harness,
pytest-homeassistant-custom-component, only exists as pytest fixtures). They receive two
fixtures from the plugin here: ``bench_record(key, value)`` hands a result back to the script
that prints the table, ``bench_options`` holds that script's command-line options.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

type Record = Callable[[str, Any], None]


class Recorder:
    """The pytest plugin providing ``bench_record`` and ``bench_options``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.results: dict[str, Any] = {}

    @pytest.fixture
    def bench_record(self) -> Record:
        return self.results.__setitem__

    @pytest.fixture
    def bench_options(self) -> dict[str, Any]:
        return self.options


@dataclass(frozen=True)
class Measurements:
    results: dict[str, Any]  # what the tests recorded, by key
    passed: bool  # every test ran to its end
    status: int  # pytest's exit status
    seconds: float  # wall time of the whole pytest run


def measure(
    module: Path,
    *,
    timeout: int,
    options: dict[str, Any] | None = None,
    pytest_args: Sequence[str] = (),
) -> Measurements:
    """Run the tests of ``module`` (quietly, in file order, each within ``timeout`` seconds)."""
    if str(REPO_ROOT) not in sys.path:  # running the script directly rather than through bench/run
        sys.path.insert(0, str(REPO_ROOT))
    recorder = Recorder(options or {})
    started = time.monotonic()
    arguments = [str(module), "-q", "--no-header", "-p", "no:randomly", f"--timeout={timeout}"]
    status = pytest.main([*arguments, *pytest_args], plugins=[recorder])
    return Measurements(
        recorder.results,
        passed=status == pytest.ExitCode.OK,
        status=int(status),
        seconds=time.monotonic() - started,
    )


def finish(measurements: Measurements, targets_met: bool) -> int:
    """Print the run's time and outcome; the exit status: 0 when it ran through and met them all."""
    print(f"\nTotal bench time {measurements.seconds:.0f} s")
    if not measurements.passed:
        print(f"measurements failed (pytest exit status {measurements.status})")
        return 1
    return 0 if targets_met else 1
