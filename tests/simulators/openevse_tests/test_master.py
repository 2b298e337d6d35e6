"""The firmware's development branch (master) as API clients meet it: auth everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator

from .helpers import TICK, json_request, text_request

USER, PASSWORD = "admin", "s3cret"
GOOD = {"Authorization": aiohttp.encode_basic_auth(USER, PASSWORD)}
BAD = {"Authorization": aiohttp.encode_basic_auth(USER, "guess")}
SPA = {"X-Requested-With": "OpenEVSE"}


@pytest.fixture
async def master() -> AsyncIterator[ChargerSimulator]:
    sim = ChargerSimulator(profile="master", username=USER, password=PASSWORD, tick=TICK)
    await sim.start()
    yield sim
    await sim.stop()


async def test_version_and_field_set(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(profile="master", tick=TICK) as sim:
        _, config = await json_request(session, "GET", f"{sim.url}/config")
        assert config["version"] == "master_1797b7a3"
        _, status = await json_request(session, "GET", f"{sim.url}/status")
        assert status["tsdb_ready"] == 1


async def test_websocket_handshake_needs_credentials(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await session.ws_connect(f"{master.url}/ws")
    assert refused.value.status == 401
    async with session.ws_connect(f"{master.url}/ws", headers=GOOD) as ws:
        assert "state" in await ws.receive_json()


async def test_spa_header_gets_json_instead_of_a_challenge(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.get(f"{master.url}/status") as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == "Basic realm=openevse-7c40"
    assert await json_request(session, "GET", f"{master.url}/status", headers=SPA) == (
        401,
        {"msg": "auth"},
    )


async def test_auth_is_keyed_on_the_password(session: aiohttp.ClientSession) -> None:
    # A password with a blank user name: the user is "openevseadmin", not "anyone".
    sim = ChargerSimulator(profile="master", password="pw", tick=TICK)
    sim.secrets["www_password"] = "pw"
    async with sim:
        auth = {"Authorization": aiohttp.encode_basic_auth("openevseadmin", "pw")}
        assert (await json_request(session, "GET", f"{sim.url}/status", headers=auth))[0] == 200
        other = {"Authorization": aiohttp.encode_basic_auth("someone", "pw")}
        async with session.get(f"{sim.url}/status", headers=other) as response:
            assert response.status == 401


async def test_failed_logins_are_throttled(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for _ in range(9):
        async with session.get(f"{master.url}/status", headers=BAD) as response:
            assert response.status == 401
    # The tenth failure makes the throttle hot: wrong credentials now get 429.
    assert await json_request(session, "GET", f"{master.url}/status", headers=BAD) == (
        429,
        {"msg": "locked"},
    )
    login = {"user": USER, "pass": "guess"}
    assert await json_request(session, "POST", f"{master.url}/login", json=login) == (
        429,
        {"msg": "locked"},
    )
    # No credential at all still gets the plain challenge; the right one always passes.
    async with session.get(f"{master.url}/status") as response:
        assert response.status == 401
    assert (await json_request(session, "GET", f"{master.url}/status", headers=GOOD))[0] == 200
    async with session.get(f"{master.url}/status", headers=BAD) as response:
        assert response.status == 401  # the success cleared the count


async def test_one_failure_is_forgiven_per_minute(master: ChargerSimulator) -> None:
    now = [1000.0]
    master.auth.clock = lambda: now[0]
    for _ in range(10):
        master.auth.failed()
    assert master.auth.locked()
    now[0] += 60
    assert not master.auth.locked()


async def test_login_cookie_and_csrf(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    assert await json_request(
        session, "POST", f"{master.url}/login", json={"user": USER, "pass": "no"}
    ) == (401, {"msg": "invalid"})
    async with session.post(
        f"{master.url}/login", json={"user": USER, "pass": PASSWORD, "remember": True}
    ) as response:
        assert response.status == 200
        assert "Max-Age=2592000" in response.headers["Set-Cookie"]
        token = response.cookies["oevse_session"].value
    cookie = {"Cookie": f"oevse_session={token}"}
    # The session cookie lets reads in without Basic auth.
    assert (await json_request(session, "GET", f"{master.url}/status", headers=cookie))[0] == 200
    # A state change by cookie needs the SPA header (a cross-site form cannot set it).
    body = {"state": "disabled"}
    assert await json_request(
        session, "POST", f"{master.url}/override", json=body, headers=cookie
    ) == (403, {"msg": "csrf"})
    status, _ = await json_request(
        session, "POST", f"{master.url}/override", json=body, headers=cookie | SPA
    )
    assert status == 201
    assert (await json_request(session, "GET", f"{master.url}/login"))[0] == 405
    async with session.post(f"{master.url}/logout") as response:
        assert response.status == 200
        assert "Max-Age=0" in response.headers["Set-Cookie"]


async def test_get_restart_needs_the_app_header(
    master: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    assert await text_request(session, "GET", f"{master.url}/restart", headers=GOOD) == (
        403,
        "text/plain",
        "Forbidden: use POST or the app",
    )
    assert master.reboots == 0
    status, _, text = await text_request(
        session, "GET", f"{master.url}/restart", headers=GOOD | SPA
    )
    assert (status, text) == (200, "1")


async def test_the_auto_service_level_is_gone(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(profile="master", tick=TICK) as sim:
        url = f"{sim.url}/config"
        status, reply = await json_request(session, "POST", url, json={"service": 0})
        assert (status, reply["msg"]) == (200, "no change")
        assert sim.config["service"] == 2
        status, reply = await json_request(session, "POST", url, json={"service": 1})
        assert (status, reply["msg"]) == (200, "done")
        assert sim.config["service"] == 1
