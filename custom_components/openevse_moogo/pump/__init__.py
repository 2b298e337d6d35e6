"""Moogo misting pumps: one config entry per Moogo cloud account, with all its pumps.

Everything about pumps lives in this package; `PUMP_FAMILY` plugs it into the integration.
"""

from __future__ import annotations

from homeassistant.const import Platform

from ..const import FAMILY_PUMP
from ..family import Family
from .binary_sensor import async_setup_pump_binary_sensors
from .diagnostics import async_get_pump_diagnostics
from .event import async_setup_pump_events
from .number import async_setup_pump_numbers
from .runtime import PumpRuntimeData
from .select import async_setup_pump_selects
from .sensor import async_setup_pump_sensors
from .services import async_register_pump_services
from .setup import async_remove_pump_device, async_remove_pump_entry, async_setup_pump_entry
from .switch import async_setup_pump_switches
from .update import async_setup_pump_updates

PUMP_FAMILY: Family[PumpRuntimeData] = Family(
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
    setup_entry=async_setup_pump_entry,
    get_diagnostics=async_get_pump_diagnostics,
    remove_device=async_remove_pump_device,
    remove_entry=async_remove_pump_entry,
    register_services=async_register_pump_services,
)

__all__ = ["PUMP_FAMILY"]
