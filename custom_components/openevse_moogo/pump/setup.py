"""Setting a Moogo account entry up and down, and keeping its devices in step with the cloud."""

from __future__ import annotations

from functools import partial

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from custom_components.openevse_moogo.const import DOMAIN

from .account import entry_client
from .coordinator import MoogoCoordinator
from .runtime import PumpConfigEntry, PumpRuntimeData


async def async_setup_pump_entry(hass: HomeAssistant, entry: PumpConfigEntry) -> None:
    """Restore the stored login (no new login), read every pump once, keep devices in step."""
    client = entry_client(hass, entry)
    coordinator = MoogoCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = PumpRuntimeData(client=client, coordinator=coordinator)
    entry.async_on_unload(coordinator.async_shutdown_timers)
    sync = partial(_sync_devices, hass, entry, coordinator)
    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))


async def async_unload_pump_entry(hass: HomeAssistant, entry: PumpConfigEntry) -> None:
    """Release the client (Home Assistant's shared session stays open)."""
    await entry.runtime_data.client.close()


def _pump_ids(device: dr.DeviceEntry) -> set[str]:
    return {identifier for domain, identifier in device.identifiers if domain == DOMAIN}


@callback
def _sync_devices(
    hass: HomeAssistant, entry: PumpConfigEntry, coordinator: MoogoCoordinator
) -> None:
    """Drop devices of pumps that left the account; follow renames and firmware updates."""
    registry = dr.async_get(hass)
    pumps = coordinator.data.pumps
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        pump = next((pumps[pump_id] for pump_id in _pump_ids(device) if pump_id in pumps), None)
        if pump is None:
            registry.async_update_device(device.id, remove_config_entry_id=entry.entry_id)
        elif (device.name, device.sw_version) != (pump.name, pump.firmware_version):
            registry.async_update_device(
                device.id, name=pump.name, sw_version=pump.firmware_version
            )


async def async_remove_pump_device(
    hass: HomeAssistant, entry: PumpConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a pump's device only once the pump is gone from the account."""
    return not _pump_ids(device) & set(entry.runtime_data.coordinator.data.pumps)
