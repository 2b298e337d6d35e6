"""The day the circuit benchmarks drive: three chargers, three cars, their comings and goings.

Two cars live here, a third visits: the first charges overnight and again in the evening with a
lunchtime stop at home, the second (a 16 A on-board charger: it always draws less than a 32 A
charger allows) is plugged in through the morning and again from early evening, the third
tapers early and comes for a top-up at noon and for the night. The evening is the test: all
three plugged in at once, while dinner is cooked and the heat pump cycles.
"""

from __future__ import annotations

from .car import CarSpec, Visit
from .house import DAY_S


def _at(hours: float) -> int:
    return int(hours * 3600)


LONG_RANGE = CarSpec("long-range (32 A)", battery_kwh=75.0, max_amps=32.0, delay_s=2)
SMALL_CHARGER = CarSpec("16 A on-board", battery_kwh=40.0, max_amps=16.0, delay_s=4)
EARLY_TAPER = CarSpec(
    "early taper (32 A)", battery_kwh=60.0, max_amps=32.0, delay_s=5, taper_from=0.55
)

VISITS: dict[str, list[tuple[CarSpec, Visit]]] = {
    "charger_1": [
        (LONG_RANGE, Visit(0, _at(7.5), soc=0.62)),
        (LONG_RANGE, Visit(_at(13.5), _at(14.5), soc=0.55)),
        (LONG_RANGE, Visit(_at(18.5), DAY_S, soc=0.3)),
    ],
    "charger_2": [
        (SMALL_CHARGER, Visit(_at(9.0), _at(13.0), soc=0.3)),
        (SMALL_CHARGER, Visit(_at(17.75), DAY_S, soc=0.2)),
    ],
    "charger_3": [
        (EARLY_TAPER, Visit(_at(12.0), _at(12.75), soc=0.5)),
        (EARLY_TAPER, Visit(_at(19.0), DAY_S, soc=0.15)),
    ],
}


def window(
    visits: dict[str, list[tuple[CarSpec, Visit]]], start: int, end: int
) -> dict[str, list[tuple[CarSpec, Visit]]]:
    """The visits within ``start``..``end`` of the day, on a clock starting at ``start``.

    A window starts with no car plugged in (a car already charging would have filled some of
    its battery by then), so a windowed run is the same day as the whole one from ``start`` on.
    """
    shifted: dict[str, list[tuple[CarSpec, Visit]]] = {}
    for member_id, member_visits in visits.items():
        shifted[member_id] = []
        for spec, visit in member_visits:
            if visit.leave <= start or visit.arrive >= end:
                continue
            if visit.arrive < start:
                raise ValueError(f"a car is plugged in on {member_id} at the window's start")
            leave = min(visit.leave, end) - start
            shifted[member_id].append((spec, Visit(visit.arrive - start, leave, visit.soc)))
    return shifted
