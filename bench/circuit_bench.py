"""Charging circuit in Home Assistant: three chargers on one 40 A breaker through a day.

Runs the measurements of ``bench/circuit/measure_circuit_ha.py`` with pytest inside Home
Assistant's test harness: a real Home Assistant, the three chargers and the circuit added
through the config flows (40 A, single phase, the default margin, the house load as a sensor
the benchmark writes), three simulated chargers over loopback whose cars are the day's cars
(``bench/circuit/``: they follow the pilot 2-5 s late, one has a 16 A on-board charger, one
tapers early), the whole day in virtual time. The circuit's truth is the simulators' cars' draw
beside the house trace, second by second. Beside ours, over the same house day and visits, the
baselines of the allocator benchmark (``bench/circuit/sim.py``): the ideal allocator (perfect
knowledge, no delays, the whole limit), the static equal split (the common workaround) and the
pure core alone (its model of ours). Printed:

1. the day with the sensor fresh (written every second): seconds and ampere-seconds above the
   limit, energy as a share of the ideal's, house-load jump to the chargers' reduced draw;
2. the same with the house sensor updating every 10 s;
3. a charger's network lost for 10 minutes while it charges, and Home Assistant stopped for
   3 minutes with cars charging while a car plugs in (a new Home Assistant starting on the same
   storage): above the limit beside the same window without the incident, whether the claims
   and the fallback held;
4. the targets.

Run it with ``bench/run circuit``, or ``python bench/circuit_bench.py`` from the repository.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import finish, measure
from report import Row, percentile, print_rows, print_table, targets_met

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # running the file directly rather than through bench/run
    sys.path.insert(0, str(REPO_ROOT))

from bench.circuit.car import VOLTS  # noqa: E402
from bench.circuit.day import VISITS, window  # noqa: E402
from bench.circuit.house import DAY_S, house_trace  # noqa: E402
from bench.circuit.metrics import (  # noqa: E402
    Above,
    above,
    beyond_response,
    clock,
    energy,
    jump_responses,
    response_bound,
)
from bench.circuit.sim import Outage, Run, Scenario, run_ideal, run_ours, run_static  # noqa: E402
from custom_components.openevse_moogo.circuit.ha.const import DEFAULT_MARGIN  # noqa: E402

MEASUREMENTS = Path(__file__).with_name("circuit") / "measure_circuit_ha.py"
ENERGY_TARGET = 0.97
LIMIT_AMPS = 40.0
NEVER_S = 600  # a jump not answered within this long counts as never answered
HOUR = 3600
# The incidents of the allocator benchmark, at the same times of the same day.
NETWORK_LOSS = Outage(start=int(18.75 * HOUR), seconds=600, member_id="charger_2")
HA_DOWN = Outage(start=int(18.97 * HOUR), seconds=180)  # a car plugs into charger_3 at 19:00
LOST = 1  # charger_2
ARRIVING = 2  # charger_3


def _hours(text: str) -> tuple[int, int]:
    """``17.5-24`` as seconds into the day."""
    start, _, end = text.partition("-")
    return int(float(start) * HOUR), int(float(end) * HOUR)


def _scenario(house: Sequence[float], start: int, end: int, sensor_period_s: int = 1) -> Scenario:
    return Scenario(
        house=house[start:end],
        visits=window(VISITS, start, end),
        limit_amps=LIMIT_AMPS,
        margin_amps=DEFAULT_MARGIN,
        sensor_period_s=sensor_period_s,
    )


def _ours(name: str, trace: Any) -> Run:
    """A run of the real integration as the allocator benchmark's metrics read it."""
    return Run(
        name,
        draws=list(trace.draws),
        energy_kwh=dict(trace.energy_kwh),
        commands=trace.claim_requests,
        member_draws={f"charger_{i + 1}": d for i, d in enumerate(trace.member_draws)},
    )


def _above(over: Above) -> str:
    return f"{over.seconds} s, {over.amp_seconds:.0f} A·s, peak {over.peak:.1f} A"


def _kwh(draws: Sequence[float]) -> float:
    return sum(draws) * VOLTS / 3.6e6


def _responses(run: Run, scenario: Scenario, ideal: bool) -> list[int]:
    # The ideal allocator shares the whole limit; the others keep the margin.
    budget = scenario.limit_amps - (0 if ideal else scenario.margin_amps)
    return jump_responses(run, scenario, budget)


def _p(responses: list[int], percent: int) -> str:
    if not responses:
        return "-"
    if min(responses) >= NEVER_S:
        return "never"
    if len(responses) == 1:
        return f"{responses[0]} s"
    return f"{percentile(responses, percent):.0f} s"


def _policy_table(
    title: str, runs: Sequence[tuple[Run, bool]], scenario: Scenario
) -> dict[str, tuple[Above, float, list[int]]]:
    """One row per policy over ``scenario``; returns (above, share of ideal, jumps) by name."""
    ideal_kwh = next(energy(run) for run, is_ideal in runs if is_ideal)
    rows, figures = [], {}
    for run, is_ideal in runs:
        over = above(run, scenario)
        share = energy(run) / ideal_kwh
        responses = _responses(run, scenario, is_ideal)
        figures[run.name] = (over, share, responses)
        rows.append(
            (
                run.name,
                str(over.seconds),
                f"{over.amp_seconds:.0f}",
                f"{over.peak:.1f} A",
                f"{over.longest} s",
                f"{energy(run):.2f}",
                f"{share:.2%}",
                f"{_p(responses, 50)} / {_p(responses, 99)} ({len(responses)})",
                str(run.commands) if run.commands else "-",
            )
        )
    print_table(
        (
            "policy",
            "s above limit",
            "A·s above",
            "peak above",
            "longest above",
            "energy kWh",
            "of ideal",
            "jump → fits p50 / p99 (jumps)",
            "claims set",
        ),
        rows,
        title=title,
    )
    return figures


def _span(name: str, start: int, end: int) -> str:
    return f"{name} {clock(start)}-{clock(end) if end < DAY_S else '24:00'}"


def _baselines(scenario: Scenario) -> list[tuple[Run, bool]]:
    fresh = scenario.sensor_period_s == 1
    pure = run_ours(scenario, name=f"pure core, sensor {'fresh' if fresh else 'every 10 s'}")
    return [(run_ideal(scenario), True), (pure, False), (run_static(scenario), False)]


def _window_of(trace: Any, trace_start: int, start: int, end: int) -> list[float] | None:
    """The main run's draws over ``start``..``end`` of the day, if it covered them."""
    if start < trace_start or end > trace_start + len(trace.draws):
        return None
    return list(trace.draws[start - trace_start : end - trace_start])


def _incident(  # noqa: PLR0917 - one incident's figures, all of them needed for its row
    label: str,
    house: Sequence[float],
    trace: Any,
    runs: dict[str, dict[str, Any]],
    key: str,
    outage: Outage,
    base: tuple[Any, int] | None,
) -> tuple[tuple[str, ...], Above]:
    """One incident's row: above the limit to a minute after it, beside the main run's."""
    run = runs[key]
    start, end = outage.start, outage.start + outage.seconds + 60
    scenario = Scenario(house=house, visits={}, limit_amps=LIMIT_AMPS)
    offset = run["start"]
    draws = [0.0] * offset + list(trace.draws)
    with_it = above(Run(key, draws=draws), scenario, start, end)
    without = "-"
    energy_cell = "-"
    if base is not None:
        base_draws = _window_of(base[0], base[1], start, end)
        if base_draws is not None:
            padded = [0.0] * start + base_draws
            other = above(Run("base", draws=padded), scenario, start, end)
            without = f"{other.seconds} s / {other.amp_seconds:.0f} As / {other.peak:.1f} A"
            mine = _kwh(draws[start:end])
            energy_cell = f"{mine - _kwh(base_draws):+.2f} kWh"
    cells = (
        label,
        f"{clock(start)}-{clock(end)}",
        f"{with_it.seconds} s / {with_it.amp_seconds:.0f} As / {with_it.peak:.1f} A",
        without,
        energy_cell,
    )
    return cells, with_it


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0915 - one report, in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13, help="the house-load day (default 13)")
    parser.add_argument(
        "--day", default="0-24", help="hours of the fresh-sensor run (default 0-24, the day)"
    )
    parser.add_argument(
        "--slow", default="0-24", help="hours of the 10 s sensor run (default 0-24; '' skips)"
    )
    parser.add_argument(
        "--incidents",
        default="17.5-20",
        help="hours of each incident's run (default 17.5-20; '' skips them)",
    )
    options = parser.parse_args(argv)
    house = house_trace(options.seed)
    runs: dict[str, dict[str, Any]] = {}
    main_start, main_end = _hours(options.day)
    runs["main"] = {"start": main_start, "end": main_end}
    if options.slow:
        start, end = _hours(options.slow)
        runs["slow"] = {"start": start, "end": end, "sensor_period_s": 10}
    if options.incidents:
        start, end = _hours(options.incidents)
        runs["loss"] = {"start": start, "end": end, "network_loss": NETWORK_LOSS}
        runs["down"] = {"start": start, "end": end, "ha_down": HA_DOWN}
    measurements = measure(
        MEASUREMENTS, timeout=6 * HOUR, options={"seed": options.seed, "runs": runs}
    )
    results = measurements.results
    print(
        f"\nCharging circuit in Home Assistant: 3 simulated chargers on a {LIMIT_AMPS:.0f} A "
        f"single-phase circuit, margin {DEFAULT_MARGIN:.0f} A (the default), house day seed "
        f"{options.seed} (peak {max(house):.1f} A, mean {sum(house) / len(house):.1f} A), "
        "virtual time"
    )
    rows: list[Row] = []
    if "main" in results:
        trace = results["main"]
        scenario = _scenario(house, main_start, main_end)
        ours = _ours("ours in Home Assistant, sensor fresh", trace)
        baselines = _baselines(scenario)
        figures = _policy_table(
            f"1. {_span('Sensor fresh (every second)', main_start, main_end)}",
            [baselines[0], (ours, False), *baselines[1:]],
            scenario,
        )
        over, share, responses = figures[ours.name]
        static_over, static_share, _ = figures[baselines[2][0].name]
        bound = response_bound(1)
        beyond = beyond_response(ours, scenario, bound)
        rows += [
            Row(
                "above the limit, sensor fresh",
                (_above(over),),
                "quoted (0 needs a margin as large as the steps)",
                None,
            ),
            Row(
                f"above the limit beyond the response to a house rise ({bound} s), sensor fresh",
                (_above(beyond),),
                "0 A·s",
                beyond.amp_seconds == 0,
            ),
            Row(
                "energy as a share of ideal, sensor fresh",
                (f"{share:.2%}",),
                f">= {ENERGY_TARGET:.0%}",
                share >= ENERGY_TARGET,
            ),
            Row(
                "vs static equal split",
                (
                    (
                        f"{share / static_share:.3f}x its energy; split {static_share:.2%} of "
                        f"ideal, {static_over.seconds} s above"
                    ),
                ),
                "more energy, less time above",
                share > static_share and over.seconds <= static_over.seconds,
            ),
            Row(
                "load jump → chargers' draw fits, p50 / p99",
                (f"{_p(responses, 50)} / {_p(responses, 99)} ({len(responses)} jumps)",),
                "quoted",
                None,
            ),
        ]
    if "slow" in results:
        start, end = runs["slow"]["start"], runs["slow"]["end"]
        scenario = _scenario(house, start, end, sensor_period_s=10)
        ours = _ours("ours in Home Assistant, sensor every 10 s", results["slow"])
        baselines = _baselines(scenario)
        figures = _policy_table(
            f"2. {_span('Sensor every 10 s', start, end)}",
            [baselines[0], (ours, False), *baselines[1:]],
            scenario,
        )
        over, share, responses = figures[ours.name]
        bound = response_bound(10)
        beyond = beyond_response(ours, scenario, bound)
        rows += [
            Row("above the limit, sensor every 10 s", (_above(over),), "quoted", None),
            Row(
                f"above the limit beyond the response to a house rise ({bound} s), 10 s sensor",
                (_above(beyond),),
                "quoted",
                None,
            ),
            Row(
                "energy as a share of ideal, sensor every 10 s",
                (f"{share:.2%}",),
                "quoted",
                None,
            ),
        ]
    base = (results["main"], main_start) if "main" in results else None
    incident_rows = []
    if "loss" in results:
        trace = results["loss"]
        cells, over = _incident(
            "charger_2's network lost 10 min (charging)",
            house,
            trace,
            runs,
            "loss",
            NETWORK_LOSS,
            base,
        )
        incident_rows.append(cells)
        offset = NETWORK_LOSS.start - runs["loss"]["start"]
        during = slice(offset, offset + NETWORK_LOSS.seconds)
        held = trace.events["loss_pilot"]
        drew = max(trace.member_draws[LOST][during])
        allowed = max(trace.member_pilots[LOST][during])
        rows += [
            Row(
                "network loss: the lost charger stays within its claim",
                (f"drew at most {drew:.1f} A, allowed {allowed} A (claim {held} A)",),
                "<= claim",
                drew <= held and allowed <= held,
            ),
            Row(
                "network loss: above the limit in its window",
                (_above(over),),
                "quoted",
                None,
            ),
        ]
    if "down" in results:
        trace = results["down"]
        cells, over = _incident(
            "Home Assistant down 3 min, a car plugs in",
            house,
            trace,
            runs,
            "down",
            HA_DOWN,
            base,
        )
        incident_rows.append(cells)
        offset = HA_DOWN.start - runs["down"]["start"]
        during = slice(offset, offset + HA_DOWN.seconds)
        held_pilots = trace.events["down_pilots"]
        above_held = max(
            max(draws[during]) - held
            for draws, held in zip(trace.member_draws, held_pilots, strict=True)
        )
        arrived = max(trace.member_draws[ARRIVING][during])
        loaded = trace.events["loaded_after_restart"]
        rows += [
            Row(
                "Home Assistant down: no charger above the claim it held",
                (f"{max(0.0, above_held):.1f} A above (claims {held_pilots} A)",),
                "0",
                above_held <= 0,
            ),
            Row(
                "Home Assistant down: the car plugged in meanwhile draws",
                (f"{arrived:.1f} A",),
                "0 until it is back",
                arrived == 0,
            ),
            Row(
                "Home Assistant back: entries loaded from storage",
                (f"{loaded} of 4 (3 chargers, the circuit)",),
                "4",
                loaded == 4,
            ),
            Row(
                "Home Assistant down: above the limit in its window",
                (_above(over),),
                "quoted",
                None,
            ),
        ]
    if incident_rows:
        print_table(
            (
                "incident (sensor fresh)",
                "window",
                "above limit",
                "same window, no incident",
                "energy",
            ),
            incident_rows,
            title="3. Worst case during incidents",
        )
    print_rows(rows, title="Targets")
    return finish(measurements, targets_met(rows))


if __name__ == "__main__":
    sys.exit(main())
