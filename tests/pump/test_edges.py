"""Less common paths: the hourly login budget, timed stops that meet trouble, odd settings."""

from __future__ import annotations

import asyncio

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed

from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Error fetching Moogo account data: .* Login budget of 3 per hour is spent",
    )
)
async def test_spent_hourly_login_budget_waits_without_a_repair_issue(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Past the guard's hourly budget no login is tried; the poll waits as the guard says."""
    coordinator = coordinator_of(account)
    guard = coordinator.client.login_guard
    for _attempt in range(guard.max_per_hour):
        guard.acquire()
    simulator.expire_tokens()
    await coordinator.async_refresh()
    failure = coordinator.account.devices.last_exception
    assert isinstance(failure, UpdateFailed)
    assert failure.translation_key == "moogo_login_limit"
    assert failure.retry_after is not None
    assert 3000 < failure.retry_after <= 3600
    assert simulator.login_count == 1


async def test_unknown_pump_is_a_translated_error(account: ConfigEntry) -> None:
    """Asking for a pump the account does not have raises a translated error."""
    with pytest.raises(HomeAssistantError) as err:
        coordinator_of(account).pump("not-a-pump")
    assert err.value.translation_key == "moogo_pump_unknown"


async def test_timed_stop_of_an_idle_pump_sends_nothing(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A pump that already stopped on its own gets no stop command from the timer."""
    coordinator = coordinator_of(account)
    coordinator.schedule_stop(simulator.device_ids[0], 0.01)
    await asyncio.sleep(0.05)
    await hass.async_block_till_done()
    assert ("POST", f"/v1/devices/{simulator.device_ids[0]}/stop") not in simulator.requests


async def test_failed_timed_stop_is_logged(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A timed stop the cloud refuses (pump went offline) is logged, not raised into the void."""
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    await coordinator.async_spray(pump_id, start=True)
    simulator.set_online(pump_id, False)
    coordinator.schedule_stop(pump_id, 0.01)
    await asyncio.sleep(0.05)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Could not stop Moogo pump Backyard" in caplog.text


async def test_unload_cancels_a_pending_timed_stop(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Unloading forgets timed stops (they do not survive a restart either)."""
    coordinator = coordinator_of(account)
    coordinator.schedule_stop(simulator.device_ids[0], 3600)
    assert await hass.config_entries.async_unload(account.entry_id)
    assert not coordinator._stop_timers


async def test_concentrate_missing_from_the_catalogue_is_still_shown(
    hass: HomeAssistant, simulator: MoogoCloudSimulator
) -> None:
    """A pump set to a concentrate the catalogue lacks keeps it as an option."""
    simulator.remove_device(simulator.device_ids[0])
    simulator.add_device(name="Backyard", liquid_name="Homemade")
    entry = await add_account(hass, simulator)
    state = hass.states.get("select.backyard_concentrate")
    assert state.state == "Homemade"
    assert state.attributes["options"][-1] == "Homemade"
    assert await hass.config_entries.async_unload(entry.entry_id)
