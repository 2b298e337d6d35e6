"""A pump entity writes its state when anything it shows moved, attributes included."""

from __future__ import annotations

import pytest
from homeassistant.components.select import ATTR_OPTIONS
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant

from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.moogo import server as cloud

from .conftest import coordinator_of

FIRMWARE = "update.backyard_firmware"
CONCENTRATE = "select.backyard_concentrate"


def settle(entry: ConfigEntry) -> None:
    """Let every entity see one update, so the next one is compared with what it wrote.

    (An entity's first update after being added is always written.)
    """
    coordinator_of(entry).async_update_listeners()


async def test_update_progress_alone_is_written(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """An update started from the app moves only `in_progress`: the state is still rewritten."""
    settle(account)
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    simulator.offer_firmware(pump_id, "1.1.0")
    await coordinator.async_refresh()
    state = hass.states.get(FIRMWARE)
    assert (state.state, state.attributes["in_progress"]) == (STATE_ON, False)
    await coordinator.client.start_firmware_update(pump_id)
    # Only the firmware is read: the simulated update takes 0.2 s, a full refresh may outlast it.
    await coordinator.pumps[pump_id].firmware.async_refresh()
    state = hass.states.get(FIRMWARE)
    assert (state.state, state.attributes["in_progress"]) == (STATE_ON, True)


async def test_installed_version_alone_is_written(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Firmware installed elsewhere, with nothing newer on offer: the state stays off."""
    settle(account)
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    assert hass.states.get(FIRMWARE).attributes["installed_version"] == "1.0.8"
    simulator._devices[pump_id].firmware = "1.0.9"
    await coordinator.async_refresh()
    state = hass.states.get(FIRMWARE)
    assert (state.state, state.attributes["installed_version"]) == (STATE_OFF, "1.0.9")


async def test_select_options_alone_are_written(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A concentrate added to the vendor's catalogue shows among the options at once."""
    before = hass.states.get(CONCENTRATE)
    added = {"id": "99", "liquidName": "Citronella", "liquidConcentration": 80}
    monkeypatch.setattr(cloud, "LIQUID_TYPES", (*cloud.LIQUID_TYPES, added))
    settle(account)
    coordinator = coordinator_of(account)
    await coordinator.async_refresh()
    state = hass.states.get(CONCENTRATE)
    assert state.state == before.state
    assert state.attributes[ATTR_OPTIONS] == [*before.attributes[ATTR_OPTIONS], "Citronella"]
