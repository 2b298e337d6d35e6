"""Moogo pumps in Home Assistant: logins, cloud requests per hour and spray confirmation time.

Runs the measurements of ``bench/pump_ha/measure_pump_ha.py`` with pytest inside Home
Assistant's test harness (pytest-homeassistant-custom-component): a real Home Assistant, the
integration added through its config flow, the vendored client on Home Assistant's shared aiohttp
session, the Moogo cloud simulator over loopback. Then prints one table with the targets:

1. logins from the config flow through set-up and three restarts of Home Assistant (each a new
   Home Assistant loading its config entries from storage): target 1 in total;
2. cloud requests per hour and pump, counted by the simulator while Home Assistant's clock runs
   in virtual time (a day idle, then two hours with the first pump spraying), for an account with
   one pump and one with three: target <= 70 per idle pump in every hour;
3. real seconds from the spray switch's turn_on / turn_off to the confirmed state, with the
   simulated pump acting 3, 3.5, 4, 4.5 and 5 s after the command: target confirmed within 6 s.

Run it with ``bench/run pump_ha``, or ``python bench/pump_ha_bench.py`` from the repository.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from harness import finish, measure
from report import Row, print_rows, targets_met

MEASUREMENTS = Path(__file__).with_name("pump_ha") / "measure_pump_ha.py"

MAX_LOGINS = 1
MAX_IDLE_REQUESTS_PER_HOUR = 70
MAX_CONFIRM_SECONDS = 6.0


# ----- rows ----------------------------------------------------------------------------------


def login_rows(logins: list[tuple[str, int]]) -> list[Row]:
    total = sum(count for _label, count in logins)
    detail = ", ".join(f"{label}: {count}" for label, count in logins)
    return [
        Row(
            f"logins, config flow through set-up and {len(logins) - 1} restarts",
            (f"{total} ({detail})",),
            f"{MAX_LOGINS} in total",
            total <= MAX_LOGINS,
        )
    ]


def _hourly_of(hours: list[Counter[str]], pumps: Sequence[str]) -> list[float]:
    """Each hour's requests per pump, averaged over ``pumps``."""
    return [fmean(hour[pump] for pump in pumps) for hour in hours]


def _rate(per_hour: list[float]) -> str:
    if len(set(per_hour)) == 1:
        return f"{per_hour[0]:.1f}/h (every hour)"
    return f"{fmean(per_hour):.1f}/h mean, {max(per_hour):.1f} busiest of {len(per_hour)} h"


def request_rows(run: dict[str, Any]) -> list[Row]:
    pumps: list[str] = run["pumps"]
    sprayer: str = run["sprayer"]
    others = [pump for pump in pumps if pump != sprayer]
    account = f"{len(pumps)} pump{'s' if len(pumps) > 1 else ''}"
    idle = _hourly_of(run["idle"], pumps)
    idle_target = f"<= {MAX_IDLE_REQUESTS_PER_HOUR}/h per idle pump"
    rows = [
        Row(
            f"requests per pump, {account}, all idle ({len(idle)} h virtual)",
            (_rate(idle),),
            idle_target,
            max(idle) <= MAX_IDLE_REQUESTS_PER_HOUR,
        ),
        Row(
            f"requests per pump, {account}, the spraying pump",
            (_rate(_hourly_of(run["spraying"], [sprayer])),),
            "none (reference)",
            None,
        ),
    ]
    if others:
        idle_beside = _hourly_of(run["spraying"], others)
        rows.append(
            Row(
                f"requests per pump, {account}, each idle pump while another sprays",
                (_rate(idle_beside),),
                idle_target,
                max(idle_beside) <= MAX_IDLE_REQUESTS_PER_HOUR,
            )
        )
    return rows


def confirm_rows(timings: list[tuple[float, str, float]]) -> list[Row]:
    rows = []
    for delay in sorted({delay for delay, _service, _elapsed in timings}):
        seconds = {service: elapsed for d, service, elapsed in timings if d == delay}
        rows.append(
            Row(
                f"spray switch to confirmed state, pump acts after {delay:g} s",
                (", ".join(f"{service} {elapsed:.2f} s" for service, elapsed in seconds.items()),),
                f"<= {MAX_CONFIRM_SECONDS:.0f} s",
                max(seconds.values()) <= MAX_CONFIRM_SECONDS,
            )
        )
    return rows


def print_notes(results: dict[str, Any]) -> None:
    """How the request figures break down, so the table can be checked by hand."""
    for key in sorted(k for k in results if k.startswith("requests/")):
        run = results[key]
        routes: Counter[str] = run["idle_routes"]
        hours = len(run["idle"])
        print(
            f"\n{len(run['pumps'])} pump(s): {run['requests_at_setup']} requests at set-up; "
            f"spray noticed {run['spray_noticed_after']:.0f} s after it began; "
            f"idle requests in {hours} h by route:"
        )
        for route, count in routes.most_common():
            print(f"  {count:5d}  {route}")


def main() -> int:
    measurements = measure(MEASUREMENTS, timeout=600)
    results = measurements.results
    rows: list[Row] = []
    if "logins" in results:
        rows += login_rows(results["logins"])
    for key in sorted(k for k in results if k.startswith("requests/")):
        rows += request_rows(results[key])
    if "confirm" in results:
        rows += confirm_rows(results["confirm"])
    print(
        "\nMoogo pumps in Home Assistant (real Home Assistant, integration, client and cloud "
        "simulator over loopback)\n"
    )
    print_rows(rows)
    print_notes(results)
    return finish(measurements, targets_met(rows))


if __name__ == "__main__":
    sys.exit(main())
