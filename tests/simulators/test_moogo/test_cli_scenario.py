"""The demo scenario and the command line."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time

import aiohttp
import pytest

from tests.simulators.moogo import MoogoCloudSimulator

from .support import ROOT


async def test_scenario_plays_the_story() -> None:
    sim = MoogoCloudSimulator(devices=2)
    pump = sim.device_ids[0]
    seen: set[tuple[str, int]] = set()
    story = asyncio.create_task(sim.run_scenario(step=0.02))
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and len(seen) < 6:
            status = sim.device(pump)
            seen.update((key, status[key]) for key in ("runStatus", "liquid_level", "onlineStatus"))
            await asyncio.sleep(0.005)
    finally:
        story.cancel()
        with pytest.raises(asyncio.CancelledError):
            await story
    assert seen == {
        (key, value) for key in ("runStatus", "liquid_level", "onlineStatus") for value in (0, 1)
    }
    assert [(item["hour"], item["minute"]) for item in sim.schedules(pump)] == [(19, 30)]
    # The story's spray lasts two beats, at least five seconds.
    assert sim.device(pump)["latestSprayingDuration"] == 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_command_line_serves_until_interrupted() -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulators.moogo",
        "--port",
        str(port),
        "--email",
        "cli@example.com",
        "--password",
        "cli-secret",
        "--devices",
        "3",
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 20)
        assert f"http://127.0.0.1:{port}/" in banner.decode()
        url = f"http://127.0.0.1:{port}/"
        async with aiohttp.ClientSession() as http:
            login = {"email": "cli@example.com", "password": "cli-secret", "keep": True}
            async with http.post(url + "v1/user/login", json=login) as r:
                token = (await r.json())["data"]["token"]
            async with http.get(url + "v1/devices", headers={"token": token}) as r:
                assert (await r.json())["data"]["total"] == 3
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
