"""Solar divert as divert.cpp runs it: eco pauses the charger until the surplus suffices."""

from __future__ import annotations

import math

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator

from .helpers import TICK, json_request, next_with

DIVERT = 65538


async def _eco(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "2"}) as response:
        assert await response.text() == "Divert Mode changed"


async def test_eco_holds_a_priority_10_disabled_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.start_charging()
    versions = sim.status["claims_version"]
    await _eco(sim, session)
    assert sim.claims.claims[DIVERT].as_wire() == {
        "priority": 10,
        "state": "disabled",
        "auto_release": False,
    }
    assert sim.status["claims_version"] == versions + 1
    assert sim.status["state"] == 254  # a real charger with no surplus sleeps
    assert sim.status["status"] == "disabled"
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"] == {"state": DIVERT}
    # Normal mode releases it and charging resumes.
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "1"}):
        pass
    assert DIVERT not in sim.claims.claims
    assert sim.status["state"] == 3


async def test_a_higher_claim_outranks_the_eco_pause(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.start_charging()
    await _eco(sim, session)
    await json_request(session, "POST", f"{sim.url}/claims/20", json={"state": "active"})
    assert sim.status["state"] == 3


def _frozen_clock(sim: ChargerSimulator, start: float = 1_000_000.0) -> list[float]:
    """Put divert's millis() and wall clock on one hand-moved clock; return its cell."""
    now = [start]
    sim.divert.clock = lambda: now[0]
    sim.divert.wall = lambda: now[0]
    return now


async def _feed(sim: ChargerSimulator, session: aiohttp.ClientSession, **feed: int) -> None:
    status, _ = await json_request(session, "POST", f"{sim.url}/status", json=feed)
    assert status == 200


def _divert_claim(sim: ChargerSimulator) -> tuple[int, dict[str, object]]:
    claim = sim.claims.claims[DIVERT]
    return claim.priority, claim.properties


async def test_the_first_reading_only_starts_the_filter(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # Defaults: attack 20 s, decay 600 s. The filter's first reading has no time behind it
    # (delta 0, factor 0): the smoothed surplus stays 0 and the charger keeps sleeping.
    _frozen_clock(sim)
    await sim.update_config(divert_type=0, divert_PV_ratio=1.1)
    await sim.start_charging()
    await _eco(sim, session)
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        await _feed(sim, session, voltage=240, solar=2400)
        event = await next_with(ws, "smoothed_available_current")
    assert event == {
        "divert_update": 0,
        "solar": 2400,
        "divert_active": False,
        "charge_rate": 10,
        "trigger_current": 6,
        "voltage": 240,
        "available_current": 10,
        "smoothed_available_current": 0,
        "pilot": 32,
        "min_charge_end": 0,
    }
    assert _divert_claim(sim) == (10, {"state": "disabled"})
    assert sim.status["state"] == 254


async def test_the_smoothed_surplus_starts_charging_and_active_follows_a_reading_late(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    now = _frozen_clock(sim)
    await sim.update_config(divert_type=0, divert_PV_ratio=1.1)
    await sim.start_charging()
    await _eco(sim, session)
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        await _feed(sim, session, voltage=240, solar=2400)  # 10 A; the filter starts at 0
        await next_with(ws, "smoothed_available_current")
        # Half a second later: whole seconds only, the smoothed value does not move.
        now[0] += 0.5
        await _feed(sim, session, voltage=240, solar=2400)
        assert (await next_with(ws, "smoothed_available_current"))[
            "smoothed_available_current"
        ] == 0
        # 20 s on (one attack time): 10 x (1 - e^-1) = 6.32 A, above the 6 A trigger but
        # inside the 0.5 A hysteresis: nothing changes.
        now[0] += 20
        await _feed(sim, session, voltage=240, solar=2400)
        event = await next_with(ws, "smoothed_available_current")
        assert event["smoothed_available_current"] == pytest.approx(6.3212, abs=1e-4)
        assert _divert_claim(sim) == (10, {"state": "disabled"})
        # Another 20 s: 8.65 A >= 6.5 A: active at priority 50 with the unsmoothed 10 A.
        now[0] += 20
        await _feed(sim, session, voltage=240, solar=2400)
        event = await next_with(ws, "smoothed_available_current")
        assert event["smoothed_available_current"] == pytest.approx(8.6466, abs=1e-4)
        assert _divert_claim(sim) == (50, {"state": "active", "charge_current": 10})
        # The manager applies the claim after the request: this reading still saw the pause.
        assert event["divert_active"] is False
        assert event["pilot"] == 32
        assert sim.status["state"] == 3
        assert sim.status["pilot"] == 10
        await _feed(sim, session, voltage=240, solar=2400)
        event = await next_with(ws, "smoothed_available_current")
        assert event["divert_active"] is True
        assert event["pilot"] == 10
        # The remaining minimum time is read before divert sees itself active: 0 here, the
        # next reading shows the 600 s (default) that started with charging.
        assert event["min_charge_end"] == 0
        await _feed(sim, session, voltage=240, solar=2400)
        assert (await next_with(ws, "min_charge_end"))["min_charge_end"] == 600
    assert sim.status["divert_active"] is True


async def test_a_filter_time_below_ten_seconds_counts_as_ten_and_zero_means_none(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    now = _frozen_clock(sim)
    await sim.update_config(divert_type=0, divert_attack_smoothing_time=3)
    await _eco(sim, session)
    await _feed(sim, session, voltage=240, solar=2400)
    now[0] += 10
    await _feed(sim, session, voltage=240, solar=2400)
    assert sim.divert.smoothed == pytest.approx(10 * (1 - math.exp(-1)))
    await sim.update_config(divert_attack_smoothing_time=0)
    await _feed(sim, session, voltage=240, solar=3600)  # no time passed, no filter: 15 A
    assert sim.divert.smoothed == 15


async def test_the_hysteresis_band_keeps_the_claim_as_it_is(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    _frozen_clock(sim)
    unfiltered = {"divert_attack_smoothing_time": 0, "divert_decay_smoothing_time": 0}
    await sim.update_config(divert_type=0, divert_min_charge_time=0, **unfiltered)
    await sim.start_charging()
    await _eco(sim, session)
    # 6.25 A: above the 6 A trigger, below trigger + 0.5 A: the pause stays.
    await _feed(sim, session, voltage=240, solar=1500)
    assert _divert_claim(sim) == (10, {"state": "disabled"})
    await _feed(sim, session, voltage=240, solar=2400)
    assert _divert_claim(sim) == (50, {"state": "active", "charge_current": 10})
    # Back into the band: the claim keeps its 10 A, the reported rate follows the reading.
    await _feed(sim, session, voltage=240, solar=1500)
    assert _divert_claim(sim) == (50, {"state": "active", "charge_current": 10})
    assert sim.status["charge_rate"] == 6
    # At the trigger, no minimum charge time: back to the pause.
    await _feed(sim, session, voltage=240, solar=1440)
    assert _divert_claim(sim) == (10, {"state": "disabled"})
    assert sim.status["state"] == 254


async def test_the_minimum_charge_time_holds_off_the_pause(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    now = _frozen_clock(sim)
    unfiltered = {"divert_attack_smoothing_time": 0, "divert_decay_smoothing_time": 0}
    await sim.update_config(divert_type=0, divert_min_charge_time=300, **unfiltered)
    await sim.start_charging()
    await _eco(sim, session)
    await _feed(sim, session, voltage=240, solar=2400)
    assert sim.status["state"] == 3  # charging started: the minimum time runs from here
    await _feed(sim, session, voltage=240, solar=2400)  # divert now sees itself active
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        now[0] += 100
        await _feed(sim, session, voltage=240, solar=0)
        event = await next_with(ws, "smoothed_available_current")
        assert event["min_charge_end"] == 200
        assert event["charge_rate"] == 0
        assert _divert_claim(sim) == (50, {"state": "active", "charge_current": 10})
        assert sim.status["state"] == 3
        now[0] += 200
        await _feed(sim, session, voltage=240, solar=0)
        event = await next_with(ws, "smoothed_available_current")
        assert event["min_charge_end"] == 0
    assert _divert_claim(sim) == (10, {"state": "disabled"})
    assert sim.status["state"] == 254


async def test_grid_export_counts_what_the_car_draws(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    _frozen_clock(sim)
    await sim.update_config(divert_type=1, divert_PV_ratio=1.0, divert_attack_smoothing_time=0)
    await _eco(sim, session)
    # Exporting 1920 W at 240 V, car drawing nothing: 8 A available.
    await _feed(sim, session, grid_ie=-1920)
    assert sim.claims.claims[DIVERT].properties == {"state": "active", "charge_current": 8}
    assert sim.status["charge_rate"] == 8
    # Exporting 1200 W (5 A) while the car draws 6 A: the grid would give 11 A; the PV-ratio
    # of 1.0 takes the fraction only when more than a whole amp is left: 11.
    await sim.update_status(amp=6000)
    await _feed(sim, session, grid_ie=-1200)
    assert sim.status["charge_rate"] == 11


async def test_without_a_divert_type_readings_move_nothing(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # divert_type -1 (unset; 5.1.5's boot-time guess compares instead of assigning, so it
    # stays unset): update_state names no feed and keeps the available current it had.
    _frozen_clock(sim)
    await sim.update_config(divert_attack_smoothing_time=0)
    await _eco(sim, session)
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        await _feed(sim, session, voltage=240, solar=2400)
        event = await next_with(ws, "smoothed_available_current")
    assert "solar" not in event
    assert event["available_current"] == 0
    assert _divert_claim(sim) == (10, {"state": "disabled"})


async def test_4x_smooths_by_factor_without_hysteresis_and_feeds_by_topic(
    session: aiohttp.ClientSession,
) -> None:
    async with ChargerSimulator(profile="v4", tick=TICK) as sim:
        await _eco(sim, session)
        # No MQTT topic set: 4.1.7 takes neither reading, nothing is available.
        await _feed(sim, session, voltage=240, solar=2400)
        assert sim.divert.available == 0
        await sim.update_config(mqtt_solar="emon/solar")
        # Attack factor 0.4 per reading: 4, 6.4 A; 6.4 >= 6 A claims (no hysteresis).
        await _feed(sim, session, voltage=240, solar=2400)
        assert sim.divert.smoothed == pytest.approx(4.0)
        assert _divert_claim(sim) == (10, {"state": "disabled"})
        await _feed(sim, session, voltage=240, solar=2400)
        assert sim.divert.smoothed == pytest.approx(6.4)
        assert _divert_claim(sim) == (50, {"state": "active", "charge_current": 10})


async def test_feeds_outside_eco_change_no_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.update_config(divert_type=0)
    await json_request(session, "POST", f"{sim.url}/status", json={"solar": 5000})
    assert sim.claims.claims == {}
    assert sim.status["solar"] == 5000


async def test_config_switches_eco_with_its_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    body = {"divert_enabled": True, "charge_mode": "eco"}
    await json_request(session, "POST", f"{sim.url}/config", json=body)
    assert sim.status["divertmode"] == 2
    assert DIVERT in sim.claims.claims
    await json_request(session, "POST", f"{sim.url}/config", json={"charge_mode": "fast"})
    assert sim.status["divertmode"] == 1
    assert DIVERT not in sim.claims.claims


@pytest.mark.parametrize(("grid_topic", "guessed"), [("", 0), ("emon/grid", 1)])
async def test_master_guesses_an_unset_divert_type_at_boot(
    session: aiohttp.ClientSession, grid_topic: str, guessed: int
) -> None:
    # master's DivertTask::begin assigns the guess (5.1.5 only compares, so it stays -1).
    async with ChargerSimulator(profile="master", tick=TICK) as sim:
        assert sim.config["divert_type"] == 0
        await sim.update_config(divert_type=-1, mqtt_grid_ie=grid_topic)
        await sim.reboot()
        _, config = await json_request(session, "GET", f"{sim.url}/config")
        assert config["divert_type"] == guessed
    async with ChargerSimulator(profile="v5", tick=TICK) as sim:
        await sim.update_config(mqtt_grid_ie=grid_topic)
        await sim.reboot()
        assert sim.config["divert_type"] == -1
