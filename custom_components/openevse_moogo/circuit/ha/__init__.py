"""Charging circuits in Home Assistant: the third device family, beside chargers and pumps.

The pure core (``circuit/model.py``, ``allocation.py``, ``transition.py``, ``fallback.py``)
imports nothing of Home Assistant, so tests and benchmarks drive it directly; this subpackage
is everything Home Assistant adds around it: the config and options flow, the loop over the
members' coordinators (:mod:`.controller`), the fallback written to the chargers once, and the
circuit device's sensors. :data:`CIRCUIT_FAMILY` plugs it into the integration.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.storage import Store

from ...const import DOMAIN, FAMILY_CIRCUIT
from ...family import Family
from . import sensor
from .const import CONF_FALLBACK_PREVIOUS, CONF_SHARES, ISSUE_OVERRIDE
from .controller import STORE_VERSION, CircuitController, store_key
from .fallback_setup import async_release_shares, async_restore_fallback
from .runtime import CircuitConfigEntry, CircuitRuntimeData
from .settings import CircuitSettings


async def async_setup_circuit_entry(
    hass: HomeAssistant, entry: CircuitConfigEntry
) -> CircuitRuntimeData:
    """Start the circuit's loop; it follows its members as their entries load and unload."""
    settings = CircuitSettings.from_mapping(entry.data)
    controller = CircuitController(hass, entry, settings, dict(entry.data.get(CONF_SHARES, {})))
    await controller.async_start()
    return CircuitRuntimeData(controller=controller)


async def async_get_circuit_diagnostics(
    hass: HomeAssistant, entry: CircuitConfigEntry
) -> dict[str, Any]:
    """Return the circuit's settings and its last round (no secrets: it holds none)."""
    controller = entry.runtime_data.controller
    data = controller.data
    return {
        "settings": dict(entry.data),
        "budget": list(data.allocation.budget),
        "other_loads": [
            {"load": c.load_id, "amps": list(c.amps), "treatment": c.treatment.value}
            for c in data.allocation.loads
        ],
        "allocated": list(data.allocation.allocated),
        "headroom": list(data.allocation.headroom),
        "members": {
            member_id: {
                "amps": view.amps,
                "reason": view.reason,
                "reachable": view.reachable,
                "in_force": view.in_force,
                "draw": view.draw,
            }
            for member_id, view in data.members.items()
        },
    }


async def async_remove_circuit_device(
    hass: HomeAssistant, entry: CircuitConfigEntry, device: DeviceEntry
) -> bool:
    """Refuse to delete the circuit's own device: it goes with its entry only."""
    return (DOMAIN, f"circuit_{entry.entry_id}") not in device.identifiers


async def async_remove_circuit_entry(hass: HomeAssistant, entry: CircuitConfigEntry) -> None:
    """Give the chargers back: drop our claims' circuit share, put their settings back."""
    member_ids = CircuitSettings.from_mapping(entry.data).member_ids
    await async_release_shares(hass, member_ids)
    for member_id in member_ids:
        ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_OVERRIDE}_{entry.entry_id}_{member_id}")
    await async_restore_fallback(
        hass, entry.title, dict(entry.data.get(CONF_FALLBACK_PREVIOUS, {}))
    )
    await Store[dict[str, Any]](hass, STORE_VERSION, store_key(entry.entry_id)).async_remove()


@callback
def _no_services(hass: HomeAssistant) -> None:
    """Register nothing: a circuit acts through its members' claims, with no actions."""


CIRCUIT_FAMILY: Family[CircuitRuntimeData] = Family(
    key=FAMILY_CIRCUIT,
    platforms={Platform.SENSOR: sensor.async_setup_entry},
    setup_entry=async_setup_circuit_entry,
    get_diagnostics=async_get_circuit_diagnostics,
    remove_device=async_remove_circuit_device,
    remove_entry=async_remove_circuit_entry,
    register_services=_no_services,
)
