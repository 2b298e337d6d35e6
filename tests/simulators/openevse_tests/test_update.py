"""Firmware updates as web_server_update.cpp and http_update.cpp run them, seen from /ws."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.simulators.openevse import ChargerSimulator

from .helpers import TICK, json_request, text_request, until

IMAGE = b"\xe9" + bytes(4095)  # an ESP32 app image starts with 0xE9


@pytest.fixture
async def updating() -> AsyncIterator[ChargerSimulator]:
    sim = ChargerSimulator(tick=TICK, restart_delay=0.05, restart_downtime=0.1)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def image_server() -> AsyncIterator[str]:
    """A loopback web server holding firmware files, as GitHub would."""

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name == "good.bin":
            return web.Response(body=IMAGE)
        if name == "bad.bin":
            return web.Response(body=b"not firmware")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def _ota_messages(ws: aiohttp.ClientWebSocketResponse, within: float) -> list[Any]:
    """Collect every ota / ota_progress value pushed until the socket is quiet for ``within``."""
    seen: list[Any] = []
    while True:
        try:
            message = await asyncio.wait_for(ws.receive(), within)
        except TimeoutError:
            return seen
        if message.type is not aiohttp.WSMsgType.TEXT:
            return seen
        payload = message.json()
        seen += [payload[key] for key in ("ota", "ota_progress") if key in payload]


def _upload(image: bytes) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("firmware", image, filename="firmware.bin")
    return form


async def test_get_update_is_the_upload_form(
    updating: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    status, content_type, page = await text_request(session, "GET", f"{updating.url}/update")
    assert (status, content_type) == (200, "text/html")
    assert "multipart/form-data" in page


async def test_upload_flashes_reports_progress_and_reboots(
    updating: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        status, content_type, text = await text_request(
            session, "POST", f"{updating.url}/update", data=_upload(IMAGE)
        )
        assert (status, content_type, text) == (200, "text/plain", "OK")
        seen = await _ota_messages(ws, 0.3)
    assert seen[0] == "started"
    assert seen[1:-1] == list(range(10, 101, 10))
    assert seen[-1] == "completed"
    await until(lambda: updating.reboots == 1)
    await until(lambda: updating.online)


async def test_an_upload_that_is_no_firmware_fails(
    updating: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        status, _, text = await text_request(
            session, "POST", f"{updating.url}/update", data=_upload(b"hello")
        )
        assert (status, text) == (500, "Error: 8")  # bad magic byte
        assert await _ota_messages(ws, 0.2) == ["started", "failed"]
    assert updating.online


async def test_a_rejected_image_fails_without_reboot(
    updating: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    updating.faults.ota_fails = True
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        status, _, text = await text_request(
            session, "POST", f"{updating.url}/update", data=_upload(IMAGE)
        )
        assert (status, text) == (500, "Error: 9")
        seen = await _ota_messages(ws, 0.3)
    assert seen[0] == "started"
    assert seen[-1] == "failed"
    await asyncio.sleep(0.3)
    assert updating.reboots == 0
    assert updating.status["ota_update"] == 0


async def test_url_update_downloads_flashes_and_reboots(
    updating: ChargerSimulator, session: aiohttp.ClientSession, image_server: str
) -> None:
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        body = {"url": f"{image_server}/good.bin"}
        assert await json_request(session, "POST", f"{updating.url}/update", json=body) == (
            200,
            {"msg": "started"},
        )
        seen = await _ota_messages(ws, 0.5)
    assert seen[0] == "started"
    assert seen[-1] == "completed"
    await until(lambda: updating.reboots == 1)


@pytest.mark.parametrize("name", ["missing.bin", "bad.bin"])
async def test_url_update_that_cannot_start_is_silent(
    updating: ChargerSimulator, session: aiohttp.ClientSession, image_server: str, name: str
) -> None:
    # The firmware's error callbacks do nothing: "started", then no failure message.
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        body = {"url": f"{image_server}/{name}"}
        assert await json_request(session, "POST", f"{updating.url}/update", json=body) == (
            200,
            {"msg": "started"},
        )
        seen = await _ota_messages(ws, 0.4)
    assert "completed" not in seen
    assert "failed" not in seen
    assert updating.online


async def test_silent_fault_mode(
    updating: ChargerSimulator, session: aiohttp.ClientSession, image_server: str
) -> None:
    updating.faults.ota_silent = True
    async with session.ws_connect(f"{updating.url}/ws") as ws:
        await ws.receive_json()
        body = {"url": f"{image_server}/good.bin"}
        await json_request(session, "POST", f"{updating.url}/update", json=body)
        assert await _ota_messages(ws, 0.4) == []
    assert updating.online


async def test_url_update_with_broken_json(
    updating: ChargerSimulator, session: aiohttp.ClientSession
) -> None:
    # The firmware prints the parser's error and forgets the closing brace.
    status, _, text = await text_request(session, "POST", f"{updating.url}/update", data="{")
    assert (status, text) == (400, '{"msg":"InvalidInput"')
