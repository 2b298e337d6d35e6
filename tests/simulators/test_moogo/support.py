"""Plain-HTTP helpers for the Moogo cloud simulator's wire-level tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from tests.simulators.moogo import MoogoCloudSimulator

# Monday 2025-06-02 12:00 UTC, which is 05:00 in the pumps' default zone (America/Los_Angeles).
MONDAY_NOON_UTC = datetime(2025, 6, 2, 12, 0, tzinfo=UTC).timestamp()
CONFIRM = 4.0  # default delay between a start/stop and the runStatus flip
ROOT = Path(__file__).resolve().parents[3]


class FakeClock:
    """A clock the test moves by hand, so time-driven behaviour needs no sleeping."""

    def __init__(self, now: float = MONDAY_NOON_UTC) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> int:
        code: int = self.body["code"]
        return code

    @property
    def data(self) -> Any:
        return self.body["data"]


class Api:
    """Plain HTTP against the simulator, the way a client would talk to it."""

    def __init__(self, sim: MoogoCloudSimulator, http: aiohttp.ClientSession) -> None:
        self.sim = sim
        self.http = http
        self.token = ""

    async def call(self, method: str, path: str, **kwargs: Any) -> Answer:
        headers = {"token": self.token}
        async with self.http.request(method, self.sim.url + path, headers=headers, **kwargs) as r:
            return Answer(r.status, await r.json())

    async def login(self, **body: Any) -> Answer:
        payload = {"email": self.sim.email, "password": self.sim.password, "keep": "true"} | body
        answer = await self.call("POST", "v1/user/login", json=payload)
        if answer.code == 0:
            self.token = answer.data["token"]
        return answer

    async def status(self, device_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"v1/devices/{device_id}")
        assert answer.code == 0, answer
        status: dict[str, Any] = answer.data
        return status

    async def schedules(self, device_id: str, **query: Any) -> dict[str, Any]:
        answer = await self.call("GET", f"v1/devices/{device_id}/schedules", params=query)
        assert answer.code == 0, answer
        page: dict[str, Any] = answer.data
        return page


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


async def create(api: Api, pump: str, **fields: Any) -> Answer:
    body = {"hour": "8", "minute": "30", "repeatSet": "1,2,3", "duration": "60", "status": "1"}
    return await api.call("POST", f"v1/devices/{pump}/schedules", json=body | fields)
