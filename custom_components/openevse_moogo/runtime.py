"""The typed config entry alias shared by every module of the integration."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry

from .charger.runtime import ChargerRuntimeData
from .pump.runtime import PumpRuntimeData

# A charger entry holds ChargerRuntimeData, a Moogo account entry PumpRuntimeData.
type OpenEVSEMoogoConfigEntry = ConfigEntry[ChargerRuntimeData | PumpRuntimeData]
