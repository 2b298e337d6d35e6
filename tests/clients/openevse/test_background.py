"""Work the client starts by itself (refetches after a push) runs under its own deadline.

The caller's ``request_timeout`` only configures a session the client creates; an injected
session keeps its own, possibly very long, timeout. The refetches a pushed ``*_version``
counter triggers have no caller to bound them, so ``background_timeout`` does.
"""

# These tests assert state before and after awaits that change it (latches, errors);
# mypy narrows across awaits and would call the second assertion unreachable.
# mypy: disable-error-code="unreachable"

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    CHANGED_CONFIG,
    DEFAULT_BACKGROUND_TIMEOUT,
    OpenEVSE,
    OpenEVSETimeoutError,
)
from tests.simulators.openevse import ChargerSimulator

from .conftest import FAST_WEBSOCKET, charger_host, wait_for
from .test_websocket import connected_charger

BACKGROUND_TIMEOUT = 0.1
# Longer than the deadline, short enough to end within the simulator's shutdown grace.
SLOW_ANSWER = 0.45
# The keepalive would notice a reader blocked for longer than its pong timeout and reconnect;
# keep it out of the way so the deadline alone ends a stuck refetch.
PATIENT_WEBSOCKET = dataclasses.replace(FAST_WEBSOCKET, keepalive_interval=5.0, pong_timeout=5.0)


@pytest.fixture
async def patient_session() -> AsyncIterator[aiohttp.ClientSession]:
    """An injected session without any timeout of its own, as long as a shared one can be."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        yield session


@pytest.fixture
async def bounded(
    simulator: ChargerSimulator, patient_session: aiohttp.ClientSession
) -> AsyncIterator[OpenEVSE]:
    client = OpenEVSE(
        charger_host(simulator),
        session=patient_session,
        websocket_options=PATIENT_WEBSOCKET,
        background_timeout=BACKGROUND_TIMEOUT,
    )
    yield client
    await client.close()


def config_fetches(simulator: ChargerSimulator) -> int:
    return simulator.requests.count(("GET", "/config"))


@pytest.mark.parametrize("fault", ["hang", "delay"])
async def test_a_stuck_refetch_gives_up_in_time_and_the_next_push_retries(
    simulator: ChargerSimulator,
    bounded: OpenEVSE,
    fault: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await connected_charger(bounded)
    changes: list[frozenset[str]] = []
    bounded.subscribe(changes.append)
    fetches = config_fetches(simulator)
    loop = asyncio.get_running_loop()

    if fault == "hang":
        simulator.faults.hang = True
    else:
        simulator.faults.delay = SLOW_ANSWER
    started = loop.time()
    await simulator.update_config(led_brightness=9)  # pushes the moved config_version
    await wait_for(lambda: bounded.background_error is not None)
    elapsed = loop.time() - started

    # The session would have waited (forever, or for the slow answer): the client's own
    # deadline ended the refetch.
    assert BACKGROUND_TIMEOUT <= elapsed < SLOW_ANSWER - 0.05
    assert isinstance(bounded.background_error, OpenEVSETimeoutError)
    assert isinstance(bounded.background_error, TimeoutError)
    assert "0.1 s deadline" in str(bounded.background_error)
    assert config_fetches(simulator) == fetches + 1
    assert bounded.config_data.led_brightness != 9
    assert caplog.text.count("Could not refresh") == 1
    # The push channel kept going: the reader was not held by the stuck request.
    await simulator.update_status(amp=1500)
    await wait_for(lambda: bounded.charging_current == 1.5)
    assert bounded.ws_state.value == "connected"

    # The device recovers; the next counter move fetches /config again and clears the error.
    simulator.faults.clear()
    await simulator.update_config(led_brightness=10)
    await wait_for(lambda: bounded.config_data.led_brightness == 10)
    assert bounded.background_error is None
    assert any(CHANGED_CONFIG in keys for keys in changes)


async def test_repeated_failures_warn_once(
    simulator: ChargerSimulator, bounded: OpenEVSE, caplog: pytest.LogCaptureFixture
) -> None:
    await connected_charger(bounded)
    simulator.faults.hang = True
    caplog.set_level(logging.DEBUG, logger="custom_components.openevse_moogo.clients.openevse")
    await simulator.update_config(led_brightness=9)
    await wait_for(lambda: bounded.background_error is not None)
    first = bounded.background_error
    # Each push retries the outdated counter, and each retry is bounded again.
    await simulator.update_status(amp=2000)
    await wait_for(lambda: bounded.background_error is not first)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert any(
        r.levelno == logging.DEBUG and "Could not refresh" in r.getMessage() for r in caplog.records
    )
    simulator.faults.clear()
    # update() fetches everything under the caller's control and resolves the failure too.
    await bounded.update(request_timeout=1.0)
    assert bounded.background_error is None
    assert bounded.config_data.led_brightness == 9


async def test_background_timeout_defaults_and_validation(simulator: ChargerSimulator) -> None:
    assert DEFAULT_BACKGROUND_TIMEOUT == 10.0
    client = OpenEVSE(charger_host(simulator))
    assert client._background_timeout == DEFAULT_BACKGROUND_TIMEOUT
    assert client.background_error is None
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match="background_timeout"):
            OpenEVSE(charger_host(simulator), background_timeout=bad)
