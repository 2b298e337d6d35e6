"""Each pump's spray schedules on the calendar: planned sprays, edits, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.moogo.schedules import Schedule

CALENDAR = "calendar.backyard_spray_schedule"
PUMP_ZONE = ZoneInfo("America/Los_Angeles")  # the simulated pump's zone


def _calendar(hass: HomeAssistant) -> Any:
    return hass.data["entity_components"]["calendar"].get_entity(CALENDAR)


async def _sprays(hass: HomeAssistant, days: int = 8) -> list[Any]:
    now = dt_util.now()
    return list(await _calendar(hass).async_get_events(hass, now, now + timedelta(days=days)))


def _slot(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    day = (dt_util.now().astimezone(PUMP_ZONE) + timedelta(days=days_ahead)).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PUMP_ZONE)


def _device_id(hass: HomeAssistant, account: ConfigEntry, pump_id: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, pump_id), account.entry_id)
    assert device is not None
    return device.id


@pytest.fixture
async def scheduled(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> ConfigEntry:
    """Two schedules added through the actions: daily 06:30 and a disabled one at 20:00."""
    device_id = _device_id(hass, account, simulator.device_ids[0])
    for data in (
        {"time": "06:30", "duration": 60},
        {"time": "20:00", "duration": 120, "days": ["mon", "wed"], "enabled": False},
    ):
        await hass.services.async_call(
            DOMAIN, "add_schedule", {"device_id": device_id, **data}, blocking=True
        )
    return account


async def test_the_calendar_shows_the_sprays_that_will_run(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, scheduled: ConfigEntry
) -> None:
    account = scheduled
    pump_id = simulator.device_ids[0]
    wire = {item["id"]: item for item in simulator.schedules(pump_id)}
    sprays = await _sprays(hass)
    assert len(sprays) in (7, 8)  # the daily one; the disabled one does not spray
    for spray in sprays:
        item = wire[spray.uid.removeprefix("moogo-schedule-")]
        start = spray.start.astimezone(PUMP_ZONE)
        assert (start.hour, start.minute) == (item["hour"], item["minute"])
        assert spray.end - spray.start == timedelta(seconds=item["duration"])
        assert item["status"] == 1  # only enabled schedules spray
    state = hass.states.get(CALENDAR)
    assert state is not None
    assert state.attributes["message"] == "Spray schedule"

    # A skip consumes exactly the next spray of that schedule.
    first = sprays[0]
    await hass.services.async_call(
        DOMAIN,
        "skip_next_schedule",
        {"device_id": _device_id(hass, account, pump_id)},
        blocking=True,
    )
    after = await _sprays(hass)
    assert (first.uid, first.start) not in {(item.uid, item.start) for item in after}
    later = [item for item in after if item.uid == first.uid]
    assert later
    assert later[0].start > first.start


async def test_schedules_are_created_changed_and_deleted_through_the_calendar(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    pump_id = simulator.device_ids[0]
    client = await hass_ws_client(hass)

    async def command(kind: str, **payload: Any) -> dict[str, Any]:
        await client.send_json_auto_id(
            {"type": f"calendar/event/{kind}", "entity_id": CALENDAR, **payload}
        )
        return await client.receive_json()

    start = _slot(1, 19, 45)
    reply = await command(
        "create",
        event={
            "summary": "Dusk",
            "dtstart": start.isoformat(),
            "dtend": (start + timedelta(seconds=90)).isoformat(),
            "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        },
    )
    assert reply["success"], reply
    created = next(item for item in simulator.schedules(pump_id) if item["hour"] == 19)
    assert (created["minute"], created["duration"], created["repeatSet"], created["status"]) == (
        45,
        90,
        "1,3,5",
        1,
    )
    uid = f"moogo-schedule-{created['id']}"
    assert any(spray.uid == uid for spray in await _sprays(hass))

    reply = await command(
        "update",
        uid=uid,
        event={
            "summary": "Dusk",
            "dtstart": (start + timedelta(minutes=5)).isoformat(),
            "dtend": (start + timedelta(minutes=7)).isoformat(),
            "rrule": "FREQ=DAILY",
        },
    )
    assert reply["success"], reply
    changed = next(item for item in simulator.schedules(pump_id) if item["id"] == created["id"])
    assert (changed["minute"], changed["duration"], changed["repeatSet"]) == (
        50,
        120,
        "0,1,2,3,4,5,6",
    )

    reply = await command("delete", uid=uid)
    assert reply["success"], reply
    assert all(item["id"] != created["id"] for item in simulator.schedules(pump_id))


async def test_a_one_off_within_a_day_becomes_a_one_shot_schedule(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    pump_id = simulator.device_ids[0]
    start = (dt_util.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    await _calendar(hass).async_create_event(
        dtstart=start, dtend=start + timedelta(seconds=30), summary="Party"
    )
    local = start.astimezone(PUMP_ZONE)
    created = next(
        item
        for item in simulator.schedules(pump_id)
        if (item["hour"], item["minute"]) == (local.hour, local.minute)
    )
    assert (created["repeatSet"], created["duration"]) == ("", 30)
    shown = [spray for spray in await _sprays(hass) if spray.uid.endswith(created["id"])]
    assert [spray.start for spray in shown] == [start]
    assert shown[0].rrule is None


@pytest.mark.parametrize(
    ("start", "seconds", "rrule", "key"),
    [
        (timedelta(days=1), 60, "FREQ=DAILY", "moogo_schedule_whole_minutes"),
        (timedelta(days=3), 60, None, "moogo_schedule_one_off_not_next"),
        (timedelta(days=1), 3601, "FREQ=DAILY", "schedule_length_out_of_range"),
        (timedelta(days=1), 60, "FREQ=WEEKLY;COUNT=2", "schedule_recurrence_not_weekly"),
    ],
)
async def test_events_the_cloud_cannot_keep_are_refused(  # noqa: PLR0917
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    start: timedelta,
    seconds: int,
    rrule: str | None,
    key: str,
) -> None:
    pump_id = simulator.device_ids[0]
    before = simulator.schedules(pump_id)
    # Whole minutes but for the case about seconds.
    second = 30 if key == "moogo_schedule_whole_minutes" else 0
    at = (dt_util.now() + start).replace(second=second, microsecond=0)
    event: dict[str, Any] = {
        "dtstart": at,
        "dtend": at + timedelta(seconds=seconds),
        "summary": "x",
    }
    if rrule:
        event["rrule"] = rrule
    with pytest.raises(ServiceValidationError) as caught:
        await _calendar(hass).async_create_event(**event)
    assert caught.value.translation_key == key
    assert simulator.schedules(pump_id) == before


async def test_a_schedule_the_cloud_refuses_is_a_translated_error_and_loses_nothing(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    pump_id = simulator.device_ids[0]
    start = _slot(1, 5, 15)
    # The app added a schedule at that time a moment ago; our snapshot does not know it yet.
    device = simulator._advanced(pump_id)
    device.schedules.append(
        Schedule(
            schedule_id=device.next_id("S"),
            hour=5,
            minute=15,
            duration=45,
            repeat_days=(2,),
            enabled=True,
            updated_at=int(simulator.now()),
        )
    )
    before = simulator.schedules(pump_id)
    with pytest.raises(HomeAssistantError) as caught:
        await _calendar(hass).async_create_event(
            dtstart=start, dtend=start + timedelta(seconds=60), summary="x", rrule="FREQ=DAILY"
        )
    assert caught.value.translation_key == "moogo_rejected"
    assert simulator.schedules(pump_id) == before
    # The refusal read the schedules again: the same edit is now refused before it is sent.
    assert any(
        (item.hour, item.minute) == (5, 15)
        for item in (account.runtime_data.coordinator.data.pumps[pump_id].schedules.schedules)
    )
    with pytest.raises(ServiceValidationError) as caught:
        await _calendar(hass).async_create_event(
            dtstart=start, dtend=start + timedelta(seconds=60), summary="x", rrule="FREQ=DAILY"
        )
    assert caught.value.translation_key == "moogo_schedule_exists"
