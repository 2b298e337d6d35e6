"""Fixtures of the OpenEVSE simulator tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator

from .helpers import TICK


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
async def sim() -> AsyncIterator[ChargerSimulator]:
    simulator = ChargerSimulator(tick=TICK, restart_delay=0.05)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session
