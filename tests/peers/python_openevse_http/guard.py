"""python-openevse-http against our OpenEVSE simulator, through the library's public calls.

Every call that works against real firmware must work against the simulator too. Each check
runs on a fresh simulator (own port, own session) and asserts what a real charger would show
afterwards, so a check fails when either the simulator or the peer is wrong. Bugs of the peer
itself (documented in the reference notes) are expected failures carrying their reason, never
a reason to bend the simulator. Run through ``scripts/peers`` (its own environment).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

from openevsehttp.__main__ import OpenEVSE  # noqa: E402

from tests.peers.harness import PeerGuard  # noqa: E402
from tests.simulators.openevse import CLIENT_MANUAL, ChargerSimulator  # noqa: E402

VERSION = installed_version("python-openevse-http")
PEER_CLIENT = 20  # the library's default claim client id
guard = PeerGuard(peer="python-openevse-http", version=VERSION)


def _at_least(wanted: str) -> bool:
    return tuple(int(part) for part in VERSION.split(".")[:3]) >= tuple(
        int(part) for part in wanted.split(".")
    )


@contextlib.asynccontextmanager
async def charger(
    profile: str = "v5", *, username: str | None = None, password: str | None = None, **kw: Any
) -> AsyncIterator[tuple[ChargerSimulator, OpenEVSE]]:
    """A fresh simulator and a peer client that has read it once (``update()``)."""
    sim = ChargerSimulator(profile=profile, username=username, password=password, tick=0.05, **kw)
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = OpenEVSE(f"127.0.0.1:{sim.port}", user=username, pwd=password, session=session)
            await client.update()
            try:
                yield sim, client
            finally:
                await client.ws_disconnect()
    finally:
        await sim.stop()


async def eventually(condition: Callable[[], bool], what: str, within: float = 5.0) -> None:
    """Wait until ``condition()`` holds (push and reboots take a moment)."""
    try:
        async with asyncio.timeout(within):
            while not condition():  # noqa: ASYNC110 - state of another task, no event to await
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"{what} within {within} s") from None


def check(
    name: str, *, expected_failure: str | None = None, when: bool = True
) -> Callable[[Callable[[], Awaitable[None]]], Callable[[], Awaitable[None]]]:
    """Register a check (``when`` False: the peer version lacks the call)."""

    def register(run: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
        if when:
            guard.check(name, expected_failure=expected_failure)(run)
        return run

    return register


# --------------------------------------------------------------------- reading the charger


@check("test_and_get")
async def _test_and_get() -> None:
    async with charger() as (sim, client):
        identity = await client.test_and_get()
        assert identity == {"serial": sim.serial, "model": "openevse_wifi_v1"}, identity


@check("update reads status and config")
async def _update() -> None:
    async with charger() as (sim, client):
        assert client.wifi_serial == sim.serial
        assert client.wifi_firmware == "v5.1.5"
        assert client.openevse_firmware == sim.config["firmware"]
        assert client.state == "not connected", client.state
        assert client.status == "active", client.status
        assert client.max_current_soft == sim.config["max_current_soft"]
        assert client.min_amps == 6
        assert client.max_amps == 32
        assert str(client.service_level) == "2"
        assert client.usage_total == sim.status["total_energy"]


@check("update with HTTP auth")
async def _update_auth() -> None:
    async with charger(username="admin", password="secret") as (sim, client):
        assert client.wifi_serial == sim.serial


@check("wrong password raises AuthenticationError")
async def _wrong_password() -> None:
    from openevsehttp.exceptions import AuthenticationError

    sim = ChargerSimulator(username="admin", password="secret", tick=0.05)
    await sim.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = OpenEVSE(f"127.0.0.1:{sim.port}", user="admin", pwd="nope", session=session)
            try:
                await client.update()
            except AuthenticationError:
                return
            raise AssertionError("no AuthenticationError")
    finally:
        await sim.stop()


@check("charging readings")
async def _charging_readings() -> None:
    async with charger() as (sim, client):
        await sim.start_charging()
        await asyncio.sleep(0.2)
        sim.tick = 3600.0  # hold the readings still: the ticker sleeps out its last short tick
        await asyncio.sleep(0.1)
        await client.update(force_status=True)
        assert client.state == "charging", client.state
        assert client.charging_current == sim.status["amp"]  # raw mA on ESP32 firmware
        assert client.current_power == int(sim.status["power"])
        assert client.vehicle is True or client.vehicle == 1
        assert client.ambient_temperature == sim.status["temp"] / 10


@check("websocket pushes deltas")
async def _websocket() -> None:
    async with charger() as (sim, client):
        seen: list[int] = []
        client.callback = lambda: seen.append(1)
        await client.ws_start()
        await eventually(lambda: client.ws_state == "connected", "never connected")
        await sim.start_charging()
        await eventually(lambda: client.state == "charging", "no pushed state")
        assert seen


@check("websocket version bump refetches config")
async def _websocket_version() -> None:
    async with charger() as (sim, client):
        await client.ws_start()
        await eventually(lambda: client.ws_state == "connected", "never connected")
        await sim.update_config(max_current_soft=20)
        await eventually(lambda: client.max_current_soft == 20, "config not refetched")


@check("websocket reconnects after a gateway reboot")
async def _websocket_reboot() -> None:
    async with charger() as (sim, client):
        await client.ws_start()
        await eventually(lambda: sim.ws_connections == 1, "never connected")
        await sim.reboot(downtime=0.1)
        # The library waits 5 s after a clean close, longer after errors.
        await eventually(lambda: sim.ws_handshakes >= 2, "no reconnect", within=25)


# --------------------------------------------------------------------- override and claims


@check("set_override / get_override / clear_override")
async def _override() -> None:
    async with charger() as (sim, client):
        await client.set_override(state="disabled", charge_current=10)
        manual = sim.claims.claims[CLIENT_MANUAL]
        assert manual.properties == {"state": "disabled", "charge_current": 10}
        assert sim.status["state"] == 254
        got = await client.get_override()
        assert got["state"] == "disabled", got
        assert got["charge_current"] == 10, got
        await client.clear_override()
        assert CLIENT_MANUAL not in sim.claims.claims


@check("toggle_override")
async def _toggle() -> None:
    async with charger() as (sim, client):
        await client.toggle_override()
        assert sim.claims.claims[CLIENT_MANUAL].properties == {"state": "disabled"}
        await client.toggle_override()
        assert CLIENT_MANUAL not in sim.claims.claims


@check("set_current")
async def _set_current() -> None:
    async with charger() as (sim, client):
        await client.set_current(16)
        assert sim.claims.claims[CLIENT_MANUAL].properties.get("charge_current") == 16
        assert sim.status["pilot"] == 16


@check("get_override_state")
async def _override_state() -> None:
    async with charger() as (_sim, client):
        assert await client.get_override_state() == "auto"
        await client.set_override(state="active")
        assert await client.get_override_state() == "active"


@check("make_claim / list_claims / release_claim")
async def _claims() -> None:
    async with charger() as (sim, client):
        await client.make_claim(state="active", charge_current=12)
        claim = sim.claims.claims[PEER_CLIENT]
        assert claim.priority == 500
        assert claim.properties["charge_current"] == 12
        listed = await client.list_claims()
        assert any(item["client"] == PEER_CLIENT for item in listed), listed
        target = await client.list_claims(target=True)
        assert target["properties"]["charge_current"] == 12, target
        assert target["claims"]["charge_current"] == PEER_CLIENT, target
        await client.release_claim()
        assert PEER_CLIENT not in sim.claims.claims


@check("get_charge_current")
async def _charge_current() -> None:
    async with charger() as (_sim, client):
        await client.make_claim(charge_current=14)
        assert await client.get_charge_current() == 14


# --------------------------------------------------------------------- limits


@check("set_limit / get_limit / clear_limit", when=_at_least("1.0.0"))
async def _limit() -> None:
    async with charger() as (sim, client):
        await client.set_limit("energy", 5000)
        assert sim.limit is not None
        assert sim.limit["value"] == 5000
        got = await client.get_limit()
        assert got["type"] == "energy", got
        await client.clear_limit()
        assert sim.limit is None


@check(
    "set_limit honours release=False",
    expected_failure="the library sends the flag as 'release'; the firmware reads "
    "'auto_release' (limit.cpp), so the limit keeps auto-releasing",
)
async def _limit_release() -> None:
    async with charger() as (sim, client):
        await client.set_limit("time", 60, release=False)
        assert sim.limit is not None
        assert sim.limit["auto_release"] is False, sim.limit


# --------------------------------------------------------------------- divert, shaper, config


@check("set_divert_mode eco and fast")
async def _divert_mode() -> None:
    async with charger() as (sim, client):
        await client.set_divert_mode("eco")
        assert sim.status["divertmode"] == 2
        await client.set_divert_mode("fast")
        assert sim.status["divertmode"] == 1


@check("divert_mode toggles divert_enabled")
async def _divert_toggle() -> None:
    async with charger() as (sim, client):
        await client.divert_mode()
        assert sim.config["divert_enabled"] is True


@check("set_charge_mode")
async def _charge_mode() -> None:
    async with charger() as (sim, client):
        await client.set_charge_mode("eco")
        assert sim.config["charge_mode"] == "eco"


@check("set_service_level")
async def _service_level() -> None:
    async with charger() as (sim, client):
        await client.set_service_level(1)
        assert sim.config["service"] == 1


@check("set_shaper / toggle_shaper")
async def _shaper() -> None:
    async with charger() as (sim, client):
        await client.set_shaper(True)
        assert sim.status["shaper"] == 1
        await client.update(force_status=True)
        await client.toggle_shaper()
        assert sim.status["shaper"] == 0


@check("set_led_brightness")
async def _led() -> None:
    async with charger() as (sim, client):
        await client.set_led_brightness(60)
        assert sim.config["led_brightness"] == 60


@check("set_mqtt_vehicle_range_miles")
async def _range_miles() -> None:
    async with charger() as (sim, client):
        await client.set_mqtt_vehicle_range_miles(True)
        assert sim.config["mqtt_vehicle_range_miles"] is True


@check(
    "temp_check_enabled reads the ESP32 key",
    expected_failure="the library reads the ESP8266 key 'tempt'; ESP32 firmware reports "
    "'temp_check', so the property is always False",
)
async def _temp_check() -> None:
    async with charger() as (sim, client):
        assert sim.config["temp_check"] is True
        assert client.temp_check_enabled is True


# --------------------------------------------------------------------- sensor feeds (POST /status)


@check("grid_voltage")
async def _grid_voltage() -> None:
    async with charger() as (sim, client):
        await client.grid_voltage(231)
        assert sim.status["voltage"] == 231


@check("self_production grid and solar")
async def _self_production() -> None:
    async with charger() as (sim, client):
        await client.self_production(grid=-1500, solar=None)
        assert sim.status["grid_ie"] == 1500  # the library inverts grid by default
        await client.self_production(grid=None, solar=2200)
        assert sim.status["solar"] == 2200


@check("soc with vehicle_data_src HTTP")
async def _soc() -> None:
    async with charger() as (sim, client):
        await sim.update_config(vehicle_data_src=3)
        await client.soc(battery_level=55, battery_range=210, time_to_full=3600)
        assert sim.status["battery_level"] == 55
        assert sim.status["battery_range"] == 210


@check("set_shaper_live_pwr")
async def _shaper_live() -> None:
    async with charger() as (sim, client):
        await client.set_shaper_live_pwr(3400)
        assert sim.status["shaper_live_pwr"] == 3400


# --------------------------------------------------------------------- RAPI and restarts


@check("send_command $GV")
async def _rapi() -> None:
    async with charger() as (sim, client):
        cmd, ret = await client.send_command("$GV")
        assert cmd == "$GV", cmd
        assert ret.startswith("$OK " + sim.config["firmware"]), ret


@check(
    "restart_wifi",
    expected_failure=None
    if _at_least("1.6.0")
    else "1.5.0 wants 'result: OK' or 'success: true', which no firmware sends; it raises "
    "after the gateway has already been told to reboot",
)
async def _restart_wifi() -> None:
    async with charger() as (sim, client):
        try:
            await client.restart_wifi()
        finally:
            await eventually(lambda: not sim.online, "gateway did not reboot")
            await eventually(lambda: sim.online, "gateway did not come back")


@check("restart_evse")
async def _restart_evse() -> None:
    async with charger() as (sim, client):
        await client.restart_evse()
        await eventually(lambda: sim.status["state"] == 0, "controller did not restart")
        assert sim.online


@check("restart_evse on 4.x firmware (RAPI $FR)")
async def _restart_evse_v4() -> None:
    async with charger("v4") as (sim, client):
        await client.restart_evse()
        await eventually(lambda: sim.status["state"] == 0, "controller did not restart")


# --------------------------------------------------------------------- schedule


@check(
    "get_schedule",
    expected_failure=None
    if _at_least("1.6.0")
    else "1.5.0 reads the schedule with POST, which the firmware takes as a schedule write "
    "with an empty body (400 Could not parse JSON)",
)
async def _schedule() -> None:
    async with charger() as (sim, client):
        events = await client.get_schedule()
        assert events == sim.schedule, events


# --------------------------------------------------------------------- firmware updates

IMAGE = b"\xe9" + bytes(4095)  # an ESP32 app image starts with 0xE9


@contextlib.asynccontextmanager
async def image_server() -> AsyncIterator[str]:
    """A loopback server holding a firmware image, standing in for GitHub's download URL."""
    from aiohttp import web

    app = web.Application()
    app.router.add_get("/firmware.bin", lambda _request: _image_response())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/firmware.bin"
    finally:
        await runner.cleanup()


async def _image_response() -> Any:
    from aiohttp import web

    return web.Response(body=IMAGE)


@check(
    "update_firmware upload, progress over the websocket", when=hasattr(OpenEVSE, "update_firmware")
)
async def _update_upload() -> None:
    async with charger(restart_delay=0.05, restart_downtime=0.1) as (sim, client):
        await client.ws_start()
        await eventually(lambda: client.ws_state == "connected", "never connected")
        reply = await client.update_firmware(firmware_bytes=IMAGE)
        assert reply in ("OK", {"msg": "OK"}), reply
        await eventually(lambda: sim.reboots == 1, "no reboot after the update")
        # Not checked: the library's ota_update flag. The websocket says "completed" before
        # the upload's "OK" arrives (the firmware's order), and the library sets the flag on
        # that "OK", so it stays set until a later full status clears it.


@check("update_firmware from a URL", when=hasattr(OpenEVSE, "update_firmware"))
async def _update_url() -> None:
    async with (
        image_server() as url,
        charger(restart_delay=0.05, restart_downtime=0.1) as (
            sim,
            client,
        ),
    ):
        reply = await client.update_firmware(firmware_url=url)
        assert reply == {"msg": "started"}, reply
        await eventually(lambda: sim.reboots == 1, "no reboot after the update")


# --------------------------------------------------------------------- 1.9 additions


_NEW = hasattr(OpenEVSE, "get_logs")


@check("get_time / set_time", when=_NEW)
async def _time() -> None:
    async with charger() as (sim, client):
        clock = await client.get_time()
        assert set(clock) >= {"time", "local_time", "offset"}, clock
        await client.set_time("2030-01-02T03:04:05Z", timezone_str="UTC|UTC0", sntp=False)
        assert sim.time_fields()["time"].startswith("2030-01-02T03:04")
        assert sim.config["time_zone"] == "UTC|UTC0"


@check(
    "sync_time",
    when=_NEW,
    expected_failure="POST /time {sync_now} is not a 5.1.5 request: the firmware reads SNTP "
    'off and no time, answers 400 and stores the time zone as "null"',
)
async def _sync_time() -> None:
    async with charger() as (_sim, client):
        await client.sync_time()


@check("set_schedule / delete_schedule / get_schedule_plan", when=_NEW)
async def _schedule_writes() -> None:
    async with charger() as (sim, client):
        event = {"id": 7, "state": "active", "time": "23:15", "days": ["sunday"]}
        await client.set_schedule(event)
        assert {item["id"] for item in sim.schedule} == {7}
        await client.set_schedule({"state": "disabled", "time": "06:00", "days": ["sunday"]}, 7)
        assert next(item for item in sim.schedule if item["id"] == 7)["state"] == "disabled"
        plan = await client.get_schedule_plan()
        assert "current_day" in plan
        await client.delete_schedule(7)
        assert sim.schedule == []


@check("get_logs", when=_NEW)
async def _logs() -> None:
    async with charger() as (sim, client):
        await sim.start_charging()
        bounds = await client.get_logs()
        assert bounds == {"min": 0, "max": 0}, bounds
        entries = await client.get_logs(0)
        assert entries[-1]["evseState"] == 3, entries


@check("reset_energy_meter", when=_NEW)
async def _emeter() -> None:
    async with charger() as (sim, client):
        await sim.update_status(session_energy=50.0)
        await client.reset_energy_meter()
        assert sim.status["session_energy"] == 0


@check(
    "add_rfid_tag",
    when=_NEW,
    expected_failure='the firmware answers {"msg":"Waiting for badge"}, which the library '
    "does not count as success",
)
async def _rfid() -> None:
    async with charger() as (_sim, client):
        await client.add_rfid_tag()


guard_main = guard.main

if __name__ == "__main__":
    logging.basicConfig(level=logging.CRITICAL)
    guard_main()
