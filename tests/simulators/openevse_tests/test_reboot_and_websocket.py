"""What a websocket client sees: pings both ways, and a reboot (main.cpp, mongoose.c)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator
from tests.simulators.openevse.simulator import DATA_READY_KEYS

from .helpers import TICK, json_request, text_request, until


async def test_idle_websockets_get_protocol_pings(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(tick=TICK, ws_ping_interval=0.1) as sim:
        async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
            await ws.receive_json()  # full status on connect
            message = await asyncio.wait_for(ws.receive(), 1)
            assert message.type is aiohttp.WSMsgType.PING
            await ws.pong(message.data)
        assert sim.ws_pings_sent >= 1


async def test_no_ping_while_data_flows(session: aiohttp.ClientSession) -> None:
    # "Idle" means no traffic for the interval: a charging unit pushes every tick.
    async with ChargerSimulator(tick=0.02, ws_ping_interval=0.3) as sim:
        await sim.start_charging()
        async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
            for _ in range(20):
                message = await asyncio.wait_for(ws.receive(), 1)
                assert message.type is aiohttp.WSMsgType.TEXT
        assert sim.ws_pings_sent == 0


async def test_a_reboot_is_a_silent_socket(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{sim.url}/ws", autoping=False) as ws:
        await ws.receive_json()
        reboot = asyncio.create_task(sim.reboot(downtime=0.3))
        await until(lambda: not sim.online)
        await sim.plug_in()  # nothing reaches the old socket: no data, no close frame
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.receive(), 0.2)
        await reboot
        assert sim.online
        # The rebooted gateway no longer knows the connection: what the client sends next
        # is answered with a reset.
        await ws.send_json({"ping": 1})
        message = await asyncio.wait_for(ws.receive(), 2)
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    await until(lambda: sim.ws_connections == 0)


async def test_a_reboot_resets_counters_and_takes_divert_mode_from_config(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await json_request(session, "POST", f"{sim.url}/override", json={"state": "disabled"})
    await json_request(session, "POST", f"{sim.url}/limit", json={"type": "time", "value": 5})
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "2"}):
        pass
    assert sim.status["divertmode"] == 2
    await sim.reboot()
    _, status = await json_request(session, "GET", f"{sim.url}/status")
    assert (status["claims_version"], status["override_version"], status["limit_version"]) == (
        0,
        0,
        0,
    )
    assert (status["config_version"], status["schedule_version"]) == (1, 1)
    assert status["divertmode"] == 1  # the runtime eco switch is lost; config says normal
    assert status["limit"] is False
    # Stored config with divert enabled in eco: back in eco, holding the divert claim.
    await sim.update_config(divert_enabled=True, charge_mode="eco")
    await sim.reboot()
    assert sim.status["divertmode"] == 2
    assert sim.status["claims_version"] == 1
    assert 65538 in sim.claims.claims


async def test_restart_waits_a_second_then_reboots(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(tick=TICK, restart_downtime=0.1) as sim:
        async with session.get(f"{sim.url}/restart") as response:
            assert (response.status, await response.text()) == (200, "1")
        await asyncio.sleep(0.5)
        assert sim.online  # restart_system() arms a one-second alarm
        await until(lambda: not sim.online, within=2)
        await until(lambda: sim.online, within=2)


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("POST", {"device": "evse"}), ("DELETE", None), ("POST", "garbage")],
)
async def test_4x_restart_answers_1_and_reboots_the_gateway(
    session: aiohttp.ClientSession, method: str, body: object
) -> None:
    async with ChargerSimulator(
        profile="v4", tick=TICK, restart_delay=0.05, restart_downtime=0.1
    ) as sim:
        data = json.dumps(body) if body is not None else None
        status, content_type, text = await text_request(
            session, method, f"{sim.url}/restart", data=data
        )
        assert (status, content_type, text) == (200, "text/plain", "1")
        await until(lambda: not sim.online)
        await until(lambda: sim.online)


async def test_5x_restart_replies_are_text_plain(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    cases = [
        ("POST", "{", 400, '{"msg":"Couldn\'t parse json"}'),
        ("POST", "{}", 400, '{"msg":"wrong payload"}'),
        ("PUT", "", 405, '{"msg":"Method not allowed"}'),
    ]
    for method, data, status, text in cases:
        assert await text_request(session, method, f"{sim.url}/restart", data=data) == (
            status,
            "text/plain",
            text,
        )


async def test_periodic_data_carries_uptime_and_clock(session: aiohttp.ClientSession) -> None:
    # Every 30 monitor polls the whole controller block goes out, whatever changed, with the
    # time fields: a client sees the uptime move without asking (input.cpp, time_man.cpp).
    async with ChargerSimulator(tick=0.01, uptime=100) as sim:
        async with session.ws_connect(f"{sim.url}/ws") as ws:
            await ws.receive_json()  # full status on connect
            blocks = []
            while len(blocks) < 2:
                message = await asyncio.wait_for(ws.receive_json(), 2)
                if "uptime" in message:
                    blocks.append(message)
        expected = {key for key in DATA_READY_KEYS if key in sim.status}
        assert {"time", "local_time", "offset", "uptime", "state", "amp"} <= expected
        assert all(set(block) == expected for block in blocks)
        assert blocks[0]["uptime"] >= 100
        assert blocks[0]["time"].endswith("Z")
