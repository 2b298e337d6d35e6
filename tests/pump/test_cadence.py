"""Each pump on its own cadence, and spray confirmation timed to when the pump acts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.openevse_moogo.clients.moogo import (
    MoogoDevice,
    MoogoDeviceStatus,
    MoogoSchedules,
)
from custom_components.openevse_moogo.pump import coordinator as pump_coordinator
from custom_components.openevse_moogo.pump.cadence import StatusCadence, status_wait
from custom_components.openevse_moogo.pump.data import PumpData
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of

IDLE = timedelta(seconds=60)


def _frozen_clock() -> float:
    """Seconds since the epoch on the test's clock (looked up per call, so the freezer applies)."""
    return time.time()


def _status_reads(sim: MoogoCloudSimulator, since: int = 0) -> Counter[str]:
    """Status reads per pump among the simulator's requests from index ``since``."""
    paths = {f"/v1/devices/{device_id}": device_id for device_id in sim.device_ids}
    return Counter(
        paths[path] for method, path in sim.requests[since:] if method == "GET" and path in paths
    )


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def _let_time_pass(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int) -> None:
    """Move the frozen clock a second at a time, running every timer (and its polls) due."""
    for _second in range(seconds):
        freezer.tick(timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.fixture
async def two_pump_account(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> AsyncGenerator[tuple[MoogoCloudSimulator, ConfigEntry]]:
    """An account with two pumps on a simulator that follows the frozen clock."""
    # Under the freezer aiohttp's access log cannot read the local UTC offset; it is not needed.
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")
    sim = MoogoCloudSimulator(devices=2, spray_confirm_delay=0.05, clock=_frozen_clock)
    await sim.start()
    entry = await add_account(hass, sim)
    yield sim, entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    await sim.stop()


async def test_idle_pump_is_not_read_while_another_sprays(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """Ten virtual minutes with one pump spraying: it is read every 15 s, its neighbour every 60 s.

    The idle pump's entities keep the data of its last read in between.
    """
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    sprayer, idler = sim.device_ids
    sim.start_scheduled_spray(sprayer, 3600)
    await _let_time_pass(hass, freezer, 61)  # the next idle poll notices the spray
    assert coordinator.data.pumps[sprayer].running
    assert _state(hass, "switch.backyard_spray") == STATE_ON

    first = len(sim.requests)
    await _let_time_pass(hass, freezer, 600)
    reads = _status_reads(sim, first)
    assert reads[idler] in {10, 11}  # 600 s at the 60 s idle interval
    assert reads[sprayer] >= 38  # 600 s at the 15 s spraying interval
    assert coordinator.data.pumps[sprayer].running
    assert not coordinator.data.pumps[idler].running
    assert _state(hass, "sensor.patio_temperature") == "22.0"  # kept between reads


async def test_spray_end_is_read_on_time_without_reading_the_idle_pump(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """A short spray: its end shows within the spraying interval; the other pump is left alone."""
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    sprayer, idler = sim.device_ids
    sim.start_scheduled_spray(sprayer, 90)
    await _let_time_pass(hass, freezer, 61)  # both pumps were due at 60 s
    assert coordinator.data.pumps[sprayer].running
    first = len(sim.requests)
    await _let_time_pass(hass, freezer, 45)  # the spray ends at 90 s
    assert not coordinator.data.pumps[sprayer].running
    assert _state(hass, "switch.backyard_spray") == STATE_OFF
    reads = _status_reads(sim, first)
    assert reads[idler] == 0  # read at 60 s, due again only at 120 s
    assert reads[sprayer] in {2, 3}  # at 75 and 90 s (and 105 s if the cloud lags the end)
    assert coordinator.update_interval is not None
    assert coordinator.update_interval <= IDLE


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Error fetching Moogo account data: .* HTTP 503")
)
@pytest.mark.parametrize("device_list_due", [False, True])
async def test_a_failed_poll_retries_on_the_pumps_cadence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
    device_list_due: bool,
) -> None:
    """An outage is not polled every second: pumps that were due are retried at 60 s.

    The poll fails on the first pump's status, or before any pump, on the device list.
    """
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    freezer.tick(timedelta(seconds=90))  # both pumps overdue; no timer has run
    if device_list_due:
        coordinator.invalidate("devices")
    sim.faults.http_status = 503
    first = len(sim.requests)
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert len(sim.requests) == first + 1
    assert coordinator.update_interval == IDLE
    sim.faults.http_status = None


@pytest.fixture
def tenfold_confirm(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real confirm timings, ten times faster (seconds become tenths)."""
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FIRST_READ_AFTER", 0.25)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FAST_POLL_INTERVAL", 0.05)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_FAST_UNTIL", 0.6)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_POLL_INTERVAL", 0.1)
    monkeypatch.setattr(pump_coordinator, "CONFIRM_WITHIN", 1.2)


@pytest.mark.usefixtures("tenfold_confirm")
async def test_confirm_reads_only_from_the_expected_flip_then_every_half_interval(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """No read before the pump can have acted; then fast reads confirm soon after it acts.

    The pump acts 0.51 s after the command (5.1 s in the cloud), which reads every 0.1 s from the
    start would confirm at about 0.6 s (6 s); reads every 0.05 s confirm by 0.55 s (5.5 s).
    """
    simulator.spray_confirm_delay = 0.51
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    first = len(simulator.requests)
    started = time.perf_counter()
    spraying = hass.async_create_task(coordinator.async_spray(pump_id, start=True))
    await asyncio.sleep(0.2)
    assert not _status_reads(simulator, first)  # the pump cannot have acted yet
    result = await spraying
    elapsed = time.perf_counter() - started
    assert result.status is not None
    assert result.status.running
    assert 0.51 <= elapsed < 0.59
    # Reads at 0.25, 0.30, ..., 0.55 s: no more than reading every 0.1 s from the start.
    assert _status_reads(simulator, first)[pump_id] <= 7


@pytest.mark.usefixtures("tenfold_confirm")
async def test_a_pump_that_never_acts_costs_few_reads(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Past the expected window the reads slow down: about as many as reading every 0.1 s."""
    simulator.faults.unconfirmed_commands = True
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    first = len(simulator.requests)
    started = time.perf_counter()
    with pytest.raises(HomeAssistantError):
        await coordinator.async_spray(pump_id, start=True)
    assert 1.2 <= time.perf_counter() - started < 1.4
    # 0.25 to 0.6 s every 0.05 s (8), then 0.7 to 1.2 s every 0.1 s (6).
    assert 12 <= _status_reads(simulator, first)[pump_id] <= 15


def _pump(*, running: bool, end: datetime | None) -> PumpData:
    status = MoogoDeviceStatus.from_api(
        {
            "deviceId": "pump",
            "runStatus": int(running),
            "latestSprayingEnd": int(end.timestamp() * 1000) if end else 0,
        }
    )
    return PumpData(device=MoogoDevice.from_api({"deviceId": "pump"}), status=status)


def test_status_wait_follows_the_spray() -> None:
    """Idle: the idle interval; spraying: 15 s at most, the announced end plus 2 s, 2 s at least."""
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert status_wait(_pump(running=False, end=None), IDLE, now) == IDLE
    no_end = _pump(running=True, end=None)
    assert status_wait(no_end, IDLE, now) == timedelta(seconds=15)
    ends_soon = _pump(running=True, end=now + timedelta(seconds=4))
    assert status_wait(ends_soon, IDLE, now) == timedelta(seconds=6)
    overdue = _pump(running=True, end=now - timedelta(seconds=30))
    assert status_wait(overdue, IDLE, now) == timedelta(seconds=15)
    ending = _pump(running=True, end=now - timedelta(seconds=1, milliseconds=500))
    assert status_wait(ending, IDLE, now) == timedelta(seconds=15)
    just_ending = _pump(running=True, end=now + timedelta(milliseconds=100))
    assert status_wait(just_ending, IDLE, now) == timedelta(seconds=2, milliseconds=100)


def test_idle_pump_is_read_just_after_its_next_scheduled_spray() -> None:
    """A schedule starting before the next idle read pulls that read forward (start + 5 s)."""
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    pump = _pump(running=False, end=None)

    def with_schedule(next_run: datetime, *, master: bool = True) -> PumpData:
        item = {"id": "s1", "hour": 12, "minute": 0, "status": 1, "repeatSet": "0,1,2,3,4,5,6"}
        item["nextSprayingTime"] = int(next_run.timestamp() * 1000)
        schedules = MoogoSchedules.from_api({"items": [item], "scheduleSwitchStatus": int(master)})
        return replace(pump, schedules=schedules)

    soon = with_schedule(now + timedelta(seconds=20))
    assert status_wait(soon, IDLE, now) == timedelta(seconds=25)
    assert status_wait(with_schedule(now + timedelta(hours=2)), IDLE, now) == IDLE
    assert status_wait(with_schedule(now - timedelta(seconds=1)), IDLE, now) == IDLE
    master_off = with_schedule(now + timedelta(seconds=20), master=False)
    assert status_wait(master_off, IDLE, now) == IDLE


def test_cadence_wakes_for_the_earliest_pump_and_forgets_removed_ones() -> None:
    """Due within the timer's tolerance counts as due; a removed pump no longer wakes the timer."""
    cadence = StatusCadence()
    assert cadence.seconds_until_next(100.0) is None
    assert cadence.is_due("a", 100.0)  # never read
    cadence.read_at("a", 100.0, timedelta(seconds=60))
    cadence.read_at("b", 100.0, timedelta(seconds=15))
    assert cadence.seconds_until_next(100.0) == 15.0
    assert not cadence.is_due("b", 110.0)
    assert cadence.is_due("b", 114.5)  # the timer may wake up to a second early
    assert cadence.seconds_until_next(130.0) == 0.0  # overdue
    cadence.keep_only(["a"])
    assert cadence.seconds_until_next(100.0) == 60.0
    cadence.read_soon("a")
    assert cadence.is_due("a", 100.0)
    assert cadence.seconds_until_next(100.0) is None
