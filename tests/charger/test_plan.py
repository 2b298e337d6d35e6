"""The charge plan through Home Assistant: entities, prices, the loop against the simulator.

The clock is frozen (``freezer``) so the plan's boundaries are reached on purpose; the simulated
charger still runs over loopback and answers every claim the plan makes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import SERVICE_SET_VALUE
from homeassistant.components.select import SERVICE_SELECT_OPTION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.openevse_moogo.charger.const import (
    CONF_MIN_RUN,
    CONF_PRICE_CEILING,
    CONF_PRICE_ENTITY,
)
from custom_components.openevse_moogo.charger.planning.controller import PlanController
from custom_components.openevse_moogo.charger.session_events import CHARGER_EVENT
from custom_components.openevse_moogo.clients.openevse.client import DEFAULT_CLAIM_CLIENT_ID
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import SERIAL, entry_data, state_of, wait_for

PRICES = "sensor.energy_prices"
PLAN = "switch.openevse_7c40_charge_plan"
STATUS = "sensor.openevse_7c40_plan_status"
NEXT_START = "sensor.openevse_7c40_plan_next_start"
PLAN_END = "sensor.openevse_7c40_plan_end"
ENERGY = "sensor.openevse_7c40_plan_energy"
COST = "sensor.openevse_7c40_plan_cost"
DEPARTURE = "time.openevse_7c40_departure"
TARGET = "number.openevse_7c40_plan_energy_to_add"
MINIMUM = "number.openevse_7c40_charge_now_regardless_of_price"
MODE = "select.openevse_7c40_plan_mode"
CONTROLLED_BY = "sensor.openevse_7c40_charging_state_controlled_by"
PRECONDITION = "switch.openevse_7c40_keep_available_for_preconditioning"
# 18:00 UTC: 19:00 in Berlin, the evening before a 07:00 departure.
EVENING = datetime(2026, 3, 10, 18, 0, tzinfo=dt_util.UTC)


def own_claim(sim: ChargerSimulator) -> dict[str, Any] | None:
    claim = sim.claims.claims.get(DEFAULT_CLAIM_CLIENT_ID)
    return dict(claim.properties) if claim is not None else None


def hourly(start: datetime, prices: Iterable[float], minutes: int = 60) -> list[dict[str, Any]]:
    """The generic price list: one ``{start, end, price}`` per slot from ``start`` on."""
    step = timedelta(minutes=minutes)
    return [
        {
            "start": (start + i * step).isoformat(),
            "end": (start + (i + 1) * step).isoformat(),
            "price": price,
        }
        for i, price in enumerate(prices)
    ]


def set_prices(hass: HomeAssistant, slots: list[dict[str, Any]]) -> None:
    hass.states.async_set(PRICES, str(slots[0]["price"]) if slots else "unknown", {"prices": slots})


@pytest.fixture
def plan_options() -> dict[str, Any]:
    return {CONF_PRICE_ENTITY: PRICES, CONF_MIN_RUN: 0}


@pytest.fixture
async def berlin(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Europe/Berlin")


@pytest.fixture
def planned(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan_options: dict[str, Any],
    berlin: None,
    freezer: FrozenDateTimeFactory,
) -> MockConfigEntry:
    """A charger entry whose options pick the price entity; the clock frozen in the evening."""
    freezer.move_to(EVENING)
    entry = MockConfigEntry(
        domain=DOMAIN, title="openevse-7c40", unique_id=SERIAL, data=entry_data(charger),
        options=plan_options,
    )  # fmt: skip
    entry.add_to_hass(hass)
    return entry


async def setup(hass: HomeAssistant, entry: MockConfigEntry) -> PlanController:
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    plan: PlanController = entry.runtime_data.plan
    await plan.async_wait_idle()
    return plan


async def settle(hass: HomeAssistant, plan: PlanController) -> None:
    await hass.async_block_till_done()
    await plan.async_wait_idle()
    await hass.async_block_till_done()


async def service(hass: HomeAssistant, domain: str, name: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(domain, name, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True)


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, plan: PlanController, when: datetime
) -> None:
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await settle(hass, plan)


async def ticking(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    predicate: Callable[[], bool],
    within: float = 10.0,
) -> None:
    """Wait for ``predicate`` while the frozen clock moves on in small steps.

    Under the freezer the event loop's clock stands still with the wall clock, so timers (the
    simulator's ticks, the client's refetches) run only when the clock is moved.
    """
    step = 0.05
    for _ in range(round(within / step)):
        if predicate():
            return
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        for _ in range(5):  # let socket replies in between be read
            await asyncio.sleep(0)
        await hass.async_block_till_done()
    raise AssertionError("condition not reached in time")


async def unload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()


async def test_plan_charges_in_the_cheapest_hours_through_our_claim(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    # 18:00-07:00 UTC... the night's prices, cheapest 01:00-03:00 UTC.
    prices = [0.30, 0.28, 0.25, 0.20, 0.18, 0.15, 0.12, 0.05, 0.04, 0.10, 0.14, 0.20, 0.26]
    set_prices(hass, hourly(EVENING, prices))
    events = async_capture_events(hass, CHARGER_EVENT)
    plan = await setup(hass, planned)
    try:
        assert state_of(hass, STATUS) == "off"
        await charger.plug_in()
        await ticking(hass, freezer, lambda: charger.status["vehicle"] == 1)
        await service(hass, "number", SERVICE_SET_VALUE, TARGET, value=14.0)
        await service(hass, "switch", SERVICE_TURN_ON, PLAN)
        await settle(hass, plan)
        # The simulated charger allows 32 A at 240 V: 7.68 kW, 14 kWh in under two hours.
        assert state_of(hass, STATUS) == "waiting"
        assert own_claim(charger) == {"state": "disabled"}
        assert state_of(hass, NEXT_START) == "2026-03-11T01:00:00+00:00"
        assert state_of(hass, PLAN_END) == "2026-03-11T02:49:22+00:00"
        assert float(state_of(hass, ENERGY)) == pytest.approx(14.0)
        assert float(state_of(hass, COST)) == pytest.approx(7.68 * 0.05 + (14 - 7.68) * 0.04)
        assert plan.planned_slots == [
            (datetime(2026, 3, 11, 1, tzinfo=dt_util.UTC), plan.planned_slots[0][1])
        ]
        attributes = hass.states.get(STATUS).attributes  # type: ignore[union-attr]
        assert attributes["departure"] == "2026-03-11T06:00:00+00:00"  # 07:00 in Berlin
        assert attributes["slots"][0]["start"] == "2026-03-11T01:00:00+00:00"

        # The first run starts: our claim lets the charger charge, the event tells it.
        await move_to(hass, freezer, plan, datetime(2026, 3, 11, 1, tzinfo=dt_util.UTC))
        assert own_claim(charger) == {"state": "active"}
        await charger.start_charging()
        await ticking(hass, freezer, lambda: hass.states.get(STATUS).state == "charging")  # type: ignore[union-attr]
        assert [e.data["type"] for e in events if e.data["type"].startswith("plan")] == [
            "plan_started"
        ]
        await ticking(hass, freezer, lambda: state_of(hass, CONTROLLED_BY) == "this_integration")

        # The energy is in: the plan is done, our claim pauses the charger again.
        await charger.update_status(session_energy=14000.0, wattsec=14000.0 * 3600)
        await ticking(hass, freezer, lambda: hass.states.get(STATUS).state == "done")  # type: ignore[union-attr]
        await settle(hass, plan)
        assert own_claim(charger) == {"state": "disabled"}
        completed = [e.data for e in events if e.data["type"] == "plan_completed"]
        assert len(completed) == 1
        assert completed[0]["energy"] == pytest.approx(14.0)
    finally:
        await unload(hass, planned)
