"""Schedules: create, edit, toggles, skip, the master switch, runs on the pump."""

from __future__ import annotations

import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import Api, FakeClock, create, utc


async def test_create_schedule_with_app_strings(authed: Api, pump: str) -> None:
    # Monday 05:00 in Los Angeles: today's 08:30 is still ahead (15:30 UTC).
    answer = await create(authed, pump)
    assert (answer.code, answer.data) == (0, None)
    page = await authed.schedules(pump)
    assert page["total"] == 1
    assert page["scheduleSwitchStatus"] == 1
    (item,) = page["items"]
    assert set(item) == {
        "id",
        "hour",
        "minute",
        "duration",
        "repeatSet",
        "status",
        "is_skip",
        "skipCount",
        "lastSkippedAt",
        "nextSprayingTime",
        "updatedAt",
    }
    assert (item["hour"], item["minute"], item["duration"]) == (8, 30, 60)
    assert (item["repeatSet"], item["status"], item["is_skip"]) == ("1,2,3", 1, False)
    assert item["nextSprayingTime"] == utc(2025, 6, 2, 15, 30)
    assert isinstance(item["id"], str)


async def test_create_schedule_with_native_values(authed: Api, pump: str) -> None:
    body = {"hour": 6, "minute": 0, "repeatSet": "0", "duration": 45, "status": True}
    assert (await authed.call("POST", f"v1/devices/{pump}/schedules", json=body)).code == 0
    (item,) = (await authed.schedules(pump))["items"]
    # Repeat day 0 is Sunday: next Sunday 06:00 in Los Angeles (PDT, UTC-7).
    assert item["nextSprayingTime"] == utc(2025, 6, 8, 13, 0)


async def test_next_run_follows_the_device_zone(authed: Api, pump: str) -> None:
    body = {"timeZone": "Europe/Berlin"}
    assert (await authed.call("PUT", f"v1/devices/{pump}/configs", json=body)).code == 0
    await create(authed, pump, hour="8", minute="0", repeatSet="1")
    (item,) = (await authed.schedules(pump))["items"]
    # Monday 14:00 in Berlin: the Monday 08:00 run is next week (CEST, UTC+2).
    assert item["nextSprayingTime"] == utc(2025, 6, 9, 6, 0)


async def test_next_run_of_a_device_without_an_iana_zone_is_in_utc(
    authed: Api, sim: MoogoCloudSimulator
) -> None:
    pump = sim.add_device(time_zone="PST8PDT,M3.2.0,M11.1.0")
    await create(authed, pump, hour="13", minute="0", repeatSet="1")
    (item,) = (await authed.schedules(pump))["items"]
    assert item["nextSprayingTime"] == utc(2025, 6, 2, 13, 0)  # Monday 13:00 UTC, an hour ahead


async def test_duplicate_schedule_time(authed: Api, pump: str) -> None:
    assert (await create(authed, pump)).code == 0
    duplicate = await create(authed, pump, repeatSet="4")
    assert (duplicate.status, duplicate.code) == (200, 10000)
    assert "already exists" in duplicate.body["message"]


async def test_at_most_twenty_schedules(authed: Api, pump: str) -> None:
    for minute in range(20):
        assert (await create(authed, pump, minute=str(minute))).code == 0
    answer = await create(authed, pump, minute="45")
    assert answer.code == 10000
    assert (await authed.schedules(pump, pageSize=20))["total"] == 20
    page = await authed.schedules(pump, page=2, pageSize=15)
    assert len(page["items"]) == 5


@pytest.mark.parametrize(
    "bad",
    [{"hour": "24"}, {"minute": "-1"}, {"repeatSet": "7"}, {"repeatSet": "1;2"}, {"duration": "x"}],
)
async def test_schedule_validation(authed: Api, pump: str, bad: dict[str, str]) -> None:
    assert (await create(authed, pump, **bad)).code == 10000
    assert (await authed.schedules(pump))["total"] == 0


async def test_update_and_delete_schedule(authed: Api, pump: str) -> None:
    await create(authed, pump)
    await create(authed, pump, hour="9")
    first, second = (await authed.schedules(pump))["items"]
    path = f"v1/devices/{pump}/schedules/{first['id']}"
    full = {"hour": 7, "minute": 15, "repeatSet": "", "duration": 30, "status": 0}
    assert (await authed.call("PUT", path, json=full)).code == 0
    item = (await authed.schedules(pump))["items"][0]
    assert (item["hour"], item["minute"], item["repeatSet"], item["duration"]) == (7, 15, "", 30)
    assert (item["status"], item["nextSprayingTime"]) == (0, 0)
    assert (await authed.call("PUT", path, json={"duration": 90})).code == 0  # partial
    item = (await authed.schedules(pump))["items"][0]
    assert (item["hour"], item["duration"]) == (7, 90)
    clash = await authed.call("PUT", path, json={"hour": 9, "minute": 30})
    assert clash.code == 10000
    assert (await authed.call("DELETE", path)).code == 0
    assert [row["id"] for row in (await authed.schedules(pump))["items"]] == [second["id"]]
    assert (await authed.call("DELETE", path)).code == 10000


async def test_enable_disable_with_empty_bodies(authed: Api, pump: str) -> None:
    await create(authed, pump, status="0")
    (item,) = (await authed.schedules(pump))["items"]
    assert (item["status"], item["nextSprayingTime"]) == (0, 0)
    path = f"v1/devices/{pump}/schedules/{item['id']}"
    assert (await authed.call("PUT", path + "/enable")).code == 0
    assert (await authed.schedules(pump))["items"][0]["status"] == 1
    assert (await authed.call("PUT", path + "/disable", json={})).code == 0
    assert (await authed.schedules(pump))["items"][0]["status"] == 0


@pytest.mark.parametrize("action", ["enable", "disable", "skip"])
@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
async def test_wrong_method_on_a_schedule_toggle_answers_http_500(
    authed: Api, pump: str, action: str, method: str
) -> None:
    # pymoogo's live tests saw enable and skip sent as POST answer HTTP 500 (before PUT).
    await create(authed, pump)
    (item,) = (await authed.schedules(pump))["items"]
    answer = await authed.call(method, f"v1/devices/{pump}/schedules/{item['id']}/{action}")
    assert (answer.status, answer.code) == (500, 500)
    assert method in answer.body["message"]
    (after,) = (await authed.schedules(pump))["items"]
    assert after == item  # nothing changed


@pytest.mark.parametrize("switch", ["open", "close"])
async def test_wrong_method_on_the_master_switch_answers_http_500(
    authed: Api, pump: str, switch: str
) -> None:
    answer = await authed.call("POST", f"v1/devices/{pump}/schedules/switch/{switch}")
    assert (answer.status, answer.code) == (500, 500)
    assert (await authed.schedules(pump))["scheduleSwitchStatus"] == 1


async def test_skip_consumes_one_run(
    authed: Api, pump: str, clock: FakeClock, sim: MoogoCloudSimulator
) -> None:
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    (item,) = (await authed.schedules(pump))["items"]
    assert (await authed.call("PUT", f"v1/devices/{pump}/schedules/{item['id']}/skip")).code == 0
    (item,) = (await authed.schedules(pump))["items"]
    assert item["is_skip"] is True
    assert item["nextSprayingTime"] == utc(2025, 6, 3, 15, 30)  # today's run is passed over
    clock.now = utc(2025, 6, 2, 15, 31)
    (item,) = (await authed.schedules(pump))["items"]
    assert (item["is_skip"], item["skipCount"]) == (False, 1)
    assert item["lastSkippedAt"] == utc(2025, 6, 2, 15, 30)
    assert (await authed.status(pump))["runStatus"] == 0
    assert sim.history(pump) == []


async def test_schedules_fire_on_the_pump(authed: Api, pump: str, clock: FakeClock) -> None:
    await create(authed, pump, duration="45", repeatSet="0,1,2,3,4,5,6")
    clock.now = utc(2025, 6, 2, 15, 30, 10)
    status = await authed.status(pump)
    assert (status["runStatus"], status["latestSprayingDuration"]) == (1, 45)
    assert status["latestSprayingEnd"] == utc(2025, 6, 2, 15, 30, 45)
    clock.now = utc(2025, 6, 4, 16, 0)  # two more daily runs have passed meanwhile
    rows = (await authed.call("GET", f"v1/devices/{pump}/logs")).data["items"]
    assert [row["createdAt"] for row in rows] == [
        utc(2025, 6, 4, 15, 30),
        utc(2025, 6, 3, 15, 30),
        utc(2025, 6, 2, 15, 30),
    ]
    assert {row["seconds"] for row in rows} == {45}


async def test_one_shot_schedule_runs_once(authed: Api, pump: str, clock: FakeClock) -> None:
    await create(authed, pump, repeatSet="")
    clock.now = utc(2025, 6, 5, 0, 0)
    (item,) = (await authed.schedules(pump))["items"]
    assert (item["status"], item["nextSprayingTime"]) == (0, 0)
    rows = (await authed.call("GET", f"v1/devices/{pump}/logs")).data["items"]
    assert len(rows) == 1


async def test_master_switch(authed: Api, pump: str, clock: FakeClock) -> None:
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    assert (await authed.call("PUT", f"v1/devices/{pump}/schedules/switch/close")).code == 0
    page = await authed.schedules(pump)
    assert page["scheduleSwitchStatus"] == 0
    assert page["items"][0]["status"] == 1
    assert page["items"][0]["nextSprayingTime"] == 0
    clock.now = utc(2025, 6, 2, 16, 0)
    assert (await authed.status(pump))["runStatus"] == 0
    assert (await authed.call("PUT", f"v1/devices/{pump}/schedules/switch/open", json={})).code == 0
    page = await authed.schedules(pump)
    assert page["scheduleSwitchStatus"] == 1
    assert page["items"][0]["nextSprayingTime"] == utc(2025, 6, 3, 15, 30)


async def test_cold_or_offline_pump_does_not_run_schedules(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    sim.set_temperature(pump, 5)
    clock.now = utc(2025, 6, 2, 15, 31)
    assert (await authed.status(pump))["runStatus"] == 0
    sim.set_temperature(pump, 20)
    sim.set_online(pump, False)
    clock.now = utc(2025, 6, 3, 15, 31)
    assert (await authed.status(pump))["runStatus"] == 0
    assert sim.history(pump) == []


@pytest.mark.parametrize(
    ("weather", "flag"),
    [
        ({"rain": True}, "stopRainy"),
        ({"snow": True}, "stopSnow"),
        ({"wind": True}, "stopWindstorm"),
    ],
)
async def test_weather_stops_hold_back_scheduled_sprays(
    authed: Api,
    pump: str,
    sim: MoogoCloudSimulator,
    clock: FakeClock,
    *,
    weather: dict[str, bool],
    flag: str,
) -> None:
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    config = f"v1/devices/{pump}/configs"
    assert (await authed.call("PUT", config, json={flag: 1})).code == 0
    sim.set_weather(pump, **weather)
    clock.now = utc(2025, 6, 2, 15, 30, 10)  # Monday's 08:30 run in Los Angeles
    assert (await authed.status(pump))["runStatus"] == 0
    (item,) = (await authed.schedules(pump))["items"]
    assert item["nextSprayingTime"] == utc(2025, 6, 3, 15, 30)  # the schedule itself stays on
    assert (await authed.call("PUT", config, json={flag: 0})).code == 0
    clock.now = utc(2025, 6, 3, 15, 30, 10)  # same weather, the stop switched off
    assert (await authed.status(pump))["runStatus"] == 1
    assert sim.history(pump) == []  # Monday's run never happened


async def test_default_weather_stops(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    # Onboarding defaults: stop for rain and snow, not for wind (stopWindstorm 0).
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    sim.set_weather(pump, wind=True)
    clock.now = utc(2025, 6, 2, 15, 30, 10)
    assert (await authed.status(pump))["runStatus"] == 1
    sim.set_weather(pump, wind=False, rain=True)
    clock.now = utc(2025, 6, 3, 15, 30, 10)
    assert (await authed.status(pump))["runStatus"] == 0
    sim.set_weather(pump, rain=False, snow=True)
    clock.now = utc(2025, 6, 4, 15, 30, 10)
    assert (await authed.status(pump))["runStatus"] == 0
    assert len(sim.history(pump)) == 1


@pytest.mark.parametrize(("celsius", "runs"), [(9.4, False), (9.6, True), (25.0, True)])
async def test_stop_temperature_holds_back_scheduled_sprays(
    authed: Api,
    pump: str,
    sim: MoogoCloudSimulator,
    clock: FakeClock,
    *,
    celsius: float,
    runs: bool,
) -> None:
    # stopTemperature (default 10 degC) is compared with the whole degrees the pump reports.
    await create(authed, pump, repeatSet="0,1,2,3,4,5,6")
    sim.set_temperature(pump, celsius)
    clock.now = utc(2025, 6, 2, 15, 30, 10)
    assert (await authed.status(pump))["runStatus"] == int(runs)
    path = f"v1/devices/{pump}/configs"
    assert (await authed.call("PUT", path, json={"stopTemperature": 0})).code == 0
    clock.now = utc(2025, 6, 3, 15, 30, 10)
    assert (await authed.status(pump))["runStatus"] == 1
