"""The development branch's timer-driven divert: a schedule window holding eco at priority 900.

master scheduler.cpp:242-298, 1055-1115 and divert.cpp:105-159, 309-350; the released
firmwares (5.1.5, 4.1.7) read no ``feature`` key at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.scheduler import CLIENT_SCHEDULE

from .helpers import TICK, json_request, text_request

DIVERT = 65538
MANUAL = 65537
# Tuesday 2030-01-01 10:00 UTC, inside the window.
TUESDAY_10 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
TUESDAY_12 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SOLAR_WINDOW: list[dict[str, Any]] = [
    {"state": "active", "time": "09:00", "days": ["tuesday"], "feature": "divert"},
    {"state": "disabled", "time": "11:30", "days": ["tuesday"]},
]


@pytest.fixture
async def master() -> AsyncIterator[ChargerSimulator]:
    sim = ChargerSimulator(profile="master", tick=TICK, restart_delay=0.05)
    await sim.start()
    await sim.update_config(time_zone="Etc/UTC|UTC0", scheduler_start_window=0)
    sim.set_clock(TUESDAY_10)
    yield sim
    await sim.stop()


def _claim(sim: ChargerSimulator, client: int) -> tuple[int, dict[str, Any]] | None:
    claim = sim.claims.claims.get(client)
    return None if claim is None else (claim.priority, claim.properties)


async def _solar(sim: ChargerSimulator, session: aiohttp.ClientSession, watts: int) -> None:
    # With the voltage in the same reading: the simulated mains jitters by +-1.5 V a tick, and
    # 2400 W at 241 V is less than the 10 A the tests expect.
    reading = {"voltage": 240, "solar": watts}
    status, _ = await json_request(session, "POST", f"{sim.url}/status", json=reading)
    assert status == 200


async def test_a_divert_window_holds_eco_at_priority_900_and_ends_it(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    await sim.start_charging()
    claims_version = sim.status["claims_version"]
    assert await json_request(session, "POST", f"{sim.url}/schedule", json=SOLAR_WINDOW) == (
        200,
        {"msg": "done"},
    )
    # The window's event lists its feature; the one without a feature lists none.
    _, events = await json_request(session, "GET", f"{sim.url}/schedule")
    assert [event.get("feature") for event in events] == ["divert", None]
    assert events[0]["feature_value"] == 0
    assert "feature_value" not in events[1]
    # Eco at 900, paused (no surplus yet), outranking the timer's own claim at 100.
    assert _claim(sim, DIVERT) == (900, {"state": "disabled"})
    assert _claim(sim, CLIENT_SCHEDULE) == (
        100,
        {"state": "active", "charge_current": sim.config["max_current_hard"]},
    )
    assert sim.status["claims_version"] == claims_version + 2  # divert first, then the timer
    assert (sim.status["divertmode"], sim.status["divert_active"]) == (2, False)
    assert sim.status["state"] == 254
    _, config = await json_request(session, "GET", f"{sim.url}/config")
    assert config["divert_enabled"] is False  # the window does not touch the stored config
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"]["state"] == DIVERT
    assert target["claims"]["charge_current"] == CLIENT_SCHEDULE
    _, listing = await json_request(session, "GET", f"{sim.url}/claims")
    assert {"client": DIVERT, "priority": 900, "state": "disabled", "auto_release": False} in (
        listing
    )

    # Surplus: divert charges at its rate, still at 900, and sets the current.
    await sim.update_config(divert_type=0, divert_attack_smoothing_time=0)
    await _solar(sim, session, 2400)
    assert _claim(sim, DIVERT) == (900, {"state": "active", "charge_current": 10})
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"]["charge_current"] == DIVERT
    assert target["properties"]["charge_current"] == 10

    # The manual override (1000) still outranks the window.
    status, _ = await json_request(session, "POST", f"{sim.url}/override", json={"state": "d"})
    assert status == 201
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"]["state"] == MANUAL
    await json_request(session, "DELETE", f"{sim.url}/override")

    # The window ends: the stored config asks for normal, so eco ends and its claim goes.
    sim.set_clock(TUESDAY_12)
    sim.run_scheduler()
    assert _claim(sim, DIVERT) is None
    assert sim.status["divertmode"] == 1
    assert _claim(sim, CLIENT_SCHEDULE) == (10, {"state": "disabled"})


async def test_normal_is_refused_while_the_window_holds_eco(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    await json_request(session, "POST", f"{sim.url}/schedule", json=SOLAR_WINDOW)
    version = sim.status["claims_version"]
    # /divertmode answers as ever, but setMode(Normal) is ignored inside the window.
    reply = await text_request(session, "POST", f"{sim.url}/divertmode", data={"divertmode": "1"})
    assert reply == (200, "text/plain", "Divert Mode changed")
    assert sim.status["divertmode"] == 2
    # A config change is not applied to the mode either (app_config.cpp:472, 495) ...
    await json_request(
        session, "POST", f"{sim.url}/config", json={"divert_enabled": True, "charge_mode": "eco"}
    )
    await json_request(session, "POST", f"{sim.url}/config", json={"divert_enabled": False})
    assert sim.status["divertmode"] == 2
    assert _claim(sim, DIVERT) == (900, {"state": "disabled"})
    assert sim.status["claims_version"] == version


async def test_with_eco_configured_the_window_raises_and_then_lowers_the_claim(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    await sim.update_config(
        divert_enabled=True, charge_mode="eco", divert_type=0, divert_attack_smoothing_time=0
    )
    await sim.start_charging()
    assert _claim(sim, DIVERT) == (10, {"state": "disabled"})
    await _solar(sim, session, 1920)  # 8 A
    assert _claim(sim, DIVERT) == (50, {"state": "active", "charge_current": 8})
    # Already in eco: the claim held is raised to 900 as it is (its last rate).
    await json_request(session, "POST", f"{sim.url}/schedule", json=SOLAR_WINDOW)
    assert _claim(sim, DIVERT) == (900, {"state": "active", "charge_current": 8})
    assert sim.status["divertmode"] == 2
    # The end keeps eco (the config asks for it) and drops the claim to its usual priority.
    sim.set_clock(TUESDAY_12)
    sim.run_scheduler()
    assert _claim(sim, DIVERT) == (50, {"state": "active", "charge_current": 8})
    assert sim.status["divertmode"] == 2


async def test_a_reboot_inside_the_window_takes_eco_up_again_from_the_stored_timer(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    await json_request(session, "POST", f"{sim.url}/schedule", json=SOLAR_WINDOW)
    await sim.reboot()
    assert sim.status["divertmode"] == 2
    assert _claim(sim, DIVERT) == (900, {"state": "disabled"})
    assert sim.status["claims_version"] == 2  # both claims of the timer's first loop


async def test_a_feature_acts_from_the_next_event_change_and_only_stored_survives(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    plain = [
        {key: value for key, value in event.items() if key != "feature"} for event in SOLAR_WINDOW
    ]
    await json_request(session, "POST", f"{sim.url}/schedule", json=plain)
    first = sim.schedule[0]["id"]
    status, _ = await json_request(
        session, "POST", f"{sim.url}/schedule/{first}", json=SOLAR_WINDOW[0]
    )
    assert status == 200
    _, event = await json_request(session, "GET", f"{sim.url}/schedule/{first}")
    assert event["feature"] == "divert"
    # Same slot, same day, same start: to the scheduler the event in force did not change
    # (EventInstance::operator==), so the feature is not applied yet.
    assert (sim.status["divertmode"], _claim(sim, DIVERT)) == (1, None)
    sim.set_clock(TUESDAY_12)
    sim.run_scheduler()
    sim.set_clock(TUESDAY_10)
    sim.run_scheduler()
    assert _claim(sim, DIVERT) == (900, {"state": "disabled"})
    # /schedule/{id} is not written to flash: after a reboot the window is a plain one.
    await sim.reboot()
    _, events = await json_request(session, "GET", f"{sim.url}/schedule")
    assert "feature" not in events[0]
    assert (sim.status["divertmode"], _claim(sim, DIVERT)) == (1, None)


async def test_feature_fields_are_read_as_the_firmware_reads_them(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim = master
    await sim.update_config(scheduler_start_window=600)
    events = [
        {"id": 1, "state": "active", "time": "09:00", "days": ["tuesday"], "feature": "Divert"},
        {
            "id": 2,
            "state": "active",
            "time": "09:30",
            "days": ["tuesday"],
            "feature": "current",
            "feature_value": 12,
            "limit": "energy",
            "limit_value": 5000,
        },
        {"id": 3, "state": "disabled", "time": "11:30", "days": ["tuesday"], "feature_value": 9},
    ]
    await json_request(session, "POST", f"{sim.url}/schedule", json=events)
    _, stored = await json_request(session, "GET", f"{sim.url}/schedule")
    # Names match exactly (strcmp): "Divert" is no feature; a value without a name is not shown.
    assert stored[0] == {"id": 1, "state": "active", "time": "09:00:00", "days": ["tuesday"]}
    assert stored[1] == {
        "id": 2,
        "state": "active",
        "time": "09:30:00",
        "days": ["tuesday"],
        "feature": "current",
        "feature_value": 12,
        "limit": "energy",
        "limit_value": 5000,
    }
    assert "feature_value" not in stored[2]
    # A feature window is never staggered; the plan lists no feature keys.
    _, plan = await json_request(session, "GET", f"{sim.url}/schedule/plan")
    feature_entry = plan["tuesday"][1]
    assert (feature_entry["start_offset"], feature_entry["diff"]) == (34200, 0)
    assert set(feature_entry) == {
        "id",
        "state",
        "time",
        "day",
        "offset",
        "start_offset",
        "diff",
        "duration",
    }
    # "current": the timer's own claim carries the window's current.
    assert plan["current_event"]["id"] == 2
    assert _claim(sim, CLIENT_SCHEDULE) == (100, {"state": "active", "charge_current": 12})


@pytest.mark.parametrize("profile", ["v5", "dev", "v4"])
async def test_released_firmware_ignores_the_feature(
    profile: str, session: aiohttp.ClientSession
) -> None:
    async with ChargerSimulator(profile=profile, tick=TICK) as sim:
        await sim.update_config(time_zone="Etc/UTC|UTC0", scheduler_start_window=0)
        sim.set_clock(TUESDAY_10)
        await json_request(session, "POST", f"{sim.url}/schedule", json=SOLAR_WINDOW)
        _, events = await json_request(session, "GET", f"{sim.url}/schedule")
        assert all("feature" not in event for event in events)
        # A plain charge window: the timer's claim decides, divert stays normal.
        assert _claim(sim, DIVERT) is None
        assert sim.status["divertmode"] == 1
        assert _claim(sim, CLIENT_SCHEDULE) == (
            100,
            {"state": "active", "charge_current": sim.config["max_current_hard"]},
        )
