"""The public contract: every example of the session-management seed runs against our client.

Each example is kept as written; only the host (the simulator's ``host:port``) and the import
path differ. Output goes through ``print`` as in the examples and is checked with ``capsys``.
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import OpenEVSE
from tests.simulators.openevse import ChargerSimulator

from .conftest import charger_host, no_unclosed_sessions


async def test_with_external_session(
    simulator: ChargerSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    host = charger_host(simulator)

    async def main() -> None:
        # Create your own session with custom settings
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            # Pass the session to OpenEVSE
            charger = OpenEVSE(host, session=session)

            # Use the charger normally
            await charger.update()
            print(f"Status: {charger.status}")

            # Clean up
            await charger.ws_disconnect()
            # Session will be closed by the context manager
            assert not session.closed

    with no_unclosed_sessions():
        await main()
    assert capsys.readouterr().out == "Status: active\n"


async def test_without_external_session(
    simulator: ChargerSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    host = charger_host(simulator)

    async def main() -> None:
        # The library creates and manages its own sessions
        charger = OpenEVSE(host)

        # Use the charger normally
        await charger.update()
        print(f"Status: {charger.status}")

        await charger.ws_disconnect()

    with no_unclosed_sessions():
        await main()
    assert capsys.readouterr().out == "Status: active\n"


async def test_sharing_a_session(simulator: ChargerSimulator) -> None:
    second = ChargerSimulator(profile="v4", tick=0.05)
    await second.start()
    try:
        host1, host2 = charger_host(simulator), charger_host(second)

        async def main() -> None:
            async with aiohttp.ClientSession() as session:
                # Use the same session for multiple chargers
                charger1 = OpenEVSE(host1, session=session)
                charger2 = OpenEVSE(host2, session=session)

                # Both chargers use the same session
                await charger1.update()
                await charger2.update()

                await charger1.ws_disconnect()
                await charger2.ws_disconnect()
                assert not session.closed
                assert charger1.firmware_version.raw == "v5.1.5"
                assert charger2.firmware_version.raw == "4.1.7"

        with no_unclosed_sessions():
            await main()
    finally:
        await second.stop()
    assert ("GET", "/status") in simulator.requests
    assert ("GET", "/status") in second.requests


async def test_migration_before_and_after(simulator: ChargerSimulator) -> None:
    host = charger_host(simulator)

    async def before() -> None:
        charger = OpenEVSE(host)
        await charger.update()
        assert charger.status == "active"

    async def after() -> None:
        async with aiohttp.ClientSession() as session:
            charger = OpenEVSE(host, session=session)
            await charger.update()
            assert charger.status == "active"

    # "Before" never closes the client: it must still leave no session behind.
    with no_unclosed_sessions():
        await before()
        await after()


async def test_unclosed_session_detector_can_fail() -> None:
    async def leak() -> None:
        aiohttp.ClientSession()

    with pytest.raises(AssertionError, match="Unclosed"), no_unclosed_sessions():
        await leak()
