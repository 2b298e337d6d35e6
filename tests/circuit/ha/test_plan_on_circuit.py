"""The charge plan and the circuit on the same chargers, over loopback against the simulator.

Both act through the charger's one claim of this integration: the plan decides its ``state``
(through the circuit's guard, like the Charging switch), the circuit its ``max_current``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.const import CONF_MIN_RUN, CONF_PRICE_ENTITY
from custom_components.openevse_moogo.charger.planning.controller import PlanController
from custom_components.openevse_moogo.circuit.allocation import Reason
from custom_components.openevse_moogo.const import DOMAIN
from tests.charger.conftest import entry_data
from tests.simulators.openevse import ChargerSimulator

from .conftest import controller_of, create_circuit, pilots, wait_until
from .test_runtime import AMPS, BUDGET, HOUSE, Watch

PRICES = "sensor.energy_prices"
VOLTS = 240  # the simulated chargers' mains


async def until(predicate: Callable[[], bool]) -> None:
    """Wait for ``predicate`` with a deadline for a machine loaded with several test runs."""
    await wait_until(predicate, within=30)


def set_prices(hass: HomeAssistant, now_price: float, later_price: float) -> None:
    """Hourly prices from this hour on: ``now_price`` for two hours, then ``later_price``."""
    start = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    slots = [
        {
            "start": (start + timedelta(hours=i)).isoformat(),
            "end": (start + timedelta(hours=i + 1)).isoformat(),
            "price": now_price if i < 2 else later_price,
        }
        for i in range(24)
    ]
    hass.states.async_set(PRICES, str(now_price), {"prices": slots})


@pytest.fixture
async def planned_entries(
    hass: HomeAssistant, chargers: list[ChargerSimulator]
) -> AsyncGenerator[list[MockConfigEntry]]:
    """The three chargers' entries with the price entity in their options, loaded."""
    set_prices(hass, 0.40, 0.10)  # dear now, cheap from the third hour on
    entries = []
    for number, sim in enumerate(chargers, start=1):
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=f"Charger {number}",
            unique_id=sim.serial,
            data=entry_data(sim),
            options={CONF_PRICE_ENTITY: PRICES, CONF_MIN_RUN: 0},
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        entries.append(entry)
    await hass.async_block_till_done()
    yield entries
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def plan_of(entry: MockConfigEntry) -> PlanController:
    plan: PlanController = entry.runtime_data.plan
    return plan


async def plan_on(plan: PlanController, kwh: float = 10.0) -> None:
    """The plan on, for ``kwh`` by a departure twelve hours ahead."""
    await plan.async_update_settings(
        enabled=True,
        target_energy_kwh=kwh,
        one_off_departure=dt_util.utcnow() + timedelta(hours=12),
    )


def claim_of(sim: ChargerSimulator, entry: MockConfigEntry) -> dict[str, Any]:
    claim = sim.claims.claims.get(entry.runtime_data.client.claim_client_id)
    return dict(claim.properties) if claim is not None else {}


async def test_a_plan_pause_survives_the_circuits_reallocation(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    planned_entries: list[MockConfigEntry],
) -> None:
    hass.states.async_set(HOUSE, "0", AMPS)
    await create_circuit(hass, planned_entries[:1], limit=40, load_current=[HOUSE])
    await chargers[0].start_charging()
    await until(lambda: pilots(chargers)[0] == 32)
    plan = plan_of(planned_entries[0])
    await plan_on(plan)
    # Dear now: the plan pauses the charger through our claim.
    await until(lambda: claim_of(chargers[0], planned_entries[0]).get("state") == "disabled")
    assert pilots(chargers)[0] == 0
    # The oven: the circuit sends a new share, and the plan's pause goes along with it.
    hass.states.async_set(HOUSE, "10", AMPS)
    await until(lambda: claim_of(chargers[0], planned_entries[0]).get("max_current") == 29)
    assert claim_of(chargers[0], planned_entries[0])["state"] == "disabled"
    hass.states.async_set(HOUSE, "2", AMPS)
    await until(lambda: claim_of(chargers[0], planned_entries[0]).get("max_current") == 32)
    assert pilots(chargers)[0] == 0
    # Turned off, the plan decides nothing: the circuit lets the car charge at its share.
    await plan.async_update_settings(enabled=False)
    # (at what the circuit gives it: a car paused a while counts as drawing less)
    await until(lambda: pilots(chargers)[0] > 0)
    assert claim_of(chargers[0], planned_entries[0])["state"] == "active"


async def test_the_plan_plans_with_the_members_share(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    planned_entries: list[MockConfigEntry],
) -> None:
    circuit_id = await create_circuit(hass, planned_entries[:2], limit=40)
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await until(lambda: sorted(pilots(chargers[:2])) == [19, 20])
    controller = controller_of(hass, circuit_id)
    plans = [plan_of(e) for e in planned_entries[:2]]
    await plan_on(plans[0], kwh=30.0)
    for plan, entry in zip(plans, planned_entries, strict=False):
        amps = controller.data.members[entry.entry_id].amps
        await until(lambda p=plan, a=amps: p.power_share_kw == a * VOLTS / 1000)  # type: ignore[misc]
    # At most its share of 19 or 20 A x 240 V (4.6-4.8 kW), not the charger's 7.7 kW.
    assert plans[0].power_kw is not None
    assert plans[0].power_kw <= plans[0].power_share_kw  # type: ignore[operator]
    assert plans[0].plan is not None
    # The charger leaves the circuit: its plan is capped only by the car and the charger again.
    assert await hass.config_entries.async_unload(circuit_id)
    await until(lambda: all(p.power_share_kw is None for p in plans))
    assert plans[0].diagnostics()["power_share_kw"] is None


async def test_a_plan_run_starts_a_member_only_within_its_share(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    planned_entries: list[MockConfigEntry],
) -> None:
    circuit_id = await create_circuit(hass, planned_entries, limit=40)
    controller = controller_of(hass, circuit_id)
    plan = plan_of(planned_entries[0])
    for sim in chargers:
        await sim.start_charging()
    await until(lambda: sorted(pilots(chargers)) == [13, 13, 13])
    await plan_on(plan)
    await until(lambda: pilots(chargers)[0] == 0)
    watch = Watch(chargers)
    watch.start()
    try:
        # The prices change: cheap now. The plan starts its run; the circuit makes room first.
        set_prices(hass, 0.05, 0.30)
        await until(lambda: pilots(chargers)[0] > 0)
        assert claim_of(chargers[0], planned_entries[0])["state"] == "active"
        member = controller.data.members[planned_entries[0].entry_id]
        assert 0 < pilots(chargers)[0] <= member.amps
    finally:
        await watch.stop()
    assert watch.highest <= BUDGET


async def test_a_plan_run_without_room_on_the_circuit_starts_when_there_is(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    planned_entries: list[MockConfigEntry],
) -> None:
    hass.states.async_set(HOUSE, "0", AMPS)
    circuit_id = await create_circuit(hass, planned_entries[:1], limit=40, load_current=[HOUSE])
    controller = controller_of(hass, circuit_id)
    member_id = planned_entries[0].entry_id
    await chargers[0].start_charging()
    await until(lambda: pilots(chargers)[0] == 32)
    plan = plan_of(planned_entries[0])
    await plan_on(plan)
    await until(lambda: claim_of(chargers[0], planned_entries[0]).get("state") == "disabled")
    # The house takes nearly everything: the circuit has no room for the car. (The paused
    # claim may already hold the minimum: wait for the round that read the house's jump.)
    hass.states.async_set(HOUSE, "36", AMPS)
    await until(lambda: controller.data.allocation.targets[member_id].reason is Reason.NO_ROOM)
    await until(lambda: claim_of(chargers[0], planned_entries[0]).get("max_current") == 6)
    # Cheap now: the plan's run is due, but the circuit refuses it the current...
    set_prices(hass, 0.05, 0.30)
    await until(lambda: plan.diagnostics()["applied"] == "active")
    await plan.async_wait_idle()
    assert pilots(chargers)[0] == 0
    # ...and the car starts as soon as the circuit has current for it.
    hass.states.async_set(HOUSE, "10", AMPS)
    await until(lambda: pilots(chargers)[0] > 0)
    assert pilots(chargers)[0] <= BUDGET - 10
    assert claim_of(chargers[0], planned_entries[0])["state"] == "active"
