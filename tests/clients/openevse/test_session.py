"""Session ownership, the timeout rule and per-request credentials."""

# These tests assert state before and after awaits that change it (running, closed, limit);
# mypy narrows across awaits and would call the second assertion unreachable.
# mypy: disable-error-code="unreachable"

from __future__ import annotations

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.openevse import (
    OpenEVSE,
    OpenEVSEAuthenticationError,
    OpenEVSEConnectionError,
    OpenEVSETimeoutError,
    WebsocketState,
)
from tests.simulators.openevse import ChargerSimulator

from .conftest import (
    FAST_WEBSOCKET,
    PASSWORD,
    USERNAME,
    charger_host,
    no_unclosed_sessions,
    wait_for,
)


async def test_injected_session_survives_close_async_with_and_websocket_stop(
    simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    charger = OpenEVSE(charger_host(simulator), session=session, websocket_options=FAST_WEBSOCKET)
    assert charger.has_injected_session
    async with charger:
        await charger.update()
        await charger.ws_start()
        await wait_for(lambda: charger.ws_state is WebsocketState.CONNECTED)
        assert charger.websocket is not None
        assert charger.websocket.has_injected_session
        await charger.ws_disconnect()
        assert not session.closed
    assert not session.closed
    await charger.close()
    assert not session.closed
    # The session is still usable by its owner after the client is done with it.
    async with session.get(f"{simulator.url}/status") as response:
        assert response.status == 200


async def test_owned_session_is_created_and_closed(simulator: ChargerSimulator) -> None:
    async def scenario() -> None:
        async with OpenEVSE(charger_host(simulator), websocket_options=FAST_WEBSOCKET) as charger:
            assert not charger.has_injected_session
            await charger.update()
            owned = charger._owned_session
            assert owned is not None
            assert not owned.closed
            await charger.ws_start()
            await wait_for(lambda: charger.ws_state is WebsocketState.CONNECTED)
        assert owned.closed
        assert charger._owned_session is None

    with no_unclosed_sessions():
        await scenario()


async def test_ws_disconnect_closes_the_owned_session(simulator: ChargerSimulator) -> None:
    async def scenario() -> None:
        charger = OpenEVSE(charger_host(simulator), websocket_options=FAST_WEBSOCKET)
        await charger.ws_start()
        owned = charger._owned_session
        assert owned is not None
        await wait_for(lambda: charger.ws_state is WebsocketState.CONNECTED)
        await charger.ws_disconnect()
        assert owned.closed
        # The client can be used again afterwards (a new session is made when needed).
        await charger.update()
        assert charger.status == "active"

    with no_unclosed_sessions():
        await scenario()


async def test_without_session_each_request_uses_a_temporary_session(
    simulator: ChargerSimulator,
) -> None:
    async def scenario() -> None:
        charger = OpenEVSE(charger_host(simulator))
        await charger.update()
        await charger.set_override(state="disabled")
        assert charger._owned_session is None

    with no_unclosed_sessions():
        await scenario()
    assert ("POST", "/override") in simulator.requests


async def test_closed_injected_session_raises_connection_error(simulator: ChargerSimulator) -> None:
    session = aiohttp.ClientSession()
    await session.close()
    charger = OpenEVSE(charger_host(simulator), session=session)
    with pytest.raises(OpenEVSEConnectionError, match="closed"):
        await charger.update()


async def test_constructor_timeout_configures_only_an_owned_session(
    simulator: ChargerSimulator,
) -> None:
    simulator.faults.delay = 0.15
    # Our own session gets the constructor's timeout...
    async with OpenEVSE(charger_host(simulator), request_timeout=0.05) as charger:
        assert charger._owned_session is not None
        assert charger._owned_session.timeout.total == 0.05
        with pytest.raises(OpenEVSETimeoutError):
            await charger.update()
    # ...an injected session keeps its own (longer) one, whatever the constructor says.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        charger = OpenEVSE(charger_host(simulator), session=session, request_timeout=0.05)
        await charger.get_limit()
        assert session.timeout.total == 5
    # And the injected session's own short timeout applies too.
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.05)) as session:
        charger = OpenEVSE(charger_host(simulator), session=session, request_timeout=30)
        with pytest.raises(OpenEVSETimeoutError):
            await charger.update()


async def test_per_call_timeout_overrides_the_session(
    simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    simulator.faults.delay = 0.15
    charger = OpenEVSE(charger_host(simulator), session=session)
    with pytest.raises(OpenEVSETimeoutError):
        await charger.get_limit(request_timeout=0.05)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.05)) as short:
        charger = OpenEVSE(charger_host(simulator), session=short)
        assert await charger.get_limit(request_timeout=2) is None


async def test_basic_auth_is_sent_per_request_and_never_put_on_the_session(
    auth_simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    charger = OpenEVSE(charger_host(auth_simulator), USERNAME, PASSWORD, session=session)
    await charger.update()
    assert charger.config_data.auth_enabled
    assert charger.wifi_serial == auth_simulator.serial
    assert not session.headers
    assert session.auth is None
    assert len(session.cookie_jar) == 0
    # Another user of the shared session is not authenticated by our credentials.
    async with session.get(f"{auth_simulator.url}/status") as response:
        assert response.status == 401


async def test_wrong_or_missing_credentials_raise_authentication_error(
    auth_simulator: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for user, password in ((USERNAME, "wrong"), ("", ""), (None, None)):
        charger = OpenEVSE(charger_host(auth_simulator), user, password, session=session)
        with pytest.raises(OpenEVSEAuthenticationError) as caught:
            await charger.update()
        assert caught.value.status == 401


def test_invalid_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="request_timeout"):
        OpenEVSE("127.0.0.1", request_timeout=0)
    with pytest.raises(ValueError, match="host"):
        OpenEVSE("  ")
    with pytest.raises(ValueError, match="host"):
        OpenEVSE("http://")
    with pytest.raises(ValueError, match=":"):
        OpenEVSE("127.0.0.1", "us:er", "pw")


@pytest.mark.parametrize(
    ("host", "options", "expected"),
    [
        ("openevse.local", {}, "http://openevse.local/"),
        ("192.168.1.5:8080", {}, "http://192.168.1.5:8080/"),
        ("openevse.local", {"ssl": True}, "https://openevse.local/"),
        ("openevse.local", {"port": 8443, "ssl": True}, "https://openevse.local:8443/"),
        ("http://10.0.0.2/some/path?x=1", {}, "http://10.0.0.2/"),
        ("[fe80::1]:81", {}, "http://[fe80::1]:81/"),
    ],
)
def test_base_url(host: str, options: dict[str, object], expected: str) -> None:
    assert OpenEVSE(host, **options).url == expected  # type: ignore[arg-type]
