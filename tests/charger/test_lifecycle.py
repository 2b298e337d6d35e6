"""No charger entity raises when its data or connection goes away, whatever the lifecycle path.

The autouse log check fails each of these tests on any error or traceback logged meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib

from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of

# Keys a firmware may stop reporting (another build, a sensor that failed); each feeds a sensor.
DROPPED = ("voltage", "temp", "srssi", "uptime", "pilot", "amp", "session_energy", "total_energy")


async def test_status_that_lost_keys_leaves_sensors_unknown(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """A status without keys the entities were created for: unknown states, nothing raises."""
    assert state_of(hass, "sensor.openevse_7c40_voltage") != STATE_UNKNOWN
    for key in DROPPED:
        charger.status.pop(key, None)
    await loaded.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.openevse_7c40_voltage") == STATE_UNKNOWN
    assert state_of(hass, "sensor.openevse_7c40_temperature") == STATE_UNKNOWN


async def test_unload_during_a_refresh(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """Unloading while a poll waits for the charger ends the poll quietly."""
    charger.faults.delay = 0.5
    refresh = hass.async_create_task(loaded.runtime_data.coordinator.async_refresh())
    await asyncio.sleep(0.1)
    assert await hass.config_entries.async_unload(loaded.entry_id)
    await refresh
    charger.faults.clear()
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.NOT_LOADED


async def test_reload_during_a_command(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """Reloading while a command waits for the charger: the command ends, the new entry works."""
    charger.faults.delay = 0.5
    command = hass.async_create_task(
        hass.services.async_call(
            "number",
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: "number.openevse_7c40_charge_current_setting", ATTR_VALUE: 12},
            blocking=True,
        )
    )
    await asyncio.sleep(0.1)
    reload = hass.async_create_task(hass.config_entries.async_reload(loaded.entry_id))
    # the old entry may be gone before the charger answers: a translated error is fine
    with contextlib.suppress(HomeAssistantError):
        await command
    charger.faults.clear()
    assert await reload
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.LOADED
    assert state_of(hass, "number.openevse_7c40_charge_current_setting") != "unavailable"
