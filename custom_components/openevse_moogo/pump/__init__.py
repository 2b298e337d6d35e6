"""Moogo misting pumps: one config entry per Moogo cloud account, with all its pumps.

Everything about pumps lives in this package; `PUMP_FAMILY` plugs it into the integration.
"""

from __future__ import annotations

from homeassistant.const import Platform

from ..const import FAMILY_PUMP
from ..family import Family
from . import binary_sensor, calendar, event, number, select, sensor, switch, update
from .diagnostics import async_get_pump_diagnostics
from .runtime import PumpRuntimeData
from .services import async_register_pump_services
from .setup import async_remove_pump_device, async_remove_pump_entry, async_setup_pump_entry

PUMP_FAMILY: Family[PumpRuntimeData] = Family(
    key=FAMILY_PUMP,
    platforms={
        Platform.BINARY_SENSOR: binary_sensor.async_setup_entry,
        Platform.CALENDAR: calendar.async_setup_entry,
        Platform.EVENT: event.async_setup_entry,
        Platform.NUMBER: number.async_setup_entry,
        Platform.SELECT: select.async_setup_entry,
        Platform.SENSOR: sensor.async_setup_entry,
        Platform.SWITCH: switch.async_setup_entry,
        Platform.UPDATE: update.async_setup_entry,
    },
    setup_entry=async_setup_pump_entry,
    get_diagnostics=async_get_pump_diagnostics,
    remove_device=async_remove_pump_device,
    remove_entry=async_remove_pump_entry,
    register_services=async_register_pump_services,
)

__all__ = ["PUMP_FAMILY"]
