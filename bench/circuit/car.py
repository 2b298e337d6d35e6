"""A car behind a charger: it follows the pilot a few seconds late and may draw less.

The car sees the pilot its charger advertises and adjusts its draw after ``delay_s`` (2-5 s for
the cars here; IEC 61851-1 gives a car 5 s to follow a lower pilot). It draws the lowest of the
pilot, its own on-board charger's maximum and its taper (above ``taper_from`` state of charge
the current falls linearly to ``taper_floor_amps`` at full); below the J1772 minimum pilot, or
once full, it draws nothing. Its battery fills as it charges, so a car that is given less
finishes later, and one that leaves first takes less energy home.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

VOLTS = 230.0
J1772_MIN_AMPS = 6


@dataclass(frozen=True, slots=True)
class Visit:
    """A car on a charger's cable from ``arrive`` to ``leave`` (seconds into the day)."""

    arrive: int
    leave: int
    soc: float  # state of charge on arrival, 0..1


@dataclass(frozen=True, slots=True)
class CarSpec:
    """One car: its battery, its on-board charger, how it tapers and how late it follows."""

    name: str
    battery_kwh: float
    max_amps: float
    delay_s: int
    taper_from: float = 0.8
    taper_floor_amps: float = 4.0


@dataclass
class Car:
    """The car's state while plugged in; :meth:`step` advances it by one second."""

    spec: CarSpec
    soc: float
    pilots: deque[int] = field(default_factory=deque)
    draw: float = 0.0

    def __post_init__(self) -> None:
        """A car just plugged in has seen no pilot yet: it starts ``delay_s`` late."""
        if not self.pilots:
            self.pilots.extend([0] * self.spec.delay_s)

    def wanted(self) -> float:
        """What the car would draw with no pilot limit: its own maximum or its taper."""
        if self.soc >= 1.0:
            return 0.0
        if self.soc <= self.spec.taper_from:
            return self.spec.max_amps
        left = (1.0 - self.soc) / (1.0 - self.spec.taper_from)
        floor = self.spec.taper_floor_amps
        return floor + (self.spec.max_amps - floor) * left

    def follow(self, pilot: float) -> float:
        """The draw the car settles at under ``pilot`` (no delay)."""
        if pilot < J1772_MIN_AMPS:
            return 0.0
        return min(pilot, self.wanted())

    def step(self, pilot: int, seconds: float = 1.0) -> float:
        """See this second's pilot, draw by the pilot of ``delay_s`` ago, fill the battery."""
        self.pilots.append(pilot)
        while len(self.pilots) > self.spec.delay_s + 1:
            self.pilots.popleft()
        return self.charge(self.follow(self.pilots[0]), seconds)

    def charge(self, amps: float, seconds: float = 1.0) -> float:
        """Draw ``amps`` for ``seconds`` (the ideal allocator's instant car uses this alone)."""
        self.draw = amps
        self.soc = min(1.0, self.soc + amps * VOLTS * seconds / 3.6e6 / self.spec.battery_kwh)
        return amps
