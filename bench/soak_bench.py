"""Soak: a real Home Assistant under seeded random faults, with its invariants checked throughout.

Three simulated chargers and a Moogo account with six pumps play their scenarios while two lanes
inject faults every few seconds (every fault switch of both simulators, reboots of 1 s and of
``--outage`` s, the Restart gateway button, entry reloads). Home Assistant runs as a ``hass``
process the way ``scripts/develop`` starts it. The table lists each invariant with its figure, its
target and the verdict; under it, what failed.

Run it with ``bench/run soak`` (30 minutes), ``bench/run soak`` with ``SOAK_SHORT=1`` in the
environment or ``python bench/soak_bench.py --short`` (about 3 minutes), ``--help`` for options.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import print_rows, print_table, targets_met
from bench.soak.invariants import judge
from bench.soak.run import Observations, soak

FULL_SECONDS = 1800.0
SHORT_SECONDS = 150.0
SHORT_OUTAGE = 15.0


def parse_options(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=None, help="seconds of faults (1800)")
    parser.add_argument("--outage", type=float, default=None, help="seconds an outage lasts (60)")
    parser.add_argument("--seed", type=int, default=16, help="seed of the fault schedule")
    parser.add_argument(
        "--config-dir",
        type=Path,
        default=None,
        help="Home Assistant's configuration directory, kept afterwards (default: a temporary one)",
    )
    parser.add_argument(
        "--short",
        action="store_true",
        default=bool(os.environ.get("SOAK_SHORT")),
        help=f"{SHORT_SECONDS:.0f} s of faults, {SHORT_OUTAGE:.0f} s outages (also SOAK_SHORT=1)",
    )
    options = parser.parse_args(argv)
    if options.duration is None:
        options.duration = SHORT_SECONDS if options.short else FULL_SECONDS
    if options.outage is None:
        options.outage = SHORT_OUTAGE if options.short else 60.0
    return options


def print_faults(observations: Observations) -> None:
    runs: Counter[tuple[str, str, str]] = Counter()
    unrecovered: Counter[str] = Counter()
    for window in observations.windows:
        runs[(window.fault.name, window.fault.lane, window.fault.fault_class)] += 1
        if any(v is None for v in window.recovered.values()):
            unrecovered[window.fault.name] += 1
    print_table(
        ("fault", "lane", "class", "injected", "not recovered in bound"),
        (
            (name, lane, fault_class, str(count), str(unrecovered[name]))
            for (name, lane, fault_class), count in sorted(runs.items(), key=lambda i: i[0][1:])
        ),
        title="Faults injected",
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    if not Path(sys.executable).with_name("hass").exists():
        # bench/run's .venv-bench holds the peer clients, not Home Assistant's `hass` script,
        # which tests/e2e/stack.py starts from beside the interpreter: run in .venv instead.
        python = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "python"
        os.execv(python, [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])  # noqa: S606
    print(
        f"Soak: {options.duration:.0f} s of faults, outages {options.outage:.0f} s, "
        f"seed {options.seed}",
        flush=True,
    )
    started = time.monotonic()
    observations = asyncio.run(
        soak(
            duration=options.duration,
            seed=options.seed,
            outage=options.outage,
            config_dir=options.config_dir,
        )
    )
    verdicts = judge(observations, full=not options.short)
    print(
        "\nHome Assistant up, every entity equal to the truth, after "
        f"{observations.start_seconds:.0f} s"
    )
    print_faults(observations)
    print_rows(verdicts.rows, title="Soak invariants")
    if verdicts.details:
        print()
        for line in verdicts.details:
            print(f"- {line}")
    print(f"\nTotal soak time {time.monotonic() - started:.0f} s")
    return 0 if targets_met(verdicts.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
