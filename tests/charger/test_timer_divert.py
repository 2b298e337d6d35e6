"""A master charger whose timer window switches solar divert on (priority 900): what HA shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

STATE_BY = "sensor.openevse_7c40_charging_state_controlled_by"
CURRENT_BY = "sensor.openevse_7c40_charge_current_controlled_by"
CHARGING = "switch.openevse_7c40_allow_charging"
DIVERT_SWITCH = "switch.openevse_7c40_solar_divert_eco"
CALENDAR = "calendar.openevse_7c40_charging_schedule"
# The charger's own clock: Tuesday 2030-01-01 10:00 UTC, inside the window below.
TUESDAY_10 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
SOLAR_WINDOW: list[dict[str, Any]] = [
    {"state": "active", "time": "09:00", "days": ["tuesday"], "feature": "divert"},
    {"state": "disabled", "time": "11:30", "days": ["tuesday"]},
]

pytestmark = pytest.mark.parametrize("sim_options", [{"profile": "master"}])


@pytest.fixture
def solar_window(charger: ChargerSimulator) -> ChargerSimulator:
    """The master charger on UTC at a Tuesday 10:00, a car charging, no timer yet."""
    charger.config |= {"time_zone": "Etc/UTC|UTC0", "scheduler_start_window": 0}
    charger.config |= {"divert_type": 0, "divert_attack_smoothing_time": 0}
    charger.set_clock(TUESDAY_10)
    return charger


async def test_controlled_by_names_solar_divert_while_the_window_holds_it(
    hass: HomeAssistant, solar_window: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    charger = solar_window
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, CHARGING) == "on")
    # The user sets the window in the charger's own app (another HTTP client).
    async with aiohttp.ClientSession() as session:
        reply = await session.post(f"{charger.url}/schedule", json=SOLAR_WINDOW)
        assert reply.status == 200
    # Divert's pause at 900 decides the state; the timer's claim (100) still gives the current.
    await wait_for(lambda: state_of(hass, STATE_BY) == "solar_divert")
    assert state_of(hass, CURRENT_BY) == "schedule"
    assert state_of(hass, CHARGING) == "off"
    assert state_of(hass, DIVERT_SWITCH) == "on"
    # Our claim (500) is below the window's divert: Allow charging says who decides.
    with pytest.raises(HomeAssistantError, match="Solar divert decides"):
        await hass.services.async_call(
            "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: CHARGING}, blocking=True
        )
    # Surplus: divert charges at its own rate and so decides the current too.
    await charger.publish(charger.apply({"solar": 2400}) | charger.divert_feed()[0])
    await wait_for(lambda: state_of(hass, CURRENT_BY) == "solar_divert")
    assert state_of(hass, STATE_BY) == "solar_divert"
    await wait_for(lambda: state_of(hass, CHARGING) == "on")


async def test_solar_divert_off_is_refused_while_the_window_holds_it(
    hass: HomeAssistant, solar_window: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    charger = solar_window
    async with aiohttp.ClientSession() as session:
        reply = await session.post(f"{charger.url}/schedule", json=SOLAR_WINDOW)
        assert reply.status == 200
    await wait_for(lambda: state_of(hass, DIVERT_SWITCH) == "on")
    # The firmware would answer "Divert Mode changed" and ignore it: say why instead.
    with pytest.raises(HomeAssistantError, match="schedule holds solar divert on"):
        await hass.services.async_call(
            "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: DIVERT_SWITCH}, blocking=True
        )
    assert ("POST", "/divertmode") not in charger.requests
    assert charger.status["divertmode"] == 2
    # Once the window is over, off works as ever.
    async with aiohttp.ClientSession() as session:
        for event in list(charger.schedule):
            await session.delete(f"{charger.url}/schedule/{event['id']}")
    await wait_for(lambda: state_of(hass, DIVERT_SWITCH) == "off")
    await hass.services.async_call(
        "switch", SERVICE_TURN_ON, {ATTR_ENTITY_ID: DIVERT_SWITCH}, blocking=True
    )
    await wait_for(lambda: state_of(hass, DIVERT_SWITCH) == "on")
    await hass.services.async_call(
        "switch", SERVICE_TURN_OFF, {ATTR_ENTITY_ID: DIVERT_SWITCH}, blocking=True
    )
    await wait_for(lambda: state_of(hass, DIVERT_SWITCH) == "off")


async def test_moving_a_solar_window_in_the_calendar_keeps_it_a_solar_window(
    hass: HomeAssistant,
    solar_window: ChargerSimulator,
    loaded: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    charger = solar_window
    # Two weekdays: the integration refuses a one-weekday timer (5.1.5 would never end it).
    two_days = [{**event, "days": ["tuesday", "thursday"]} for event in SOLAR_WINDOW]
    async with aiohttp.ClientSession() as session:
        reply = await session.post(f"{charger.url}/schedule", json=two_days)
        assert reply.status == 200
    active_id = next(event["id"] for event in charger.schedule if event["state"] == "active")
    uid = f"openevse-timer-{active_id}"
    calendar = hass.data["entity_components"]["calendar"].get_entity(CALENDAR)

    async def window() -> dict[str, Any] | None:
        now = dt_util.now()
        found = await calendar.async_get_events(hass, now, now + timedelta(days=8))
        return next((event.as_dict() for event in found if event.uid == uid), None)

    coordinator = loaded.runtime_data.coordinator
    await wait_for(lambda: len(coordinator.data.schedule or ()) == 2)
    shown = await window()
    assert shown is not None
    start = dt_util.parse_datetime(shown["start"])
    assert start is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "calendar/event/update",
            "entity_id": CALENDAR,
            "uid": uid,
            "event": {
                "summary": shown["summary"],
                "dtstart": (start + timedelta(hours=1)).isoformat(),
                "dtend": (start + timedelta(hours=4)).isoformat(),
                "rrule": "FREQ=WEEKLY;BYDAY=TU,TH",
            },
        }
    )
    reply = await client.receive_json()
    assert reply["success"], reply
    events = {event["id"]: event for event in charger.schedule}
    assert events[active_id]["time"] == "10:00:00"
    assert events[active_id]["feature"] == "divert"
    assert [event.get("feature") for event in events.values()] == ["divert", None]


async def test_the_calendar_names_solar_and_set_current_windows(
    hass: HomeAssistant, solar_window: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """A window's name says what its start event does: solar divert, a set current, or plain."""
    charger = solar_window
    days = ["tuesday", "thursday"]
    timer = [
        {"state": "active", "time": "09:00", "days": days, "feature": "divert"},
        {"state": "disabled", "time": "11:30", "days": days},
        {
            "state": "active",
            "time": "13:00",
            "days": days,
            "feature": "current",
            "feature_value": 16,
        },
        {"state": "disabled", "time": "14:00", "days": days},
        {"state": "active", "time": "18:00", "days": days},
        {"state": "disabled", "time": "19:00", "days": days},
    ]
    async with aiohttp.ClientSession() as session:
        reply = await session.post(f"{charger.url}/schedule", json=timer)
        assert reply.status == 200
    coordinator = loaded.runtime_data.coordinator
    await wait_for(lambda: len(coordinator.data.schedule or ()) == len(timer))
    calendar = hass.data["entity_components"]["calendar"].get_entity(CALENDAR)
    now = dt_util.now()
    found = await calendar.async_get_events(hass, now, now + timedelta(days=8))
    by_start = {event.start.strftime("%a %H:%M"): event.summary for event in found}
    assert by_start == {
        "Tue 09:00": "Solar divert charging",
        "Thu 09:00": "Solar divert charging",
        "Tue 13:00": "Charging at 16 A",
        "Thu 13:00": "Charging at 16 A",
        "Tue 18:00": "Charging schedule",
        "Thu 18:00": "Charging schedule",
    }
