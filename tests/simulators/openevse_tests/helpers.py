"""Shared helpers of the OpenEVSE simulator tests: plain aiohttp, no client of ours."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp

TICK = 0.02
AUTH = {"Authorization": aiohttp.encode_basic_auth("admin", "s3cret")}


async def until(condition: Callable[[], bool], within: float = 2.0) -> None:
    """Wait until condition() holds (device state is plain attributes: poll it)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def json_request(
    session: aiohttp.ClientSession, method: str, url: str, **kw: Any
) -> tuple[int, Any]:
    """Return (status, parsed JSON body); the reply must say application/json."""
    async with session.request(method, url, **kw) as response:
        assert response.content_type == "application/json"
        return response.status, await response.json()


async def text_request(
    session: aiohttp.ClientSession, method: str, url: str, **kw: Any
) -> tuple[int, str, str]:
    """Return (status, content type, body text)."""
    async with session.request(method, url, **kw) as response:
        return response.status, response.content_type, await response.text()


async def next_with(ws: aiohttp.ClientWebSocketResponse, key: str) -> dict[str, Any]:
    """Return the next websocket message containing key."""
    async with asyncio.timeout(2):
        while True:
            message = await ws.receive_json()
            if key in message:
                return message
