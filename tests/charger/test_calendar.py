"""The charger's own timer on the calendar, its next start/stop sensors and its actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from homeassistant.components import automation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import SERIAL, state_of, wait_for

CALENDAR = "calendar.openevse_7c40_charging_schedule"
NEXT_START = "sensor.openevse_7c40_next_schedule_start"
NEXT_STOP = "sensor.openevse_7c40_next_schedule_stop"
BERLIN = ZoneInfo("Europe/Berlin")  # the simulated charger's zone; Home Assistant's is US/Pacific
NIGHTS = [
    {"state": "active", "time": "22:00", "days": ["monday", "thursday"]},
    {"state": "disabled", "time": "06:00", "days": ["tuesday", "friday"]},
]


@pytest.fixture
def charger_timer(charger: ChargerSimulator) -> ChargerSimulator:
    """The simulated charger with two nightly windows, randomised starts off."""
    charger.config["scheduler_start_window"] = 0
    for event in NIGHTS:
        charger.timer.upsert(event, 0)
    charger.schedule_changed(commit=True)
    return charger


def _next(weekdays: set[int], hour: int, now: datetime) -> datetime:
    local = now.astimezone(BERLIN)
    for days in range(8):
        day = (local + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)
        if candidate.weekday() in weekdays and candidate > local:
            return candidate
    raise AssertionError("no next time")


def _calendar(hass: HomeAssistant) -> Any:
    return hass.data["entity_components"]["calendar"].get_entity(CALENDAR)


async def _events(hass: HomeAssistant, days: int = 8) -> list[dict[str, Any]]:
    """The windows as the calendar serves them (uid, recurrence id and rule included)."""
    now = dt_util.now()
    found = await _calendar(hass).async_get_events(hass, now, now + timedelta(days=days))
    return [event.as_dict() for event in found]


def _at(text: str) -> datetime:
    return dt_util.parse_datetime(text).astimezone(BERLIN)  # type: ignore[union-attr]


async def test_the_timer_shows_as_weekly_windows_with_next_start_and_stop(
    hass: HomeAssistant, charger_timer: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    events = await _events(hass)
    assert events, "no windows"
    for event in events:
        start, end = _at(event["start"]), _at(event["end"])
        assert start.weekday() in (0, 3)
        assert (start.hour, end.hour, (end - start).days) == (22, 6, 0)
        assert event["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TH"
        assert event["uid"] == "openevse-timer-1"
    now = dt_util.now()
    start = dt_util.parse_datetime(state_of(hass, NEXT_START))
    stop = dt_util.parse_datetime(state_of(hass, NEXT_STOP))
    assert start is not None
    assert stop is not None
    assert abs(start - _next({0, 3}, 22, now)) <= timedelta(seconds=2)
    assert abs(stop - _next({1, 4}, 6, now)) <= timedelta(seconds=2)
    # The calendar's state is the window in progress or the next one.
    attributes = hass.states.get(CALENDAR).attributes  # type: ignore[union-attr]
    assert attributes["message"] == "Charging schedule"


@pytest.mark.expected_errors(("homeassistant.components.calendar", "cannot change a single week"))
async def test_windows_are_created_changed_and_deleted_through_the_calendar(
    hass: HomeAssistant,
    charger_timer: ChargerSimulator,
    loaded: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    client = await hass_ws_client(hass)
    wednesday = _next({2}, 10, dt_util.now())

    async def command(kind: str, **payload: Any) -> dict[str, Any]:
        await client.send_json_auto_id(
            {"type": f"calendar/event/{kind}", "entity_id": CALENDAR, **payload}
        )
        return await client.receive_json()

    reply = await command(
        "create",
        event={
            "summary": "Solar noon",
            "dtstart": wednesday.isoformat(),
            "dtend": (wednesday + timedelta(hours=2)).isoformat(),
            "rrule": "FREQ=WEEKLY;BYDAY=WE,SA",
        },
    )
    assert reply["success"], reply
    added = [event for event in charger_timer.schedule if "wednesday" in event["days"]]
    assert sorted((event["state"], event["time"]) for event in added) == [
        ("active", "10:00:00"),
        ("disabled", "12:00:00"),
    ]
    assert all(event["days"] == ["wednesday", "saturday"] for event in added)
    active_id = next(event["id"] for event in added if event["state"] == "active")
    uid = f"openevse-timer-{active_id}"
    # Shown as soon as the create returned.
    assert any(event["uid"] == uid for event in await _events(hass))

    # Move it an hour later and make it 3 hours: the same two timer events change.
    reply = await command(
        "update",
        uid=uid,
        event={
            "summary": "Solar noon",
            "dtstart": (wednesday + timedelta(hours=1)).isoformat(),
            "dtend": (wednesday + timedelta(hours=4)).isoformat(),
            "rrule": "FREQ=WEEKLY;BYDAY=WE,SA",
        },
    )
    assert reply["success"], reply
    changed = {event["id"]: event for event in charger_timer.schedule}
    assert changed[active_id]["time"] == "11:00:00"
    assert {event["time"] for event in changed.values() if "saturday" in event["days"]} == {
        "11:00:00",
        "14:00:00",
    }
    assert len(changed) == 4

    # A single week cannot be deleted; the series from its next occurrence on can.
    window = next(event for event in await _events(hass) if event["uid"] == uid)
    reply = await command("delete", uid=uid, recurrence_id=window["recurrence_id"])
    assert not reply["success"]
    assert "cannot change a single week" in reply["error"]["message"]
    reply = await command(
        "delete", uid=uid, recurrence_id=window["recurrence_id"], recurrence_range="THISANDFUTURE"
    )
    assert reply["success"], reply
    assert sorted(event["time"] for event in charger_timer.schedule) == ["06:00:00", "22:00:00"]
    assert not any(event["uid"] == uid for event in await _events(hass))


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (  # Monday 23:00 lies inside the Monday night window.
            {"offset": (0, 23), "hours": 1, "rrule": "FREQ=WEEKLY;BYDAY=MO,WE"},
            "would change another charging window",
        ),
        (
            {"offset": (2, 10), "hours": 1, "rrule": "FREQ=MONTHLY"},
            "the recurrence FREQ=MONTHLY cannot be kept",
        ),
        ({"offset": (2, 10), "hours": 1, "rrule": None}, "make the event repeat weekly or daily"),
        ({"offset": (2, 10), "hours": 30, "rrule": "FREQ=DAILY"}, "must last from 1 s to 1 d"),
    ],
)
async def test_edits_that_do_not_map_are_refused_and_nothing_is_sent(  # noqa: PLR0917
    hass: HomeAssistant,
    charger_timer: ChargerSimulator,
    loaded: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    event: dict[str, Any],
    message: str,
) -> None:
    weekday, hour = event["offset"]
    start = _next({weekday}, hour, dt_util.now())
    before = [dict(item) for item in charger_timer.schedule]
    charger_timer.requests.clear()
    client = await hass_ws_client(hass)
    payload: dict[str, Any] = {
        "summary": "x",
        "dtstart": start.isoformat(),
        "dtend": (start + timedelta(hours=event["hours"])).isoformat(),
    }
    if event["rrule"]:
        payload["rrule"] = event["rrule"]
    await client.send_json_auto_id(
        {"type": "calendar/event/create", "entity_id": CALENDAR, "event": payload}
    )
    reply = await client.receive_json()
    assert not reply["success"]
    assert message in reply["error"]["message"]
    assert charger_timer.schedule == before
    assert ("POST", "/schedule") not in charger_timer.requests


async def test_a_window_on_one_weekday_is_refused_on_an_empty_timer(
    hass: HomeAssistant, loaded: MockConfigEntry, charger: ChargerSimulator
) -> None:
    start = _next({2}, 10, dt_util.now())
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "calendar",
            "create_event",
            {
                "entity_id": CALENDAR,
                "summary": "x",
                "start_date_time": start,
                "end_date_time": start + timedelta(hours=1),
            },
            blocking=True,
        )
    # A one-off is refused first: the timer only repeats.
    assert caught.value.translation_key == "schedule_one_off_not_supported"
    entity = _calendar(hass)
    with pytest.raises(ServiceValidationError) as caught:
        await entity.async_create_event(
            dtstart=start, dtend=start + timedelta(hours=1), summary="x", rrule="FREQ=WEEKLY"
        )
    assert caught.value.translation_key == "charger_schedule_one_weekday"
    with pytest.raises(ServiceValidationError) as caught:
        await entity.async_create_event(dtstart=start.date(), dtend=start.date(), summary="x")
    assert caught.value.translation_key == "schedule_all_day_event"
    with pytest.raises(ServiceValidationError) as caught:
        await entity.async_delete_event("openevse-timer-99")
    assert caught.value.translation_key == "schedule_entry_not_found"
    assert charger.schedule == []


async def test_a_write_the_charger_refuses_is_a_translated_error_and_loses_nothing(
    hass: HomeAssistant, charger_timer: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    # Another client filled the timer behind our back (its push has not arrived yet).
    extra = [
        {"id": 100 + n, "state": "disabled", "time": f"03:{n:02d}:00", "days": ["sunday"]}
        for n in range(48)
    ]
    charger_timer.schedule = [*charger_timer.schedule, *extra]
    before = [dict(item) for item in charger_timer.schedule]
    entity = _calendar(hass)
    start = _next({2}, 10, dt_util.now())
    with pytest.raises(HomeAssistantError) as caught:
        await entity.async_create_event(
            dtstart=start,
            dtend=start + timedelta(hours=1),
            summary="x",
            rrule="FREQ=WEEKLY;BYDAY=WE,SA",
        )
    assert caught.value.translation_key == "charger_command_rejected"
    assert charger_timer.schedule == before
    # What the charger holds now was read back; a second try is refused before sending.
    with pytest.raises(ServiceValidationError) as caught:
        await entity.async_create_event(
            dtstart=start,
            dtend=start + timedelta(hours=1),
            summary="x",
            rrule="FREQ=WEEKLY;BYDAY=WE,SA",
        )
    assert caught.value.translation_key == "charger_schedule_full"


async def test_the_timer_is_read_only_when_its_counters_move(
    hass: HomeAssistant,
    charger_timer: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    charger_timer.requests.clear()
    coordinator = loaded.runtime_data.coordinator
    await charger_timer.plug_in()  # deltas pushed, no counter of the timer moves
    await wait_for(lambda: coordinator.data.status.vehicle_connected is True)
    reads = [path for _, path in charger_timer.requests if path.startswith("/schedule")]
    assert reads == []
    # Another client (the charger's web UI) adds a window: both counters move, one read each.
    async with aiohttp.ClientSession() as session:
        body = [
            {"state": "active", "time": "13:00", "days": ["sunday", "saturday"]},
            {"state": "disabled", "time": "15:00", "days": ["sunday", "saturday"]},
        ]
        async with session.post(f"{charger_timer.url}/schedule", json=body) as response:
            assert response.status == 200
    entity = _calendar(hass)
    await wait_for(lambda: len(entity.schedule_source.entries()) == 2)
    reads = [
        path
        for method, path in charger_timer.requests
        if path.startswith("/schedule") and method == "GET"
    ]
    assert sorted(reads) == ["/schedule", "/schedule/plan"]


async def test_an_automation_runs_when_a_window_starts(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    charger.config["scheduler_start_window"] = 0
    now = dt_util.now().astimezone(BERLIN).replace(microsecond=0)
    start = now + timedelta(minutes=2)
    days = sorted({start.weekday(), (start.weekday() + 1) % 7})
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    entity = _calendar(hass)
    rrule = "FREQ=WEEKLY;BYDAY=" + ",".join(
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][d] for d in days
    )
    await entity.async_create_event(
        dtstart=start, dtend=start + timedelta(minutes=30), summary="Cheap", rrule=rrule
    )
    assert {tuple(e["days"]) for e in charger.schedule} >= {tuple(names[d] for d in days)}
    fired = async_capture_events(hass, "charging_window_started")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {"platform": "calendar", "event": "start", "entity_id": CALENDAR},
                "action": {
                    "event": "charging_window_started",
                    "event_data": {"summary": "{{ trigger.calendar_event.summary }}"},
                },
            }
        },
    )
    await hass.async_block_till_done()
    async_fire_time_changed(hass, start + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert fired[0].data["summary"] == "Charging schedule"
    # Detach the trigger (it polls the calendar every 15 minutes).
    await hass.services.async_call(
        automation.DOMAIN, "turn_off", {"entity_id": "all"}, blocking=True
    )


async def test_timer_actions_edit_single_events(
    hass: HomeAssistant, charger_timer: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), loaded.entry_id)
    assert device is not None
    await hass.services.async_call(
        DOMAIN,
        "set_timer_event",
        {"device_id": device.id, "state": "disabled", "time": "05:30", "days": ["sun", "sat"]},
        blocking=True,
    )
    added = next(e for e in charger_timer.schedule if e["time"] == "05:30:00")
    assert added == {
        "id": added["id"],
        "state": "disabled",
        "time": "05:30:00",
        "days": ["sunday", "saturday"],
    }
    await hass.services.async_call(
        DOMAIN,
        "set_timer_event",
        {
            "device_id": device.id,
            "event_id": added["id"],
            "state": "active",
            "time": "05:45",
            "days": ["mon"],
        },
        blocking=True,
    )
    assert next(e for e in charger_timer.schedule if e["id"] == added["id"])["time"] == "05:45:00"
    timer = await hass.services.async_call(
        DOMAIN, "get_timer", {"device_id": device.id}, blocking=True, return_response=True
    )
    assert len(timer["events"]) == 3  # type: ignore[arg-type]
    assert timer["next_start"] is not None
    await hass.services.async_call(
        DOMAIN,
        "remove_timer_event",
        {"device_id": device.id, "event_id": added["id"]},
        blocking=True,
    )
    assert len(charger_timer.schedule) == 2
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "remove_timer_event",
            {"device_id": device.id, "event_id": added["id"]},
            blocking=True,
        )
    assert caught.value.translation_key == "charger_timer_event_not_found"
