"""The device families this integration supports, looked up by config entry."""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntry

from .charger import CHARGER_FAMILY
from .charger.runtime import ChargerRuntimeData
from .circuit.ha import CIRCUIT_FAMILY
from .circuit.ha.runtime import CircuitRuntimeData
from .family import Family, family_key
from .pump import PUMP_FAMILY
from .pump.runtime import PumpRuntimeData

type AnyFamily = Family[ChargerRuntimeData] | Family[PumpRuntimeData] | Family[CircuitRuntimeData]

FAMILIES: Final[dict[str, AnyFamily]] = {
    CHARGER_FAMILY.key: CHARGER_FAMILY,
    PUMP_FAMILY.key: PUMP_FAMILY,
    CIRCUIT_FAMILY.key: CIRCUIT_FAMILY,
}


def family_for[T](entry: ConfigEntry[T]) -> AnyFamily:
    """Return the family that owns this config entry."""
    return FAMILIES[family_key(entry)]
