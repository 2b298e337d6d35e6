"""Peer guard: pymoogo 0.1.3, through its public calls, against our Moogo cloud simulator.

Every call that pymoogo's maintainers ran against the live cloud (reference
``moogo-api.md`` sections 2.1 and 5, pymoogo's integration tests) must work against the
simulator too: if one fails here, the simulator has drifted from the cloud, not pymoogo.
pymoogo's own bugs (reference section 5) are checks marked as expected failures: each
asserts what a correct client would see and raises :class:`KnownPeerBugError` when pymoogo shows the
documented symptom instead. An expected failure that passes, or that fails any other way, is
reported as failed, so the list stays honest.

Run by the peer runner in an environment holding ``requirements-0.1.3.txt``, with the
repository root as working directory and on ``PYTHONPATH``. Prints one line per check, then, as
its last line, the JSON summary; exits 0 only when no check failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # run directly rather than by the peer runner
    sys.path.insert(0, str(REPO_ROOT))

from pymoogo import (  # noqa: E402
    MoogoAPIError,
    MoogoAuthError,
    MoogoClient,
    MoogoDeviceError,
    MoogoRateLimitError,
)

from tests.peers.pymoogo.adapter import peer_client, simulator  # noqa: E402
from tests.simulators.moogo import MoogoCloudSimulator  # noqa: E402

PEER = "pymoogo"
PINNED = "0.1.3"
CHECK_TIMEOUT = 60.0


class KnownPeerBugError(AssertionError):
    """pymoogo showed the symptom of one of its documented bugs."""


class ShiftedClock:
    """The simulator's clock: wall time plus an offset a check can jump forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class World:
    """One check's own simulator, session and pymoogo client."""

    sim: MoogoCloudSimulator
    session: aiohttp.ClientSession
    client: MoogoClient
    clock: ShiftedClock

    @property
    def pump(self) -> str:
        return self.sim.device_ids[0]

    async def login(self) -> MoogoClient:
        await self.client.authenticate()
        return self.client


type CheckBody = Callable[[World], Awaitable[None]]


@dataclass(frozen=True)
class Check:
    name: str
    body: CheckBody
    peer_bug: str | None = None  # why this check is expected to fail, when it is


CHECKS: list[Check] = []


def check(name: str, *, peer_bug: str | None = None) -> Callable[[CheckBody], CheckBody]:
    def register(body: CheckBody) -> CheckBody:
        CHECKS.append(Check(name, body, peer_bug))
        return body

    return register


async def raises[E: BaseException](kind: type[E], call: Awaitable[object]) -> E:
    """Await ``call`` and return the ``kind`` error it raised; anything else fails the check."""
    try:
        outcome = await call
    except kind as err:
        return err
    raise AssertionError(f"expected {kind.__name__}, got the result {outcome!r}")


# ----- account and public data --------------------------------------------------------------


@check("authenticate")
async def _authenticate(world: World) -> None:
    session = await world.client.authenticate()
    assert session["token"], session
    assert session["user_id"] == world.sim.user_id
    assert world.client.is_authenticated
    assert world.sim.login_count == 1


@check("export_session and restore_session reuse the token without a login")
async def _restore(world: World) -> None:
    saved = (await world.login()).export_session()
    restored = peer_client(world.sim, world.session)
    try:
        restored.restore_session(saved)
        assert restored.is_authenticated
        assert [device.id for device in await restored.get_devices()] == world.sim.device_ids
    finally:
        await restored.close()
    assert world.sim.login_count == 1


@check("get_liquid_types without a login")
async def _liquid_types(world: World) -> None:
    liquids = await world.client.get_liquid_types()
    assert liquids, liquids
    assert all({"liquidName", "liquidConcentration"} <= set(item) for item in liquids)


@check("get_recommended_schedules without a login")
async def _recommended(world: World) -> None:
    plans = await world.client.get_recommended_schedules()
    assert plans, plans
    assert all({"id", "title", "schedules"} <= set(plan) for plan in plans)


@check("test_connection")
async def _test_connection(world: World) -> None:
    assert await world.client.test_connection() is True
    await world.login()
    assert await world.client.test_connection() is True


@check("wrong password raises MoogoAuthError (code 10104)")
async def _wrong_password(world: World) -> None:
    client = peer_client(world.sim, world.session, password="not-the-password")
    try:
        await raises(MoogoAuthError, client.authenticate())
    finally:
        await client.close()
    assert world.sim.login_count == 0


@check("the daily login cap raises MoogoRateLimitError (code 10000)")
async def _login_cap(world: World) -> None:
    cap = world.sim.faults.login_cap_after
    assert cap is not None, "the simulator's daily login cap should be on by default"
    for _ in range(cap):
        await world.client.authenticate()
    err = await raises(MoogoRateLimitError, world.client.authenticate())
    assert "Exceeded maximum login attempts today" in str(err)


@check("an expired token is replaced by one login after HTTP 401")
async def _reauthenticate(world: World) -> None:
    await world.login()
    world.sim.expire_tokens()
    status = await world.client.get_device_status(world.pump, force_refresh=True)
    assert status.device_id == world.pump
    assert world.sim.login_count == 2


# ----- devices ------------------------------------------------------------------------------


@check("get_devices")
async def _devices(world: World) -> None:
    devices = await (await world.login()).get_devices()
    assert [device.id for device in devices] == world.sim.device_ids
    assert [device.name for device in devices] == [
        world.sim.device(pump)["deviceName"] for pump in world.sim.device_ids
    ]


@check("get_device")
async def _device(world: World) -> None:
    device = await (await world.login()).get_device(world.pump)
    assert device.id == world.pump


@check("get_device_status")
async def _status(world: World) -> None:
    world.sim.set_temperature(world.pump, 27)
    world.sim.set_levels(world.pump, concentrate_low=True)
    status = await (await world.login()).get_device_status(world.pump, force_refresh=True)
    truth = world.sim.device(world.pump)
    assert status.is_online is True
    assert status.is_running is False
    assert (status.temperature, status.humidity, status.rssi) == (
        truth["temperature"],
        truth["humidity"],
        truth["rssi"],
    )
    assert (status.liquid_level, status.water_level) == (0, 1)
    assert status.firmware == truth["firmware"]


@check("get_device_status of an offline pump")
async def _offline_status(world: World) -> None:
    world.sim.set_online(world.pump, False)
    status = await (await world.login()).get_device_status(world.pump, force_refresh=True)
    assert status.is_online is False


@check("MoogoDevice.refresh and its readings")
async def _device_refresh(world: World) -> None:
    device = await (await world.login()).get_device(world.pump)
    await device.refresh()
    truth = world.sim.device(world.pump)
    assert device.is_online is True
    assert (device.temperature, device.humidity, device.rssi) == (
        truth["temperature"],
        truth["humidity"],
        truth["rssi"],
    )


# ----- spraying -----------------------------------------------------------------------------


async def _start_confirmed(world: World, mode: str | None) -> None:
    client = await world.login()
    # pymoogo's defaults (confirm within 10 s, poll every 1 s) against the simulator's default
    # confirm delay of 4 s, within the 3 to 5 s the live cloud takes.
    assert await client.start_spray(world.pump, mode=mode)
    assert world.sim.device(world.pump)["runStatus"] == 1
    starts = [request for request in world.sim.requests if request[1].endswith("/start")]
    assert len(starts) == 1, starts  # confirmed at the first attempt, not after a retry


@check("start_spray without a mode (body {})")
async def _start_plain(world: World) -> None:
    await _start_confirmed(world, None)


@check('start_spray with mode "manual"')
async def _start_manual(world: World) -> None:
    await _start_confirmed(world, "manual")


@check('start_spray with mode "schedule"')
async def _start_schedule(world: World) -> None:
    await _start_confirmed(world, "schedule")


@check("stop_spray")
async def _stop(world: World) -> None:
    await _start_confirmed(world, None)
    assert await world.client.stop_spray(world.pump)
    assert world.sim.device(world.pump)["runStatus"] == 0


@check("an offline pump's start is refused with MoogoDeviceError (code 10201)")
async def _offline_start(world: World) -> None:
    # Through the low-level request: start_spray would retry it five times over ~30 s.
    world.sim.set_online(world.pump, False)
    api = (await world.login()).api
    err = await raises(
        MoogoDeviceError, api.request("POST", f"v1/devices/{world.pump}/start", json={})
    )
    assert "offline" in str(err).lower()


@check("a cold pump's start is refused (code 10202)")
async def _cold_start(world: World) -> None:
    world.sim.set_temperature(world.pump, 5)
    api = (await world.login()).api
    err = await raises(
        MoogoAPIError, api.request("POST", f"v1/devices/{world.pump}/start", json={})
    )
    assert "10202" in str(err)
    assert world.sim.device(world.pump)["runStatus"] == 0


# ----- schedules ----------------------------------------------------------------------------


async def _one_schedule(world: World) -> str:
    client = await world.login()
    assert await client.create_schedule(world.pump, hour=6, minute=15, duration=45)
    (schedule,) = await client.get_device_schedules(world.pump)
    return schedule.id


@check("create_schedule and get_device_schedules")
async def _create_schedule(world: World) -> None:
    client = await world.login()
    assert await client.create_schedule(
        world.pump, hour=19, minute=30, duration=60, repeat_set="1,3,5", enabled=False
    )
    (schedule,) = await client.get_device_schedules(world.pump)
    assert (schedule.hour, schedule.minute, schedule.duration) == (19, 30, 60)
    assert (schedule.repeat_set, schedule.is_enabled) == ("1,3,5", False)
    assert world.sim.schedules(world.pump)[0]["id"] == schedule.id


@check("update_schedule with all five fields")
async def _update_schedule(world: World) -> None:
    schedule_id = await _one_schedule(world)
    assert await world.client.update_schedule(
        world.pump,
        schedule_id,
        hour=7,
        minute=5,
        duration=90,
        repeat_set="0,6",
        enabled=False,
    )
    (row,) = world.sim.schedules(world.pump)
    assert (row["hour"], row["minute"], row["duration"], row["repeatSet"], row["status"]) == (
        7,
        5,
        90,
        "0,6",
        0,
    )


@check("disable_schedule and enable_schedule (PUT)")
async def _toggle_schedule(world: World) -> None:
    schedule_id = await _one_schedule(world)
    assert await world.client.disable_schedule(world.pump, schedule_id)
    assert world.sim.schedules(world.pump)[0]["status"] == 0
    assert await world.client.enable_schedule(world.pump, schedule_id)
    assert world.sim.schedules(world.pump)[0]["status"] == 1


@check("skip_schedule (PUT)")
async def _skip_schedule(world: World) -> None:
    schedule_id = await _one_schedule(world)
    assert await world.client.skip_schedule(world.pump, schedule_id)
    assert world.sim.schedules(world.pump)[0]["is_skip"] is True


@check("disable_all_schedules and enable_all_schedules")
async def _master_switch(world: World) -> None:
    await _one_schedule(world)
    assert await world.client.disable_all_schedules(world.pump)
    assert world.sim.schedules(world.pump)[0]["nextSprayingTime"] == 0
    assert await world.client.enable_all_schedules(world.pump)
    assert world.sim.schedules(world.pump)[0]["nextSprayingTime"] > 0


@check("delete_schedule")
async def _delete_schedule(world: World) -> None:
    schedule_id = await _one_schedule(world)
    assert await world.client.delete_schedule(world.pump, schedule_id)
    assert world.sim.schedules(world.pump) == []


# ----- configuration, history, firmware -----------------------------------------------------


@check("get_device_config")
async def _config(world: World) -> None:
    config = await (await world.login()).get_device_config(world.pump)
    assert config == world.sim.config(world.pump)


@check("set_device_config with the app's keys")
async def _set_config(world: World) -> None:
    client = await world.login()
    changes = {"sprayingSeconds": 75, "liquidName": "Natural Botanical", "liquidConcentration": 60}
    assert await client.set_device_config(world.pump, changes)
    config = world.sim.config(world.pump)
    assert {key: config[key] for key in changes} == changes


@check("set_device_config of an echoed GET body is refused (syncStatus is not writable)")
async def _echoed_config(world: World) -> None:
    client = await world.login()
    echoed = await client.get_device_config(world.pump)
    err = await raises(MoogoAPIError, client.set_device_config(world.pump, echoed))
    assert "syncStatus" in str(err)


@check("get_device_logs over a date range")
async def _logs(world: World) -> None:
    world.sim.start_scheduled_spray(world.pump, 40)
    world.clock.advance(40)
    zone = ZoneInfo(str(world.sim.config(world.pump)["timeZone"]))
    today = datetime.fromtimestamp(world.sim.now(), zone).date()
    logs = await (await world.login()).get_device_logs(
        world.pump,
        start_date=(today - timedelta(days=1)).isoformat(),
        end_date=today.isoformat(),
    )
    assert logs["total"] == 1, logs
    (row,) = logs["items"]
    assert row["seconds"] == 40
    assert set(row) == {"id", "createdAt", "seconds"}


@check("check_firmware_update (POST otaCheck)")
async def _ota_check(world: World) -> None:
    world.sim.offer_firmware(world.pump, "1.2.0", "Quieter start")
    info = await (await world.login()).check_firmware_update(world.pump)
    assert info["needUpgrade"] is True
    assert info["version"]["code"] == "1.2.0"


@check("trigger_firmware_update")
async def _ota_update(world: World) -> None:
    world.sim.offer_firmware(world.pump, "1.2.0")
    client = await world.login()
    assert await client.trigger_firmware_update(world.pump)
    assert (await client.check_firmware_update(world.pump))["isUpdating"] is True


# ----- pymoogo's own bugs (expected failures) -----------------------------------------------


@check(
    "a duplicate schedule time is reported as a refused schedule, not as the login cap",
    peer_bug="pymoogo maps every code 10000 to MoogoRateLimitError, so the cloud's duplicate-"
    "schedule refusal ('already exists', code 10000) reads as the daily login cap "
    "(reference 2.1 row 9, section 4)",
)
async def _duplicate_schedule(world: World) -> None:
    await _one_schedule(world)
    err = await raises(
        MoogoAPIError, world.client.create_schedule(world.pump, hour=6, minute=15, duration=30)
    )
    assert "already exists" in str(err)
    if isinstance(err, MoogoRateLimitError):
        raise KnownPeerBugError(f"reported as {type(err).__name__}: {err}")


@check(
    "MoogoDevice.refresh(force=True) reads the pump's live status",
    peer_bug="MoogoDevice.refresh ignores force and reads through the client's 30 s status "
    "cache, so it can return a status up to 30 s old (reference 5.2)",
)
async def _forced_refresh(world: World) -> None:
    device = await (await world.login()).get_device(world.pump)
    await device.refresh()
    world.sim.set_temperature(world.pump, 31)
    status = await device.refresh(force=True)
    if status.temperature != 31:
        raise KnownPeerBugError(
            f"refresh(force=True) returned {status.temperature} degC, the pump says 31"
        )


@check(
    "a request that times out raises MoogoAPIError",
    peer_bug="pymoogo catches aiohttp.ClientError only; asyncio's TimeoutError escapes raw "
    "(reference 5.1)",
)
async def _timeout(world: World) -> None:
    # Log in with the ordinary client, so only the slow request meets the short timeout.
    saved = (await world.login()).export_session()
    client = peer_client(world.sim, world.session, timeout=1)
    try:
        client.restore_session(saved)
        world.sim.faults.delay = 2.0
        try:
            await client.get_device_status(world.pump, force_refresh=True)
        except MoogoAPIError:
            return
        except TimeoutError as err:
            raise KnownPeerBugError(f"{type(err).__name__} escaped") from err
        raise AssertionError("the slow request did not fail")
    finally:
        world.sim.faults.delay = 0
        await client.close()


# ----- runner -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def world() -> AsyncIterator[World]:
    """A fresh simulator (its defaults: one pump, the login cap, the 4 s confirm delay), a
    session and a pymoogo client."""
    clock = ShiftedClock()
    async with (
        simulator(clock=clock) as sim,
        aiohttp.ClientSession() as session,
    ):
        client = peer_client(sim, session)
        try:
            yield World(sim, session, client, clock)
        finally:
            await client.close()


@dataclass
class Summary:
    passed: list[str] = field(default_factory=list)
    expected_failures: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    line: str  # what to print
    passed: bool = False
    expected_failure: str | None = None  # the documented reason
    error: str | None = None


async def run_check(item: Check) -> Outcome:
    """Run one check in its own world and judge its outcome."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), world() as state:
            await item.body(state)
    except KnownPeerBugError as err:
        if item.peer_bug is not None:
            return Outcome(f"XFAIL {item.name}: {err}", expected_failure=item.peer_bug)
        return Outcome(f"FAIL  {item.name}: {err}", error=f"KnownPeerBugError: {err}")
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
        return Outcome(f"FAIL  {item.name}: {error}", error=error)
    if item.peer_bug is not None:
        error = f"expected to fail ({item.peer_bug}) but passed"
        return Outcome(f"FAIL  {item.name}: {error}", error=error)
    return Outcome(f"PASS  {item.name}", passed=True)


def file(item: Check, outcome: Outcome, summary: Summary) -> None:
    if outcome.passed:
        summary.passed.append(item.name)
    elif outcome.expected_failure is not None:
        summary.expected_failures.append({"check": item.name, "reason": outcome.expected_failure})
    else:
        summary.failed.append({"check": item.name, "error": outcome.error or "unknown"})


async def main() -> int:
    logging.getLogger("pymoogo").setLevel(logging.CRITICAL)  # it logs its retries loudly
    installed = version("pymoogo")
    summary = Summary()
    if installed != PINNED:
        summary.failed.append(
            {"check": "pymoogo version", "error": f"{installed} installed, {PINNED} pinned"}
        )
    # Every check has its own simulator, so they run side by side (the confirm waits overlap).
    outcomes = await asyncio.gather(*(run_check(item) for item in CHECKS))
    for item, outcome in zip(CHECKS, outcomes, strict=True):
        print(outcome.line)
        file(item, outcome, summary)
    print(
        f"{len(summary.passed)} passed, {len(summary.expected_failures)} expected failures, "
        f"{len(summary.failed)} failed"
    )
    print(
        json.dumps(
            {
                "peer": PEER,
                "version": installed,
                "passed": summary.passed,
                "expected_failures": summary.expected_failures,
                "failed": summary.failed,
            }
        ),
        flush=True,
    )
    return 0 if not summary.failed else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
