"""Solar divert as divert.cpp runs it: eco pauses the charger until the surplus suffices."""

from __future__ import annotations

import aiohttp

from tests.simulators.openevse import ChargerSimulator

from .helpers import json_request, next_with

DIVERT = 65538


async def _eco(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "2"}) as response:
        assert await response.text() == "Divert Mode changed"


async def test_eco_holds_a_priority_10_disabled_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.start_charging()
    versions = sim.status["claims_version"]
    await _eco(sim, session)
    assert sim.claims.claims[DIVERT].as_wire() == {
        "priority": 10,
        "state": "disabled",
        "auto_release": False,
    }
    assert sim.status["claims_version"] == versions + 1
    assert sim.status["state"] == 254  # a real charger with no surplus sleeps
    assert sim.status["status"] == "disabled"
    _, target = await json_request(session, "GET", f"{sim.url}/claims/target")
    assert target["claims"] == {"state": DIVERT}
    # Normal mode releases it and charging resumes.
    async with session.post(f"{sim.url}/divertmode", data={"divertmode": "1"}):
        pass
    assert DIVERT not in sim.claims.claims
    assert sim.status["state"] == 3


async def test_a_higher_claim_outranks_the_eco_pause(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.start_charging()
    await _eco(sim, session)
    await json_request(session, "POST", f"{sim.url}/claims/20", json={"state": "active"})
    assert sim.status["state"] == 3


async def test_solar_surplus_starts_charging_at_its_current(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.update_config(divert_type=0, divert_PV_ratio=1.1)
    await sim.start_charging()
    await _eco(sim, session)
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()  # the full status every new connection gets
        # 2400 W at 240 V = 10 A >= 6 A x min(1, 1.1) + 0.5 A: divert claims active, 10 A.
        feed = {"voltage": 240, "solar": 2400}
        await json_request(session, "POST", f"{sim.url}/status", json=feed)
        pushed = await next_with(ws, "divert_active")
        assert pushed["divert_active"] is True
        assert pushed["charge_rate"] == 10
    claim = sim.claims.claims[DIVERT]
    assert (claim.priority, claim.properties) == (50, {"state": "active", "charge_current": 10})
    assert sim.status["state"] == 3
    assert sim.status["pilot"] == 10
    # Down to the trigger current (6 A = 1440 W): back to the priority-10 pause.
    await json_request(session, "POST", f"{sim.url}/status", json={"voltage": 240, "solar": 1440})
    claim = sim.claims.claims[DIVERT]
    assert (claim.priority, claim.properties) == (10, {"state": "disabled"})
    assert sim.status["state"] == 254
    assert sim.status["divert_active"] is False


async def test_grid_export_counts_what_the_car_draws(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.update_config(divert_type=1, divert_PV_ratio=1.0)
    await _eco(sim, session)
    # Exporting 1920 W at 240 V, car drawing nothing: 8 A available.
    await json_request(session, "POST", f"{sim.url}/status", json={"grid_ie": -1920})
    assert sim.claims.claims[DIVERT].properties == {"state": "active", "charge_current": 8}
    assert sim.status["charge_rate"] == 8


async def test_feeds_outside_eco_change_no_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    await sim.update_config(divert_type=0)
    await json_request(session, "POST", f"{sim.url}/status", json={"solar": 5000})
    assert sim.claims.claims == {}
    assert sim.status["solar"] == 5000


async def test_config_switches_eco_with_its_claim(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    body = {"divert_enabled": True, "charge_mode": "eco"}
    await json_request(session, "POST", f"{sim.url}/config", json=body)
    assert sim.status["divertmode"] == 2
    assert DIVERT in sim.claims.claims
    await json_request(session, "POST", f"{sim.url}/config", json={"charge_mode": "fast"})
    assert sim.status["divertmode"] == 1
    assert DIVERT not in sim.claims.claims
