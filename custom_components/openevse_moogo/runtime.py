"""The typed config entry alias shared by every module of the integration."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry

from .charger.runtime import ChargerRuntimeData
from .circuit.ha.runtime import CircuitRuntimeData
from .pump.runtime import PumpRuntimeData

# A charger entry holds ChargerRuntimeData, a Moogo account entry PumpRuntimeData, a charging
# circuit CircuitRuntimeData.
type OpenEVSEMoogoConfigEntry = ConfigEntry[
    ChargerRuntimeData | PumpRuntimeData | CircuitRuntimeData
]
