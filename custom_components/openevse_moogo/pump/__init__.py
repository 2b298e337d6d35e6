"""Moogo misting pumps: one config entry per Moogo cloud account, with all its pumps.

Everything about pumps lives in this package; `PUMP_FAMILY` plugs it into the integration.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from custom_components.openevse_moogo.const import FAMILY_PUMP
from custom_components.openevse_moogo.family import Family

from .binary_sensor import async_setup_pump_binary_sensors
from .diagnostics import async_get_pump_diagnostics
from .event import async_setup_pump_events
from .number import async_setup_pump_numbers
from .runtime import PumpConfigEntry
from .select import async_setup_pump_selects
from .sensor import async_setup_pump_sensors
from .services import async_register_pump_services
from .setup import async_remove_pump_device, async_setup_pump_entry, async_unload_pump_entry
from .switch import async_setup_pump_switches
from .time_zone import async_watch_time_zones
from .update import async_setup_pump_updates


async def _async_setup_entry(hass: HomeAssistant, entry: PumpConfigEntry) -> None:
    """Set the account up, then watch its pumps' time zones for the repair issue."""
    await async_setup_pump_entry(hass, entry)
    async_watch_time_zones(hass, entry)


PUMP_FAMILY = Family(
    key=FAMILY_PUMP,
    platforms={
        Platform.BINARY_SENSOR: async_setup_pump_binary_sensors,
        Platform.EVENT: async_setup_pump_events,
        Platform.NUMBER: async_setup_pump_numbers,
        Platform.SELECT: async_setup_pump_selects,
        Platform.SENSOR: async_setup_pump_sensors,
        Platform.SWITCH: async_setup_pump_switches,
        Platform.UPDATE: async_setup_pump_updates,
    },
    async_setup_entry=_async_setup_entry,
    async_unload_entry=async_unload_pump_entry,
    async_get_diagnostics=async_get_pump_diagnostics,
    async_remove_device=async_remove_pump_device,
    async_register_services=async_register_pump_services,
)

__all__ = ["PUMP_FAMILY"]
