"""Chargers in Home Assistant: our integration against Home Assistant core's ``openevse``.

Runs the measurements of ``bench/charger_ha/measure_charger_ha.py`` with pytest inside Home
Assistant's test harness (pytest-homeassistant-custom-component): one real Home Assistant holding
both integrations, each with its own client on Home Assistant's shared aiohttp session and its own
simulated charger over loopback. Then prints one table, ours beside core, with the targets:

1. process CPU time per charging delta, net of what the simulator and the event loop spend to
   deliver the same deltas to a bare websocket reader: target >= 3x less than core;
2. state writes per delta: target none for entities whose value did not change;
3. HTTP requests caused by deltas that move no ``*_version`` counter: target 0;
4. latency from the charger pushing a delta to the last state write it causes: target p99 <= 20 ms;
5. HTTP requests per hour with a healthy websocket: target <= 12;
6. seconds from the charger's return after a reboot until the states are fresh: target <= 2 s;
7. for reference: states fresh again after a websocket drop, warm set-up time.

Run it with ``bench/run charger_ha``, or ``python bench/charger_ha_bench.py`` from the repository
(``--help`` for the options).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean, median, quantiles
from typing import Any

import pytest
from pump_ha_bench import Recorder

REPO_ROOT = Path(__file__).resolve().parents[1]
MEASUREMENTS = Path(__file__).with_name("charger_ha") / "measure_charger_ha.py"


class BenchPlugin(Recorder):
    """Hands the measurements ``bench_record`` and the command line's ``bench_options``."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self.options = options

    @pytest.fixture
    def bench_options(self) -> dict[str, Any]:
        return self.options


def parse_options(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--deltas", type=int, default=200, help="measured deltas per integration and round"
    )
    parser.add_argument(
        "--interval", type=float, default=0.05, help="real seconds between two 1 s deltas"
    )
    parser.add_argument("--rounds", type=int, default=3, help="charging rounds")
    parser.add_argument(
        "--downtimes",
        type=lambda text: tuple(float(part) for part in text.split(",")),
        default=(1.0, 15.0),
        help="comma-separated reboot downtimes in seconds",
    )
    parser.add_argument("--reboots", type=int, default=2, help="reboots per downtime")
    parser.add_argument(
        "--settle",
        type=float,
        default=35.0,
        help="seconds the websockets stay healthy before each drop or reboot",
    )
    parser.add_argument(
        "--patience", type=float, default=60.0, help="seconds to wait for fresh states"
    )
    return vars(parser.parse_args(argv))


# ----- targets -------------------------------------------------------------------------------

MIN_CPU_RATIO = 3.0
MAX_P99_SECONDS = 0.020
MAX_REQUESTS_PER_HOUR = 12
MAX_FRESH_SECONDS = 2.0
INTEGRATIONS = ("ours", "core")


@dataclass(frozen=True)
class Row:
    measurement: str
    ours: str
    core: str
    ratio: str
    target: str
    met: bool | None  # ours against the target; None: reference only
    core_met: bool | None = None


def _verdict(met: bool | None) -> str:
    return "-" if met is None else ("met" if met else "MISSED")


def print_table(rows: Sequence[Row]) -> None:
    header = ("measurement", "ours", "core", "ours vs core", "target", "ours", "core")
    cells = [header] + [
        (r.measurement, r.ours, r.core, r.ratio, r.target, _verdict(r.met), _verdict(r.core_met))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))


def ratio(ours: float, core: float, *, unit: str = "less") -> str:
    """How ours compares with core for a cost (lower is better)."""
    if ours <= 0 or core <= 0:
        return "-"
    if ours <= core:
        return f"{core / ours:.1f}x {unit}"
    return f"{ours / core:.1f}x more"


def percentile(values: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile (inclusive method)."""
    return quantiles(values, n=100, method="inclusive")[percent - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def routes(requests: Sequence[Sequence[str]]) -> str:
    counts = Counter(f"{method} {path}" for method, path in requests)
    return ", ".join(f"{n}x {route}" if n > 1 else route for route, n in counts.items()) or "none"


# ----- rows ----------------------------------------------------------------------------------


def cpu_rows(charging: dict[str, Any]) -> list[Row]:
    cpu = charging["cpu"]
    baseline = median(cpu["baseline"])
    net = {name: median(cpu[name]) - baseline for name in INTEGRATIONS}
    achieved = net["core"] / net["ours"] if net["ours"] > 0 else float("inf")
    return [
        Row(
            "CPU per delta in Home Assistant (net, median of rounds)",
            ms(net["ours"]),
            ms(net["core"]),
            ratio(net["ours"], net["core"]),
            f">= {MIN_CPU_RATIO:g}x less than core",
            achieved >= MIN_CPU_RATIO,
        )
    ]


def write_rows(charging: dict[str, Any]) -> list[Row]:
    outcomes = charging["outcomes"]
    mean = {
        name: (
            fmean(changed for changed, _unchanged, _latency in outcomes[name]),
            fmean(unchanged for _changed, unchanged, _latency in outcomes[name]),
        )
        for name in INTEGRATIONS
    }

    def shown(name: str) -> str:
        changed, unchanged = mean[name]
        return f"{changed + unchanged:.1f} ({changed:.1f} changed + {unchanged:.1f} unchanged)"

    total = {name: sum(mean[name]) for name in INTEGRATIONS}
    return [
        Row(
            "state writes per delta",
            shown("ours"),
            shown("core"),
            ratio(total["ours"], total["core"], unit="fewer"),
            "only entities whose value changed",
            all(unchanged == 0 for _c, unchanged, _l in outcomes["ours"]),
            all(unchanged == 0 for _c, unchanged, _l in outcomes["core"]),
        )
    ]


def latency_rows(charging: dict[str, Any]) -> list[Row]:
    latencies = {
        name: [latency for _c, _u, latency in charging["outcomes"][name] if latency is not None]
        for name in INTEGRATIONS
    }
    p50 = {name: percentile(values, 50) for name, values in latencies.items()}
    p99 = {name: percentile(values, 99) for name, values in latencies.items()}
    return [
        Row(
            "latency push -> last state write, p50 / p99",
            f"{ms(p50['ours'])} / {ms(p99['ours'])}",
            f"{ms(p50['core'])} / {ms(p99['core'])}",
            f"p99 {ratio(p99['ours'], p99['core'])}",
            f"p99 <= {MAX_P99_SECONDS * 1000:.0f} ms",
            p99["ours"] <= MAX_P99_SECONDS,
            p99["core"] <= MAX_P99_SECONDS,
        )
    ]


def request_rows(session: dict[str, Any]) -> list[Row]:
    charging = session["charging"]
    deltas = charging["pushes"]
    caused = {name: len(charging["requests"][name]) for name in INTEGRATIONS}
    # A charging charger pushes a delta every second; every delta also postpones the
    # coordinator's fallback poll, so while charging only the deltas' requests count.
    charging_hour = {name: caused[name] / deltas[name] * 3600 for name in INTEGRATIONS}
    poll = session["poll"]
    idle_hour = {
        name: 3600 / poll[name]["interval"] * len(poll[name]["requests"]) for name in INTEGRATIONS
    }

    def caused_text(name: str) -> str:
        return f"{caused[name]} in {deltas[name]} deltas ({routes(charging['requests'][name])})"

    def idle_text(name: str) -> str:
        polls = 3600 / poll[name]["interval"]
        return f"{idle_hour[name]:.0f} ({polls:.0f} polls x {routes(poll[name]['requests'])})"

    version = session["version_delta"]
    return [
        Row(
            "HTTP requests caused by deltas (no *_version moved)",
            caused_text("ours"),
            caused_text("core"),
            "-",
            "0",
            caused["ours"] == 0,
            caused["core"] == 0,
        ),
        Row(
            "HTTP requests caused by a delta moving limit_version",
            routes(version["ours"]),
            routes(version["core"]),
            "-",
            "reference",
            None,
        ),
        Row(
            "HTTP requests/hour, healthy websocket, charging",
            f"{charging_hour['ours']:.0f}",
            f"{charging_hour['core']:.0f}",
            ratio(charging_hour["ours"], charging_hour["core"], unit="fewer"),
            f"<= {MAX_REQUESTS_PER_HOUR}",
            charging_hour["ours"] <= MAX_REQUESTS_PER_HOUR,
            charging_hour["core"] <= MAX_REQUESTS_PER_HOUR,
        ),
        Row(
            "HTTP requests/hour, healthy websocket, idle",
            idle_text("ours"),
            idle_text("core"),
            ratio(idle_hour["ours"], idle_hour["core"], unit="fewer"),
            f"<= {MAX_REQUESTS_PER_HOUR}",
            idle_hour["ours"] <= MAX_REQUESTS_PER_HOUR,
            idle_hour["core"] <= MAX_REQUESTS_PER_HOUR,
        ),
    ]


def _seconds(value: float | None, patience: float) -> str:
    return f"> {patience:g} s" if value is None else f"{value:.2f} s"


def _worst(values: Sequence[float | None]) -> float | None:
    """The slowest recovery; None (never fresh within the patience) counts as slowest."""
    return None if any(value is None for value in values) else max(values)  # type: ignore[type-var]


def recovery_rows(session: dict[str, Any]) -> list[Row]:
    patience = session["options"]["patience"]

    def row(label: str, results: Sequence[dict[str, Any]], target: bool) -> Row:
        seconds = {name: [result[name]["seconds"] for result in results] for name in INTEGRATIONS}
        worst = {name: _worst(seconds[name]) for name in INTEGRATIONS}

        def shown(name: str) -> str:
            if len(results) == 1:
                return _seconds(worst[name], patience)
            every = ", ".join(_seconds(value, patience) for value in seconds[name])
            return f"worst {_seconds(worst[name], patience)} ({every})"

        def met(name: str) -> bool | None:
            value = worst[name]
            return None if not target else value is not None and value <= MAX_FRESH_SECONDS

        ours, core = worst["ours"], worst["core"]
        return Row(
            label,
            shown("ours"),
            shown("core"),
            ratio(ours, core, unit="sooner") if ours is not None and core is not None else "-",
            f"<= {MAX_FRESH_SECONDS:g} s" if target else "reference",
            met("ours"),
            met("core"),
        )

    rows = [row("fresh after a websocket drop", [session["drop"]], target=False)]
    for downtime, results in session["reboot"].items():
        label = f"fresh after a reboot ({downtime:g} s down), from its return"
        rows.append(row(label, results, target=True))
    return rows


def setup_rows(setup: dict[str, Any]) -> list[Row]:
    seconds = {name: median(setup[name]["seconds"]) for name in INTEGRATIONS}
    return [
        Row(
            f"set-up to all entities available (warm, median of {len(setup['ours']['seconds'])})",
            ms(seconds["ours"]),
            ms(seconds["core"]),
            ratio(seconds["ours"], seconds["core"], unit="less"),
            "reference",
            None,
        )
    ]


def print_notes(results: dict[str, Any]) -> None:
    session, setup = results.get("session"), results.get("setup")
    if session is not None:
        charging = session["charging"]
        cpu = charging["cpu"]
        print("\nCPU per delta, every round (process CPU between two pushes, the charger's HTTP")
        print("handlers taken out; baseline: the same deltas to a bare websocket reader):")
        for name in (*INTEGRATIONS, "baseline"):
            print(f"  {name:8s} " + ", ".join(ms(value) for value in cpu[name]))
        failures = session["core_unhandled"]
        if failures:
            print(
                f"Core left {len(failures)} exception(s) unhandled in its own tasks while the "
                f"charger was down (first: {failures[0]})."
            )
        entities = session["entities"]
        print(f"Enabled entities: ours {entities['ours']}, core {entities['core']}.")
        for name in INTEGRATIONS:
            print(f"Requests while recovering, {name}:")
            print(f"  drop: {routes(session['drop'][name]['requests'])}")
            for downtime, reboots in session["reboot"].items():
                each = "; ".join(routes(reboot[name]["requests"]) for reboot in reboots)
                print(f"  reboot {downtime:g} s: {each}")
    if setup is not None:
        for name in INTEGRATIONS:
            print(f"Requests at set-up, {name}: {routes(setup[name]['requests'][-1])}")


def main() -> int:
    options = parse_options()
    if str(REPO_ROOT) not in sys.path:  # running the file directly rather than through bench/run
        sys.path.insert(0, str(REPO_ROOT))
    plugin = BenchPlugin(options)
    started = time.monotonic()
    status = pytest.main(
        [
            str(MEASUREMENTS),
            "-q",
            "--no-header",
            "-p",
            "no:randomly",
            "--timeout=900",
            # Core's sensor reads a deprecated property of its client on every state write.
            "-W",
            "ignore:vehicle_range is deprecated:DeprecationWarning",
        ],
        plugins=[plugin],
    )
    elapsed = time.monotonic() - started
    results = plugin.results
    rows: list[Row] = []
    if "session" in results:
        session = results["session"]
        rows += cpu_rows(session["charging"])
        rows += write_rows(session["charging"])
        rows += latency_rows(session["charging"])
        rows += request_rows(session)
        rows += recovery_rows(session)
    if "setup" in results:
        rows += setup_rows(results["setup"])
    print(
        "\nChargers in Home Assistant: ours (openevse_moogo) against core (openevse, "
        "python-openevse-http 1.5.0),\neach with its own simulated charger over loopback; "
        f"1 s charging deltas sent every {options['interval']:g} s, "
        f"{options['deltas']} measured per integration and round, {options['rounds']} rounds\n"
    )
    print_table(rows)
    print_notes(results)
    print(f"\nTotal bench time {elapsed:.0f} s")
    if status != pytest.ExitCode.OK:
        print(f"measurements failed (pytest exit status {int(status)})")
        return 1
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
