"""A car on the simulated charger's cable that follows the pilot the way cars do.

Without a car model the simulator draws the pilot (less a few hundred mA) at once, which is
what most tests want. With one, the charger's ``amp`` is the car's draw: the lowest of the
pilot, the car's own on-board charger maximum and the share of the allowed current it takes
(some cars, nearly full or cold, draw less than allowed), reached only ``delay_s`` after the
pilot changed. IEC 61851-1 gives a car 5 s to follow a lower pilot; cars take 1-5 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CarModel:
    """How one car draws: its maximum, the share of the allowance it takes, its delay."""

    max_amps: float = 32.0
    draw_ratio: float = 1.0
    delay_s: float = 3.0

    def __post_init__(self) -> None:
        """Reject a car no charger could see."""
        if self.max_amps <= 0 or not 0 < self.draw_ratio <= 1 or self.delay_s < 0:
            raise ValueError("a car draws a positive current, a share of at most 1, late >= 0 s")


@dataclass(slots=True)
class CarDraw:
    """The car's draw as time passes: it moves to what the pilot allows after the delay."""

    model: CarModel
    draw: float = 0.0
    _wanted: float = 0.0
    _since: float = field(default=0.0)

    def follow(self, pilot: float, now: float) -> float:
        """Return the draw at ``now`` (A) for the pilot advertised now (0: not charging)."""
        wanted = min(pilot, self.model.max_amps) * self.model.draw_ratio if pilot > 0 else 0.0
        if wanted != self._wanted:
            self._wanted = wanted
            self._since = now
        if now - self._since >= self.model.delay_s:
            self.draw = wanted
        return self.draw

    def stop(self) -> None:
        """The relay opened: the car draws nothing, and starts from 0 next time."""
        self.draw = 0.0
        self._wanted = 0.0
