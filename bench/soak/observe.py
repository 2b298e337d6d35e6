"""What the soak watches in the running Home Assistant, from outside the process.

* ``StateStream``: Home Assistant's websocket API, subscribed to ``state_changed`` (every change
  of every entity, stamped with our clock when it arrives), plus the entity registry.
* ``LogTail``: the new lines of ``home-assistant.log``, stamped when read (every 0.5 s).
* ``ProcessSampler``: resident memory and open file descriptors of the ``hass`` process from
  ``/proc/<pid>``, and the event loop's asyncio task count and Python's live heap, which the
  soak's own probe integration (``bench/soak/probe``, loaded from the soak's configuration.yaml,
  not part of the product) publishes as states (the tasks every 5 s, the heap after a full
  collection every 2 min).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.stack import HomeAssistantApi

PROBE_ENTITY = "sensor.soak_probe_asyncio_tasks"
HEAP_ENTITY = "sensor.soak_probe_python_heap"


@dataclass(frozen=True, slots=True)
class Change:
    at: float  # time.monotonic() on arrival
    entity_id: str
    old: str | None
    new: str | None


class StateStream:
    """A websocket client of Home Assistant that records every state change."""

    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self._session = session
        self._url = url.replace("http", "ws", 1) + "/api/websocket"
        self._token = token
        self.changes: list[Change] = []
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = iter(range(1, 1 << 30))
        self._pending: dict[int, asyncio.Future[Any]] = {}

    async def start(self) -> None:
        self._ws = ws = await self._session.ws_connect(self._url, max_msg_size=0)
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": self._token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        self._reader = asyncio.create_task(self._read())
        await self.call({"type": "subscribe_events", "event_type": "state_changed"})

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._ws is not None:
            await self._ws.close()

    async def call(self, message: dict[str, Any]) -> Any:
        assert self._ws is not None
        ident = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self._ws.send_json({"id": ident, **message})
        async with asyncio.timeout(30):
            return await future

    async def entity_registry(self) -> list[dict[str, Any]]:
        return list(await self.call({"type": "config/entity_registry/list"}))

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data = message.json()
            for item in data if isinstance(data, list) else [data]:
                self._dispatch(item)

    def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("type") == "event":
            event = item["event"]["data"]
            old, new = event.get("old_state"), event.get("new_state")
            self.changes.append(
                Change(
                    time.monotonic(),
                    event["entity_id"],
                    None if old is None else old["state"],
                    None if new is None else new["state"],
                )
            )
            return
        future = self._pending.pop(item.get("id", -1), None)
        if future is not None and not future.done():
            if item.get("success", True):
                future.set_result(item.get("result"))
            else:
                future.set_exception(RuntimeError(f"websocket call failed: {item.get('error')}"))


@dataclass(frozen=True, slots=True)
class LogLine:
    at: float  # time.monotonic() when read
    text: str


class LogTail:
    """Reads the lines Home Assistant appends to its log while the soak runs."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0
        self.lines: list[LogLine] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.read()

    def read(self) -> None:
        with contextlib.suppress(FileNotFoundError), self._path.open("rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        if not chunk:
            return
        complete = chunk.rfind(b"\n") + 1
        self._offset += complete
        now = time.monotonic()
        for line in chunk[:complete].decode("utf-8", "replace").splitlines():
            self.lines.append(LogLine(now, line))

    async def _follow(self) -> None:
        while True:
            self.read()
            await asyncio.sleep(0.5)


@dataclass(frozen=True, slots=True)
class Sample:
    at: float  # time.monotonic()
    rss_mib: float
    fds: int
    tasks: int | None
    heap: HeapMeasurement | None = None


@dataclass(frozen=True, slots=True)
class HeapMeasurement:
    """Python's allocated blocks right after the probe's full collection (see the probe)."""

    blocks: int
    number: int  # the probe's count of measurements: one reading per measurement is a point
    pause_ms: float  # how long the collection held the event loop


@dataclass
class ProcessSampler:
    pid: int
    api: HomeAssistantApi
    every: float = 5.0
    samples: list[Sample] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _proc(self) -> tuple[int, int]:
        rss_kib = 0
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss_kib = int(line.split()[1])
        return rss_kib, sum(1 for _ in Path(f"/proc/{self.pid}/fd").iterdir())

    async def sample(self) -> Sample:
        rss_kib, fds = self._proc()  # /proc is in memory: reading it does not block
        tasks: int | None = None
        heap: HeapMeasurement | None = None
        with contextlib.suppress(Exception):
            tasks = int((await self.api.state(PROBE_ENTITY))["state"])
            state = await self.api.state(HEAP_ENTITY)
            attributes = state["attributes"]
            heap = HeapMeasurement(
                int(state["state"]), int(attributes["measurements"]), float(attributes["pause_ms"])
            )
        sample = Sample(time.monotonic(), rss_kib / 1024, fds, tasks, heap)
        self.samples.append(sample)
        return sample

    async def _run(self) -> None:
        while True:
            await self.sample()
            await asyncio.sleep(self.every)
