"""The charging timer: its claim, its plan and what it refuses (scheduler.cpp, v5.1.5)."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.scheduler import CLIENT_SCHEDULE, MAX_EVENTS

from .helpers import json_request

# Tuesday 2030-01-01 10:00 UTC; the simulator's zone is set to UTC for these tests.
TUESDAY_10 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
WINDOW = [
    {"state": "active", "time": "09:00", "days": ["tuesday", "thursday"]},
    {"state": "disabled", "time": "11:30", "days": ["tuesday", "thursday"]},
]
ONE_DAY = [
    {"state": "active", "time": "09:00", "days": ["tuesday"]},
    {"state": "disabled", "time": "11:30", "days": ["tuesday"]},
]


async def _at_tuesday_ten(sim: ChargerSimulator) -> None:
    await sim.update_config(time_zone="Etc/UTC|UTC0", scheduler_start_window=0)
    sim.set_clock(TUESDAY_10)


async def test_the_event_in_force_is_claimed_at_its_priority(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await _at_tuesday_ten(sim)
    assert CLIENT_SCHEDULE not in sim.claims.claims  # no events, no claim
    assert await json_request(session, "POST", f"{sim.url}/schedule", json=WINDOW) == (
        200,
        {"msg": "done"},
    )
    claim = sim.claims.claims[CLIENT_SCHEDULE]
    assert claim.priority == 100
    assert claim.properties == {"state": "active", "charge_current": sim.config["max_current_hard"]}
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"]["state"] == CLIENT_SCHEDULE
    sim.set_clock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
    plan_version = sim.status["schedule_plan_version"]
    sim.run_scheduler()
    claim = sim.claims.claims[CLIENT_SCHEDULE]
    assert (claim.priority, claim.properties) == (10, {"state": "disabled"})
    # Passing an event moves only the plan's counter.
    assert sim.status["schedule_plan_version"] == plan_version + 1
    first = sim.schedule[0]["id"]
    for event in list(sim.schedule):
        await json_request(session, "DELETE", f"{sim.url}/schedule/{event['id']}")
    assert CLIENT_SCHEDULE not in sim.claims.claims
    assert (await json_request(session, "GET", f"{sim.url}/schedule/{first}"))[0] == 404


async def test_the_plan_has_the_firmware_fields_and_days_at_the_top(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await _at_tuesday_ten(sim)
    await json_request(session, "POST", f"{sim.url}/schedule", json=WINDOW)
    _, plan = await json_request(session, "GET", f"{sim.url}/schedule/plan")
    assert (plan["current_day"], plan["current_offset"]) == ("tuesday", 36000)
    assert plan["current_event"]["state"] == "active"
    assert plan["next_event"]["time"] == "11:30:00"
    assert plan["next_event_delay"] == 5400
    assert set(plan) == {
        "current_day",
        "current_offset",
        "next_event_delay",
        "current_event",
        "next_event",
        "tuesday",
        "thursday",
    }
    start, end = plan["tuesday"]
    assert set(start) == {
        "id",
        "state",
        "time",
        "day",
        "offset",
        "start_offset",
        "diff",
        "duration",
    }
    assert (start["offset"], start["duration"], start["diff"]) == (32400, 9000, 0)
    # The disabled event holds until Thursday's active one.
    assert end["duration"] == 2 * 86400 - 9000


async def test_active_starts_are_randomised_within_the_start_window(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await _at_tuesday_ten(sim)
    await sim.update_config(scheduler_start_window=600)
    await json_request(session, "POST", f"{sim.url}/schedule", json=WINDOW)
    _, plan = await json_request(session, "GET", f"{sim.url}/schedule/plan")
    start, end = plan["tuesday"]
    assert -600 <= start["diff"] < 600
    assert start["start_offset"] == start["offset"] + start["diff"]
    assert end["diff"] == 0  # only active events move


async def test_a_full_timer_refuses_more_and_keeps_what_it_has(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    events = [
        {"state": "disabled", "time": f"{n // 60:02d}:{n % 60:02d}", "days": ["sunday"]}
        for n in range(MAX_EVENTS)
    ]
    assert (await json_request(session, "POST", f"{sim.url}/schedule", json=events))[0] == 200
    version = sim.status["schedule_version"]
    extra = {"state": "active", "time": "23:00", "days": ["monday"]}
    assert await json_request(session, "POST", f"{sim.url}/schedule", json=extra) == (
        400,
        {"msg": "Could not parse JSON"},
    )
    assert len(sim.schedule) == MAX_EVENTS
    assert sim.status["schedule_version"] == version
    # Replacing an existing event needs no free slot.
    replace = extra | {"id": sim.schedule[0]["id"]}
    assert (await json_request(session, "POST", f"{sim.url}/schedule", json=replace))[0] == 200


async def test_state_by_first_letter_and_writes_by_id_not_stored(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    event = {"id": 4, "state": "armed", "time": "07:15", "days": ["monday"]}
    await json_request(session, "POST", f"{sim.url}/schedule", json=event)
    assert sim.schedule == [{"id": 4, "state": "active", "time": "07:15:00", "days": ["monday"]}]
    # An unknown state and an unreadable time leave the event's own.
    odd = {"state": "sometimes", "time": "soon", "days": ["friday"]}
    await json_request(session, "POST", f"{sim.url}/schedule/4", json=odd)
    assert sim.schedule == [{"id": 4, "state": "active", "time": "07:15:00", "days": ["friday"]}]
    # POST /schedule/{id} was not written to flash: a reboot brings Monday back.
    await sim.reboot()
    assert sim.schedule == [{"id": 4, "state": "active", "time": "07:15:00", "days": ["monday"]}]
    assert sim.status["schedule_version"] == 1


async def test_a_timer_on_one_weekday_never_ends_its_window_on_5_1_5(
    session: aiohttp.ClientSession,
) -> None:
    # 5.1.5's unsigned duration: the last event of the only day wraps to ~2^32 seconds, is
    # never current, and the search falls back to the week's first event (charging on).
    for profile, state_after in (("v5", "active"), ("master", "disabled")):
        async with ChargerSimulator(profile=profile) as sim:
            await _at_tuesday_ten(sim)
            sim.set_clock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))
            await json_request(session, "POST", f"{sim.url}/schedule", json=ONE_DAY)
            assert sim.claims.claims[CLIENT_SCHEDULE].properties["state"] == state_after, profile
            _, plan = await json_request(session, "GET", f"{sim.url}/schedule/plan")
            wrapped = plan["tuesday"][1]["duration"]
            assert wrapped == (2**32 - 9000 if profile == "v5" else 7 * 86400 - 9000), profile
