"""Fixtures of the Moogo cloud simulator's wire-level tests: a fake clock, a simulator, an API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import Api, FakeClock


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


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
