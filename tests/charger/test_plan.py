"""The charge plan through Home Assistant: entities, prices, the loop against the simulator.

The clock is frozen (``freezer``) so the plan's boundaries are reached on purpose; the simulated
charger still runs over loopback and answers every claim the plan makes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import SERVICE_SET_VALUE
from homeassistant.components.select import SERVICE_SELECT_OPTION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
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
    CONF_VEHICLE_SOC_SENSOR,
)
from custom_components.openevse_moogo.charger.planning.controller import PlanController
from custom_components.openevse_moogo.charger.session_events import CHARGER_EVENT
from custom_components.openevse_moogo.clients.openevse.client import DEFAULT_CLAIM_CLIENT_ID
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.car import CarDraw, CarModel

from .conftest import SERIAL, entry_data, state_of

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
CAPACITY = "number.openevse_7c40_battery_capacity"
TARGET_SOC = "number.openevse_7c40_plan_target_state_of_charge"
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
async def planned(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan_options: dict[str, Any],
    berlin: None,
    freezer: FrozenDateTimeFactory,
) -> AsyncGenerator[MockConfigEntry]:
    """A charger entry whose options pick the price entity; the clock frozen in the evening.

    Unloaded at the end of the test if the test left it loaded, on a failure too.
    """
    freezer.move_to(EVENING)
    entry = MockConfigEntry(
        domain=DOMAIN, title="openevse-7c40", unique_id=SERIAL, data=entry_data(charger),
        options=plan_options,
    )  # fmt: skip
    entry.add_to_hass(hass)
    yield entry
    await unload(hass, entry)


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
    assert [e.data["type"] for e in events if e.data["type"].startswith("plan")] == ["plan_started"]
    await ticking(hass, freezer, lambda: state_of(hass, CONTROLLED_BY) == "this_integration")

    # The energy is in: the plan is done, our claim pauses the charger again.
    await charger.update_status(session_energy=14000.0, wattsec=14000.0 * 3600)
    await ticking(hass, freezer, lambda: hass.states.get(STATUS).state == "done")  # type: ignore[union-attr]
    await settle(hass, plan)
    assert own_claim(charger) == {"state": "disabled"}
    completed = [e.data for e in events if e.data["type"] == "plan_completed"]
    assert len(completed) == 1
    assert completed[0]["energy"] == pytest.approx(14.0)


NIGHT = [0.30, 0.28, 0.25, 0.20, 0.18, 0.15, 0.12, 0.05, 0.04, 0.10, 0.14, 0.20, 0.26]
FIRST_RUN = datetime(2026, 3, 11, 1, tzinfo=dt_util.UTC)


async def start_plan(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry, target: float = 14.0
) -> PlanController:
    """Prices for the night, the car plugged in, the plan on with ``target`` kWh."""
    set_prices(hass, hourly(EVENING, NIGHT))
    plan = await setup(hass, entry)
    await plan_on(hass, charger, plan, target)
    return plan


async def plan_on(
    hass: HomeAssistant, charger: ChargerSimulator, plan: PlanController, target: float
) -> None:
    """The car plugged in, the plan on with ``target`` kWh to add."""
    await charger.plug_in()
    await service(hass, "number", SERVICE_SET_VALUE, TARGET, value=target)
    await service(hass, "switch", SERVICE_TURN_ON, PLAN)
    await settle(hass, plan)


@pytest.fixture
async def plan(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> PlanController:
    """The plan of ``planned`` started as :func:`start_plan` starts it, for 14 kWh."""
    return await start_plan(hass, charger, planned)


async def test_plan_learns_the_power_the_car_draws(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    allowed_end = plan.planned_slots[-1][1]
    await move_to(hass, freezer, plan, FIRST_RUN)
    charger.car = CarDraw(CarModel(max_amps=16, delay_s=0))  # half of the 32 A offered
    await charger.start_charging()
    await ticking(hass, freezer, lambda: (plan.power_kw or 99) < 4.2)
    await settle(hass, plan)
    # Half the power: twice the time, so the plan reaches into the next cheapest hours.
    assert plan.power_kw == pytest.approx(3.8, abs=0.2)
    assert plan.planned_slots[-1][1] > allowed_end + timedelta(hours=1)
    assert state_of(hass, STATUS) == "charging"


async def test_restart_mid_plan_loses_nothing(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    await move_to(hass, freezer, plan, FIRST_RUN + timedelta(minutes=30))
    assert own_claim(charger) == {"state": "active"}
    slots = plan.planned_slots
    await unload(hass, planned)
    # Home Assistant comes back before the price integration does.
    hass.states.async_set(PRICES, "unavailable", {})
    plan = await setup(hass, planned)
    assert plan.settings.enabled
    assert plan.settings.target_energy_kwh == 14.0
    assert plan.planned_slots == slots
    assert state_of(hass, STATUS) == "charging"  # inside the run
    assert own_claim(charger) == {"state": "active"}
    assert plan.price_error is not None


async def test_plan_switched_off_mid_slot_gives_the_charger_back(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    await move_to(hass, freezer, plan, FIRST_RUN + timedelta(minutes=10))
    assert own_claim(charger) == {"state": "active"}
    await service(hass, "switch", SERVICE_TURN_OFF, PLAN)
    await settle(hass, plan)
    assert own_claim(charger) is None  # the charger's own rules decide again
    assert state_of(hass, STATUS) == "off"
    assert plan.planned_slots == []
    assert state_of(hass, NEXT_START) == "unknown"


async def test_charging_switch_by_hand_stands_until_the_next_boundary(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert own_claim(charger) == {"state": "disabled"}
    await service(hass, "switch", SERVICE_TURN_ON, "switch.openevse_7c40_allow_charging")
    await service(hass, "number", SERVICE_SET_VALUE, TARGET, value=15.0)  # a re-plan
    await settle(hass, plan)
    assert own_claim(charger) is None  # the hand-made change stands
    # At the run's start the plan decides again.
    await move_to(hass, freezer, plan, FIRST_RUN)
    assert own_claim(charger) == {"state": "active"}


async def test_departure_before_prices_arrive_waits_then_plans(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    # Only the evening is priced; 60 kWh cannot be had in it.
    set_prices(hass, hourly(EVENING, [0.3, 0.3]))
    plan = await setup(hass, planned)
    await plan_on(hass, charger, plan, 60.0)
    assert state_of(hass, STATUS) == "waiting_for_prices"
    assert own_claim(charger) == {"state": "disabled"}
    assert plan.plan is not None
    assert plan.plan.latest_start is not None

    # The minimum is charged now, whatever the price.
    await service(hass, "number", SERVICE_SET_VALUE, MINIMUM, value=3.0)
    await settle(hass, plan)
    assert own_claim(charger) == {"state": "active"}

    # The night's prices arrive: a real plan.
    set_prices(hass, hourly(EVENING, NIGHT))
    await settle(hass, plan)
    assert state_of(hass, STATUS) == "charging"  # the minimum, now
    assert plan.plan is not None
    assert plan.plan.prices_complete
    assert plan.plan.reachable
    # More than 12 hours at 7.68 kW can give: said at once, and charged from now on.
    await service(hass, "number", SERVICE_SET_VALUE, TARGET, value=100.0)
    assert state_of(hass, STATUS) == "not_reachable"
    assert own_claim(charger) == {"state": "active"}
    assert float(state_of(hass, ENERGY)) < 100


async def test_prices_missing_for_tomorrow_plans_with_what_is_known(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
) -> None:
    # Prices until midnight in Berlin (23:00 UTC): enough for 10 kWh.
    set_prices(hass, hourly(EVENING, [0.3, 0.1, 0.2, 0.3, 0.3]))
    plan = await setup(hass, planned)
    await plan_on(hass, charger, plan, 10.0)
    attributes = hass.states.get(STATUS).attributes  # type: ignore[union-attr]
    assert attributes["prices_complete"] is False
    assert state_of(hass, STATUS) == "waiting"
    assert state_of(hass, NEXT_START) == "2026-03-10T19:00:00+00:00"


async def test_dst_change_and_quarter_hours(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    # 24/25 October 2026: Berlin goes from CEST to CET at 03:00, the night is 13 hours long.
    evening = datetime(2026, 10, 24, 18, 0, tzinfo=dt_util.UTC)  # 20:00 CEST
    freezer.move_to(evening)
    quarters = [0.30] * 48
    quarters[29:31] = [0.01, 0.02]  # 01:15-01:45 UTC, the cheapest half hour
    set_prices(hass, hourly(evening, quarters, minutes=15))
    plan = await setup(hass, planned)
    await plan_on(hass, charger, plan, 3.84)
    attributes = hass.states.get(STATUS).attributes  # type: ignore[union-attr]
    assert attributes["departure"] == "2026-10-25T06:00:00+00:00"  # 07:00 CET
    start, end = plan.planned_slots[0]
    assert start == datetime(2026, 10, 25, 1, 15, tzinfo=dt_util.UTC)
    assert abs(end - datetime(2026, 10, 25, 1, 45, tzinfo=dt_util.UTC)) < timedelta(seconds=5)


async def test_one_off_departure_action(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), planned.entry_id)
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        "set_plan_departure",
        {"device_id": device.id, "departure": "2026-03-10T23:30:00+00:00"},
        blocking=True,
    )
    await settle(hass, plan)
    assert plan.plan is not None
    assert plan.plan.departure == datetime(2026, 3, 10, 23, 30, tzinfo=dt_util.UTC)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "set_plan_departure",
            {"device_id": device.id, "departure": "2026-03-10T12:00:00+00:00"},
            blocking=True,
        )
    assert caught.value.translation_key == "plan_departure_in_past"
    # Once it has passed, the daily departure applies again.
    await move_to(hass, freezer, plan, datetime(2026, 3, 10, 23, 31, tzinfo=dt_util.UTC))
    assert plan.settings.one_off_departure is None
    assert plan.plan is not None
    assert plan.plan.departure == datetime(2026, 3, 11, 6, 0, tzinfo=dt_util.UTC)
    # The daily time itself is a time entity.
    await service(hass, "time", "set_value", DEPARTURE, time="05:30:00")
    await settle(hass, plan)
    assert plan.plan.departure == datetime(2026, 3, 11, 4, 30, tzinfo=dt_util.UTC)
    assert state_of(hass, DEPARTURE) == "05:30:00"


async def test_continuous_mode_and_preconditioning(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    plan = await start_plan(hass, charger, planned, target=20.0)
    await service(hass, "select", SERVICE_SELECT_OPTION, MODE, option="continuous")
    await service(hass, "switch", SERVICE_TURN_ON, PRECONDITION)
    await settle(hass, plan)
    assert len(plan.planned_slots) == 1
    end = plan.planned_slots[0][1]
    await move_to(hass, freezer, plan, end - timedelta(minutes=1))
    assert own_claim(charger) == {"state": "active"}
    await charger.update_status(session_energy=20000.0)  # the target is in
    await ticking(hass, freezer, lambda: own_claim(charger) == {"state": "disabled"})
    # Half an hour before departure the charger is available for the car's climate.
    await move_to(hass, freezer, plan, datetime(2026, 3, 11, 5, 31, tzinfo=dt_util.UTC))
    assert own_claim(charger) == {"state": "active"}


@pytest.mark.parametrize(
    "plan_options", [{CONF_PRICE_ENTITY: PRICES, CONF_MIN_RUN: 0, CONF_PRICE_CEILING: 0.1}]
)
async def test_price_ceiling_from_the_options(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    plan = await start_plan(hass, charger, planned, target=30.0)
    # Only 01:00-03:00 UTC cost at most 0.10 (0.05 and 0.04, then 0.10 at 03:00).
    assert state_of(hass, STATUS) == "not_reachable"
    assert plan.plan is not None
    assert all(run.cost <= 0.1 * run.energy_kwh + 1e-9 for run in plan.plan.intervals)


def _priced_entity(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """A price entity of ``platform`` that publishes only the current price (no attributes)."""
    source = MockConfigEntry(domain=platform, title=platform)
    source.add_to_hass(hass)
    entity = er.async_get(hass).async_get_or_create(
        "sensor", platform, unique_id, config_entry=source, suggested_object_id="energy_prices"
    )
    hass.states.async_set(entity.entity_id, "0.25", {})
    return entity.entity_id


async def test_core_nord_pool_prices_come_through_its_action(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    assert _priced_entity(hass, "nordpool", "SE3-current_price") == PRICES
    calls: list[dict[str, Any]] = []

    async def get_prices_for_date(call: ServiceCall) -> ServiceResponse:
        calls.append(dict(call.data))
        if call.data["date"] != "2026-03-10":
            raise ServiceValidationError("no prices for that day yet")
        night = hourly(EVENING, [p * 1000 for p in NIGHT[:6]])  # per MWh
        other = hourly(EVENING, [9999.0] * 6)
        return {"SE3": night, "SE4": other}  # type: ignore[dict-item]

    hass.services.async_register(
        "nordpool",
        "get_prices_for_date",
        get_prices_for_date,
        supports_response=SupportsResponse.ONLY,
    )
    plan = await setup(hass, planned)
    await plan_on(hass, charger, plan, 7.0)
    assert [call["date"] for call in calls] == ["2026-03-10", "2026-03-11"]
    assert calls[0]["resolution"] == 15
    # The SE3 area (the entity's own), per kWh: the cheapest hour of the six is 23:00.
    assert state_of(hass, NEXT_START) == "2026-03-10T23:00:00+00:00"
    # Asked again only when old or when tomorrow may be out: not for each re-plan.
    hass.states.async_set(PRICES, "0.26", {})
    await settle(hass, plan)
    assert len(calls) == 2


async def test_tibber_prices_come_through_its_action(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    assert _priced_entity(hass, "tibber", "home-price") == PRICES

    async def get_prices(call: ServiceCall) -> ServiceResponse:
        return {
            "prices": {
                "Home": [
                    {"start_time": slot["start"], "price": slot["price"]}
                    for slot in hourly(EVENING, NIGHT)
                ]
            }
        }

    hass.services.async_register(
        "tibber", "get_prices", get_prices, supports_response=SupportsResponse.ONLY
    )
    plan = await setup(hass, planned)
    await plan_on(hass, charger, plan, 7.0)
    assert state_of(hass, NEXT_START) == "2026-03-11T02:00:00+00:00"  # the 0.04 hour


async def test_an_unreadable_price_entity_is_said_and_the_deadline_still_kept(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    hass.states.async_set(PRICES, "0.25", {"unit": "EUR/kWh"})  # no price list at all
    plan = await setup(hass, planned)
    await charger.plug_in()
    await service(hass, "switch", SERVICE_TURN_ON, PLAN)
    await settle(hass, plan)
    assert state_of(hass, STATUS) == "waiting_for_prices"
    attributes = hass.states.get(STATUS).attributes  # type: ignore[union-attr]
    assert "no price attribute" in attributes["price_error"]
    assert plan.plan is not None
    assert plan.plan.latest_start is not None  # from then on it charges without prices


async def test_target_soc_when_the_charger_knows_the_state_of_charge(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await charger.update_status(battery_level=50)
    plan = await start_plan(hass, charger, planned)
    await service(
        hass, "number", SERVICE_SET_VALUE, "number.openevse_7c40_battery_capacity", value=60.0
    )
    await service(
        hass,
        "number",
        SERVICE_SET_VALUE,
        "number.openevse_7c40_plan_target_state_of_charge",
        value=80.0,
    )
    await settle(hass, plan)
    assert plan.plan is not None
    assert plan.plan.energy_wanted_kwh == pytest.approx(18.0)  # 30 % of 60 kWh
    await charger.update_status(battery_level=80)
    await ticking(hass, freezer, lambda: state_of(hass, STATUS) == "done")


async def test_circuit_share_caps_the_plans_power(
    hass: HomeAssistant, charger: ChargerSimulator, plan: PlanController
) -> None:
    await plan.async_set_power_share(3.0)
    assert plan.power_kw == pytest.approx(3.0)
    assert plan.plan is not None
    assert plan.plan.intervals[-1].end > datetime(2026, 3, 11, 4, tzinfo=dt_util.UTC)
    await plan.async_set_power_share(None)
    assert plan.power_kw == pytest.approx(7.68, abs=0.1)


# The charger's fallback poll in the hours skipped may meet the fault too, and report it once
# the charger's grace for transient failures has run out.
@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Error fetching OpenEVSE"), required=False
)
async def test_a_refused_claim_is_tried_again(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    charger.faults.http_status = 500
    await move_to(hass, freezer, plan, FIRST_RUN)
    assert own_claim(charger) == {"state": "disabled"}
    assert "claim not set" in caplog.text
    charger.faults.clear()
    await move_to(hass, freezer, plan, FIRST_RUN + timedelta(minutes=1, seconds=1))
    await ticking(hass, freezer, lambda: own_claim(charger) == {"state": "active"})


async def test_a_run_planned_without_the_car_waits(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    planned: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    set_prices(hass, hourly(EVENING, NIGHT))
    plan = await setup(hass, planned)
    await service(hass, "switch", SERVICE_TURN_ON, PLAN)
    await settle(hass, plan)
    await move_to(hass, freezer, plan, FIRST_RUN)
    assert state_of(hass, STATUS) == "waiting"  # nobody to charge yet
    await charger.plug_in()
    await ticking(hass, freezer, lambda: own_claim(charger) == {"state": "active"})


@pytest.mark.parametrize("plan_options", [{CONF_PRICE_ENTITY: "sensor.gone", CONF_MIN_RUN: 15}])
async def test_a_missing_price_entity_is_said(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    plan = await setup(hass, planned)
    await charger.plug_in()
    await service(hass, "switch", SERVICE_TURN_ON, PLAN)
    await settle(hass, plan)
    assert plan.price_error == "sensor.gone does not exist"
    assert state_of(hass, STATUS) == "waiting_for_prices"


async def test_a_failing_price_action_is_said(
    hass: HomeAssistant, charger: ChargerSimulator, planned: MockConfigEntry
) -> None:
    _priced_entity(hass, "nordpool", "SE3-current_price")

    async def get_prices_for_date(call: ServiceCall) -> ServiceResponse:
        raise ServiceValidationError("Nord Pool is down")

    hass.services.async_register(
        "nordpool",
        "get_prices_for_date",
        get_prices_for_date,
        supports_response=SupportsResponse.ONLY,
    )
    plan = await setup(hass, planned)
    assert plan.price_error is not None
    assert "Nord Pool is down" in plan.price_error


@pytest.mark.parametrize(
    "plan_options", [{CONF_PRICE_ENTITY: PRICES, CONF_VEHICLE_SOC_SENSOR: "sensor.car_soc"}]
)
async def test_soc_settings_exist_when_the_options_feed_the_soc(
    hass: HomeAssistant, planned: MockConfigEntry
) -> None:
    set_prices(hass, hourly(EVENING, NIGHT))
    await setup(hass, planned)
    assert state_of(hass, CAPACITY) == "unknown"  # not set yet: the energy target applies
    assert state_of(hass, TARGET_SOC) == "80.0"
    cost = hass.states.get(COST)
    assert cost is not None
    assert cost.attributes["unit_of_measurement"] == hass.config.currency


PLAN_CALENDAR = "calendar.openevse_7c40_planned_charging"


async def test_plan_calendar_shows_the_planned_runs_and_refuses_edits(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    plan: PlanController,
    freezer: FrozenDateTimeFactory,
) -> None:
    ((start, end),) = plan.planned_slots
    calendar = hass.states.get(PLAN_CALENDAR)
    assert calendar is not None
    assert calendar.state == "off"  # the run is still to come
    assert calendar.attributes["start_time"] == "2026-03-11 02:00:00"  # Berlin time
    assert calendar.attributes["supported_features"] == 0  # read only
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {ATTR_ENTITY_ID: PLAN_CALENDAR, "start_date_time": EVENING, "duration": {"hours": 24}},
        blocking=True,
        return_response=True,
    )
    events = response[PLAN_CALENDAR]["events"]  # type: ignore[index, call-overload]
    assert [(e["start"], e["end"], e["summary"]) for e in events] == [
        (start.astimezone(dt_util.get_default_time_zone()).isoformat(),
         end.astimezone(dt_util.get_default_time_zone()).isoformat(), "Planned charging")
    ]  # fmt: skip

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                ATTR_ENTITY_ID: PLAN_CALENDAR,
                "summary": "Charge",
                "start_date_time": "2026-03-11 03:00:00",
                "end_date_time": "2026-03-11 04:00:00",
            },
            blocking=True,
        )

    # The run starts: the calendar is on; the plan off empties it.
    await move_to(hass, freezer, plan, FIRST_RUN)
    assert state_of(hass, PLAN_CALENDAR) == "on"
    await service(hass, "switch", SERVICE_TURN_OFF, PLAN)
    await settle(hass, plan)
    assert state_of(hass, PLAN_CALENDAR) == "off"
    assert hass.states.get(PLAN_CALENDAR).attributes.get("start_time") is None  # type: ignore[union-attr]
