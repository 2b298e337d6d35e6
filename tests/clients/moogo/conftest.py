"""Fixtures: a running Moogo cloud simulator, a real aiohttp session and a client using both."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

from custom_components.openevse_moogo.clients.moogo import MoogoClient
from tests.simulators.moogo import MoogoCloudSimulator

# Short enough for fast tests, long enough that a status read right after the command still
# shows the old state.
SPRAY_CONFIRM_DELAY = 0.2


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
async def sim() -> AsyncGenerator[MoogoCloudSimulator]:
    """A simulated cloud with two pumps on a free loopback port."""
    simulator = MoogoCloudSimulator(spray_confirm_delay=SPRAY_CONFIRM_DELAY, devices=2)
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@dataclass(frozen=True)
class SentRequest:
    """One request as it left the session: what the cloud would see."""

    method: str
    url: URL
    headers: CIMultiDict[str]


@pytest.fixture
def wire() -> list[SentRequest]:
    """Requests sent through the ``session`` fixture, recorded by an aiohttp trace hook."""
    return []


@pytest.fixture
async def session(wire: list[SentRequest]) -> AsyncGenerator[aiohttp.ClientSession]:
    """A caller-owned session, as Home Assistant would inject it, recording what it sends."""

    async def on_request_headers_sent(
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestHeadersSentParams,
    ) -> None:
        wire.append(SentRequest(params.method, params.url, CIMultiDict(params.headers)))

    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(on_request_headers_sent)
    async with aiohttp.ClientSession(trace_configs=[trace]) as client_session:
        yield client_session


@pytest.fixture
async def client(
    sim: MoogoCloudSimulator, session: aiohttp.ClientSession
) -> AsyncGenerator[MoogoClient]:
    """A client with an injected session, pointed at the simulator, not yet logged in."""
    moogo = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    try:
        yield moogo
    finally:
        await moogo.close()


@pytest.fixture
def device_id(sim: MoogoCloudSimulator) -> str:
    """The first simulated pump."""
    return sim.device_ids[0]
