"""Fixed cadences, extra reads at known moments, and spray confirmation timed to the pump."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from custom_components.openevse_moogo.clients.moogo import (
    MoogoClient,
    MoogoCommandResult,
    MoogoDevice,
    MoogoDeviceStatus,
    MoogoOtaInfo,
    MoogoSchedules,
)
from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump import coordinator as pump_coordinator
from custom_components.openevse_moogo.pump.cadence import firmware_read_by, status_read_by
from custom_components.openevse_moogo.pump.data import PumpData
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of, frozen_clock, let_time_pass

IDLE = timedelta(seconds=60)


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


@pytest.fixture
async def two_pump_account(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> AsyncGenerator[tuple[MoogoCloudSimulator, ConfigEntry]]:
    """An account with two pumps on a simulator that follows the frozen clock."""
    # Under the freezer aiohttp's access log cannot read the local UTC offset; it is not needed.
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")
    sim = MoogoCloudSimulator(devices=2, spray_confirm_delay=0.05, clock=frozen_clock)
    await sim.start()
    entry = await add_account(hass, sim)
    yield sim, entry
    assert await hass.config_entries.async_unload(entry.entry_id)
    await sim.stop()


async def test_each_part_is_read_on_its_own_fixed_cadence(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """Ten virtual minutes: every status once a minute, a spraying pump no more often.

    The schedules (30 min), settings (1 h), firmware (6 h) and the device list (15 min) are not
    read at all in those ten minutes; the idle pump's entities keep their values in between.
    """
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    sprayer, idler = sim.device_ids
    sim.start_scheduled_spray(sprayer, 3600)
    await let_time_pass(hass, freezer, 61)  # the next regular read notices the spray
    assert coordinator.data.pumps[sprayer].running
    assert _state(hass, "switch.backyard_spray") == STATE_ON

    first = len(sim.requests)
    await let_time_pass(hass, freezer, 600)
    reads = _status_reads(sim, first)
    assert reads[idler] in {10, 11}
    assert reads[sprayer] in {10, 11}
    assert len(sim.requests) - first == reads[idler] + reads[sprayer]  # nothing else was read
    assert coordinator.data.pumps[sprayer].running
    assert _state(hass, "sensor.patio_temperature") == "22.0"


async def test_spray_end_is_read_just_after_it_is_due(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """A 90 s spray seen at 60 s: one extra read at its end (+2 s), the other pump untouched."""
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    sprayer, idler = sim.device_ids
    sim.start_scheduled_spray(sprayer, 90)
    await let_time_pass(hass, freezer, 61)
    assert coordinator.data.pumps[sprayer].running
    first = len(sim.requests)
    await let_time_pass(hass, freezer, 33)  # the spray ends at 90 s, read at 92 s
    assert not coordinator.data.pumps[sprayer].running
    assert _state(hass, "switch.backyard_spray") == STATE_OFF
    reads = _status_reads(sim, first)
    assert (reads[sprayer], reads[idler]) == (1, 0)


async def test_scheduled_spray_is_seen_within_seconds(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    two_pump_account: tuple[MoogoCloudSimulator, ConfigEntry],
) -> None:
    """A schedule's spray shows 5 s after it starts, not at the next regular read."""
    sim, entry = two_pump_account
    coordinator = coordinator_of(entry)
    pump_id = sim.device_ids[0]
    starts = dt_util.utcnow() + timedelta(seconds=150)
    local = dt_util.as_local(starts)
    await hass.services.async_call(
        DOMAIN,
        "add_schedule",
        {
            "device_id": _device_id(hass, entry, pump_id),
            "time": f"{local.hour:02d}:{local.minute:02d}",
            "duration": 600,
        },
        blocking=True,
    )
    upcoming = coordinator.data.pumps[pump_id].next_scheduled_spray
    assert upcoming is not None
    assert upcoming.next_run is not None
    wait = (upcoming.next_run - dt_util.utcnow()).total_seconds()
    await let_time_pass(hass, freezer, int(wait) + 6)
    assert coordinator.data.pumps[pump_id].running
    assert _state(hass, "switch.backyard_spray") == STATE_ON
    # The schedules were read again too: the next run moved on by a day.
    moved = coordinator.data.pumps[pump_id].next_scheduled_spray
    assert moved is not None
    assert moved.next_run is not None
    assert moved.next_run > dt_util.utcnow()


def _device_id(hass: HomeAssistant, entry: ConfigEntry, pump_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, pump_id), entry.entry_id)
    assert device is not None
    return device.id


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
    assert 0.51 <= elapsed < 0.62  # (a loaded machine adds a few ms to each read)
    # Reads at 0.25, 0.30, ..., 0.55 s: no more than reading every 0.1 s from the start.
    assert _status_reads(simulator, first)[pump_id] <= 7


@dataclass
class _Phase:
    """One confirm phase as the client was asked for it, and the reads it made (loop times)."""

    called_at: float
    within: float
    poll_interval: float
    reads: list[tuple[float, float]] = field(default_factory=list)

    @property
    def deadline(self) -> float:
        return self.called_at + self.within


def _record_confirm_phases(client: MoogoClient, monkeypatch: pytest.MonkeyPatch) -> list[_Phase]:
    """Note when each confirm phase starts and when each of its status reads starts and ends.

    The reads still go to the simulator through the real client; only their times are noted.
    """
    phases: list[_Phase] = []
    confirm, read = client.confirm_spray, client.get_device_status
    loop = asyncio.get_running_loop()

    async def timed_confirm(
        sent: MoogoCommandResult, *, within: float, poll_interval: float, **kwargs: Any
    ) -> MoogoCommandResult:
        phases.append(_Phase(loop.time(), within, poll_interval))
        return await confirm(sent, within=within, poll_interval=poll_interval, **kwargs)

    async def timed_read(device_id: str, **kwargs: Any) -> MoogoDeviceStatus:
        started = loop.time()
        status = await read(device_id, **kwargs)
        if phases:
            phases[-1].reads.append((started, loop.time()))
        return status

    monkeypatch.setattr(client, "confirm_spray", timed_confirm)
    monkeypatch.setattr(client, "get_device_status", timed_read)
    return phases


@pytest.mark.usefixtures("tenfold_confirm")
async def test_a_pump_that_never_acts_costs_few_reads(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the expected window the reads slow down: about as many as reading every 0.1 s.

    Unloaded, that is 0.25 to 0.6 s every 0.05 s (8 reads), then 0.7 to 1.2 s every 0.1 s (6).
    A loaded machine makes reads slower and fewer, so the cadence is checked against the times
    each read actually took (loop time), never against a count of wall-clock reads: no read
    before the quiet wait is over, none sooner after the previous one than the phase's interval
    (or the time left in it), and reading goes on exactly until the confirm window is over.
    """
    simulator.faults.unconfirmed_commands = True
    coordinator = coordinator_of(account)
    pump_id = simulator.device_ids[0]
    phases = _record_confirm_phases(coordinator.client, monkeypatch)
    first = len(simulator.requests)
    loop = asyncio.get_running_loop()
    sent_before = loop.time()
    with pytest.raises(HomeAssistantError):
        await coordinator.async_spray(pump_id, start=True)
    assert loop.time() - sent_before >= 1.2  # the whole confirm window was waited out
    assert [phase.poll_interval for phase in phases] == [0.05, 0.1]
    fast, slow = phases
    assert fast.called_at - sent_before >= 0.25  # quiet until the earliest expected flip
    assert slow.called_at - fast.reads[-1][1] >= 0.1  # and between the phases
    # Each phase was given the rest of its window, counted from the command being sent.
    assert fast.deadline >= sent_before + 0.6
    assert slow.deadline >= sent_before + 1.2
    # (asyncio may wake a timer up to the monotonic clock's resolution early)
    early = time.get_clock_info("monotonic").resolution
    for phase in phases:
        assert phase.reads, "every phase reads at least once"
        # Reading stops with the first read that ends past the phase's deadline, not before.
        assert all(ended < phase.deadline for _started, ended in phase.reads[:-1])
        assert phase.reads[-1][1] >= phase.deadline
        # Never sooner than the phase's interval (or the time left in it) after the last read.
        for (_started, ended), (next_started, _ended) in pairwise(phase.reads):
            assert next_started - ended >= min(phase.poll_interval, phase.deadline - ended) - early
        # Hence at most one read per interval of the window the phase was given, plus one.
        assert len(phase.reads) <= 1 + math.ceil(round(phase.within / phase.poll_interval, 6))
    reads = sum(len(phase.reads) for phase in phases)
    assert reads <= 14
    assert _status_reads(simulator, first)[pump_id] == reads  # each one went to the cloud


def _pump(*, running: bool, end: datetime | None) -> PumpData:
    status = MoogoDeviceStatus.from_api(
        {
            "deviceId": "pump",
            "runStatus": int(running),
            "latestSprayingEnd": int(end.timestamp() * 1000) if end else 0,
        }
    )
    return PumpData(device=MoogoDevice.from_api({"deviceId": "pump"}), status=status)


def test_extra_reads_follow_the_spray_the_schedule_and_the_firmware() -> None:
    """After a spray's end (+2 s), after the next scheduled start (+5 s), during an update."""
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert status_read_by(_pump(running=False, end=None), now) is None
    assert status_read_by(_pump(running=True, end=None), now) is None
    ends = now + timedelta(seconds=4)
    assert status_read_by(_pump(running=True, end=ends), now) == ends + timedelta(seconds=2)
    lagging = _pump(running=True, end=now - timedelta(seconds=30))
    assert status_read_by(lagging, now) is None  # left to the regular reads

    def with_schedule(next_run: datetime, *, master: bool = True) -> PumpData:
        item = {"id": "s1", "hour": 12, "minute": 0, "status": 1, "repeatSet": "0,1,2,3,4,5,6"}
        item["nextSprayingTime"] = int(next_run.timestamp() * 1000)
        schedules = MoogoSchedules.from_api({"items": [item], "scheduleSwitchStatus": int(master)})
        return replace(_pump(running=False, end=None), schedules=schedules)

    soon = now + timedelta(seconds=20)
    assert status_read_by(with_schedule(soon), now) == soon + timedelta(seconds=5)
    assert status_read_by(with_schedule(now - timedelta(seconds=1)), now) is None
    assert status_read_by(with_schedule(soon, master=False), now) is None

    idle = _pump(running=False, end=None)
    assert firmware_read_by(idle, now) is None
    updating = replace(idle, firmware=MoogoOtaInfo.from_api({"isUpdating": 1}))
    assert firmware_read_by(updating, now) == now + timedelta(minutes=1)
