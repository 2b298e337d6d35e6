"""Three chargers on one 40 A circuit in a real Home Assistant, through a day in virtual time.

Run by ``bench/circuit_bench.py`` through ``bench/harness.py`` (which provides ``bench_record``
and ``bench_options``); the script prints the tables. Everything is real: Home Assistant from the
test harness, the three chargers and the circuit added through the integration's config flows
(the circuit with its default safety margin, the house load as a Home Assistant sensor the
benchmark writes), each charger a ``ChargerSimulator`` over loopback whose car is the day's car
(``bench/circuit/car.py``: it follows the pilot 2-5 s late, fills its battery, tapers).

The clock is the harness's frozen one, moved timer by timer (``bench/pump_ha/virtual_clock.py``):
the simulators' ticks, the cars' delays, the client's keepalives and request deadlines and the
circuit's own beat all run on it, so a day takes minutes. Before each move the loop is left to
run until it is idle, requests over loopback and websocket pushes included, so no answer is
late in virtual time (a move waits for the work of the instant; real time is not counted).

What is recorded is the circuit's truth as the simulators see it: every second, each car's draw
(the simulated car behind the charger, not our entities) beside the house trace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from harness import Record
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from bench.circuit.car import VOLTS, Car, CarSpec, Visit
from bench.circuit.day import VISITS, window
from bench.circuit.house import DAY_S, house_trace
from bench.circuit.sim import Outage
from bench.pump_ha.lifetimes import home_assistant_run
from bench.pump_ha.virtual_clock import advance
from custom_components.openevse_moogo.circuit.ha.const import DEFAULT_MARGIN
from custom_components.openevse_moogo.const import DOMAIN
from tests.circuit.ha.conftest import SERIALS, create_circuit, pilots
from tests.simulators.openevse import CarModel, ChargerSimulator
from tests.simulators.openevse.car import CarDraw

HOUSE = "sensor.house_current"
AMPS = {"unit_of_measurement": "A", "device_class": "current"}
LIMIT_AMPS = 40
# Loop turns in a row with nothing to run before the loop counts as idle: a request over
# loopback wakes its reader on the next turn, so one quiet turn could be a reply on its way.
QUIET_TURNS = 3
LOSS_MEMBER = 1  # the second charger (the 16 A car) drops off the network


class DayCar(CarDraw):
    """The simulated charger's car, played by the benchmark's day car.

    The simulator asks its car for a draw once per tick (1 s here); the day car answers by the
    pilot it saw ``delay_s`` ago, its taper and its battery, which fills as it charges.
    """

    def __init__(self, car: Car) -> None:
        super().__init__(CarModel(max_amps=car.spec.max_amps, delay_s=car.spec.delay_s))
        self.car = car

    def follow(self, pilot: float, now: float) -> float:
        self.draw = self.car.step(round(pilot))
        return self.draw

    def stop(self) -> None:
        """The relay opened: nothing drawn, and a pilot seen again only after the delay."""
        self.draw = self.car.draw = 0.0
        self.car.pilots.clear()
        self.car.pilots.extend([0] * self.car.spec.delay_s)


@dataclass
class Trace:
    """What one run recorded, second by second (seconds from the run's start)."""

    draws: list[float] = field(default_factory=list)  # all cars together
    member_draws: list[list[float]] = field(default_factory=list)  # per charger
    member_pilots: list[list[int]] = field(default_factory=list)  # what each charger allows
    energy_kwh: dict[str, float] = field(default_factory=dict)  # by car
    claim_requests: int = 0  # claims set on the chargers (what the simulators received)
    events: dict[str, Any] = field(default_factory=dict)


class Day:
    """The chargers and the house sensor through one window of the day, on the virtual clock."""

    def __init__(
        self,
        freezer: FrozenDateTimeFactory,
        sims: Sequence[ChargerSimulator],
        house: Sequence[float],
        visits: Mapping[str, Sequence[tuple[CarSpec, Visit]]],
        sensor_period_s: int,
    ) -> None:
        self.freezer = freezer
        self.sims = sims
        self.house = house
        self.visits = list(visits.values())
        self.sensor_period_s = sensor_period_s
        self.hass: HomeAssistant | None = None
        self.trace = Trace(member_draws=[[] for _ in sims], member_pilots=[[] for _ in sims])
        self.t = 0

    async def _settle(self) -> None:
        """Run the loop until it is idle: Home Assistant's tasks done, no reply on its way."""
        loop = asyncio.get_running_loop()
        while True:
            if self.hass is not None:
                await self.hass.async_block_till_done()
            for _ in range(QUIET_TURNS):
                await asyncio.sleep(0)
                if loop._ready:  # type: ignore[attr-defined]  # callbacks due on this turn
                    break
            else:
                return

    async def _plug(self, t: int) -> None:
        """The day's comings and goings at second ``t``: unplug first, then plug in."""
        for sim, visits in zip(self.sims, self.visits, strict=True):
            for _spec, visit in visits:
                if visit.leave == t and visit.leave < len(self.house):
                    await sim.unplug()
            for spec, visit in visits:
                if visit.arrive == t:
                    sim.car = DayCar(Car(spec, visit.soc))
                    await sim.start_charging()

    def _sample(self) -> None:
        total = 0.0
        allowed = pilots(list(self.sims))
        for i, sim in enumerate(self.sims):
            car = sim.car.car if isinstance(sim.car, DayCar) and sim.status["vehicle"] else None
            draw = car.draw if car is not None else 0.0
            self.trace.member_draws[i].append(draw)
            self.trace.member_pilots[i].append(allowed[i])
            if car is not None:
                name = car.spec.name
                self.trace.energy_kwh[name] = (
                    self.trace.energy_kwh.get(name, 0.0) + draw * VOLTS / 3.6e6
                )
            total += draw
        self.trace.draws.append(total)

    async def run_until(self, end: int, at: Callable[[int], Awaitable[None]] | None = None) -> None:
        """Second by second up to ``end``: visits, the house sensor, one second of time."""
        while self.t < end:
            t = self.t
            await self._plug(t)
            if at is not None:
                await at(t)
            if self.hass is not None and t % self.sensor_period_s == 0:
                # Written every period, changed or not: a live meter reports (its age is the
                # time since its last report, as Home Assistant's last_reported tells).
                self.hass.states.async_set(HOUSE, f"{self.house[t]:.2f}", AMPS)
            await self._settle()
            self._sample()
            await advance(self.freezer, 1.0, self._settle)
            self.t += 1


def _charger_input(sim: ChargerSimulator) -> dict[str, Any]:
    return {CONF_HOST: sim.host, CONF_PORT: sim.port, CONF_SSL: False, CONF_VERIFY_SSL: True}


async def _add_chargers(hass: HomeAssistant, sims: Sequence[ChargerSimulator]) -> list[ConfigEntry]:
    """Each charger through the config flow, as a user adds it."""
    entries = []
    for sim in sims:
        menu = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
        form = await hass.config_entries.flow.async_configure(
            menu["flow_id"], {"next_step_id": "charger"}
        )
        result = await hass.config_entries.flow.async_configure(
            form["flow_id"], _charger_input(sim)
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY, result
        entries.append(result["result"])
    await hass.async_block_till_done()
    assert all(e.state is ConfigEntryState.LOADED for e in entries)
    return entries


@asynccontextmanager
async def _chargers() -> AsyncIterator[list[ChargerSimulator]]:
    sims = [ChargerSimulator(serial=serial, tick=1.0) for serial in SERIALS]
    for sim in sims:
        await sim.start()
    try:
        yield sims
    finally:
        for sim in sims:
            await sim.stop()


def _claim_requests(sims: Sequence[ChargerSimulator]) -> int:
    return sum(
        1
        for sim in sims
        for method, path in sim.requests
        if method == "POST" and path.startswith("/claims")
    )


@dataclass(frozen=True)
class Window:
    """A stretch of the day for one run: from ``start`` to ``end`` seconds into the day."""

    start: int
    end: int
    sensor_period_s: int = 1
    network_loss: Outage | None = None  # times in the day
    ha_down: Outage | None = None


def _window(options: Mapping[str, Any]) -> Window:
    return Window(
        start=options["start"],
        end=options["end"],
        sensor_period_s=options.get("sensor_period_s", 1),
        network_loss=options.get("network_loss"),
        ha_down=options.get("ha_down"),
    )


async def _run(freezer: FrozenDateTimeFactory, seed: int, run: Window) -> Trace:
    """One window of the day with the real integration; incidents as ``run`` says."""
    house = house_trace(seed)[run.start : run.end]
    visits = window(VISITS, run.start, run.end)
    async with _chargers() as sims:
        day = Day(freezer, sims, house, visits, run.sensor_period_s)
        down = run.ha_down
        async with home_assistant_run() as hass:
            day.hass = hass
            hass.states.async_set(HOUSE, f"{house[0]:.2f}", AMPS)
            entries = await _add_chargers(hass, sims)
            await create_circuit(
                hass, entries, limit=LIMIT_AMPS, margin=DEFAULT_MARGIN, load_current=[HOUSE]
            )
            first_claims = _claim_requests(sims)

            loss = run.network_loss
            lost = sims[LOSS_MEMBER]

            async def incidents(t: int) -> None:
                if loss is None:
                    return
                if t == loss.start - run.start:
                    # Off the network: the push channel cut, every request refused.
                    day.trace.events["loss_pilot"] = pilots(list(sims))[LOSS_MEMBER]
                    lost.faults.http_status = 503
                    await lost.drop_websockets()
                elif t == loss.start - run.start + loss.seconds:
                    lost.faults.clear()

            await day.run_until(len(house) if down is None else down.start - run.start, incidents)
            day.trace.events["setup_claim_requests"] = first_claims
        if down is not None:
            # Home Assistant is gone: the chargers hold on their own, a car plugs in.
            day.hass = None
            day.trace.events["down_pilots"] = pilots(list(sims))
            await day.run_until(down.start - run.start + down.seconds)
            async with home_assistant_run() as hass:
                day.hass = hass
                hass.states.async_set(HOUSE, f"{house[day.t]:.2f}", AMPS)
                assert await async_setup_component(hass, DOMAIN, {})
                await hass.async_block_till_done()
                day.trace.events["loaded_after_restart"] = sum(
                    e.state is ConfigEntryState.LOADED
                    for e in hass.config_entries.async_entries(DOMAIN)
                )
                await day.run_until(len(house))
        day.trace.claim_requests = _claim_requests(sims)
    return day.trace


@pytest.mark.parametrize("key", ["main", "slow", "loss", "down"])
async def test_circuit_day(
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    bench_options: dict[str, Any],
    bench_record: Record,
    key: str,
) -> None:
    """One run of the day (or a window of it) with the circuit in a real Home Assistant."""
    if key not in bench_options["runs"]:
        pytest.skip(f"run {key} not asked for")
    run = _window(bench_options["runs"][key])
    assert 0 <= run.start < run.end <= DAY_S
    trace = await _run(freezer, bench_options["seed"], run)
    bench_record(key, trace)
