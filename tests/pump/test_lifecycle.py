"""No pump entity raises when its pump, its data or the cloud goes away, whatever the path.

The autouse log check fails each of these tests on any error or traceback logged meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of

SPRAY = "switch.backyard_spray"


async def test_removed_pump_entities_stay_quiet_until_removed(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Every entity of a pump that left asks only its last snapshot while it is still around."""
    coordinator = coordinator_of(account)
    second = simulator.add_device(name="Patio")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    patio = [state.entity_id for state in hass.states.async_all() if ".patio_" in state.entity_id]
    assert patio
    simulator.remove_device(second)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    for entity_id in patio:
        state = hass.states.get(entity_id)
        assert state is None or state.state == STATE_UNAVAILABLE, entity_id


async def test_unload_during_a_refresh(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Unloading while a poll waits for the cloud ends the poll quietly."""
    simulator.faults.delay = 0.5
    refresh = hass.async_create_task(coordinator_of(account).async_refresh())
    await asyncio.sleep(0.1)
    assert await hass.config_entries.async_unload(account.entry_id)
    await refresh
    simulator.faults.delay = 0.0
    await hass.async_block_till_done()
    assert account.state is ConfigEntryState.NOT_LOADED


async def test_reload_during_a_spray_command(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Reloading while a spray waits for its confirmation: the command ends, the new entry works."""
    simulator.faults.delay = 0.2
    command = hass.async_create_task(
        hass.services.async_call("switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: SPRAY}, blocking=True)
    )
    await asyncio.sleep(0.05)
    reload = hass.async_create_task(hass.config_entries.async_reload(account.entry_id))
    # the old entry may be gone before the cloud answers: a translated error is fine
    with contextlib.suppress(HomeAssistantError):
        await command
    simulator.faults.delay = 0.0
    assert await reload
    await hass.async_block_till_done()
    assert account.state is ConfigEntryState.LOADED
    assert hass.states.get(SPRAY).state != STATE_UNAVAILABLE
