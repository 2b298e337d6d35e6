"""Setting a Moogo account entry up and down, and keeping its devices in step with the cloud."""

from __future__ import annotations

from functools import partial

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from .account import entry_client, forget_login_guard
from .cloud import login_cap_issue_id
from .coordinator import PumpCoordinator
from .runtime import PumpConfigEntry, PumpRuntimeData
from .time_zone import async_watch_time_zones


async def async_setup_pump_entry(hass: HomeAssistant, entry: PumpConfigEntry) -> PumpRuntimeData:
    """Restore the stored login (no new login), read every pump once, keep devices in step."""
    client = entry_client(hass, entry)
    # Releases the client (Home Assistant's shared session stays open), also when set-up fails.
    entry.async_on_unload(client.close)
    coordinator = PumpCoordinator(hass, entry, client)
    await coordinator.async_first_read()
    entry.async_on_unload(coordinator.async_shutdown_timers)

    sync = partial(_sync_devices, hass, entry, coordinator)
    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))
    async_watch_time_zones(hass, entry, coordinator)
    return PumpRuntimeData(client=client, coordinator=coordinator)


async def async_remove_pump_entry(hass: HomeAssistant, entry: PumpConfigEntry) -> None:
    """Forget a removed account's login budget and its login-cap repair issue."""
    forget_login_guard(hass, entry.entry_id)
    ir.async_delete_issue(hass, DOMAIN, login_cap_issue_id(entry.entry_id))


def _pump_ids(device: dr.DeviceEntry) -> set[str]:
    return {identifier for domain, identifier in device.identifiers if domain == DOMAIN}


@callback
def _sync_devices(
    hass: HomeAssistant, entry: PumpConfigEntry, coordinator: PumpCoordinator
) -> None:
    """Drop devices of pumps that left the account; follow renames and firmware updates."""
    registry = dr.async_get(hass)
    pumps = coordinator.data.pumps
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        pump = next((pumps[pump_id] for pump_id in _pump_ids(device) if pump_id in pumps), None)
        if pump is None:
            registry.async_remove_device(device.id)
        elif (device.name, device.sw_version) != (pump.name, pump.firmware_version):
            registry.async_update_device(
                device.id, name=pump.name, sw_version=pump.firmware_version
            )


async def async_remove_pump_device(
    hass: HomeAssistant, entry: PumpConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a pump's device only once the pump is gone from the account."""
    return not _pump_ids(device) & set(entry.runtime_data.coordinator.data.pumps)
