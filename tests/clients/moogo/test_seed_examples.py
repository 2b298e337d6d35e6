"""Every example of the session-injection contract, run against our client and the simulator.

Each test reproduces one example of the contract document with only the import path, the
credentials and the host (``base_url``) changed, then checks what the document promises about it.
"""

from __future__ import annotations

import asyncio
import gc
import warnings

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.openevse_moogo.clients.moogo import (
    MoogoClient,
    MoogoConnectionError,
    MoogoDevice,
    MoogoTimeoutError,
)
from tests.simulators.moogo import MoogoCloudSimulator


async def test_default_own_session_closed_on_exit(sim: MoogoCloudSimulator) -> None:
    """Without injection the client creates, uses and closes its own session."""
    async with MoogoClient(email=sim.email, password=sim.password, base_url=sim.url) as client:
        await client.authenticate()
        own_session = client._session
        assert own_session is not None
        open_while_in_use = not own_session.closed
    assert open_while_in_use
    assert own_session.closed
    assert sim.login_count == 1


async def test_injected_session_not_closed_by_client(sim: MoogoCloudSimulator) -> None:
    """``close()`` leaves an injected session open; the caller closes it."""
    session = aiohttp.ClientSession()

    client = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    await client.authenticate()
    await client.close()  # Does NOT close the session
    assert not session.closed

    await session.close()  # Caller closes the session
    assert session.closed


async def test_pattern_home_assistant_integration(
    hass: HomeAssistant, sim: MoogoCloudSimulator
) -> None:
    """Pattern 1: the framework's shared session, left open on unload."""

    class MoogoIntegration:
        def __init__(self, hass: HomeAssistant, email: str, password: str) -> None:
            # Get Home Assistant's shared session
            session = async_get_clientsession(hass)

            # Inject into client
            self.client = MoogoClient(
                email=email, password=password, session=session, base_url=sim.url
            )

        async def async_setup(self) -> list[MoogoDevice]:
            await self.client.authenticate()
            return await self.client.get_devices()

        async def async_unload(self) -> None:
            # Close client (session remains managed by Home Assistant)
            await self.client.close()

    integration = MoogoIntegration(hass, sim.email, sim.password)
    devices = await integration.async_setup()
    assert [device.device_id for device in devices] == sim.device_ids
    await integration.async_unload()
    assert integration.client.has_injected_session
    assert not async_get_clientsession(hass).closed


async def test_pattern_multiple_clients_shared_session() -> None:
    """Pattern 2: two accounts (two simulated clouds here) share one session."""
    async with (
        MoogoCloudSimulator(email="user1@example.com", password="pw-one", devices=1) as cloud1,
        MoogoCloudSimulator(email="user2@example.com", password="pw-two", devices=2) as cloud2,
    ):
        # Create one session for multiple accounts/devices
        session = aiohttp.ClientSession()

        try:
            # Create multiple clients sharing the same session
            client1 = MoogoClient(
                email="user1@example.com", password="pw-one", session=session, base_url=cloud1.url
            )
            client2 = MoogoClient(
                email="user2@example.com", password="pw-two", session=session, base_url=cloud2.url
            )

            await client1.authenticate()
            await client2.authenticate()

            # Use both clients
            devices1 = await client1.get_devices()
            devices2 = await client2.get_devices()

            # Close clients (session stays open)
            await client1.close()
            await client2.close()
            assert not session.closed
            assert client1.token != client2.token
        finally:
            # Close shared session
            await session.close()

    assert [device.device_id for device in devices1] == cloud1.device_ids
    assert [device.device_id for device in devices2] == cloud2.device_ids
    # Each account's token went only to its own cloud, never onto the shared session.
    assert "token" not in session.headers


async def test_pattern_custom_session_configuration(sim: MoogoCloudSimulator) -> None:
    """Pattern 3: a session with its own connector, timeout and headers is used as is."""
    # Create session with custom configuration
    connector = aiohttp.TCPConnector(limit=100, limit_per_host=30, ttl_dns_cache=300)

    timeout = aiohttp.ClientTimeout(total=60)

    session = aiohttp.ClientSession(
        connector=connector, timeout=timeout, headers={"X-Custom-Header": "value"}
    )

    try:
        client = MoogoClient(
            email=sim.email, password=sim.password, session=session, base_url=sim.url
        )
        await client.authenticate()
        # Client uses your custom session configuration
        assert await client.get_devices()
        # The client added nothing to the caller's session-wide configuration.
        assert dict(session.headers) == {"X-Custom-Header": "value"}
        assert len(session.cookie_jar) == 0
        assert session.timeout.total == 60

    finally:
        await client.close()
        await session.close()


async def test_checking_session_ownership(sim: MoogoCloudSimulator) -> None:
    """``has_injected_session`` is a property of the client itself."""
    client = MoogoClient(email=sim.email, password=sim.password, base_url=sim.url)
    assert client.has_injected_session is False

    session = aiohttp.ClientSession()
    client = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    assert client.has_injected_session is True
    await session.close()


async def test_context_manager_behaviour(sim: MoogoCloudSimulator) -> None:
    """``async with`` closes only a session the client created."""
    # Without injection - session auto-closed
    async with MoogoClient(email=sim.email, password=sim.password, base_url=sim.url) as client:
        await client.authenticate()
        own_session = client._session
    assert own_session is not None
    assert own_session.closed  # Session is closed here

    # With injection - session NOT auto-closed
    session = aiohttp.ClientSession()
    async with MoogoClient(
        email=sim.email, password=sim.password, session=session, base_url=sim.url
    ) as client:
        await client.authenticate()
    assert not session.closed  # Session is NOT closed here
    await session.close()  # Must close manually


@pytest.mark.expected_errors(
    # The simulator may be reading the request when the client gives up and drops it.
    ("aiohttp.server", "^Error handling request"),
    required=False,
)
async def test_timeout_used_for_own_session(sim: MoogoCloudSimulator) -> None:
    """The constructor's timeout configures the session the client creates."""
    # Timeout is used (client creates session)
    client = MoogoClient(email=sim.email, password=sim.password, timeout=60, base_url=sim.url)
    await client.authenticate()
    assert client._session is not None
    assert client._session.timeout.total == 60
    await client.close()

    short = MoogoClient(email=sim.email, password=sim.password, timeout=0.2, base_url=sim.url)
    sim.faults.delay = 1.0
    try:
        with pytest.raises(MoogoTimeoutError):
            await short.authenticate()
    finally:
        await short.close()


@pytest.mark.expected_errors(
    # The simulator may be reading the request when the client gives up and drops it.
    ("aiohttp.server", "^Error handling request"),
    required=False,
)
async def test_timeout_ignored_with_injected_session(sim: MoogoCloudSimulator) -> None:
    """An injected session keeps its own timeout; the constructor's is ignored."""
    # Timeout is IGNORED (session already has timeout)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
    client = MoogoClient(
        email=sim.email, password=sim.password, session=session, timeout=60, base_url=sim.url
    )
    # Client uses session's 120s timeout, not the 60s parameter
    try:
        # A constructor timeout far below the answer time does not apply ...
        slow = MoogoClient(
            email=sim.email, password=sim.password, session=session, timeout=0.05, base_url=sim.url
        )
        sim.faults.delay = 0.3
        await slow.authenticate()
        # ... while the session's own timeout does.
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.1)) as strict:
            bounded = MoogoClient(
                email=sim.email, password=sim.password, session=strict, timeout=60, base_url=sim.url
            )
            with pytest.raises(MoogoTimeoutError):
                await bounded.authenticate()
        sim.faults.delay = 0
        await client.authenticate()
    finally:
        await client.close()
        await session.close()


async def test_pitfall_fix_close_injected_session(sim: MoogoCloudSimulator) -> None:
    """The fix for "forgetting to close the injected session"."""
    session = aiohttp.ClientSession()
    try:
        client = MoogoClient(
            email=sim.email, password=sim.password, session=session, base_url=sim.url
        )
        await client.authenticate()
        await client.close()
    finally:
        await session.close()
    assert session.closed


async def test_pitfall_session_closed_before_client(sim: MoogoCloudSimulator) -> None:
    """Closing the session first gives a typed error, and the fixed order works."""
    session = aiohttp.ClientSession()
    client = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    await session.close()
    with pytest.raises(MoogoConnectionError, match="already closed"):
        await client.get_devices()  # Session already closed!

    session = aiohttp.ClientSession()
    client = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)
    try:
        assert await client.get_devices()  # Use first
    finally:
        await client.close()
        await session.close()  # Close last


async def test_pitfall_fix_mixing_session_management(sim: MoogoCloudSimulator) -> None:
    """The fix for "mixing session management"."""
    session = aiohttp.ClientSession()
    try:
        async with MoogoClient(
            email=sim.email, password=sim.password, session=session, base_url=sim.url
        ) as client:
            await client.authenticate()
        assert not session.closed
    finally:
        await session.close()


async def test_no_unclosed_session_warnings(sim: MoogoCloudSimulator) -> None:
    """Neither mode leaves an unclosed session behind for the garbage collector to report."""

    async def both_modes() -> None:
        async with MoogoClient(email=sim.email, password=sim.password, base_url=sim.url) as own:
            await own.get_devices()
        async with (
            aiohttp.ClientSession() as session,
            MoogoClient(
                email=sim.email, password=sim.password, session=session, base_url=sim.url
            ) as injected,
        ):
            await injected.get_devices()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await both_modes()
        await asyncio.sleep(0)
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)]
