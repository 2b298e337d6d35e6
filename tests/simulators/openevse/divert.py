"""Solar divert's memory as divert.cpp keeps it: the smoothed surplus and the minimum charge time.

The firmware smooths the available current before it decides to start or pause: 5.x and the
development branch with a time-based first-order filter (input_filter.cpp: the factor is
``1 - exp(-delta / tau)``, ``delta`` in whole seconds since the previous reading, ``tau`` at least
10 s, 0 meaning no filtering), 4.1.7 with fixed per-reading factors. Once charging starts the
divert claim is not dropped back to the pause before ``divert_min_charge_time`` has passed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

INPUT_FILTER_MIN_TAU: Final = 10  # s (input_filter.h)


def filter_factor(delta: int, tau: float) -> float:
    """InputFilter::getFactor: how much of a new reading goes into the smoothed value."""
    if tau <= 0:
        return 1.0
    return 1 - math.exp(-delta / max(tau, INPUT_FILTER_MIN_TAU))


@dataclass
class DivertMemory:
    """What DivertTask remembers between readings (reset by a boot, partly by eco mode).

    ``clock`` stands for ``millis()`` (seconds since an arbitrary start) and ``wall`` for
    ``divertmode_get_time()`` (the gateway's wall clock in seconds); tests replace both.
    """

    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    available: float = 0.0
    smoothed: float = 0.0
    charge_rate: int = 0
    min_charge_end: int = 0
    state: str | None = None
    """The manager state last seen agreeing with divert's claim (``_state``; None at first)."""
    _last_data_time: float | None = field(default=None, repr=False)

    def enter_eco(self) -> None:
        """setMode(Eco): start again from nothing (the filter's clock is kept)."""
        self.min_charge_end = 0
        self.charge_rate = 0
        self.available = 0.0
        self.smoothed = 0.0
        self.state = None

    def leave_eco(self) -> None:
        """setMode(Normal): divert is no longer in any state."""
        self.state = None

    def smooth_over_time(self, available: float, attack: float, decay: float) -> float:
        """5.x / master: time-based filter, attack while rising, decay while falling."""
        tau = attack if available > self.smoothed else decay
        now = self.clock()
        if self._last_data_time is None:
            self._last_data_time = now
        # Whole seconds since the previous reading: readings less than a second apart do
        # not move the smoothed value at all (the division is an integer one).
        delta = int(now - self._last_data_time)
        self._last_data_time = now
        factor = filter_factor(delta, tau)
        self.available = available
        self.smoothed = available * factor + self.smoothed * (1 - factor)
        return self.smoothed

    def smooth_per_reading(self, available: float, attack: float, decay: float) -> float:
        """4.1.7: a fixed share of each reading, whatever the time between them."""
        factor = attack if available > self.smoothed else decay
        self.available = available
        self.smoothed = available * factor + self.smoothed * (1 - factor)
        return self.smoothed

    def charging_started(self, min_charge_time: float) -> None:
        """The EVSE started charging (DivertTask::loop): no pause before the minimum time."""
        self.min_charge_end = int(self.wall()) + int(min_charge_time)

    def min_charge_remaining(self, *, charging: bool) -> int:
        """getMinChargeTimeRemaining: whole seconds left while divert keeps the car charging."""
        now = int(self.wall())  # time_t: whole seconds
        if self.state == "active" and charging and now < self.min_charge_end:
            return int(self.min_charge_end - now)
        return 0
