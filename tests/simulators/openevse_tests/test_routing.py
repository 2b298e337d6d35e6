"""Route matching and replies as Mongoose 6 / ArduinoMongoose 0.0.22 give them to the firmware."""

from __future__ import annotations

import aiohttp
import pytest

from tests.simulators.openevse import ChargerSimulator

from .helpers import AUTH, TICK, json_request, text_request


async def test_unknown_path_is_a_plain_404(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # ArduinoMongoose send(404): the reason phrase as text/plain, connection closed.
    async with session.get(f"{sim.url}/nope") as response:
        assert response.status == 404
        assert response.content_type == "text/plain"
        assert await response.text() == "Not Found"
        assert response.headers["Connection"] == "close"


@pytest.mark.parametrize("path", ["/STATUS", "/Status", "/CONFIG"])
async def test_matching_ignores_case(
    sim: ChargerSimulator, session: aiohttp.ClientSession, path: str
) -> None:
    status, body = await json_request(session, "GET", f"{sim.url}{path}")
    assert status == 200
    assert isinstance(body, dict)


@pytest.mark.parametrize("path", ["/status/", "/statusx", "/config/1", "/r/x"])
async def test_anchored_routes_match_only_the_whole_path(
    sim: ChargerSimulator, session: aiohttp.ClientSession, path: str
) -> None:
    status, _, text = await text_request(session, "GET", f"{sim.url}{path}")
    assert (status, text) == (404, "Not Found")


async def test_unanchored_routes_match_longer_paths(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # "/limit", "/schedule", "/claims", "/logs", "/time" are registered without "$".
    assert await json_request(session, "GET", f"{sim.url}/limits") == (200, {})
    status, events = await json_request(session, "GET", f"{sim.url}/schedules")
    assert status == 200
    assert events == sim.schedule
    status, claims = await json_request(session, "GET", f"{sim.url}/claimsXY")
    assert (status, claims) == (200, [])
    status, clock = await json_request(session, "GET", f"{sim.url}/timeline")
    assert status == 200
    assert set(clock) == {"time", "local_time", "offset", "uptime"}


async def test_the_longest_registered_pattern_wins(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # "/schedule/plan$" and "/claims/target$" beat their shorter prefixes.
    _, plan = await json_request(session, "GET", f"{sim.url}/schedule/plan")
    assert "current_day" in plan
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert set(target) == {"properties", "claims"}


async def test_a_claim_path_that_is_not_a_number_lists_the_claims(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # The client id is read with String.toInt(): "abc" is 0, the whole list.
    await json_request(session, "POST", f"{sim.url}/claims/20", json={"state": "active"})
    status, listing = await json_request(session, "GET", f"{sim.url}/claims/abc")
    assert status == 200
    assert [claim["client"] for claim in listing] == [20]
    status, claim = await json_request(session, "GET", f"{sim.url}/claims/20xyz")
    assert (status, claim["state"]) == (200, "active")


async def test_api_replies_carry_the_firmware_cache_header(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.get(f"{sim.url}/status") as response:
        assert response.headers["Cache-Control"] == (
            "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0"
        )
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "1"}) as response:
        assert response.content_type == "text/plain"
        assert "no-cache" in response.headers["Cache-Control"]


async def test_unknown_paths_are_behind_auth_too(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(username="admin", password="s3cret", tick=TICK) as sim:
        async with session.get(f"{sim.url}/nope") as response:
            assert response.status == 401
        status, _, text = await text_request(session, "GET", f"{sim.url}/nope", headers=AUTH)
        assert (status, text) == (404, "Not Found")
        # The identity probe and the websocket stay open (5.1.5).
        status, _, text = await text_request(session, "GET", f"{sim.url}/emoncms/describe")
        assert (status, text) == (200, "openevse")


async def test_4x_serves_no_limit_emeter_or_time(session: aiohttp.ClientSession) -> None:
    async with ChargerSimulator(profile="v4", tick=TICK) as sim:
        for path in ("/limit", "/emeter", "/time"):
            status, _, text = await text_request(session, "GET", f"{sim.url}{path}")
            assert (status, text) == (404, "Not Found"), path
        # /settime is there since 4.x.
        status, _, _ = await text_request(session, "POST", f"{sim.url}/settime")
        assert status == 400
