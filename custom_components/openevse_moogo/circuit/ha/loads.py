"""The circuit's other loads, read from the user's Home Assistant sensors.

The sensors measure what is on the circuit besides its member chargers (a sub-meter of the
house, a heat pump's own meter): current per phase, one current, or a power. Their unit is
converted (mA, kW); an unknown unit, a non-number, ``unavailable`` or ``unknown`` makes the
load unavailable, which the allocator counts at the whole remaining budget (see
:func:`..allocation.count_load`). A reading's age is the time since the sensor last reported,
even an unchanged value, so a slow but alive meter is not taken for a dead one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from homeassistant.const import UnitOfElectricCurrent, UnitOfPower
from homeassistant.core import HomeAssistant, State

from ..model import OtherLoad

_CURRENT_FACTORS: dict[str | None, float] = {
    UnitOfElectricCurrent.AMPERE: 1.0,
    UnitOfElectricCurrent.MILLIAMPERE: 0.001,
    None: 1.0,
}
_POWER_FACTORS: dict[str | None, float] = {
    UnitOfPower.WATT: 1.0,
    UnitOfPower.KILO_WATT: 1000.0,
    None: 1.0,
}

NOMINAL_VOLTS = 230.0  # the European nominal voltage, and above North America's 208 V
LOAD_CURRENT_ID = "current"
LOAD_POWER_ID = "power"


def _value(state: State | None, factors: dict[str | None, float]) -> float | None:
    """Return a sensor's reading in A or W; None when it has none that can be used."""
    if state is None:
        return None
    factor = factors.get(state.attributes.get("unit_of_measurement"))
    if factor is None:
        return None
    try:
        return float(state.state) * factor
    except ValueError:
        return None


def _age(states: Sequence[State | None], now: datetime) -> float:
    reported = [s.last_reported for s in states if s is not None]
    return max((now - r).total_seconds() for r in reported) if reported else 0.0


def mains_volts(reported: Iterable[float | None]) -> float:
    """Return the voltage a power reading is divided by: the lowest of 230 V and the members'.

    Dividing by too high a voltage would undercount the current, so the lowest wins: a
    charger on a 208 V supply counts its loads at 208 V, while one that reports its configured
    240 V without measuring (the firmware's default) cannot lift them above 230 V. Readings
    outside any mains voltage (0 from a charger without a voltmeter) are left out.
    """
    plausible = [volts for volts in reported if volts is not None and 90 <= volts <= 270]
    return min([NOMINAL_VOLTS, *plausible])


def read_loads(
    hass: HomeAssistant,
    current: Sequence[str],
    power: str | None,
    now: datetime,
    *,
    volts: float = NOMINAL_VOLTS,
) -> list[OtherLoad]:
    """Read the configured sensors as the allocator's other loads (power divided by ``volts``)."""
    loads: list[OtherLoad] = []
    if current:
        states = [hass.states.get(entity_id) for entity_id in current]
        values = [_value(s, _CURRENT_FACTORS) for s in states]
        readings = [v for v in values if v is not None]
        available = len(readings) == len(values)
        loads.append(
            OtherLoad(
                LOAD_CURRENT_ID,
                amps=tuple(readings) if available else tuple(0.0 for _ in values),
                age_s=_age(states, now),
                available=available,
            )
        )
    if power:
        state = hass.states.get(power)
        watts = _value(state, _POWER_FACTORS)
        loads.append(
            OtherLoad(
                LOAD_POWER_ID,
                watts=watts or 0.0,
                volts=volts,
                age_s=_age([state], now),
                available=watts is not None,
            )
        )
    return loads
