"""The circuit's loop against three simulated chargers on loopback: sharing and its safety."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import suppress

import aiohttp
import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.circuit.model import Tuning
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import CLIENT_MANUAL, CarModel, ChargerSimulator
from tests.simulators.openevse.car import CarDraw

from .conftest import controller_of, create_circuit, pilots, wait_until

BUDGET = 39  # 40 A breaker, 1 A margin
HOUSE = "sensor.house_current"
AMPS = {"unit_of_measurement": "A", "device_class": "current"}


class Watch:
    """Samples the chargers' pilots every few milliseconds; remembers the highest sum."""

    def __init__(self, chargers: list[ChargerSimulator]) -> None:
        self.chargers = chargers
        self.highest = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            # A charger without a car advertises its pilot to nobody: only cars draw.
            plugged = [
                p
                for p, c in zip(pilots(self.chargers), self.chargers, strict=True)
                if c.status["vehicle"]
            ]
            self.highest = max(self.highest, sum(plugged))
            await asyncio.sleep(0.005)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with suppress(asyncio.CancelledError):
            await self._task


@pytest.fixture
async def watch(chargers: list[ChargerSimulator]) -> AsyncGenerator[Watch]:
    """Started by the test once the circuit holds its members (before, no circuit exists)."""
    sampler = Watch(chargers)
    yield sampler
    if sampler._task is not None:
        await sampler.stop()


async def test_cars_share_the_breaker_and_lowers_come_before_raises(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
    watch: Watch,
) -> None:
    circuit_id = await create_circuit(hass, charger_entries, limit=40)
    # No car anywhere: every member holds a paused claim.
    await wait_until(lambda: pilots(chargers) == [0, 0, 0])
    watch.start()
    assert all(c.config["default_state"] is False for c in chargers)  # the pause fallback
    await chargers[0].start_charging()
    await wait_until(lambda: pilots(chargers) == [32, 0, 0])
    await chargers[1].start_charging()
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20])
    await chargers[2].start_charging()
    await wait_until(lambda: sorted(pilots(chargers)) == [13, 13, 13])
    await chargers[0].unplug()
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20])
    # While current moved from one charger to another, the breaker never saw more.
    assert watch.highest <= BUDGET
    state = hass.states.get("sensor.garage_headroom")
    assert state is not None
    assert float(state.state) == 0
    allocation = hass.states.get("sensor.garage_charger_1_allocation")
    assert allocation is not None
    assert allocation.state == "0"
    assert allocation.attributes["reason"] == "unplugged"
    assert hass.config_entries.async_get_entry(circuit_id) is not None


async def test_other_loads_lower_the_chargers_and_an_unavailable_sensor_pauses_them(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
    watch: Watch,
) -> None:
    hass.states.async_set(HOUSE, "4", AMPS)
    await create_circuit(hass, charger_entries, limit=40, load_current=[HOUSE])
    watch.start()
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 17, 18])
    hass.states.async_set(HOUSE, "15", AMPS)  # the oven
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 12, 12])
    load = hass.states.get("sensor.garage_other_loads")
    assert load is not None
    assert float(load.state) == 15
    # Nothing is known of the other loads: the chargers pause rather than guess.
    hass.states.async_set(HOUSE, "unavailable", AMPS)
    await wait_until(lambda: pilots(chargers) == [0, 0, 0])
    reason = hass.states.get("sensor.garage_charger_1_allocation")
    assert reason is not None
    assert reason.attributes["reason"] == "no_room"
    hass.states.async_set(HOUSE, "2", AMPS)
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 18, 19])
    assert watch.highest <= BUDGET


async def test_a_stale_sensor_counts_its_recent_rise(
    hass: HomeAssistant, chargers: list[ChargerSimulator], charger_entries: list[MockConfigEntry]
) -> None:
    hass.states.async_set(HOUSE, "2", AMPS)
    await create_circuit(hass, charger_entries[:1], limit=40, load_current=[HOUSE])
    await chargers[0].start_charging()
    await wait_until(lambda: pilots(chargers)[0] == 32)
    hass.states.async_set(HOUSE, "12", AMPS)  # a 10 A step...
    await wait_until(lambda: pilots(chargers)[0] == 27)
    # ...then the sensor goes quiet: its last value plus the rise it showed (12 + 10).
    hass.states.async_set(HOUSE, "12", AMPS, force_update=True, timestamp=time.time() - 30)
    await wait_until(lambda: pilots(chargers)[0] == 17)


async def test_a_car_drawing_less_leaves_the_rest_to_the_others(
    hass: HomeAssistant,
    charger_entries: list[MockConfigEntry],
    chargers: list[ChargerSimulator],
) -> None:
    controller = controller_of(hass, await create_circuit(hass, charger_entries, limit=40))
    controller.tuning = Tuning(underdraw_after_s=1.0)  # a minute in real life
    # The first car's on-board charger takes 10 A at most; both cars follow the pilot late.
    chargers[0].car = CarDraw(CarModel(max_amps=10, delay_s=1.0))
    chargers[1].car = CarDraw(CarModel(delay_s=1.0))
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    # It draws 10 of its 20 A: capped at its draw plus 2 A, the rest goes to the other car.
    await wait_until(lambda: pilots(chargers) == [12, 27, 0], within=30)
    view = controller.data.members[charger_entries[0].entry_id]
    assert view.reason == "draws_less"
    assert chargers[1].status["amp"] <= 27000


# Within the charger's grace for transient failures nothing is reported; past it, once.
@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", r"Error fetching OpenEVSE"), required=False
)
async def test_an_unreachable_member_keeps_its_allocation_counted(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
    watch: Watch,
) -> None:
    circuit_id = await create_circuit(hass, charger_entries, limit=40)
    watch.start()
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    controller = controller_of(hass, circuit_id)
    # Settled: the split reached and no command of the circuit still on its way (this test is
    # about a member lost while it holds its share, not about a command lost with it).
    await wait_until(
        lambda: sorted(pilots(chargers)) == [0, 19, 20] and not controller._ready().pending()
    )
    held = pilots(chargers)[0]
    # The first charger drops off the network: its push channel goes silent, HTTP fails.
    chargers[0].faults.http_status = 503
    await chargers[0].drop_websockets()
    first = charger_entries[0].entry_id
    await wait_until(lambda: not controller.data.members[first].reachable)
    assert controller.data.members[first].amps == held
    assert controller.data.members[first].reason == "unreachable"
    await asyncio.sleep(1.5)
    assert pilots(chargers)[1] + held <= BUDGET  # nobody took what it may still draw
    # Back after a restart, without our claim: the pause fallback held it; the circuit gives
    # it its share again.
    chargers[0].faults.http_status = None
    await chargers[0].reboot(downtime=0.2)
    # The charger's own websocket backoff decides when it is seen again.
    await wait_until(lambda: controller.data.members[first].reachable, within=60)
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20], within=45)
    assert watch.highest <= BUDGET


async def test_requests_above_the_share_are_refused(
    hass: HomeAssistant, chargers: list[ChargerSimulator], charger_entries: list[MockConfigEntry]
) -> None:
    # 12 A for the cars: two at the J1772 minimum, the third waits for its turn.
    await create_circuit(hass, charger_entries, limit=13)
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await wait_until(lambda: pilots(chargers) == [6, 6, 0])
    await chargers[2].start_charging()
    await asyncio.sleep(0.5)
    assert pilots(chargers) == [6, 6, 0]
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "set_override",
            {"device_id": _device_id(hass, charger_entries[0]), "charge_current": 32},
            blocking=True,
        )
    assert raised.value.translation_key == "circuit_refused_above_share"
    assert raised.value.translation_placeholders is not None
    assert raised.value.translation_placeholders["requested"] == "32"
    assert raised.value.translation_placeholders["allowed"] == "6"
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": "number.openevse_0001_charge_current_setting", "value": 16},
            blocking=True,
        )
    assert raised.value.translation_key == "circuit_refused_above_share"
    # The third charger waits its turn: charging it now is refused, by action or switch.
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            "set_override",
            {"device_id": _device_id(hass, charger_entries[2]), "state": "active"},
            blocking=True,
        )
    assert raised.value.translation_key == "circuit_refused_paused_by_circuit"
    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": "switch.openevse_0003_allow_charging"},
            blocking=True,
        )
    assert raised.value.translation_key == "circuit_refused_paused_by_circuit"
    assert not chargers[0].claims.claims.get(CLIENT_MANUAL)
    assert not chargers[2].claims.claims.get(CLIENT_MANUAL)
    # Asking for no more than the share is allowed.
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": "number.openevse_0001_charge_current_setting", "value": 6},
        blocking=True,
    )
    own = chargers[0].claims.claims[charger_entries[0].runtime_data.client.claim_client_id]
    assert own.properties["charge_current"] == 6
    assert pilots(chargers) == [6, 6, 0]


async def test_an_override_on_the_chargers_web_page_is_a_repair_issue(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
) -> None:
    circuit_id = await create_circuit(hass, charger_entries, limit=40)
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20])
    async with aiohttp.ClientSession() as session:
        # What the charger's own web page posts: the manual override, priority 1000.
        reply = await session.post(
            f"{chargers[0].url}/override", json={"state": "active", "max_current": 30}
        )
        assert reply.status == 201
    issue_id = f"circuit_override_{circuit_id}_{charger_entries[0].entry_id}"
    registry = ir.async_get(hass)
    await wait_until(lambda: registry.async_get_issue(DOMAIN, issue_id) is not None)
    # The circuit counts it at what the override allows and lowers the other charger.
    await wait_until(lambda: pilots(chargers)[1] == 9)
    async with aiohttp.ClientSession() as session:
        reply = await session.delete(f"{chargers[0].url}/override")
        assert reply.status == 200
    await wait_until(lambda: registry.async_get_issue(DOMAIN, issue_id) is None)
    controller = controller_of(hass, circuit_id)
    try:
        await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20])
    finally:
        print(pilots(chargers), controller._sequencer._slots, controller.data.members)


async def test_home_assistant_away_the_chargers_hold_on_their_own(
    hass: HomeAssistant,
    chargers: list[ChargerSimulator],
    charger_entries: list[MockConfigEntry],
    watch: Watch,
) -> None:
    circuit_id = await create_circuit(hass, charger_entries, limit=40)
    watch.start()
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await wait_until(lambda: sorted(pilots(chargers)) == [0, 19, 20])
    before = pilots(chargers)
    # Home Assistant stops: nothing of ours runs.
    assert await hass.config_entries.async_unload(circuit_id)
    for entry in charger_entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # A car plugs in on the third charger: its paused claim holds it.
    await chargers[2].start_charging()
    # The second charger restarts: its claims are gone, the pause fallback holds it.
    await chargers[1].reboot(downtime=0.2)
    await asyncio.sleep(1.0)
    assert pilots(chargers) == [before[0], 0, 0]
    # Home Assistant is back: the circuit starts from what the chargers hold.
    for entry in charger_entries:
        assert await hass.config_entries.async_setup(entry.entry_id)
    assert await hass.config_entries.async_setup(circuit_id)
    await hass.async_block_till_done()
    circuit = hass.config_entries.async_get_entry(circuit_id)
    assert circuit is not None
    assert circuit.state is ConfigEntryState.LOADED
    await wait_until(lambda: sorted(pilots(chargers)) == [13, 13, 13], within=20)
    assert watch.highest <= BUDGET


def _device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    return devices[0].id


async def test_three_phases_each_budget_holds_with_loads_per_phase(
    hass: HomeAssistant, chargers: list[ChargerSimulator], charger_entries: list[MockConfigEntry]
) -> None:
    ids = [e.entry_id for e in charger_entries]
    sensors = ["sensor.l1", "sensor.l2", "sensor.l3"]
    for sensor in sensors:
        hass.states.async_set(sensor, "0", AMPS)
    await create_circuit(
        hass,
        charger_entries,
        limit=20,
        phases="3",
        load_current=sensors,
        phase_input={"phase_1": ids[:1], "phase_2": ids[1:2], "phase_all": ids[2:]},
    )
    for sim in chargers:
        await sim.start_charging()
    # 19 A per phase: L1 carries the first and the three-phase charger, L2 the second and it.
    await wait_until(lambda: sorted(pilots(chargers)) == [9, 10, 10])
    first, second, both = pilots(chargers)
    assert first + both <= 19
    assert second + both <= 19
    # A heat pump on L3 leaves the three-phase charger no room for 6 A: it waits, the others
    # take their phases.
    hass.states.async_set("sensor.l3", "15", AMPS)
    await wait_until(lambda: pilots(chargers) == [19, 19, 0])
    headroom = hass.states.get("sensor.garage_headroom")
    assert headroom is not None
    assert headroom.attributes["phase_3"] == 4


async def test_a_member_not_back_after_a_restart_counts_at_its_last_share(
    hass: HomeAssistant, chargers: list[ChargerSimulator], charger_entries: list[MockConfigEntry]
) -> None:
    circuit_id = await create_circuit(hass, charger_entries[:2], limit=40)
    await chargers[0].start_charging()
    await chargers[1].start_charging()
    await wait_until(lambda: sorted(pilots(chargers[:2])) == [19, 20])
    held = pilots(chargers)[0]
    await hass.async_block_till_done()  # the shares sent are stored
    # Home Assistant restarts; the first charger's entry does not come back with it.
    assert await hass.config_entries.async_unload(circuit_id)
    assert await hass.config_entries.async_unload(charger_entries[0].entry_id)
    await chargers[1].unplug()
    await chargers[1].start_charging()
    assert await hass.config_entries.async_setup(circuit_id)
    await hass.async_block_till_done()
    controller = controller_of(hass, circuit_id)
    view = controller.data.members[charger_entries[0].entry_id]
    assert (view.reachable, view.amps) == (False, held)
    await asyncio.sleep(6.5)  # longer than a raise waits
    assert pilots(chargers)[1] <= BUDGET - held
    # It is back: the circuit follows it again and shares.
    assert await hass.config_entries.async_setup(charger_entries[0].entry_id)
    await wait_until(lambda: controller.data.members[charger_entries[0].entry_id].reachable)
    await wait_until(lambda: sorted(pilots(chargers[:2])) == [19, 20])


async def test_a_pause_of_the_users_survives_a_restart(
    hass: HomeAssistant, chargers: list[ChargerSimulator], charger_entries: list[MockConfigEntry]
) -> None:
    hass.states.async_set(HOUSE, "0", AMPS)
    circuit_id = await create_circuit(hass, charger_entries[:1], limit=40, load_current=[HOUSE])
    await chargers[0].start_charging()
    await wait_until(lambda: pilots(chargers)[0] == 32)
    switch = "switch.openevse_0001_allow_charging"
    await hass.services.async_call("switch", "turn_off", {"entity_id": switch}, blocking=True)
    assert pilots(chargers)[0] == 0
    await asyncio.sleep(1.5)  # the pause is stored
    assert await hass.config_entries.async_unload(circuit_id)
    assert await hass.config_entries.async_setup(circuit_id)
    # A new share goes out (the house draws 10 A): it carries the user's pause along.
    hass.states.async_set(HOUSE, "10", AMPS)
    claim_id = charger_entries[0].runtime_data.client.claim_client_id
    await wait_until(
        lambda: chargers[0].claims.claims[claim_id].properties.get("max_current") == 29
    )
    assert pilots(chargers)[0] == 0  # the circuit does not charge what the user paused
    await hass.services.async_call("switch", "turn_on", {"entity_id": switch}, blocking=True)
    await wait_until(lambda: pilots(chargers)[0] == 29)
