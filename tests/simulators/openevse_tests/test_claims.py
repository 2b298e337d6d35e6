"""Claims as evse_man.cpp and manual.cpp resolve them: target shape, defaults, counters."""

from __future__ import annotations

import aiohttp

from tests.simulators.openevse import CLIENT_MANUAL, ChargerSimulator

from .helpers import json_request


async def test_target_without_claims_holds_only_the_default_state(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    assert await json_request(session, "GET", f"{sim.url}/claims/target") == (
        200,
        {"properties": {"state": "active", "auto_release": False}, "claims": {}},
    )
    await sim.update_config(default_state=False)
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["properties"]["state"] == "disabled"


async def test_target_lists_only_claimed_properties_and_never_auto_release(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    body = {"charge_current": 12, "auto_release": True}
    await json_request(session, "POST", f"{sim.url}/claims/20", json=body)
    assert await json_request(session, "GET", f"{sim.url}/claims/target") == (
        200,
        {
            "properties": {"state": "active", "charge_current": 12, "auto_release": False},
            "claims": {"charge_current": 20},
        },
    )


async def test_api_claims_default_to_no_auto_release_the_override_to_auto_release(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await json_request(session, "POST", f"{sim.url}/claims/20", json={"state": "disabled"})
    _, claim = await json_request(session, "GET", f"{sim.url}/claims/20")
    assert claim == {"priority": 500, "state": "disabled", "auto_release": False}
    await json_request(session, "POST", f"{sim.url}/override", json={"state": "active"})
    _, override = await json_request(session, "GET", f"{sim.url}/override")
    assert override == {"state": "active", "auto_release": True}


async def test_reposting_an_identical_claim_moves_no_counter(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    body = {"state": "active", "charge_current": 10}
    await json_request(session, "POST", f"{sim.url}/claims/20", json=body)
    version = sim.status["claims_version"]
    assert await json_request(session, "POST", f"{sim.url}/claims/20", json=body) == (
        200,
        {"msg": "done"},
    )
    assert sim.status["claims_version"] == version
    await json_request(session, "POST", f"{sim.url}/claims/20", json=body | {"charge_current": 11})
    assert sim.status["claims_version"] == version + 1


async def test_any_json_is_a_claim(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    # The state counts by its first letter; a value it does not know leaves it unset.
    await json_request(session, "POST", f"{sim.url}/claims/21", json={"state": "asleep"})
    await json_request(session, "POST", f"{sim.url}/claims/22", json={"state": "draining"})
    await json_request(session, "POST", f"{sim.url}/claims/23", json={"state": "paused"})
    await json_request(session, "POST", f"{sim.url}/claims/24", json=[1, 2])
    _, claims = await json_request(session, "GET", f"{sim.url}/claims")
    by_client = {claim["client"]: claim for claim in claims}
    assert by_client[21]["state"] == "active"
    assert by_client[22]["state"] == "disabled"
    assert "state" not in by_client[23]
    assert by_client[24] == {"client": 24, "priority": 500, "auto_release": False}
    # Broken JSON is the only parse error.
    status, body = await json_request(session, "POST", f"{sim.url}/claims/25", data="{")
    assert (status, body) == (400, {"msg": "Could not parse JSON"})


async def test_on_equal_priority_the_older_claim_keeps_the_property(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await json_request(session, "POST", f"{sim.url}/claims/30", json={"charge_current": 9})
    await json_request(session, "POST", f"{sim.url}/claims/31", json={"charge_current": 15})
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"] == {"charge_current": 30}
    assert sim.status["pilot"] == 9


async def test_the_tenth_slot_is_the_last(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    for client in range(100, 110):
        await json_request(session, "POST", f"{sim.url}/claims/{client}", json={"state": "active"})
    status, body = await json_request(session, "POST", f"{sim.url}/claims/200", json={})
    assert (status, body) == (400, {"msg": "Could not make claim"})
    status, body = await json_request(session, "POST", f"{sim.url}/override", json={})
    assert (status, body) == (500, {"msg": "Failed to claim manual override"})
    assert CLIENT_MANUAL not in sim.claims.claims
