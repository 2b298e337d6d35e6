"""One Home Assistant with many chargers and pumps: what each device costs, at 1, 5 and 20.

Run by ``bench/scale_bench.py`` through ``bench/harness.py``. Each size is its own test, so its
own ``HomeAssistant`` from the test harness: ``size`` simulated chargers (the charger benchmark's
``BenchCharger``, stamping every push) and three Moogo accounts of ``size`` pumps each, every
device over loopback through the real clients on Home Assistant's shared session.

1. Set-up: every charger entry set up at once, then the three accounts added through the config
   flow at once; seconds until every enabled entity of them is available (loop debug mode as
   for the charging window, below).
2. Memory: everything unloaded, then set up again under ``tracemalloc`` (started only now: it
   slows the process, so it never runs while time is measured); the traced growth per charger
   and per pump, the registries' delayed saves written first, without what the harness alone
   allocates (the debug loop's stack summaries, the captured log, the storage stand-in's
   copies) and what the simulators' own code allocates (see ``NOT_HOME_ASSISTANT``); what
   aiohttp allocates for the loopback server side of a connection is still counted.
3. Charging: every charger charges with one delta per second (real seconds, random phases, as
   independent chargers are) for ``window`` seconds while the pumps poll as usual. Latency from
   the push stamp to the last state write the delta caused (``bench/charger_ha/observe.py``);
   the event loop's busy share: wall time not spent waiting in the selector, measured by timing
   the loop's ``select`` calls, over the window (the simulators run in the same loop, as in the
   charger benchmark, and are included); the process CPU per delta; the garbage collector's
   runs. The window runs with the loop's debug mode off, as production Home Assistant does
   (``loop_debug`` keeps the harness's debug mode: it records a stack for every future and
   callback, which cost 2.7x the CPU per delta and longer collector runs).
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import logging
import random
import time
import traceback
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from harness import REPO_ROOT, Record
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component import common
from pytest_homeassistant_custom_component.common import flush_store

from bench.charger_ha.bench_charger import BenchCharger
from bench.charger_ha.integrations import Integration, ours, wait_until
from bench.charger_ha.observe import StateWrites, delta_outcomes
from tests.pump.conftest import add_account
from tests.simulators.moogo import MoogoCloudSimulator

ACCOUNTS = 3
WARMUP_DELTAS = 5
DEFAULTS: dict[str, Any] = {"window": 60.0, "seed": 5, "loop_debug": False, "profile": None}
PATIENCE = 60.0
SETTLE = 3.0  # seconds after every entity is available before memory is read


class LoopIdle:
    """Sums the time the event loop spends blocked in its selector (waiting for work)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.idle = 0.0
        self._selector = loop._selector  # type: ignore[attr-defined]
        self._select = self._selector.select

        def select(timeout: float | None = None) -> Any:
            started = time.perf_counter()
            try:
                return self._select(timeout)
            finally:
                self.idle += time.perf_counter() - started

        self._selector.select = select

    def close(self) -> None:
        self._selector.select = self._select


def _entity_ids(hass: HomeAssistant, entries: Iterable[ConfigEntry]) -> list[str]:
    registry = er.async_get(hass)
    return [
        entity.entity_id
        for entry in entries
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
        if not entity.disabled
    ]


def _available(
    hass: HomeAssistant, entries: list[ConfigEntry], expected: int
) -> Callable[[], bool]:
    def check() -> bool:
        ids = _entity_ids(hass, entries)
        if len(ids) < expected:
            return False
        states = [hass.states.get(entity_id) for entity_id in ids]
        return all(s is not None and s.state != STATE_UNAVAILABLE for s in states)

    return check


# Allocations the test harness makes and a real Home Assistant does not, excluded from the
# traced memory: the harness runs the event loop in debug mode, which keeps a stack summary for
# every task and callback (traceback.py); it captures every log line in memory (logging); and
# its storage stand-in keeps a parsed copy of every file Home Assistant writes (the registries'
# 10 s delayed saves: one more copy of every entity, or none, depending on whether the save
# fell inside the reading). All grow with the load or the timing of 20 devices set up at once,
# so counting them made the cost per device look super-linear. The simulators' own code is
# excluded too: its state is the devices', not Home Assistant's.
HARNESS = Path(common.__file__)
NOT_HOME_ASSISTANT = (
    tracemalloc.Filter(inclusive=False, filename_pattern=traceback.__file__),
    tracemalloc.Filter(inclusive=False, filename_pattern=logging.__file__),
    tracemalloc.Filter(inclusive=False, filename_pattern=str(HARNESS), all_frames=True),
    tracemalloc.Filter(inclusive=False, filename_pattern=f"{REPO_ROOT / 'tests'}/*"),
    tracemalloc.Filter(inclusive=False, filename_pattern=f"{REPO_ROOT / 'bench'}/*"),
)
TRACED_FRAMES = 4  # deep enough to see the storage stand-in above orjson's loads


async def _traced(hass: HomeAssistant) -> int:
    """Traced bytes once the set-up's follow-up work (first reads, timers) has settled."""
    await asyncio.sleep(SETTLE)
    await hass.async_block_till_done()
    # The registries' delayed saves written now, so every reading holds their cached storage
    # fragments (real Home Assistant memory) whatever the set-up's duration.
    for registry in (er.async_get(hass), dr.async_get(hass)):
        await flush_store(registry._store)
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(NOT_HOME_ASSISTANT)
    return sum(statistic.size for statistic in snapshot.statistics("filename"))


async def _setup_all(hass: HomeAssistant, entries: list[ConfigEntry]) -> None:
    results = await asyncio.gather(
        *(hass.config_entries.async_setup(entry.entry_id) for entry in entries)
    )
    assert all(results)
    await hass.async_block_till_done()


async def _unload_all(hass: HomeAssistant, entries: list[ConfigEntry]) -> None:
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def _warm_up(hass: HomeAssistant) -> None:
    """Set up and unload one charger and one account, so no size pays for first imports."""
    charger = BenchCharger(serial="A4CF12B3FFFF", tick=1.0)
    cloud = MoogoCloudSimulator(email="warmup@example.com", devices=1)
    await charger.start()
    await cloud.start()
    try:
        integration = ours(hass, charger)
        await _setup_all(hass, [integration.entry])
        account = await add_account(hass, cloud)
        await _unload_all(hass, [integration.entry, account])
        for entry in (integration.entry, account):
            await hass.config_entries.async_remove(entry.entry_id)
    finally:
        await cloud.stop()
        await charger.stop()


async def _setup_times(
    hass: HomeAssistant,
    charger_entries: list[ConfigEntry],
    clouds: list[MoogoCloudSimulator],
    *,
    loop_debug: bool,
) -> tuple[dict[str, Any], list[ConfigEntry]]:
    """Set every charger up at once, then add every account at once; seconds until available.

    Timed with the loop's debug mode set to ``loop_debug``, as the charging window is.
    """
    size = len(charger_entries)
    result: dict[str, Any] = {}
    loop = asyncio.get_running_loop()
    debug = loop.get_debug()
    loop.set_debug(loop_debug)
    try:
        return await _timed_setups(hass, charger_entries, clouds, size, result)
    finally:
        loop.set_debug(debug)


async def _timed_setups(
    hass: HomeAssistant,
    charger_entries: list[ConfigEntry],
    clouds: list[MoogoCloudSimulator],
    size: int,
    result: dict[str, Any],
) -> tuple[dict[str, Any], list[ConfigEntry]]:
    started = time.perf_counter()
    await _setup_all(hass, charger_entries)
    assert await wait_until(_available(hass, charger_entries, size), PATIENCE, 0.01)
    result["charger_setup"] = time.perf_counter() - started
    started = time.perf_counter()
    accounts = list(await asyncio.gather(*(add_account(hass, cloud) for cloud in clouds)))
    assert await wait_until(_available(hass, accounts, ACCOUNTS * size), PATIENCE, 0.01)
    result["pump_setup"] = time.perf_counter() - started
    result["charger_entities"] = len(_entity_ids(hass, charger_entries))
    result["pump_entities"] = len(_entity_ids(hass, accounts))
    return result, accounts


async def _memory(
    hass: HomeAssistant, charger_entries: list[ConfigEntry], accounts: list[ConfigEntry]
) -> dict[str, Any]:
    """Unload everything, then set it up again under tracemalloc: the traced growth."""
    size = len(charger_entries)
    await _unload_all(hass, charger_entries + accounts)
    tracemalloc.start(TRACED_FRAMES)
    try:
        base = await _traced(hass)
        await _setup_all(hass, charger_entries)
        assert await wait_until(_available(hass, charger_entries, size), PATIENCE, 0.05)
        with_chargers = await _traced(hass)
        await _setup_all(hass, accounts)
        assert await wait_until(_available(hass, accounts, ACCOUNTS * size), PATIENCE, 0.05)
        with_pumps = await _traced(hass)
    finally:
        tracemalloc.stop()
    return {"charger_bytes": with_chargers - base, "pump_bytes": with_pumps - with_chargers}


class GcPauses:
    """Times the garbage collector's runs: what stalls the loop now and then (the p99's tail)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def close(self) -> None:
        gc.callbacks.remove(self._callback)


async def _charging(
    hass: HomeAssistant,
    integrations: list[Integration],
    window: float,
    *,
    loop_debug: bool,
    profile: Path | None,
) -> dict[str, Any]:
    """Every charger charging for ``window`` s: push-to-state latency, the loop's busy share.

    The loop's debug mode (the test harness turns it on) is set to ``loop_debug`` for the
    window only; with ``profile``, the window runs under cProfile and its statistics go there.
    """
    chargers = [i.sim for i in integrations]
    assert await wait_until(lambda: all(c.ws_connections == 1 for c in chargers), PATIENCE)
    writes = StateWrites(hass, {i.sim.serial: i.entity_ids(hass) for i in integrations})
    writes.start()
    loop = asyncio.get_running_loop()
    debug = loop.get_debug()
    idle: LoopIdle | None = None
    pauses: GcPauses | None = None
    try:
        for charger in chargers:
            await charger.start_charging()
        firsts = {c.serial: len(c.pushes) + WARMUP_DELTAS for c in chargers}
        await asyncio.sleep(WARMUP_DELTAS + 1)
        loop.set_debug(loop_debug)
        profiler = cProfile.Profile() if profile is not None else None
        idle, pauses = LoopIdle(loop), GcPauses()
        marks = [len(c.requests) for c in chargers]
        pushed = sum(len(c.pushes) for c in chargers)
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        await asyncio.sleep(window)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pushed = sum(len(c.pushes) for c in chargers) - pushed
        result: dict[str, Any] = {
            "busy_share": 1 - idle.idle / wall,
            "cpu_share": cpu / wall,
            "cpu_per_delta": cpu / pushed,
            "gc_pauses": list(pauses.pauses),
            "window": wall,
            "requests": sum(
                len(c.requests_since(mark)) for c, mark in zip(chargers, marks, strict=True)
            ),
        }
        if profiler is not None and profile is not None:
            profiler.dump_stats(profile)
    finally:
        if pauses is not None:
            pauses.close()
        if idle is not None:
            idle.close()
        loop.set_debug(debug)
        writes.stop()
    latencies: list[float] = []
    for charger in chargers:
        last = len(charger.pushes) - 1
        for outcome in delta_outcomes(
            charger.pushes, writes.writes[charger.serial], firsts[charger.serial], last
        ):
            if outcome.latency is not None:
                latencies.append(outcome.latency)
    result["latencies"] = latencies
    return result


@pytest.mark.parametrize("size", [1, 5, 20])
async def test_scale(
    hass: HomeAssistant, size: int, bench_record: Record, bench_options: dict[str, Any]
) -> None:
    options = DEFAULTS | bench_options
    await _warm_up(hass)
    rng = random.Random(options["seed"] + size)
    chargers = [BenchCharger(serial=f"A4CF12B3{index:04X}", tick=1.0) for index in range(size)]
    clouds = [
        MoogoCloudSimulator(email=f"scale{account}@example.com", devices=size)
        for account in range(ACCOUNTS)
    ]

    async def start(charger: BenchCharger) -> None:
        # Random phases within the second (each ticker runs from its start), as independent
        # chargers have.
        await asyncio.sleep(rng.random())
        await charger.start()

    await asyncio.gather(*(start(charger) for charger in chargers))
    for cloud in clouds:
        await cloud.start()
    integrations = [ours(hass, charger) for charger in chargers]
    charger_entries = [i.entry for i in integrations]
    accounts: list[ConfigEntry] = []
    try:
        result, accounts = await _setup_times(
            hass, charger_entries, clouds, loop_debug=options["loop_debug"]
        )
        result |= await _memory(hass, charger_entries, accounts)
        profile = options["profile"]
        result |= await _charging(
            hass,
            integrations,
            options["window"],
            loop_debug=options["loop_debug"],
            profile=Path(f"{profile}.{size}") if profile else None,
        )
    finally:
        await _unload_all(hass, charger_entries + accounts)
        for cloud in clouds:
            await cloud.stop()
        for charger in chargers:
            await charger.stop()
    bench_record(f"size {size}", result | {"size": size})
