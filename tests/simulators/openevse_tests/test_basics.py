"""Wire facts of the OpenEVSE simulator, checked with a plain aiohttp client: the basics."""

from __future__ import annotations

import asyncio
import json
import socket
import sys

import aiohttp
import pytest

from tests.simulators.openevse import (
    CLIENT_MANUAL,
    FIRMWARE_VERSIONS,
    UNKNOWN_STATE_CODE,
    ChargerFaults,
    ChargerSimulator,
)

from .helpers import AUTH, TICK
from .helpers import json_request as _json
from .helpers import next_with as _next_with
from .helpers import until as _until

# ---------------------------------------------------------------- status, config, profiles


async def test_status_units_and_field_set(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    status, body = await _json(session, "GET", f"{sim.url}/status")
    assert status == 200
    assert body["state"] == 1
    assert body["status"] == "active"
    assert body["amp"] == 0
    assert body["temp1"] is False
    assert isinstance(body["temp"], int)  # tenths of a degree
    assert body["time"].endswith("Z")
    for key in ("power", "limit", "limit_version", "uptime", "claims_version", "override_version"):
        assert key in body


@pytest.mark.parametrize("profile", ["v5", "v4", "dev"])
async def test_profiles(profile: str, session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(profile=profile, tick=TICK) as sim:
        _, config = await _json(session, "GET", f"{sim.url}/config")
        _, status = await _json(session, "GET", f"{sim.url}/status")
        async with session.get(f"{sim.url}/limit") as response:
            limit_status = response.status
    assert config["version"] == FIRMWARE_VERSIONS[profile]
    if profile == "v4":
        assert "power" not in status
        assert "limit_version" not in status
        assert "wh" in status
        assert limit_status == 404
    else:
        assert "power" in status
        assert limit_status == 200
    assert ("littlefs_free" in status) is (profile == "dev")


async def test_unknown_profile_rejected() -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        ChargerSimulator(profile="v9")


async def test_post_status_feeds(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    feed = {"voltage": 231, "solar": 4200, "grid_ie": -900, "shaper_live_pwr": 3100}
    status, echo = await _json(session, "POST", f"{sim.url}/status", json=feed)
    assert (status, echo) == (200, feed)
    assert sim.status["voltage"] == 231
    assert sim.status["solar"] == 4200
    assert sim.status["grid_ie"] == 0  # solar wins when both are sent
    assert sim.status["shaper_live_pwr"] == 3100
    await _json(session, "POST", f"{sim.url}/status", json={"voltage": 20})
    assert sim.status["voltage"] == 231  # outside 60-300 V: ignored
    # Vehicle data only with vehicle_data_src == 3 (HTTP).
    await _json(session, "POST", f"{sim.url}/status", json={"battery_level": 55})
    assert "battery_level" not in sim.status
    sim.config["vehicle_data_src"] = 3
    _, echo = await _json(session, "POST", f"{sim.url}/status", json={"battery_level": 55})
    assert echo == {"battery_level": 55, "vehicle_state_update": 0}
    assert sim.status["battery_level"] == 55
    status, body = await _json(session, "POST", f"{sim.url}/status", data="{nope")
    assert (status, body) == (400, {"msg": "Could not parse JSON"})
    status, body = await _json(session, "PUT", f"{sim.url}/status", json={})
    assert (status, body) == (405, {"msg": "Method not allowed"})


async def test_config_write_and_version(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    _, config = await _json(session, "GET", f"{sim.url}/config")
    assert config["pass"] == "_DUMMY_PASSWORD"
    assert config["mqtt_pass"] == ""
    before = sim.status["config_version"]
    status, body = await _json(session, "POST", f"{sim.url}/config", json={"led_brightness": 40})
    assert (status, body) == (200, {"config_version": before + 1, "msg": "done"})
    _, body = await _json(session, "POST", f"{sim.url}/config", json={"led_brightness": 40})
    assert body == {"config_version": before + 1, "msg": "no change"}
    # Read-only keys are ignored.
    _, body = await _json(session, "POST", f"{sim.url}/config", json={"version": "hacked"})
    assert body["msg"] == "no change"
    # divert_enabled + charge_mode eco switch the live divert mode.
    await _json(
        session, "POST", f"{sim.url}/config", json={"divert_enabled": True, "charge_mode": "eco"}
    )
    assert sim.status["divertmode"] == 2
    async with session.delete(f"{sim.url}/config") as response:
        assert response.status == 405
        assert await response.read() == b""


# ---------------------------------------------------------------- auth


async def test_basic_auth_challenge(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(username="admin", password="s3cret", tick=TICK) as sim:
        for path in ("/status", "/config", "/override", "/claims", "/nope"):
            async with session.get(f"{sim.url}{path}") as response:
                assert response.status == 401
                assert response.headers["WWW-Authenticate"] == "Basic realm=openevse-7c40"
                assert await response.read() == b""
        wrong = {"Authorization": aiohttp.encode_basic_auth("admin", "wrong")}
        async with session.get(f"{sim.url}/status", headers=wrong) as response:
            assert response.status == 401
        async with session.get(f"{sim.url}/status", headers=AUTH) as response:
            assert response.status == 200
        async with session.get(f"{sim.url}/emoncms/describe") as response:
            assert await response.text() == "openevse"
        # 5.1 firmware: the websocket handshake is not authenticated.
        async with session.ws_connect(f"{sim.url}/ws") as ws:
            assert "state" in await ws.receive_json()


async def test_ws_auth_mimics_newer_firmware(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(username="admin", password="s3cret", ws_auth=True) as sim:
        with pytest.raises(aiohttp.WSServerHandshakeError) as err:
            await session.ws_connect(f"{sim.url}/ws")
        assert err.value.status == 401
        async with session.ws_connect(f"{sim.url}/ws", headers=AUTH) as ws:
            assert "state" in await ws.receive_json()


# ---------------------------------------------------------------- claims, override, limit


async def test_override_lifecycle(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    url = f"{sim.url}/override"
    assert await _json(session, "GET", url) == (200, {})
    assert await _json(session, "DELETE", url) == (
        500,
        {"msg": "Failed to release manual override"},
    )
    versions = sim.status["claims_version"], sim.status["override_version"]
    body = {"state": "disabled", "charge_current": 10}
    assert await _json(session, "POST", url, json=body) == (201, {"msg": "Created"})
    assert await _json(session, "GET", url) == (200, body | {"auto_release": True})
    assert sim.status["state"] == 254
    assert sim.status["status"] == "disabled"
    assert sim.status["manual_override"] == 1
    assert sim.status["pilot"] == 10
    assert sim.status["claims_version"] == versions[0] + 1
    assert sim.status["override_version"] == versions[1] + 1
    assert await _json(session, "PATCH", url) == (200, {"msg": "Updated"})  # releases it
    assert sim.status["state"] == 1
    assert await _json(session, "PATCH", url) == (200, {"msg": "Updated"})  # active -> disabled
    assert sim.status["status"] == "disabled"
    assert await _json(session, "DELETE", url) == (200, {"msg": "Deleted"})
    assert sim.status["manual_override"] == 0
    assert (await _json(session, "POST", url, data="{"))[0] == 400


async def test_claims_priority(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    await _json(session, "POST", f"{sim.url}/claims/20", json={"charge_current": 12})
    await _json(session, "POST", f"{sim.url}/override", json={"charge_current": 16})
    _, target = await _json(session, "GET", f"{sim.url}/claims/target")
    assert target["properties"]["charge_current"] == 16  # manual 1000 beats API 500
    assert target["claims"] == {"charge_current": CLIENT_MANUAL}
    await _json(session, "DELETE", f"{sim.url}/override")
    _, target = await _json(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"] == {"charge_current": 20}
    assert sim.status["pilot"] == 12
    assert await _json(session, "GET", f"{sim.url}/claims/20") == (
        200,
        {"priority": 500, "charge_current": 12, "auto_release": False},
    )
    _, claims = await _json(session, "GET", f"{sim.url}/claims")
    assert claims == [{"client": 20, "priority": 500, "charge_current": 12, "auto_release": False}]
    assert await _json(session, "DELETE", f"{sim.url}/claims/20") == (200, {"msg": "done"})
    assert await _json(session, "GET", f"{sim.url}/claims/20") == (404, {"msg": "Not found"})
    assert await _json(session, "DELETE", f"{sim.url}/claims/20") == (404, {"msg": "Not found"})
    assert (await _json(session, "POST", f"{sim.url}/claims", json={}))[0] == 405
    # Effective current never exceeds the soft maximum, never drops under the hard minimum.
    await _json(session, "POST", f"{sim.url}/claims/20", json={"charge_current": 80})
    assert sim.status["pilot"] == sim.config["max_current_soft"]
    await _json(session, "POST", f"{sim.url}/claims/20", json={"charge_current": 2})
    assert sim.status["pilot"] == sim.config["min_current_hard"]


async def test_auto_release_on_unplug(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.plug_in()
    await _json(session, "POST", f"{sim.url}/override", json={"state": "disabled"})
    await _json(
        session, "POST", f"{sim.url}/claims/20", json={"max_current": 8, "auto_release": False}
    )
    await sim.unplug()
    assert CLIENT_MANUAL not in sim.claims.claims
    assert 20 in sim.claims.claims


async def test_limit_endpoints_and_enforcement(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    url = f"{sim.url}/limit"
    assert await _json(session, "GET", url) == (200, {})
    assert await _json(session, "DELETE", url) == (200, {"msg": "no limit"})
    assert await _json(session, "POST", url, json={"type": "distance", "value": 3}) == (
        400,
        {"msg": "failed to parse JSON"},
    )
    version = sim.status["limit_version"]
    assert await _json(session, "POST", url, json={"type": "energy", "value": 1}) == (
        201,
        {"msg": "done"},
    )
    assert sim.status["limit"] is True
    assert sim.status["limit_version"] == version + 1
    assert await _json(session, "GET", f"{sim.url}/limits") == (  # prefix route
        200,
        {"type": "energy", "value": 1, "auto_release": True},
    )
    await sim.start_charging()
    await _until(lambda: sim.status["state"] == 254)  # 1 Wh at ~7.6 kW takes a few ticks
    assert await _json(session, "DELETE", url) == (200, {"msg": "done"})
    assert sim.status["state"] == 3
    assert sim.status["limit"] is False


# ---------------------------------------------------------------- text endpoints, restart, rapi


async def test_form_endpoints_answer_text(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "2"}) as response:
        assert response.content_type == "text/plain"
        assert await response.text() == "Divert Mode changed"
    assert sim.status["divertmode"] == 2
    # Params in the query string of a POST are ignored, like the firmware does.
    async with session.post(f"{sim.url}/divertmode?divertmode=1") as response:
        assert response.status == 200
    assert sim.status["divertmode"] == 2
    async with session.post(f"{sim.url}/shaper", data={"shaper": "1"}) as response:
        assert await response.text() == "Current Shaper state changed"
    assert sim.status["shaper"] == 1


async def test_schedule_is_a_get(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    status, events = await _json(session, "GET", f"{sim.url}/schedule")
    assert (status, events) == (200, [])  # nobody set a timer on this charger
    version = sim.status["schedule_version"]
    event = {"id": 3, "state": "active", "time": "07:15", "days": ["sunday"]}
    assert await _json(session, "POST", f"{sim.url}/schedule/3", json=event) == (
        200,
        {"msg": "done"},
    )
    assert sim.status["schedule_version"] == version + 1
    _, stored = await _json(session, "GET", f"{sim.url}/schedule/3")
    assert stored["time"] == "07:15:00"
    _, plan = await _json(session, "GET", f"{sim.url}/schedule/plan")
    assert set(plan) >= {"current_day", "current_offset", "next_event", "sunday"}
    # An empty POST (what some clients send to "read") is a bad schedule write.
    assert (await _json(session, "POST", f"{sim.url}/schedule"))[0] == 400


async def test_restart_gateway_reboots(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim.restart_downtime = 0.1
    await _json(session, "POST", f"{sim.url}/override", json={"state": "disabled"})
    async with session.post(f"{sim.url}/restart", json={"device": "gateway"}) as response:
        # 5.1.5 sends its JSON replies to /restart as text/plain.
        assert (response.status, response.content_type) == (200, "text/plain")
        assert json.loads(await response.text()) == {"msg": "restart gateway"}
    await _until(lambda: not sim.online)
    await _until(lambda: sim.online)
    _, status = await _json(session, "GET", f"{sim.url}/status")
    assert status["claims_version"] == 0  # in-memory claims are gone after a boot
    assert status["state"] == 1
    assert status["uptime"] < 2
    async with session.post(f"{sim.url}/restart", json={"device": "toaster"}) as response:
        assert response.status == 404
        assert json.loads(await response.text()) == {"msg": "unknown device"}


async def test_rapi(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    status, body = await _json(session, "POST", f"{sim.url}/r", data={"json": "1", "rapi": "$GV"})
    assert (status, body["ret"]) == (200, "$OK 8.2.3.T2 5.0.1")
    status, body = await _json(session, "POST", f"{sim.url}/r", data={"json": "1", "rapi": "$FR"})
    assert (status, body) == (400, {"cmd": "$FR", "error": "RAPI_RESPONSE_BLOCKED"})


# ---------------------------------------------------------------- websocket


async def test_ws_full_status_deltas_and_pong(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        full = await ws.receive_json()
        assert full["state"] == 1
        assert "config_version" in full
        assert sim.ws_connections == 1
        # A second client makes the firmware push the full status to everyone.
        async with session.ws_connect(f"{sim.url}/ws") as other:
            assert "wifi_client_connected" in await other.receive_json()
            assert "wifi_client_connected" in await ws.receive_json()
            assert sim.ws_connections == 2
        await sim.start_charging()
        delta = await _next_with(ws, "amp")
        assert delta["amp"] > 1000  # milliamps
        assert set(delta) >= {"voltage", "power", "session_energy", "total_energy"}
        assert "wifi_client_connected" not in delta  # partial JSON
        await ws.send_json({"ping": 1})
        assert await _next_with(ws, "pong") == {"pong": 1}
        await ws.send_json({"ping": "x"})  # not an integer: ignored
        await sim.update_status(voltage=sim.status["voltage"])  # unchanged: nothing pushed
        await _json(session, "POST", f"{sim.url}/override", json={"state": "disabled"})
        versions = await _next_with(ws, "claims_version")
        assert "override_version" in versions
        assert versions["state"] == 254
        assert sim.ws_handshakes == 2


async def test_update_status_pushes_only_changes(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        await sim.update_status(srssi=-70, mode="STA")
        assert await ws.receive_json() == {"srssi": -70}


async def test_protocol_ping_answered(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
        await ws.receive_json()
        await ws.ping(b"hb")
        async with asyncio.timeout(2):
            message = await ws.receive()
        assert message.type is aiohttp.WSMsgType.PONG


async def test_drop_websockets(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        await sim.drop_websockets()
        async with asyncio.timeout(2):
            message = await ws.receive()
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        assert sim.ws_connections == 0
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200  # the device kept running


async def test_reboot_downtime_refuses_connections(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    reboot = asyncio.create_task(sim.reboot(downtime=0.3))
    await asyncio.sleep(0.1)
    with pytest.raises(aiohttp.ClientConnectionError):
        await session.get(f"{sim.url}/status")
    await reboot
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200


# ---------------------------------------------------------------- fault switches


@pytest.mark.parametrize(("code", "body"), [(429, b'{"msg":"locked"}'), (503, None)])
async def test_fault_http_status(
    sim: ChargerSimulator, session: aiohttp.ClientSession, code: int, body: bytes | None
) -> None:
    sim.faults.http_status = code
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == code
        if body is not None:
            assert await response.read() == body
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await session.ws_connect(f"{sim.url}/ws")
    sim.faults.clear()
    assert sim.faults == ChargerFaults()
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200


async def test_fault_401_challenge(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    sim.faults.http_status = 401
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic realm=openevse")
        assert '"' not in response.headers["WWW-Authenticate"]


async def test_fault_html_error(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    sim.faults.html_error = True
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 500
        assert response.content_type == "text/html"
        assert "<html>" in await response.text()


async def test_fault_malformed_json(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    sim.faults.malformed_json = True
    async with session.get(f"{sim.url}/status") as response:
        assert response.content_type == "application/json"
        with pytest.raises(json.JSONDecodeError):
            json.loads(await response.text())


async def test_fault_delay_and_hang(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    sim.faults.delay = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200
    assert loop.time() - started >= 0.2
    sim.faults.delay = 0
    sim.faults.hang = True
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await session.get(f"{sim.url}/status")
    sim.faults.hang = False
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200
    assert sim.requests.count(("GET", "/status")) == 3


@pytest.mark.parametrize("fault", ["hang", "delay"])
async def test_a_client_that_gives_up_leaves_nothing_behind(
    sim: ChargerSimulator, session: aiohttp.ClientSession, fault: str
) -> None:
    """Clients give up on a frozen or slow charger: once it answers again, nobody is left to
    answer. A charger logs no traceback for that (a test logging one fails) and carries out
    nothing it was asked on a connection that is gone."""
    if fault == "hang":
        sim.faults.hang = True
    else:
        sim.faults.delay = 0.3
    requests = [
        session.ws_connect(f"{sim.url}/ws"),
        session.post(f"{sim.url}/claims/20", json={"state": "disabled"}),
        session.post(f"{sim.url}/config", json={"max_current_soft": 10}),
        session.get(f"{sim.url}/status"),
    ]
    for request in requests:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await request
    await _until(lambda: len(sim.requests) == len(requests))
    sim.faults.clear()
    await asyncio.sleep(0.4)  # the held requests resume (and must find their clients gone)
    assert sim.ws_handshakes == 0
    assert 20 not in sim.claims.claims
    assert sim.config["max_current_soft"] != 10
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200


async def test_fault_refuse_websocket(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    sim.faults.refuse_websocket = True
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await session.ws_connect(f"{sim.url}/ws")
    assert err.value.status == 503
    async with session.get(f"{sim.url}/status") as response:
        assert response.status == 200


async def test_fault_half_open(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
        await ws.receive_json()
        sim.faults.half_open = True
        await sim.start_charging()
        await ws.send_json({"ping": 1})
        await ws.ping()
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=10 * TICK)
        sim.faults.half_open = False
        assert "amp" in await _next_with(ws, "amp")


async def test_half_open_holds_what_it_could_not_carry(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    """A stalled link delivers, once it forwards again, what was sent meanwhile, in order."""
    sim.faults.half_open = True
    async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
        await sim.plug_in()
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=5 * TICK)
        sim.faults.half_open = False
        first = await ws.receive_json(timeout=1)
        assert first.keys() >= {"state", "vehicle", "total_energy"}  # the handshake's full status
        assert first["vehicle"] == 0
        plugged = await _next_with(ws, "vehicle")
        assert plugged["vehicle"] == 1


async def test_fault_unknown_state_and_false_temperatures(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        sim.faults.unknown_state = True
        sim.faults.false_temperatures = True
        pushed = await _next_with(ws, "state")
        assert pushed["state"] == UNKNOWN_STATE_CODE
        assert pushed["temp"] is False
        _, status = await _json(session, "GET", f"{sim.url}/status")
        assert status["state"] == UNKNOWN_STATE_CODE
        assert all(status[key] is False for key in ("temp", "temp_max", "temp2", "temp4"))
        sim.faults.clear()
        restored = await _next_with(ws, "state")
        assert restored["state"] == 1
        assert isinstance(restored["temp"], int)


async def test_errors_and_counters(sim: ChargerSimulator) -> None:
    await sim.raise_fault(6)
    assert sim.status["state"] == 6
    assert sim.status["gfcicount"] == 1
    assert sim.status["colour"] == 1
    await sim.clear_fault()
    assert sim.status["state"] == 1
    with pytest.raises(ValueError, match="error state"):
        await sim.raise_fault(3)


async def test_scenario_charges(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(tick=0.005) as sim:
        sim.start_scenario()
        await _until(lambda: sim.status["session_energy"] > 0, within=3)
        assert sim.status["vehicle"] == 1


async def test_v4_deltas_carry_wh(session: aiohttp.ClientSession) -> None:
    async with (
        ChargerSimulator(profile="v4", tick=TICK) as sim,
        session.ws_connect(f"{sim.url}/ws") as ws,
    ):
        await ws.receive_json()
        await sim.start_charging()
        delta = await _next_with(ws, "amp")
        assert delta["wh"] == delta["watthour"]
        assert "power" not in delta


async def test_command_line_serves(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulators.openevse",
        "--port",
        str(port),
        "--profile",
        "dev",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(20):
            banner = await process.stdout.readline()
        assert f"127.0.0.1:{port}".encode() in banner
        _, config = await _json(session, "GET", f"http://127.0.0.1:{port}/config")
        assert config["version"] == FIRMWARE_VERSIONS["dev"]
    finally:
        process.terminate()
        await process.wait()
