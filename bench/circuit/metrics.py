"""What the circuit benchmarks measure of a day: time and current above the limit, energy, response.

Shared by the allocator benchmark and the benchmark of the whole integration, so both judge
their runs (a :class:`~.sim.Run`: the chargers' draw second by second) the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sim import Run, Scenario


@dataclass(frozen=True)
class Above:
    """Time and current above the breaker limit within a window of seconds."""

    seconds: int
    amp_seconds: float
    peak: float
    longest: int  # the longest stretch above, in seconds


def above(run: Run, scenario: Scenario, start: int = 0, end: int | None = None) -> Above:
    end = scenario.seconds if end is None else end
    seconds, amp_seconds, peak, longest, stretch = 0, 0.0, 0.0, 0, 0
    for t in range(start, end):
        excess = run.total(scenario.house, t) - scenario.limit_amps
        if excess > 1e-9:
            seconds += 1
            amp_seconds += excess
            peak = max(peak, excess)
            stretch += 1
            longest = max(longest, stretch)
        else:
            stretch = 0
    return Above(seconds, amp_seconds, peak, longest)


def jump_responses(
    run: Run, scenario: Scenario, budget: float, *, jump_amps: float = 2.0
) -> list[int]:
    """Seconds from each house-load jump that puts the chargers over their budget to a fit.

    A jump is a rise of ``jump_amps`` or more from one second to the next. It counts when the
    chargers' draw just before it exceeds what the policy's budget leaves beside the
    new house load; the response ends at the first second the draw fits beside the house load of
    that second (the chargers lowered, or the load fell back).
    """
    house = scenario.house
    responses: list[int] = []
    for t in range(1, scenario.seconds):
        if house[t] - house[t - 1] < jump_amps:
            continue
        if run.draws[t - 1] <= max(0.0, budget - house[t]) + 0.01:
            continue
        for s in range(t, min(scenario.seconds, t + 600)):
            if run.draws[s] <= max(0.0, budget - house[s]) + 0.01:
                responses.append(s - t)
                break
        else:
            responses.append(600)
    return responses


def energy(run: Run) -> float:
    return sum(run.energy_kwh.values())


def clock(t: int) -> str:
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}"


# From a house step to the cars' lower draw: the sensor's next report, a round and its command
# (within a second here), and the car following the lower pilot (IEC 61851-1 gives it 5 s; the
# day's cars take 2-5 s).
ROUND_S = 1
CAR_FOLLOW_S = 5


def response_bound(sensor_period_s: int) -> int:
    """Seconds from a house step until the cars have followed the lower shares at the latest."""
    return sensor_period_s + ROUND_S + CAR_FOLLOW_S


def beyond_response(
    run: Run, scenario: Scenario, response_s: int, start: int = 0, end: int | None = None
) -> Above:
    """Above the limit beyond what a house rise within the last ``response_s`` seconds explains.

    A house load that steps up by more than the margin on a full circuit puts it above the
    limit until the chargers have lowered and their cars followed: the sensor's next report,
    the command, the car's delay. Within ``response_s`` of a rise the excess it explains is the
    rise less the margin (the room the margin kept free); anything above that, or later, is
    the allocator's or the sequencer's doing.
    """
    end = scenario.seconds if end is None else end
    house, margin = scenario.house, scenario.margin_amps
    seconds, amp_seconds, peak, longest, stretch = 0, 0.0, 0.0, 0, 0
    for t in range(start, end):
        excess = run.total(house, t) - scenario.limit_amps
        rise = house[t] - min(house[max(0, t - response_s) : t + 1])
        left = excess - max(0.0, rise - margin)
        if left > 1e-9:
            seconds += 1
            amp_seconds += left
            peak = max(peak, left)
            stretch += 1
            longest = max(longest, stretch)
        else:
            stretch = 0
    return Above(seconds, amp_seconds, peak, longest)
