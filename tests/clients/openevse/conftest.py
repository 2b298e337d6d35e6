"""Fixtures: a simulated charger on loopback, a real aiohttp session and a client wired to both."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import OpenEVSE, WebsocketOptions
from tests.simulators.openevse import ChargerSimulator

REPO_ROOT = Path(__file__).resolve().parents[3]
CAPTURES = REPO_ROOT.parent / "shared" / "reference" / "fixtures" / "openevse"

USERNAME = "admin"
PASSWORD = "s3cret-pass"

# Shrunk websocket timings so reconnects and half-open detection take fractions of a second.
FAST_WEBSOCKET = WebsocketOptions(
    keepalive_interval=0.2,
    pong_timeout=0.2,
    connect_timeout=1.0,
    close_timeout=0.2,
    reconnect_delay=0.05,
    max_reconnect_delay=0.2,
    stable_after=0.3,
)


# Status fields the firmware derives from its clock: a full-status push that crosses a second
# boundary legitimately changes them, so "nothing changed" means nothing else changed.
CLOCK_KEYS = frozenset({"time", "local_time", "offset", "uptime"})


def without_clock(changes: list[frozenset[str]]) -> list[frozenset[str]]:
    """The reported changes with the clock fields taken out (empty reports dropped)."""
    return [rest for change in changes if (rest := change - CLOCK_KEYS)]


async def wait_for(condition: Callable[[], bool], within: float = 3.0) -> None:
    """Poll ``condition`` until it holds; fail the test when it does not within ``within`` s."""
    async with asyncio.timeout(within):
        # Conditions are plain attributes of the simulator or client: polling is the only way.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def charger_host(sim: ChargerSimulator) -> str:
    """The ``host:port`` string a user would type for the simulated charger."""
    return f"{sim.host}:{sim.port}"


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@pytest.fixture
async def simulator() -> AsyncIterator[ChargerSimulator]:
    """An idle v5 charger without authentication."""
    sim = ChargerSimulator(profile="v5", tick=0.05, restart_downtime=0.1)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def auth_simulator() -> AsyncIterator[ChargerSimulator]:
    """A v5 charger protected by Basic auth on HTTP and on the websocket handshake."""
    sim = ChargerSimulator(
        profile="v5", username=USERNAME, password=PASSWORD, tick=0.05, ws_auth=True
    )
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A caller-owned session, closed by the test harness (never by the client)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def charger(
    simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> AsyncIterator[OpenEVSE]:
    """A client of the simulator using the injected session and fast websocket timings."""
    client = OpenEVSE(charger_host(simulator), session=session, websocket_options=FAST_WEBSOCKET)
    yield client
    await client.close()


@contextmanager
def no_unclosed_sessions() -> Iterator[None]:
    """Fail if an aiohttp session or connector is garbage-collected unclosed inside the block.

    aiohttp reports those both as a ResourceWarning and to the loop's exception handler; both
    channels are captured. Create the objects in a nested coroutine so they are unreachable
    when the block ends.
    """
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(str(context["message"])))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
            gc.collect()
    finally:
        loop.set_exception_handler(previous)
    messages = [str(warning.message) for warning in caught] + reported
    assert not [message for message in messages if "Unclosed" in message], messages
