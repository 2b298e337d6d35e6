"""Wire-level tests of the Moogo cloud simulator, with plain aiohttp over loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.simulators.moogo import MoogoCloudSimulator

# Monday 2025-06-02 12:00 UTC, which is 05:00 in the pumps' default zone (America/Los_Angeles).
MONDAY_NOON_UTC = datetime(2025, 6, 2, 12, 0, tzinfo=UTC).timestamp()
CONFIRM = 4.0  # default delay between a start/stop and the runStatus flip
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


class FakeClock:
    """A clock the test moves by hand, so time-driven behaviour needs no sleeping."""

    def __init__(self, now: float = MONDAY_NOON_UTC) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> int:
        code: int = self.body["code"]
        return code

    @property
    def data(self) -> Any:
        return self.body["data"]


class Api:
    """Plain HTTP against the simulator, the way a client would talk to it."""

    def __init__(self, sim: MoogoCloudSimulator, http: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.http = http
        self.token = ""

    async def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        headers = {"token": self.token}
        async with self.http.request(method, self.sim.url + path, headers=headers, **kwargs) as r:
            return Answer(r.status, await r.json())

    async def login(self, **body: Any) -> Answer:
        payload = {"email": self.sim.email, "password": self.sim.password, "keep": "true"} | body
        answer = await self.call("POST", "v1/user/login", json=payload)
        if answer.code == 0:
            self.token = answer.data["token"]
        return answer

    async def status(self, device_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"v1/devices/{device_id}")
        assert answer.code == 0, answer
        status: dict[str, Any] = answer.data
        return status

    async def schedules(self, device_id: str, **query: Any) -> dict[str, Any]:
        answer = await self.call("GET", f"v1/devices/{device_id}/schedules", params=query)
        assert answer.code == 0, answer
        page: dict[str, Any] = answer.data
        return page


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sim(clock: FakeClock) -> AsyncIterator[MoogoCloudSimulator]:
    simulator = MoogoCloudSimulator(clock=clock, ota_seconds=30.0)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def api(sim: MoogoCloudSimulator) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(sim, http)


@pytest.fixture
async def authed(api: Api) -> Api:
    assert (await api.login()).code == 0
    return api


@pytest.fixture
def pump(sim: MoogoCloudSimulator) -> str:
    return sim.device_ids[0]


# ----- login and tokens ----------------------------------------------------------------------


async def test_login_with_app_string_values(api: Api, sim: MoogoCloudSimulator) -> None:
    answer = await api.login(keep="true")
    assert answer.status == 200
    assert answer.code == 0
    data = answer.data
    assert set(data) == {"userId", "token", "ttl", "email", "nickname"}
    assert len(data["token"]) == 32
    assert all(ch in "0123456789abcdef" for ch in data["token"])
    assert isinstance(data["userId"], str)
    assert len(data["userId"]) == 18
    assert data["userId"].isdigit()
    assert data["ttl"] == 31536000
    assert data["email"] == sim.email
    assert sim.login_count == 1


async def test_login_with_native_values_and_short_session(api: Api) -> None:
    answer = await api.login(keep=False)
    assert answer.code == 0
    assert answer.data["ttl"] == 86400


async def test_login_accepts_form_body(api: Api, sim: MoogoCloudSimulator) -> None:
    form = {"email": sim.email, "password": sim.password, "keep": "true"}
    answer = await api.call("POST", "v1/user/login", data=form)
    assert answer.code == 0


async def test_each_login_issues_a_new_token(api: Api, sim: MoogoCloudSimulator) -> None:
    first = (await api.login()).data["token"]
    second = (await api.login()).data["token"]
    assert first != second
    assert sim.login_count == 2


async def test_login_rejects_wrong_credentials(api: Api, sim: MoogoCloudSimulator) -> None:
    answer = await api.login(password="not-it")
    assert (answer.status, answer.code) == (200, 10104)
    assert answer.data is None
    assert (await api.login(email="other@example.com")).code == 10104
    assert sim.login_count == 0


async def test_wrong_password_fault(api: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.wrong_password = True
    assert (await api.login()).code == 10104
    sim.faults.wrong_password = False
    assert (await api.login()).code == 0


async def test_login_outage_fault(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.login_http_status = 503
    answer = await authed.login()
    assert (answer.status, answer.code) == (503, 503)
    assert (await authed.call("GET", "v1/devices")).status == 200  # the rest still answers
    sim.faults.login_http_status = None
    assert (await authed.login()).code == 0


async def test_login_missing_field_is_a_business_error(api: Api) -> None:
    answer = await api.call("POST", "v1/user/login", json={"email": "demo@example.com"})
    assert (answer.status, answer.code) == (200, 10000)


async def test_daily_login_cap(api: Api, sim: MoogoCloudSimulator, clock: FakeClock) -> None:
    sim.faults.login_cap_after = 2
    assert (await api.login()).code == 0
    assert (await api.login()).code == 0
    capped = await api.login()
    assert (capped.status, capped.code) == (200, 10000)
    assert capped.body["message"] == (
        "Exceeded maximum login attempts today. Please try again tomorrow."
    )
    assert sim.login_count == 2
    clock.tick(24 * 3600)  # the next calendar day
    assert (await api.login()).code == 0


@pytest.mark.parametrize("token", [None, "", "0123456789abcdef0123456789abcdef"])
async def test_authenticated_routes_answer_http_401(api: Api, token: str | None) -> None:
    headers = {} if token is None else {"token": token}
    async with api.http.get(api.sim.url + "v1/devices", headers=headers) as response:
        assert response.status == 401
        body = await response.json()
    assert body["code"] == 401


async def test_json_unauthorized_fault(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.json_unauthorized = True
    assert (await authed.call("GET", "v1/devices")).status == 200  # a valid token still works
    sim.expire_tokens()
    answer = await authed.call("GET", "v1/devices")
    assert (answer.status, answer.code) == (200, 401)


@pytest.mark.parametrize("token", ["", "not-a-token"])
async def test_public_routes_ignore_the_token(api: Api, token: str) -> None:
    api.token = token
    liquids = await api.call("GET", "v1/liquid")
    assert (liquids.status, liquids.code) == (200, 0)
    assert isinstance(liquids.data, list)
    assert {"liquidName", "liquidConcentration"} <= set(liquids.data[0])
    plans = await api.call("GET", "v1/devices/schedules")
    assert plans.code == 0
    assert plans.data["total"] == len(plans.data["items"]) > 0
    plan = plans.data["items"][0]
    assert {"id", "title", "banner", "sortOrder", "schedules"} <= set(plan)
    assert set(plan["schedules"][0]) == {"hour", "minute", "duration", "repeatSet"}


async def test_expire_tokens(authed: Api, sim: MoogoCloudSimulator) -> None:
    assert (await authed.call("GET", "v1/devices")).status == 200
    sim.expire_tokens()
    assert (await authed.call("GET", "v1/devices")).status == 401
    await authed.login()
    assert (await authed.call("GET", "v1/devices")).status == 200


async def test_token_ttl_runs_out(api: Api, clock: FakeClock) -> None:
    await api.login(keep=False)
    clock.tick(86400 - 1)
    assert (await api.call("GET", "v1/devices")).status == 200
    clock.tick(1)
    assert (await api.call("GET", "v1/devices")).status == 401


# ----- devices -------------------------------------------------------------------------------


async def test_device_list(authed: Api, sim: MoogoCloudSimulator) -> None:
    second = sim.add_device(name="Side Yard", online=False, rssi=-71)
    answer = await authed.call("GET", "v1/devices", params={"page": 1, "pageSize": 999})
    assert answer.code == 0
    assert answer.data["total"] == 2
    first, other = answer.data["items"]
    assert set(first) == {"deviceId", "deviceName", "onlineStatus", "rssi", "createdAt"}
    assert other == {
        "deviceId": second,
        "deviceName": "Side Yard",
        "onlineStatus": 0,
        "rssi": -71,
        "createdAt": int(MONDAY_NOON_UTC),
    }
    page_two = await authed.call("GET", "v1/devices", params={"page": "2", "pageSize": "1"})
    assert [item["deviceId"] for item in page_two.data["items"]] == [second]
    assert page_two.data["total"] == 2


async def test_device_ids_are_stable_per_account() -> None:
    one = MoogoCloudSimulator(devices=3)
    two = MoogoCloudSimulator(devices=3)
    other = MoogoCloudSimulator(email="someone@example.com", devices=1)
    assert one.device_ids == two.device_ids
    assert len(set(one.device_ids)) == 3
    assert other.device_ids[0] not in one.device_ids


async def test_device_status_wire_format(authed: Api, pump: str, sim: MoogoCloudSimulator) -> None:
    sim.set_temperature(pump, 23.4)
    sim.set_levels(pump, concentrate_low=True)
    status = await authed.status(pump)
    assert status == {
        "deviceId": pump,
        "deviceName": "Backyard",
        "onlineStatus": 1,
        "runStatus": 0,
        "rssi": -58,
        "temperature": 23,
        "humidity": 55,
        "liquid_level": 0,
        "water_level": 1,
        "liquidConcentration": 100,
        "latestSprayingDuration": 0,
        "latestSprayingEnd": 0,
        "firmware": "1.0.8",
    }
    assert sim.device(pump) == status
    sim.set_levels(pump, water_low=True, concentrate_low=False)
    status = await authed.status(pump)
    assert (status["water_level"], status["liquid_level"]) == (0, 1)


async def test_unknown_removed_and_revoked_devices(
    authed: Api, sim: MoogoCloudSimulator, pump: str
) -> None:
    unknown = await authed.call("GET", "v1/devices/ffffffffffffffffffffffff")
    assert (unknown.status, unknown.code) == (200, 404)
    shared = sim.add_device()
    sim.revoke_access(shared)
    revoked = await authed.call("POST", f"v1/devices/{shared}/start", json={"mode": "normal"})
    assert (revoked.status, revoked.code) == (200, 403)
    listed = await authed.call("GET", "v1/devices")
    assert [item["deviceId"] for item in listed.data["items"]] == [pump]
    sim.remove_device(pump)
    assert (await authed.call("GET", f"v1/devices/{pump}")).code == 404
    assert (await authed.call("GET", "v1/devices")).data["total"] == 0


async def test_unbind_device(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    assert (await authed.call("DELETE", f"v1/devices/{pump}")).code == 0
    assert sim.device_ids == []
    assert (await authed.call("GET", f"v1/devices/{pump}")).code == 404


async def test_rename(authed: Api, pump: str) -> None:
    renamed = await authed.call("PUT", f"v1/devices/{pump}/update", json={"deviceName": "Deck"})
    assert renamed.code == 0
    assert (await authed.status(pump))["deviceName"] == "Deck"
    listed = await authed.call("GET", "v1/devices")
    assert listed.data["items"][0]["deviceName"] == "Deck"
    blank = await authed.call("PUT", f"v1/devices/{pump}/update", json={"deviceName": " "})
    assert blank.code == 10000


# ----- spraying ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{"mode": "normal"}, {}, None])
async def test_start_is_acknowledged_then_confirmed_later(
    authed: Api, pump: str, clock: FakeClock, body: dict[str, str] | None
) -> None:
    started_at = clock.now
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    answer = await authed.call("POST", f"v1/devices/{pump}/start", **kwargs)
    assert (answer.status, answer.code, answer.data) == (200, 0, None)
    assert (await authed.status(pump))["runStatus"] == 0
    clock.tick(CONFIRM - 0.1)
    assert (await authed.status(pump))["runStatus"] == 0
    clock.tick(0.1)
    status = await authed.status(pump)
    assert status["runStatus"] == 1
    assert status["latestSprayingDuration"] == 60
    assert status["latestSprayingEnd"] == int(started_at + CONFIRM + 60)
    clock.tick(60)
    status = await authed.status(pump)
    assert status["runStatus"] == 0  # the spray ran out by itself
    assert status["latestSprayingEnd"] == int(started_at + CONFIRM + 60)
    logs = await authed.call("GET", f"v1/devices/{pump}/logs")
    assert logs.data["items"][0]["seconds"] == 60
    assert logs.data["items"][0]["createdAt"] == int(started_at + CONFIRM)


async def test_stop_ends_the_spray_early(authed: Api, pump: str, clock: FakeClock) -> None:
    await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    clock.tick(CONFIRM + 10)
    assert (await authed.status(pump))["runStatus"] == 1
    assert (await authed.call("POST", f"v1/devices/{pump}/stop", json={"mode": "normal"})).code == 0
    assert (await authed.status(pump))["runStatus"] == 1
    clock.tick(CONFIRM)
    status = await authed.status(pump)
    assert status["runStatus"] == 0
    assert status["latestSprayingEnd"] == int(clock.now)
    assert status["latestSprayingDuration"] == 14
    rows = (await authed.call("GET", f"v1/devices/{pump}/logs")).data["items"]
    assert [row["seconds"] for row in rows] == [14]
    assert set(rows[0]) == {"id", "createdAt", "seconds"}


async def test_self_test_mode_runs_three_minutes(authed: Api, pump: str, clock: FakeClock) -> None:
    await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "self-test"})
    clock.tick(CONFIRM)
    assert (await authed.status(pump))["latestSprayingDuration"] == 180


async def test_unknown_spray_mode(authed: Api, pump: str) -> None:
    answer = await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "turbo"})
    assert answer.code == 10000


async def test_offline_device_refuses_commands(
    authed: Api, pump: str, sim: MoogoCloudSimulator
) -> None:
    sim.set_online(pump, False)
    for action in ("start", "stop"):
        answer = await authed.call("POST", f"v1/devices/{pump}/{action}", json={"mode": "normal"})
        assert (answer.status, answer.code) == (200, 10201)
    assert (await authed.status(pump))["onlineStatus"] == 0


async def test_command_lost_when_device_drops_before_confirming(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    sim.set_online(pump, False)
    clock.tick(CONFIRM)
    sim.set_online(pump, True)
    assert (await authed.status(pump))["runStatus"] == 0


@pytest.mark.parametrize(("celsius", "code"), [(7.4, 10202), (-3.0, 10202), (7.6, 0), (8.0, 0)])
async def test_cold_lock(
    authed: Api, pump: str, sim: MoogoCloudSimulator, celsius: float, code: int
) -> None:
    sim.set_temperature(pump, celsius)
    answer = await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    assert (answer.status, answer.code) == (200, code)


async def test_unconfirmed_commands_never_flip(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    sim.faults.unconfirmed_commands = True
    assert (
        await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    ).code == 0
    clock.tick(3600)
    assert (await authed.status(pump))["runStatus"] == 0


async def test_spray_confirms_on_the_real_clock() -> None:
    async with (
        MoogoCloudSimulator(spray_confirm_delay=0.05) as sim,
        aiohttp.ClientSession() as http,
    ):
        api = Api(sim, http)
        await api.login()
        pump = sim.device_ids[0]
        await api.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
        assert (await api.status(pump))["runStatus"] == 0
        await asyncio.sleep(0.1)
        status = await api.status(pump)
        assert status["runStatus"] == 1
        assert status["latestSprayingEnd"] - time.time() == pytest.approx(60, abs=1.5)


async def test_scheduled_spray_helper(
    sim: MoogoCloudSimulator, pump: str, clock: FakeClock
) -> None:
    sim.start_scheduled_spray(pump, 30)
    assert sim.device(pump)["runStatus"] == 1
    clock.tick(30)
    assert sim.device(pump)["runStatus"] == 0
    assert sim.history(pump)[0]["seconds"] == 30


# ----- schedules -----------------------------------------------------------------------------


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


async def create(api: Api, pump: str, **fields: Any) -> Answer:
    body = {"hour": "8", "minute": "30", "repeatSet": "1,2,3", "duration": "60", "status": "1"}
    return await api.call("POST", f"v1/devices/{pump}/schedules", json=body | fields)


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
    post = await authed.call("POST", path + "/enable")
    assert post.status == 405


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


# ----- configuration -------------------------------------------------------------------------


async def test_config_read_and_app_write(authed: Api, pump: str, clock: FakeClock) -> None:
    config = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    assert set(config) == {
        "id",
        "deviceId",
        "liquidName",
        "liquidConcentration",
        "sprayingSeconds",
        "stopTemperature",
        "stopRainy",
        "stopSnow",
        "stopWindstorm",
        "syncStatus",
        "timeZone",
    }
    assert (config["sprayingSeconds"], config["timeZone"]) == (60, "America/Los_Angeles")
    body = {"sprayingSeconds": 90, "liquidName": "Natural Botanical", "liquidConcentration": 60}
    assert (await authed.call("PUT", f"v1/devices/{pump}/configs", json=body)).code == 0
    config = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    assert (config["sprayingSeconds"], config["liquidName"]) == (90, "Natural Botanical")
    assert (await authed.status(pump))["liquidConcentration"] == 60
    await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    clock.tick(CONFIRM)
    assert (await authed.status(pump))["latestSprayingDuration"] == 90


async def test_config_write_rejects_keys_outside_the_whitelist(authed: Api, pump: str) -> None:
    echoed = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    echoed["sprayingSeconds"] = 30
    answer = await authed.call("PUT", f"v1/devices/{pump}/configs", json=echoed)
    assert answer.status == 200
    assert answer.code != 0
    assert "syncStatus" in answer.body["message"]
    del echoed["syncStatus"]
    assert (await authed.call("PUT", f"v1/devices/{pump}/configs", json=echoed)).code == 0
    config = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    assert config["sprayingSeconds"] == 30


@pytest.mark.parametrize(
    ("zone", "accepted"),
    [
        ("America/New_York", True),
        ("Europe/Berlin", True),
        ("PST8PDT,M3.2.0,M11.1.0", False),
        ("CET-1CEST,M3.5.0,M10.5.0/3", False),
        ("", False),
        ("Mars/Olympus_Mons", False),
    ],
)
async def test_config_time_zone_must_be_iana(
    authed: Api, pump: str, zone: str, accepted: bool
) -> None:
    answer = await authed.call("PUT", f"v1/devices/{pump}/configs", json={"timeZone": zone})
    assert (answer.code == 0) is accepted
    config = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    assert config["timeZone"] == (zone if accepted else "America/Los_Angeles")


async def test_device_may_report_a_posix_zone(authed: Api, sim: MoogoCloudSimulator) -> None:
    pump = sim.add_device(time_zone="PST8PDT,M3.2.0,M11.1.0")
    config = (await authed.call("GET", f"v1/devices/{pump}/configs")).data
    assert config["timeZone"] == "PST8PDT,M3.2.0,M11.1.0"


# ----- history -------------------------------------------------------------------------------


async def test_logs_filter_by_date_in_the_device_zone(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    for day in (1, 2, 3):  # 20:00 Los Angeles time is 03:00 UTC the next day
        clock.now = utc(2025, 6, day + 1, 3, 0)
        sim.start_scheduled_spray(pump, 10 * day)
        clock.tick(3600)
    path = f"v1/devices/{pump}/logs"
    everything = await authed.call("GET", path, params={"pageSize": 9999})
    assert [row["seconds"] for row in everything.data["items"]] == [30, 20, 10]
    query = {"startDate": "2025-06-02", "endDate": "2025-06-03", "page": 1, "pageSize": 9999}
    ranged = await authed.call("GET", path, params=query)
    assert [row["seconds"] for row in ranged.data["items"]] == [30, 20]
    assert ranged.data["total"] == 2
    paged = await authed.call("GET", path, params={"page": 2, "pageSize": 2})
    assert [row["seconds"] for row in paged.data["items"]] == [10]
    bad = await authed.call("GET", path, params={"startDate": "June 2"})
    assert bad.code == 10000


# ----- firmware ------------------------------------------------------------------------------


async def test_ota_check_and_update(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    path = f"v1/devices/{pump}/ota"
    current = (await authed.call("POST", path + "Check", json={})).data
    assert (current["currentVersion"], current["needUpgrade"], current["isUpdating"]) == (
        "1.0.8",
        False,
        False,
    )
    assert set(current["version"]) == {"code", "description", "file", "status"}
    assert (await authed.call("POST", path + "Update", json={})).code == 10000
    sim.offer_firmware(pump, "1.1.0", "Quieter pump start")
    offer = (await authed.call("POST", path + "Check")).data
    assert offer["needUpgrade"] is True
    assert (offer["version"]["code"], offer["version"]["description"]) == (
        "1.1.0",
        "Quieter pump start",
    )
    assert (await authed.call("POST", path + "Update", json={})).code == 0
    assert (await authed.call("POST", path + "Check")).data["isUpdating"] is True
    clock.tick(30)
    after = (await authed.call("POST", path + "Check")).data
    assert (after["currentVersion"], after["isUpdating"], after["needUpgrade"]) == (
        "1.1.0",
        False,
        False,
    )
    assert (await authed.status(pump))["firmware"] == "1.1.0"


async def test_ota_check_is_post_only(authed: Api, pump: str) -> None:
    assert (await authed.call("GET", f"v1/devices/{pump}/otaCheck")).status == 405


async def test_ota_update_needs_the_pump_online(
    authed: Api, pump: str, sim: MoogoCloudSimulator
) -> None:
    sim.offer_firmware(pump, "1.1.0")
    sim.set_online(pump, False)
    assert (await authed.call("POST", f"v1/devices/{pump}/otaUpdate")).code == 10201


# ----- faults and protocol -------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 500, 503])
async def test_http_status_fault(authed: Api, sim: MoogoCloudSimulator, status: int) -> None:
    sim.faults.http_status = status
    for path in ("v1/devices", "v1/liquid"):
        answer = await authed.call("GET", path)
        assert (answer.status, answer.code) == (status, status)
    sim.faults.http_status = None
    assert (await authed.call("GET", "v1/devices")).status == 200


async def test_http_429_carries_retry_after(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.http_status = 429
    sim.faults.retry_after = 120
    async with authed.http.get(sim.url + "v1/devices", headers={"token": authed.token}) as r:
        assert r.status == 429
        assert r.headers["Retry-After"] == "120"


async def test_html_error_page(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.html_error = True
    async with authed.http.get(sim.url + "v1/devices", headers={"token": authed.token}) as r:
        assert r.status == 522
        assert r.content_type == "text/html"
        assert "<html>" in await r.text()
        with pytest.raises(aiohttp.ContentTypeError):
            await r.json()


async def test_malformed_json(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    sim.faults.malformed_json = True
    async with authed.http.get(
        sim.url + f"v1/devices/{pump}", headers={"token": authed.token}
    ) as r:
        assert (r.status, r.content_type) == (200, "application/json")
        text = await r.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


async def test_delay(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.delay = 0.2
    started = time.monotonic()
    assert (await authed.call("GET", "v1/liquid")).code == 0
    assert time.monotonic() - started >= 0.2


async def test_hang_never_answers_and_stop_releases_it() -> None:
    sim = MoogoCloudSimulator()
    await sim.start()
    sim.faults.hang = True
    async with aiohttp.ClientSession() as http:
        with pytest.raises(TimeoutError):
            async with http.get(sim.url + "v1/liquid", timeout=aiohttp.ClientTimeout(total=0.2)):
                pass
        pending = asyncio.create_task(read_status(http, sim.url + "v1/liquid"))
        await asyncio.sleep(0.05)
        assert not pending.done()
        started = time.monotonic()
        await sim.stop()
        assert time.monotonic() - started < 1.5
        # Released by the shutdown: either a last 503 or a dropped connection, never data.
        try:
            status = await pending
        except aiohttp.ClientError:
            status = None
        assert status in {None, 503}


async def read_status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        await response.read()
        return response.status


async def test_requests_are_recorded(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    await authed.call("GET", f"v1/devices/{pump}", params={"x": 1})
    sim.faults.http_status = 500
    await authed.call("GET", "v1/devices")
    assert sim.requests == [
        ("POST", "/v1/user/login"),
        ("GET", f"/v1/devices/{pump}"),
        ("GET", "/v1/devices"),
    ]


async def test_unknown_route_and_bad_body(authed: Api, pump: str) -> None:
    missing = await authed.call("GET", "v1/nothing-here")
    assert (missing.status, missing.code) == (404, 404)
    async with authed.http.post(
        authed.sim.url + f"v1/devices/{pump}/start",
        data="{not json",
        headers={"token": authed.token, "Content-Type": "application/json"},
    ) as r:
        assert r.status == 200
        assert (await r.json())["code"] == 500


# ----- demo scenario and command line ------------------------------------------------------------


async def test_scenario_plays_the_story() -> None:
    sim = MoogoCloudSimulator(devices=2)
    pump = sim.device_ids[0]
    seen: set[tuple[str, int]] = set()
    story = asyncio.create_task(sim.run_scenario(step=0.02))
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and len(seen) < 6:
            status = sim.device(pump)
            seen.update((key, status[key]) for key in ("runStatus", "liquid_level", "onlineStatus"))
            await asyncio.sleep(0.005)
    finally:
        story.cancel()
        with pytest.raises(asyncio.CancelledError):
            await story
    assert seen == {
        (key, value) for key in ("runStatus", "liquid_level", "onlineStatus") for value in (0, 1)
    }
    assert [(item["hour"], item["minute"]) for item in sim.schedules(pump)] == [(19, 30)]
    # The story's spray lasts two beats, at least five seconds.
    assert sim.device(pump)["latestSprayingDuration"] == 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_command_line_serves_until_interrupted() -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulators.moogo",
        "--port",
        str(port),
        "--email",
        "cli@example.com",
        "--password",
        "cli-secret",
        "--devices",
        "3",
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 20)
        assert f"http://127.0.0.1:{port}/" in banner.decode()
        url = f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http:
            login = {"email": "cli@example.com", "password": "cli-secret", "keep": True}
            async with http.post(url + "v1/user/login", json=login) as r:
                token = (await r.json())["data"]["token"]
            async with http.get(url + "v1/devices", headers={"token": token}) as r:
                assert (await r.json())["data"]["total"] == 3
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
