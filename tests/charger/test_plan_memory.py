"""What the charge plan stores, read back whatever the store holds; the options that set it up."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.const import (
    CONF_INVERT_GRID,
    CONF_MIN_RUN,
    CONF_PRICE_CEILING,
    CONF_PRICE_ENTITY,
)
from custom_components.openevse_moogo.charger.plan import (
    ChargeMode,
    ChargePlan,
    PlannedInterval,
    PriceSlot,
)
from custom_components.openevse_moogo.charger.planning.prices import _stale
from custom_components.openevse_moogo.charger.planning.settings import PlanSettings
from custom_components.openevse_moogo.charger.planning.stored import PlanMemory
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import SERIAL, entry_data

T0 = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)


def test_memory_round_trip() -> None:
    plan = ChargePlan(
        intervals=(PlannedInterval(T0, T0 + timedelta(hours=1), 7.0, 0.7),),
        energy_wanted_kwh=7.0,
        energy_kwh=7.0,
        cost=0.7,
        reachable=True,
        awaiting_prices=False,
        prices_complete=True,
        departure=T0 + timedelta(hours=8),
        latest_start=T0 + timedelta(hours=7),
        available_from=T0 + timedelta(hours=7, minutes=30),
    )
    memory = PlanMemory(
        settings=PlanSettings(
            enabled=True,
            departure=time(6, 45),
            one_off_departure=T0 + timedelta(days=1),
            battery_capacity_kwh=58.0,
            mode=ChargeMode.CONTINUOUS,
        ),
        prices=[PriceSlot(T0, T0 + timedelta(minutes=15), -0.01)],
        learned_power_kw=3.7,
        applied="disabled",
        cycle_departure=T0 + timedelta(hours=8),
        baseline_wh=1200.0,
        announced={"started": "x"},
        plan=plan,
    )
    assert PlanMemory.from_dict(memory.as_dict()) == memory


def test_memory_keeps_defaults_for_what_does_not_parse() -> None:
    memory = PlanMemory.from_dict(
        {
            "settings": {
                "enabled": True,
                "departure": "not a time",
                "one_off_departure": "2026-03-10T06:00:00",  # naive: ambiguous, dropped
                "mode": "sometimes",
                "target_energy_kwh": "12.5",
                "unknown": 1,
            },
            "prices": [["nonsense"]],
            "learned_power_kw": "fast",
            "applied": 3,
            "cycle_departure": "yesterday",
            "baseline_wh": None,
            "announced": ["started"],
            "plan": {"departure": "2026-03-11T06:00:00+00:00"},
        }
    )
    assert memory.settings == PlanSettings(enabled=True, target_energy_kwh=12.5)
    assert memory.prices == []
    assert memory.learned_power_kw is None
    assert memory.applied is None
    assert memory.cycle_departure is None
    assert memory.baseline_wh == 0.0
    assert memory.announced == {}
    assert memory.plan is None
    assert PlanMemory.from_dict({"plan": {"departure": "naive"}}).plan is None
    assert PlanMemory.from_dict({"cycle_departure": 5}).cycle_departure is None
    assert PlanMemory.from_dict({"cycle_departure": "2026-03-11T06:00:00"}).cycle_departure is None


def test_an_action_answer_is_asked_again_when_old_or_tomorrow_may_be_out() -> None:
    # Hourly prices for the 10th (UTC here, as the tests' default zone is not used).
    today = [PriceSlot(T0 - timedelta(hours=22), T0 + timedelta(hours=2), 0.1)]
    morning = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 10:00 in the tests' US/Pacific zone
    assert not _stale(today, morning - timedelta(minutes=40), morning)
    assert _stale(today, morning - timedelta(hours=6), morning)
    evening = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # 19:00 Pacific: tomorrow may be out
    assert _stale(today, evening - timedelta(minutes=31), evening)
    assert not _stale(today, evening - timedelta(minutes=10), evening)
    assert _stale([], evening - timedelta(minutes=31), evening)


async def test_options_pick_the_plans_prices(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger))
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_PRICE_ENTITY: "sensor.nordpool", CONF_PRICE_CEILING: 0.25, CONF_MIN_RUN: 30},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_INVERT_GRID: False,
        CONF_PRICE_ENTITY: "sensor.nordpool",
        CONF_PRICE_CEILING: 0.25,
        CONF_MIN_RUN: 30,
    }
    await hass.async_block_till_done()  # the reload the options cause
    assert await hass.config_entries.async_unload(entry.entry_id)
