"""The client against other firmware generations and odd replies, over loopback.

4.x answers every /restart with text "1" and reboots the gateway; development builds name the
release they are built on; the keepalive keeps its cadence; a reply that is not HTTP at all is
an invalid response, not an HTTP status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    OpenEVSE,
    OpenEVSECommandError,
    OpenEVSEInvalidResponseError,
    WebsocketOptions,
)
from tests.simulators.openevse import ChargerSimulator

from .conftest import FAST_WEBSOCKET, charger_host, wait_for


@pytest.fixture
async def v4() -> AsyncIterator[ChargerSimulator]:
    """A 4.1.7 charger."""
    sim = ChargerSimulator(profile="v4", tick=0.05, restart_downtime=0.1, restart_delay=0.05)
    await sim.start()
    yield sim
    await sim.stop()


async def test_restart_gateway_on_4x_succeeds(
    v4: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    client = OpenEVSE(charger_host(v4), session=session)
    await client.restart_gateway()
    await wait_for(lambda: not v4.online)
    await wait_for(lambda: v4.online)


async def test_restart_evse_on_4x_is_refused_before_anything_is_sent(
    v4: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    client = OpenEVSE(charger_host(v4), session=session)
    await client.update()
    assert not client.features.evse_restart
    with pytest.raises(OpenEVSECommandError, match="no EVSE restart"):
        await client.restart_evse()
    assert ("POST", "/restart") not in v4.requests


async def test_restart_evse_on_4x_unread_reports_the_gateway_reboot(
    v4: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # Without a read first the client cannot know; the "1" reply tells what happened.
    client = OpenEVSE(charger_host(v4), session=session)
    with pytest.raises(OpenEVSECommandError, match="gateway restarts instead"):
        await client.restart_evse()
    await wait_for(lambda: not v4.online)


async def test_a_4x_development_build_is_a_4x(
    v4: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    v4.config["version"] = "4.1.7.dev"
    client = OpenEVSE(charger_host(v4), session=session)
    await client.update()
    assert client.firmware_version.is_dev
    assert not client.features.evse_restart  # no "Restart EVSE" on a 4.x build
    assert client.features.claims


async def test_keepalive_pings_every_interval(session: aiohttp.ClientSession) -> None:
    # A pong timeout longer than the interval must not slow the cadence down.
    async with ChargerSimulator(tick=0.05) as sim:
        options = WebsocketOptions(keepalive_interval=0.1, pong_timeout=0.5)
        client = OpenEVSE(charger_host(sim), session=session, websocket_options=options)
        await client.ws_start()
        await wait_for(lambda: sim.ws_connections == 1)
        start = sim.ws_pings_received
        await asyncio.sleep(0.55)
        assert sim.ws_pings_received - start >= 4
        await client.close()


async def test_keepalive_still_detects_a_silent_link(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(tick=0.05) as sim:
        client = OpenEVSE(charger_host(sim), session=session, websocket_options=FAST_WEBSOCKET)
        await client.ws_start()
        await wait_for(lambda: sim.ws_connections == 1)
        handshakes = sim.ws_handshakes
        sim.faults.half_open = True
        await asyncio.sleep(0.6)  # interval 0.2 + timeout 0.2, with room
        sim.faults.half_open = False
        await wait_for(lambda: sim.ws_handshakes > handshakes)
        await client.close()


async def test_a_reply_that_is_not_http_is_an_invalid_response(
    session: aiohttp.ClientSession,
) -> None:
    async def not_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(not_http, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = OpenEVSE(f"127.0.0.1:{port}", session=session)
        with pytest.raises(OpenEVSEInvalidResponseError, match="not an HTTP reply"):
            await client.get_status()
    finally:
        server.close()
        await server.wait_closed()
