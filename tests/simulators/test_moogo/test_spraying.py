"""Spray start and stop: acknowledgement, the delayed runStatus flip, refusals."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import CONFIRM, Api, FakeClock


@pytest.mark.parametrize("body", [{"mode": "normal"}, {}, None])
async def test_start_is_acknowledged_then_confirmed_later(
    authed: Api, pump: str, clock: FakeClock, body: dict[str, str] | None
) -> None:
    started_at = clock.now
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    answer = await authed.call("POST", f"v1/devices/{pump}/start", **kwargs)
    assert (answer.status, answer.code, answer.data) == (200, 0, {"code": 0})
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


@pytest.mark.parametrize("mode", ["manual", "schedule", "normal", "turbo", "", 7, None])
async def test_any_spray_mode_is_accepted(
    authed: Api, pump: str, clock: FakeClock, mode: object
) -> None:
    # The HACS integration's v1 client saw "manual" and "schedule" accepted live; nothing
    # shows the cloud checks the value at all.
    start = await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": mode})
    assert (start.status, start.code, start.data) == (200, 0, {"code": 0})
    clock.tick(CONFIRM)
    assert (await authed.status(pump))["runStatus"] == 1
    stop = await authed.call("POST", f"v1/devices/{pump}/stop", json={"mode": mode})
    assert (stop.status, stop.code, stop.data) == (200, 0, {"code": 0})
    clock.tick(CONFIRM)
    assert (await authed.status(pump))["runStatus"] == 0


async def test_weather_stops_do_not_hold_back_a_manual_start(
    authed: Api, pump: str, sim: MoogoCloudSimulator, clock: FakeClock
) -> None:
    sim.set_weather(pump, rain=True, snow=True, wind=True)
    sim.set_temperature(pump, 9)  # below stopTemperature (10), above the cold lock (8)
    assert (
        await authed.call("POST", f"v1/devices/{pump}/start", json={"mode": "normal"})
    ).code == 0
    clock.tick(CONFIRM)
    assert (await authed.status(pump))["runStatus"] == 1


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
