"""What the circuit's allocator is told: the circuit, its member chargers, its other loads.

Plain frozen values with no Home Assistant types, so that the allocator, the transition machine
and the fallback are pure functions the tests and the benchmark drive directly. Currents are in
amperes, ages and durations in seconds, times on one monotonic clock chosen by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

J1772_MIN_AMPS = 6
"""The lowest pilot a J1772 / IEC 61851 car accepts for charging: below it a member pauses."""

type Phase = Literal[1, 2, 3]
ALL_PHASES: frozenset[Phase] = frozenset((1, 2, 3))


@dataclass(frozen=True, slots=True)
class Circuit:
    """One supply protected by one breaker.

    ``limit_amps`` is the breaker rating per phase; ``margin_amps`` is kept free on every phase
    for what no sensor sees in time (a kettle switched on between two readings).
    """

    limit_amps: float
    phases: Literal[1, 3] = 1
    margin_amps: float = 1.0

    def __post_init__(self) -> None:
        """Reject a circuit no allocation could be safe on."""
        if self.limit_amps <= 0:
            raise ValueError("the breaker limit must be positive")
        if not 0 <= self.margin_amps < self.limit_amps:
            raise ValueError("the margin must be at least 0 and below the limit")

    @property
    def phase_ids(self) -> tuple[Phase, ...]:
        """The phases budgets are kept for: (1,) on a single-phase circuit."""
        return (1,) if self.phases == 1 else (1, 2, 3)


class Vehicle(StrEnum):
    """What the charger reports about the car on its cable."""

    UNPLUGGED = "unplugged"
    PLUGGED = "plugged"  # connected, not drawing (waiting, full, or paused by us)
    CHARGING = "charging"


@dataclass(frozen=True, slots=True)
class Member:
    """One charger on the circuit, as its own coordinator last saw it.

    ``phases`` is the phase a single-phase charger is wired to, or all three for a three-phase
    charger (on a single-phase circuit every member is on phase 1). ``min_amps`` / ``max_amps``
    are the charger's own bounds: its hard minimum and the lower of its hard and soft maxima
    (the firmware caps every claim at the soft maximum). ``draw_amps`` is the measured current
    per phase, ``draw_age_s`` how old that reading is. ``confirmed_amps`` is the allocation the
    charger last reported back as in force (our claim's value, 0 when paused), ``commanded_amps``
    the last one we sent, both None before the first. ``fallback_amps`` is what the charger
    allows on its own when it holds no claim of ours (see :mod:`.fallback`).
    """

    member_id: str
    phases: frozenset[Phase] = frozenset((1,))
    min_amps: int = J1772_MIN_AMPS
    max_amps: int = 32
    vehicle: Vehicle = Vehicle.UNPLUGGED
    draw_amps: float = 0.0
    draw_age_s: float = 0.0
    reachable: bool = True
    confirmed_amps: int | None = None
    commanded_amps: int | None = None
    fallback_amps: int = 0

    def __post_init__(self) -> None:
        """Reject bounds a charger cannot have."""
        if not self.phases or not self.phases <= ALL_PHASES:
            raise ValueError("a member is on phase 1, 2 or 3, or on all three")
        if self.min_amps < J1772_MIN_AMPS or self.max_amps < self.min_amps:
            raise ValueError("a charger's bounds are 6 A <= min <= max")

    @property
    def held_amps(self) -> int:
        """What this member may be drawing by what it was last told or last confirmed."""
        return max(self.confirmed_amps or 0, self.commanded_amps or 0)


@dataclass(frozen=True, slots=True)
class OtherLoad:
    """A load on the circuit that is not a member, as one Home Assistant sensor reports it.

    Either ``amps`` (one value per circuit phase, or one value for a single-phase load on
    ``phase``) or ``watts`` with ``volts`` (a power sensor; converted to current per phase, see
    :func:`.allocation.load_currents`). ``age_s`` is the time since the sensor last reported;
    ``available`` is False when the sensor is unavailable or unknown. ``rated_amps``, when the
    user knows it, is the most this load can draw per phase: the value an unavailable sensor is
    counted at instead of the whole budget.
    """

    load_id: str
    amps: tuple[float, ...] | None = None
    phase: Phase | None = None
    watts: float | None = None
    volts: float = 230.0
    age_s: float = 0.0
    available: bool = True
    rated_amps: float | None = None

    def __post_init__(self) -> None:
        """Exactly one way of reporting, and a voltage a power can be divided by."""
        if (self.amps is None) == (self.watts is None):
            raise ValueError("a load reports either current or power")
        if self.volts <= 0:
            raise ValueError("the voltage must be positive")


@dataclass(frozen=True, slots=True)
class Staleness:
    """When readings stop being trusted as they are.

    A load reading older than ``load_fresh_s`` is stale: it is counted at its value plus the
    largest rise seen within ``rise_window_s``. Older than ``load_dead_s`` (or unavailable) it is
    counted at the load's rated current, or as taking the whole remaining budget. A member's
    draw older than ``draw_fresh_s`` is not used to tell whether its car draws less than allowed.
    """

    load_fresh_s: float = 15.0
    load_dead_s: float = 120.0
    rise_window_s: float = 900.0
    draw_fresh_s: float = 15.0


@dataclass(frozen=True, slots=True)
class Tuning:
    """How the allocator shares: when a car counts as drawing less, and when turns rotate.

    A car drawing at least ``underdraw_amps`` below its allocation for ``underdraw_after_s`` is
    capped at its draw plus ``headroom_amps`` (never below its charger's minimum, so it can
    still start); the cap is lifted when it draws within ``reopen_amps`` of it. When the budget
    cannot give every car the J1772 minimum, a paused car takes the turn of the car that has
    charged longest once it has waited ``rotate_after_s``.
    """

    underdraw_amps: float = 2.0
    underdraw_after_s: float = 60.0
    headroom_amps: float = 2.0
    reopen_amps: float = 1.0
    rotate_after_s: float = 900.0


@dataclass(frozen=True, slots=True)
class MemberHistory:
    """What the allocator remembers of one member between rounds (times on the caller's clock)."""

    paused_since: float | None = None  # wanting current but given none, since
    running_since: float | None = None  # given current, since
    underdraw_since: float | None = None  # drawing well below its allocation, since
    underdraw_cap: int | None = None  # the cap in force while it draws less
    allocated: int = 0  # what the previous round gave it


@dataclass(frozen=True, slots=True)
class LoadHistory:
    """The recent readings of one other load: (time, current per phase), oldest first."""

    samples: tuple[tuple[float, tuple[float, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class AllocatorState:
    """Everything one allocation round hands to the next; start with ``AllocatorState()``."""

    members: dict[str, MemberHistory] = field(default_factory=dict)
    loads: dict[str, LoadHistory] = field(default_factory=dict)
