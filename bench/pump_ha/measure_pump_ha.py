"""Moogo pumps in a real Home Assistant: logins, cloud requests per hour, spray confirmation.

Run by ``bench/pump_ha_bench.py`` through ``bench/harness.py`` (which provides the
``bench_record`` fixture); the script prints the table. Everything is real: Home Assistant from
the test harness, the integration set up through its config flow, the vendored client on Home
Assistant's shared aiohttp session, and the Moogo cloud simulator over loopback; the simulator
counts what reaches it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from harness import Record
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component

from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump.coordinator import PumpCoordinator
from tests.pump.conftest import add_account
from tests.simulators.moogo import MoogoCloudSimulator

from .lifetimes import home_assistant_run
from .virtual_clock import run_virtual_time, virtual_epoch

RESTARTS = 3
HOUR = 3600.0
IDLE_HOURS = 24  # a whole day, so every slower clock (firmware 6 h, catalogue 24 h) shows
SPRAY_HOURS = 2
# Seconds the simulated pump takes to act on a command, across the real cloud's 3-5 s; the
# half seconds show how closely the integration's confirm polls follow the pump's own delay.
CONFIRM_DELAYS = (3.0, 3.5, 4.0, 4.5, 5.0)
ACCOUNT = "account"  # requests that belong to the account, not to one pump


def _coordinator(entry: ConfigEntry) -> PumpCoordinator:
    coordinator: PumpCoordinator = entry.runtime_data.coordinator
    return coordinator


def _spray_switch(hass: HomeAssistant, device_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("switch", DOMAIN, f"{device_id}_spray")
    assert entity_id is not None
    return entity_id


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


# ----- logins ------------------------------------------------------------------------------


async def test_logins_across_restarts(hass_storage: dict[str, Any], bench_record: Record) -> None:
    """Add the account through the config flow, then restart Home Assistant three times."""
    sim = MoogoCloudSimulator()
    await sim.start()
    logins: list[tuple[str, int]] = []
    try:
        async with home_assistant_run() as hass:
            entry = await add_account(hass, sim)
            assert entry.state is ConfigEntryState.LOADED
            logins.append(("config flow + set-up", sim.login_count))
        for restart in range(1, RESTARTS + 1):
            before = sim.login_count
            async with home_assistant_run() as hass:
                (entry,) = hass.config_entries.async_entries(DOMAIN)
                assert await async_setup_component(hass, DOMAIN, {})
                await hass.async_block_till_done()
                assert entry.state is ConfigEntryState.LOADED
                assert _coordinator(entry).data.pumps  # it really read the cloud
            logins.append((f"restart {restart}", sim.login_count - before))
    finally:
        await sim.stop()
    bench_record("logins", logins)


# ----- requests per hour -------------------------------------------------------------------


def _owner(path: str, device_ids: Sequence[str]) -> str:
    """The pump a request is about, or the account (login, device list, catalogue)."""
    return next((device_id for device_id in device_ids if device_id in path), ACCOUNT)


def _route(path: str, device_ids: Sequence[str]) -> str:
    """The request's route, with the pump's id replaced by ``{id}``."""
    for device_id in device_ids:
        path = path.replace(device_id, "{id}")
    return path


def _per_pump(requests: Sequence[tuple[str, str]], device_ids: Sequence[str]) -> Counter[str]:
    """Requests per pump, each pump carrying an equal share of the account's requests."""
    owners = Counter(_owner(path, device_ids) for _method, path in requests)
    share = owners.pop(ACCOUNT, 0) / len(device_ids)
    return Counter({device_id: owners[device_id] + share for device_id in device_ids})


async def _hourly(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    sim: MoogoCloudSimulator,
    hours: int,
) -> list[Counter[str]]:
    """Run ``hours`` of virtual time; return each hour's requests per pump."""
    per_hour = []
    for _hour in range(hours):
        first = len(sim.requests)
        assert await run_virtual_time(hass, freezer, HOUR) == pytest.approx(HOUR)
        per_hour.append(_per_pump(sim.requests[first:], sim.device_ids))
    return per_hour


@pytest.mark.parametrize("pumps", [1, 3])
async def test_requests_per_hour(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    freezer: FrozenDateTimeFactory,
    pumps: int,
    bench_record: Record,
) -> None:
    """Count the cloud requests of each hour: a day idle, then hours with the first pump spraying.

    The spray is started on the pump's side (as a schedule would), so no command request is
    counted; it lasts longer than the window so the pump sprays for every counted second.
    """
    sim = MoogoCloudSimulator(devices=pumps, clock=virtual_epoch)
    await sim.start()
    try:
        entry = await add_account(hass, sim)
        coordinator = _coordinator(entry)
        requests_at_setup = len(sim.requests)
        idle = await _hourly(hass, freezer, sim, IDLE_HOURS)
        idle_routes = Counter(
            f"{method} {_route(path, sim.device_ids)}"
            for method, path in sim.requests[requests_at_setup:]
        )
        assert not any(pump.running for pump in coordinator.data.pumps.values())

        sprayer = sim.device_ids[0]
        sim.start_scheduled_spray(sprayer, int((SPRAY_HOURS + 1) * HOUR))
        noticed_after = await run_virtual_time(
            hass, freezer, HOUR, until=lambda: coordinator.data.pumps[sprayer].running
        )
        assert coordinator.data.pumps[sprayer].running
        spraying = await _hourly(hass, freezer, sim, SPRAY_HOURS)
        assert coordinator.data.pumps[sprayer].running
        assert _state(hass, _spray_switch(hass, sprayer)) == STATE_ON
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await sim.stop()
    bench_record(
        f"requests/{pumps}",
        {
            "pumps": sim.device_ids,
            "sprayer": sprayer,
            "requests_at_setup": requests_at_setup,
            "idle": idle,
            "idle_routes": idle_routes,
            "spray_noticed_after": noticed_after,
            "spraying": spraying,
        },
    )


# ----- spray confirmation ------------------------------------------------------------------


async def test_spray_confirm_time(
    hass: HomeAssistant, enable_custom_integrations: None, bench_record: Record
) -> None:
    """Real seconds from the switch's turn_on/turn_off until the pump's state is confirmed.

    A blocking service call returns once the integration has read the pump's new state back from
    the cloud; the simulated pump acts 3 to 5 s after the cloud accepted the command.
    """
    sim = MoogoCloudSimulator()
    await sim.start()
    timings: list[tuple[float, str, float]] = []
    try:
        entry = await add_account(hass, sim)
        coordinator = _coordinator(entry)
        (device_id,) = sim.device_ids
        entity_id = _spray_switch(hass, device_id)
        for delay in CONFIRM_DELAYS:
            sim.spray_confirm_delay = delay
            for service, running in ((SERVICE_TURN_ON, True), (SERVICE_TURN_OFF, False)):
                started = time.perf_counter()
                await hass.services.async_call(
                    "switch", service, {ATTR_ENTITY_ID: entity_id}, blocking=True
                )
                elapsed = time.perf_counter() - started
                # Confirmed: the pump really changed, the wish is settled, the entity shows it.
                assert bool(sim.device(device_id)["runStatus"]) is running
                assert coordinator.pending_spray(device_id) is None
                assert coordinator.data.pumps[device_id].running is running
                assert (_state(hass, entity_id) == STATE_ON) is running
                timings.append((delay, service, elapsed))
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await sim.stop()
    bench_record("confirm", timings)
