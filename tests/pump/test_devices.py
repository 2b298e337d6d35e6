"""Pumps joining and leaving the account, and deleting a gone pump's device."""

from __future__ import annotations

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.openevse_moogo import async_remove_config_entry_device
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of


def _pump_devices(device_registry: dr.DeviceRegistry, entry: ConfigEntry) -> set[str]:
    return {
        identifier
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
        for _domain, identifier in device.identifiers
    }


async def test_new_pump_appears_and_removed_pump_goes(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A pump added in the app gets entities without a reload; a removed one loses its device."""
    coordinator = coordinator_of(account)
    first = simulator.device_ids[0]
    second = simulator.add_device(name="Patio")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _pump_devices(device_registry, account) == {first, second}
    assert hass.states.get("switch.patio_spray") is not None

    simulator.remove_device(second)
    await coordinator.async_refresh()  # the status read answers 404: the pump is gone
    await hass.async_block_till_done()
    assert _pump_devices(device_registry, account) == {first}
    assert hass.states.get("switch.patio_spray") is None


async def test_user_may_delete_only_a_gone_pump(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Deleting a device is allowed once its pump left the account, refused while it exists."""
    pump = device_registry.async_get_device_by_identifier(
        (DOMAIN, simulator.device_ids[0]), account.entry_id
    )
    assert pump is not None
    ghost = device_registry.async_get_or_create(
        config_entry_id=account.entry_id, identifiers={(DOMAIN, "gone-pump")}
    )
    assert await async_remove_config_entry_device(hass, account, ghost) is True
    assert await async_remove_config_entry_device(hass, account, pump) is False


async def test_rename_and_firmware_follow_the_cloud(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The device registry follows the pump's name and firmware version."""
    pump_id = simulator.device_ids[0]
    device = device_registry.async_get_device_by_identifier((DOMAIN, pump_id), account.entry_id)
    assert device is not None
    assert (device.name, device.model, device.manufacturer, device.sw_version) == (
        "Backyard",
        "Smart Mosquito Misting System",
        "Moogo",
        "1.0.8",
    )
    await coordinator_of(account).client.rename_device(pump_id, "Terrace")
    await coordinator_of(account).async_refresh()
    device = device_registry.async_get_device_by_identifier((DOMAIN, pump_id), account.entry_id)
    assert device is not None
    assert device.name == "Terrace"


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Error fetching Moogo Patio status data")
)
async def test_status_read_of_a_removed_pump_lists_the_devices_again(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A pump's regular status read answering "gone" re-reads the device list, which drops it."""
    coordinator = coordinator_of(account)
    first = simulator.device_ids[0]
    second = simulator.add_device(name="Patio")
    await coordinator.async_refresh()
    devices_read = simulator.requests.count(("GET", "/v1/devices"))
    simulator.remove_device(second)
    await coordinator.pumps[second].status.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.requests.count(("GET", "/v1/devices")) == devices_read + 1
    assert second not in coordinator.pumps
    assert _pump_devices(device_registry, account) == {first}
