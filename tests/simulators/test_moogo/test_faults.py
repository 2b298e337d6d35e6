"""Fault switches and protocol edges."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import Api


@pytest.mark.parametrize("status", [401, 500, 503])
async def test_http_status_fault(authed: Api, sim: MoogoCloudSimulator, status: int) -> None:
    sim.faults.http_status = status
    for path in ("v1/devices", "v1/liquid"):
        answer = await authed.call("GET", path)
        assert (answer.status, answer.code) == (status, status)
    sim.faults.http_status = None
    assert (await authed.call("GET", "v1/devices")).status == 200


async def test_http_429_carries_retry_after(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.http_status = 429
    sim.faults.retry_after = 120
    async with authed.http.get(sim.url + "v1/devices", headers={"token": authed.token}) as r:
        assert r.status == 429
        assert r.headers["Retry-After"] == "120"


async def test_html_error_page(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.html_error = True
    async with authed.http.get(sim.url + "v1/devices", headers={"token": authed.token}) as r:
        assert r.status == 522
        assert r.content_type == "text/html"
        assert "<html>" in await r.text()
        with pytest.raises(aiohttp.ContentTypeError):
            await r.json()


async def test_malformed_json(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    sim.faults.malformed_json = True
    async with authed.http.get(
        sim.url + f"v1/devices/{pump}", headers={"token": authed.token}
    ) as r:
        assert (r.status, r.content_type) == (200, "application/json")
        text = await r.text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


async def test_delay(authed: Api, sim: MoogoCloudSimulator) -> None:
    sim.faults.delay = 0.2
    started = time.monotonic()
    assert (await authed.call("GET", "v1/liquid")).code == 0
    assert time.monotonic() - started >= 0.2


async def test_hang_never_answers_and_stop_releases_it() -> None:
    sim = MoogoCloudSimulator()
    await sim.start()
    sim.faults.hang = True
    async with aiohttp.ClientSession() as http:
        with pytest.raises(TimeoutError):
            async with http.get(sim.url + "v1/liquid", timeout=aiohttp.ClientTimeout(total=0.2)):
                pass
        pending = asyncio.create_task(read_status(http, sim.url + "v1/liquid"))
        await asyncio.sleep(0.05)
        assert not pending.done()
        started = time.monotonic()
        await sim.stop()
        assert time.monotonic() - started < 1.5
        # Released by the shutdown: either a last 503 or a dropped connection, never data.
        try:
            status = await pending
        except aiohttp.ClientError:
            status = None
        assert status in {None, 503}


async def read_status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        await response.read()
        return response.status


async def test_requests_are_recorded(authed: Api, sim: MoogoCloudSimulator, pump: str) -> None:
    await authed.call("GET", f"v1/devices/{pump}", params={"x": 1})
    sim.faults.http_status = 500
    await authed.call("GET", "v1/devices")
    assert sim.requests == [
        ("POST", "/v1/user/login"),
        ("GET", f"/v1/devices/{pump}"),
        ("GET", "/v1/devices"),
    ]


async def test_unknown_route_and_bad_body(authed: Api, pump: str) -> None:
    missing = await authed.call("GET", "v1/nothing-here")
    assert (missing.status, missing.code) == (404, 404)
    # Onboarding and the app's other areas are not served (FIDELITY.md says why).
    for path in (f"v1/devices/{pump}/register", f"v1/members/{pump}/list", "v1/faqs"):
        assert (await authed.call("GET", path)).status == 404
    register = await authed.call("POST", f"v1/devices/{pump}/register", json={})
    assert (register.status, register.code) == (404, 404)
    async with authed.http.post(
        authed.sim.url + f"v1/devices/{pump}/start",
        data="{not json",
        headers={"token": authed.token, "Content-Type": "application/json"},
    ) as r:
        assert r.status == 200
        assert (await r.json())["code"] == 500
