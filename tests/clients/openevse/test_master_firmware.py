"""The client against the firmware's development branch: auth on the websocket, throttling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    OpenEVSE,
    OpenEVSEAuthenticationError,
    OpenEVSERateLimitError,
    WebsocketOptions,
    WebsocketState,
)
from tests.simulators.openevse import ChargerSimulator

from .conftest import FAST_WEBSOCKET, PASSWORD, USERNAME, charger_host, wait_for


@pytest.fixture
async def master() -> AsyncIterator[ChargerSimulator]:
    sim = ChargerSimulator(profile="master", username=USERNAME, password=PASSWORD, tick=0.05)
    await sim.start()
    yield sim
    await sim.stop()


async def test_works_with_the_right_password(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    client = OpenEVSE(
        charger_host(master),
        user=USERNAME,
        pwd=PASSWORD,
        session=session,
        websocket_options=FAST_WEBSOCKET,
    )
    await client.update()
    assert client.firmware_version.is_dev
    await client.ws_start()
    await wait_for(lambda: client.ws_state is WebsocketState.CONNECTED)
    await master.plug_in()
    try:
        await wait_for(lambda: client.status_data.vehicle_connected is True)
        await client.restart_evse()
    finally:
        await client.close()


async def test_a_locked_charger_is_a_rate_limit_error(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    client = OpenEVSE(charger_host(master), user=USERNAME, pwd="wrong", session=session)
    for _ in range(9):
        with pytest.raises(OpenEVSEAuthenticationError):
            await client.get_status()
    with pytest.raises(OpenEVSERateLimitError):
        await client.get_status()


async def test_refused_websocket_credentials_are_not_retried_soon(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # Every refused handshake counts towards the charger's lockout: back off, say why.
    options = WebsocketOptions(reconnect_delay=0.01, max_reconnect_delay=0.02, auth_retry_delay=60)
    client = OpenEVSE(
        charger_host(master),
        user=USERNAME,
        pwd="wrong",
        session=session,
        websocket_options=options,
    )
    await client.ws_start()
    await asyncio.sleep(0.5)
    assert master.requests.count(("GET", "/ws")) == 1
    health = client.websocket_health
    assert health is not None
    assert "401" in (health.last_error or "")
    await client.close()
