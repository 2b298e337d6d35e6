"""Every read endpoint, the cache kept by update(), and units normalised at the edge."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    CHANGED_CLAIM_TARGET,
    CHANGED_CONFIG,
    CHANGED_LIMIT,
    CHANGED_OVERRIDE,
    ChargeState,
    EvseState,
    LimitType,
    OpenEVSE,
    OpenEVSENotFoundError,
    WebsocketState,
)
from tests.simulators.openevse import ChargerSimulator

from .conftest import charger_host, wait_for


@pytest.mark.parametrize(
    "expected",
    [
        ("v5", "v5.1.5", False, True, True),
        ("v4", "4.1.7", False, False, False),
        ("dev", "master_a5938d0c", True, True, True),
    ],
)
async def test_update_on_every_firmware_profile(
    session: aiohttp.ClientSession, expected: tuple[str, str, bool, bool, bool]
) -> None:
    profile, version, dev, power, limits = expected
    sim = ChargerSimulator(profile=profile, tick=0.05)
    await sim.start()
    try:
        charger = OpenEVSE(charger_host(sim), session=session)
        await charger.update()
    finally:
        await sim.stop()
    assert charger.firmware_version.raw == version
    assert charger.firmware_version.is_dev is dev
    assert charger.firmware_version.at_least("4.1.0")
    assert charger.wifi_serial == sim.serial
    assert charger.state is EvseState.NOT_CONNECTED
    assert charger.status == "active"
    assert charger.vehicle_connected is False
    features = charger.features
    assert features.power_reading is power
    assert features.limits is limits
    assert features.serial
    assert features.claims
    assert charger.min_amps == sim.config["min_current_hard"]
    assert charger.max_amps == sim.config["max_current_hard"]
    # The claim target is fetched because the firmware reports claims_version.
    assert charger.claim_target is not None
    assert charger.claim_target.properties.state is ChargeState.ACTIVE
    assert (("GET", "/limit") in sim.requests) is limits


async def test_units_are_normalised(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    await simulator.update_status(
        amp=16500, voltage=230, power=3795, temp=253, temp2=False, session_energy=1234.5
    )
    await charger.update()
    status = charger.status_data
    assert charger.charging_current == pytest.approx(16.5)
    assert status.voltage == 230
    assert charger.charging_power == 3795
    assert status.ambient_temperature == pytest.approx(25.3)
    assert status.rtc_temperature is None
    assert charger.usage_session == pytest.approx(1234.5)
    assert charger.usage_total == simulator.status["total_energy"]
    assert status.raw["amp"] == 16500


CLOCK_KEYS = frozenset({"time", "local_time", "uptime"})


async def test_update_fetches_versioned_resources_only_when_counters_move(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    changes: list[frozenset[str]] = []
    charger.subscribe(changes.append)
    await charger.update()
    assert CHANGED_CONFIG in changes[0]
    assert "state" in changes[0]
    fetched = simulator.requests.count(("GET", "/claims/target"))
    await charger.update()
    # Nothing moved: no refetch and nothing reported (but the clock, when a second passed).
    assert simulator.requests.count(("GET", "/claims/target")) == fetched
    assert simulator.requests.count(("GET", "/override")) == 1
    assert not [change - CLOCK_KEYS for change in changes[1:] if change - CLOCK_KEYS]
    await charger.set_override(state="disabled", charge_current=10)
    await charger.set_limit(LimitType.TIME, 30)
    await charger.update()
    assert {CHANGED_OVERRIDE, CHANGED_CLAIM_TARGET, CHANGED_LIMIT} <= changes[-1]
    assert charger.override is not None
    assert charger.override.state is ChargeState.DISABLED
    assert charger.override.charge_current == 10
    assert charger.limit is not None
    assert charger.limit.limit_type is LimitType.TIME
    assert charger.limit.value == 30
    assert charger.claim_target is not None
    assert charger.claim_target.owners["state"] == 65537
    await charger.clear_limit()
    await charger.update()
    assert CHANGED_LIMIT in changes[-1]
    assert charger.limit is None


async def test_update_skips_status_while_the_websocket_is_connected(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.update()
    await charger.ws_start()
    await wait_for(lambda: charger.ws_state is WebsocketState.CONNECTED)
    before = simulator.requests.count(("GET", "/status"))
    await charger.update()
    assert simulator.requests.count(("GET", "/status")) == before
    await charger.update(force_status=True)
    assert simulator.requests.count(("GET", "/status")) == before + 1


async def test_light_resync_reads_config_only_when_its_counter_moved(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.update()
    mark = len(simulator.requests)
    await charger.update(force_status=True, include_config=False)
    assert simulator.requests[mark:] == [("GET", "/status")]
    # A configuration change moves config_version: the light resync then reads /config too.
    simulator.config["led_brightness"] = 17
    simulator.status["config_version"] = simulator.status["config_version"] + 1
    mark = len(simulator.requests)
    await charger.update(force_status=True, include_config=False)
    assert simulator.requests[mark:] == [("GET", "/status"), ("GET", "/config")]
    assert charger.config_data.raw["led_brightness"] == 17


async def test_single_reads(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    status = await charger.get_status()
    assert status.state is EvseState.NOT_CONNECTED
    assert charger.status is None  # get_status() does not touch the cache
    config = await charger.get_config()
    assert config.wifi_serial == simulator.serial
    assert await charger.get_override() is None
    assert await charger.get_limit() is None
    assert await charger.get_claims() == []
    assert await charger.get_claim() is None
    target = await charger.get_claim_target()
    # With no claim the target holds only the default state (evse_man.cpp serializeTarget).
    assert target.properties.state is ChargeState.ACTIVE
    assert target.properties.charge_current is None
    assert dict(target.owners) == {}
    simulator.schedule = [
        {"id": 1, "state": "active", "time": "22:00:00", "days": ["monday", "friday"]},
        {"id": 2, "state": "disabled", "time": "06:30:00", "days": ["tuesday"]},
    ]
    schedule = await charger.get_schedule()
    assert [event.event_id for event in schedule] == [1, 2]
    assert schedule[0].state is ChargeState.ACTIVE
    assert schedule[0].time is not None
    assert schedule[0].time.hour == 22
    assert schedule[0].days == ("monday", "friday")
    assert ("GET", "/schedule") in simulator.requests


async def test_claims_listing_and_single_claim(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    await charger.make_claim(state="active", charge_current=12, max_current=20)
    claims = await charger.get_claims()
    ours = next(claim for claim in claims if claim.client_id == 23)
    assert ours.priority == 500
    assert ours.properties.charge_current == 12
    assert ours.properties.max_current == 20
    claim = await charger.get_claim()
    assert claim is not None
    assert claim.state is ChargeState.ACTIVE
    assert claim.auto_release is True


async def test_timer_writes_and_the_plan(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    simulator.config["scheduler_start_window"] = 0
    await charger.set_schedule_events(
        [
            {"state": "active", "time": "09:00:00", "days": ["tuesday", "thursday"]},
            {"state": "disabled", "time": "11:30:00", "days": ["tuesday", "thursday"], "x": 1},
        ]
    )
    assert [event["id"] for event in simulator.schedule] == [1, 2]
    assert simulator.timer.stored == simulator.schedule  # the array write is stored in flash
    plan = await charger.get_schedule_plan()
    assert plan is charger.schedule_plan
    assert plan.received is not None
    assert set(plan.days) == {"tuesday", "thursday"}
    first = plan.days["tuesday"][0]
    assert (first.event_id, first.state, first.offset, first.start_offset, first.duration) == (
        1,
        ChargeState.ACTIVE,
        32400,
        32400,
        9000,
    )
    assert plan.current_event is not None
    assert plan.next_event_delay is not None
    await charger.delete_schedule_event(2)
    assert [event["id"] for event in simulator.schedule] == [1]
    with pytest.raises(OpenEVSENotFoundError):
        await charger.delete_schedule_event(2)
    # An empty timer: no current or next event.
    await charger.delete_schedule_event(1)
    empty = await charger.get_schedule_plan()
    assert (empty.current_event, empty.next_event, empty.next_event_delay) == (None, None, None)
    assert dict(empty.days) == {}
