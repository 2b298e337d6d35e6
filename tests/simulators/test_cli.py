"""The simulators' command lines: a second charger and a second Moogo account beside the first.

Each CLI runs as its own process, the way the README tells a user to start one, and is read
through the real clients.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.moogo import MoogoAuthenticationError, MoogoClient
from custom_components.openevse_moogo.clients.openevse import OpenEVSE
from tests.e2e.stack import ROOT

URL = re.compile(r"http://127\.0\.0\.1:\d+/?")


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Allow sockets: the harness still limits connections to 127.0.0.1."""


@asynccontextmanager
async def running(module: str, *args: str) -> AsyncGenerator[tuple[str, str]]:
    """Start ``python -m module args``; yield (its URL, its banner) and stop it with SIGINT."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        "--port",
        "0",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            banner = (await process.stdout.readline()).decode()
        match = URL.search(banner)
        assert match, banner or (await process.stderr.read()).decode()  # type: ignore[union-attr]
        yield match.group(0), banner
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(30):
                await process.wait()


async def test_a_second_charger_has_its_own_serial_name_firmware_and_password() -> None:
    async with (
        running(
            "tests.simulators.openevse",
            "--serial",
            "a4cf12b30002",
            "--hostname",
            "openevse-garage",
            "--profile",
            "v4",
            "--username",
            "admin",
            "--password",
            "garage-secret",
        ) as (url, banner),
        aiohttp.ClientSession() as session,
    ):
        assert "openevse-garage" in banner
        host, port = url.removeprefix("http://").split(":")
        client = OpenEVSE(host, "admin", "garage-secret", session, port=int(port))
        config = await client.get_config()
    assert config.wifi_serial == "A4CF12B30002"
    assert config.hostname == "openevse-garage"
    assert config.firmware_version.release is not None
    assert config.firmware_version.release[0] == 4


async def test_a_wrong_serial_is_refused() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulators.openevse",
        "--serial",
        "not-hex",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == 2
    assert b"is not 12 hex digits" in stderr


async def test_a_second_account_has_its_own_login_and_named_pumps() -> None:
    async with (
        running(
            "tests.simulators.moogo",
            "--email",
            "second@example.com",
            "--password",
            "other-secret",
            "--devices",
            "2",
            "--pump-name",
            "Terrace",
        ) as (url, _banner),
        aiohttp.ClientSession() as session,
    ):
        client = MoogoClient("second@example.com", "other-secret", session=session, base_url=url)
        await client.authenticate()
        devices = await client.get_devices()
        first_account = MoogoClient(
            "demo@example.com", "wrong-account", session=session, base_url=url
        )
        with pytest.raises(MoogoAuthenticationError):
            await first_account.authenticate()
    assert [device.name for device in devices] == ["Terrace", "Patio"]
