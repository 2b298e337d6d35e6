"""Scale: one Home Assistant with 1, 5 and 20 chargers charging and 3 accounts of as many pumps.

Runs ``bench/scale/measure_scale.py`` inside Home Assistant's test harness (in-process, as the
charger benchmark does: the push stamp and the state write are read on one clock, in the process
whose event loop is measured) and prints, per size, the event loop's busy share, the p50 / p99
latency from a charger's push to its state writes, the memory per charger and per pump, and the
time from set-up to every entity available; then how each grows from 1 to 5 to 20 devices.

Targets: p99 latency <= 20 ms at 20 chargers; every cost grows at most linearly (the cost per
device from 5 to 20 at most 1.5x its cost per device from 1 to 5: 1.5x is the allowance for
noise; a quadratic cost would show 4x).

Run it with ``bench/run scale`` or ``python bench/scale_bench.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import finish, measure
from report import Row, ms, percentile, print_rows, print_table, targets_met

MEASUREMENTS = Path(__file__).with_name("scale") / "measure_scale.py"
SIZES = (1, 5, 20)
MAX_P99_SECONDS = 0.020
MAX_GROWTH = 1.5


def parse_options(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--window", type=float, default=60.0, help="seconds of 1 s charging deltas per size"
    )
    parser.add_argument("--seed", type=int, default=5, help="seed of the chargers' phases")
    parser.add_argument(
        "--loop-debug",
        action="store_true",
        help="keep the test harness's asyncio debug mode on while charging (off by default: "
        "production Home Assistant runs without it)",
    )
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="profile each size's charging window with cProfile into PATH.<size> (slows it)",
    )
    return vars(parser.parse_args(argv))


def _marginal(values: dict[int, float]) -> tuple[float, float]:
    """Cost per added device from 1 to 5 and from 5 to 20."""
    return (values[5] - values[1]) / 4, (values[20] - values[5]) / 15


def _growth_row(measurement: str, values: dict[int, float], unit: str) -> Row:
    low, high = _marginal(values)
    growth = high / low if low > 0 else float("inf") if high > 0 else 1.0
    return Row(
        measurement,
        (f"{low:.3g} {unit} per device (1->5), {high:.3g} {unit} (5->20): {growth:.2f}x",),
        f"<= {MAX_GROWTH:g}x (linear)",
        growth <= MAX_GROWTH,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    measurements = measure(MEASUREMENTS, timeout=900, options=options)
    results = measurements.results
    sizes = [size for size in SIZES if f"size {size}" in results]
    table = []
    busy: dict[int, float] = {}
    cpu: dict[int, float] = {}
    charger_mem: dict[int, float] = {}
    pump_mem: dict[int, float] = {}
    setup: dict[int, float] = {}
    p99: dict[int, float] = {}
    for size in sizes:
        r = results[f"size {size}"]
        latencies = r["latencies"]
        p50, p99[size] = percentile(latencies, 50), percentile(latencies, 99)
        busy[size], cpu[size] = r["busy_share"], r["cpu_share"]
        pauses = r["gc_pauses"]
        charger_mem[size] = r["charger_bytes"] / 1024
        pump_mem[size] = r["pump_bytes"] / 1024
        setup[size] = r["charger_setup"] + r["pump_setup"]
        table.append(
            (
                f"{size} chargers, {3 * size} pumps",
                f"{busy[size]:.1%} (CPU {cpu[size]:.1%})",
                f"{ms(p50)} / {ms(p99[size])} ({len(latencies)} deltas)",
                ms(r["cpu_per_delta"]),
                f"{len(pauses)}, longest {ms(max(pauses, default=0.0))}",
                f"{charger_mem[size] / size:.0f} KiB ({r['charger_entities'] / size:.0f} entities)",
                f"{pump_mem[size] / (3 * size):.0f} KiB ({r['pump_entities'] / (3 * size):.0f})",
                f"{r['charger_setup']:.2f} s + {r['pump_setup']:.2f} s",
                str(r["requests"]),
            )
        )
    print_table(
        (
            "devices",
            "event loop busy",
            "push to state p50 / p99",
            "CPU per delta",
            "GC runs",
            "memory per charger",
            "memory per pump",
            "to all available (chargers + pumps)",
            "charger HTTP requests while charging",
        ),
        table,
        title=f"Scale ({options['window']:.0f} s of 1 s deltas per size)",
    )
    print(
        "While charging, the event loop's debug mode is "
        + (
            "on (as the test harness sets it; production Home Assistant runs without it)."
            if options["loop_debug"]
            else "off, as in production Home Assistant (the test harness turns it on; "
            "--loop-debug keeps it)."
        )
        + " CPU per delta: the process's CPU time over the window (the simulators' and the "
        "pumps' included) divided by the deltas pushed."
    )
    rows: list[Row] = []
    if 20 in p99:
        rows.append(
            Row(
                "push-to-state p99 at 20 chargers",
                (ms(p99[20]),),
                f"<= {ms(MAX_P99_SECONDS)}",
                p99[20] <= MAX_P99_SECONDS,
            )
        )
    if len(sizes) == len(SIZES):
        rows += [
            _growth_row("event loop busy share per device", {s: busy[s] * 100 for s in sizes}, "%"),
            _growth_row("memory per charger", charger_mem, "KiB"),
            _growth_row("memory per pump", {s: pump_mem[s] / 3 for s in sizes}, "KiB"),
            _growth_row("time to all available", setup, "s"),
        ]
    print_rows(rows, title="Scale targets")
    return finish(measurements, targets_met(rows) and len(sizes) == len(SIZES))


if __name__ == "__main__":
    sys.exit(main())
