"""Every failure of the cloud or the network surfaces as the matching typed error."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.openevse_moogo.clients.moogo import (
    MoogoApiError,
    MoogoAuthenticationError,
    MoogoClient,
    MoogoConnectionError,
    MoogoDeviceNotFoundError,
    MoogoError,
    MoogoInvalidResponseError,
    MoogoRateLimitError,
    MoogoServerError,
    MoogoTimeoutError,
)
from tests.simulators.moogo import MoogoCloudSimulator, MoogoFaults


async def logged_in(client: MoogoClient) -> MoogoClient:
    await client.authenticate()
    return client


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_http_5xx(client: MoogoClient, sim: MoogoCloudSimulator, status: int) -> None:
    await logged_in(client)
    sim.faults.http_status = status
    with pytest.raises(MoogoServerError) as caught:
        await client.get_devices()
    assert caught.value.status == status


async def test_cloudflare_html_page(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.html_error = True
    with pytest.raises(MoogoServerError, match="HTML") as caught:
        await client.get_device_status(sim.device_ids[0])
    assert caught.value.status == 522
    assert "<html" not in str(caught.value).lower()


async def test_html_page_during_login(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    sim.faults.html_error = True
    sim.faults.html_status = 520
    with pytest.raises(MoogoServerError) as caught:
        await client.authenticate()
    assert caught.value.status == 520


async def test_http_429_with_retry_after(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.http_status = 429
    sim.faults.retry_after = 42
    with pytest.raises(MoogoRateLimitError) as caught:
        await client.get_devices()
    assert caught.value.retry_after == 42
    assert sim.login_count == 1  # a rate limit never triggers a login


async def test_http_404_on_device_call(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.http_status = 404
    with pytest.raises(MoogoDeviceNotFoundError):
        await client.get_device_config(sim.device_ids[0])


async def test_http_404_on_account_call(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    """A 404 outside a device's routes means the API moved, not that a device is gone."""
    await logged_in(client)
    sim.faults.http_status = 404
    with pytest.raises(MoogoApiError) as caught:
        await client.get_devices()
    assert caught.value.code == 404
    assert not isinstance(caught.value, MoogoDeviceNotFoundError)


async def test_http_400_with_envelope(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.http_status = 400
    with pytest.raises(MoogoApiError) as caught:
        await client.get_devices()
    assert caught.value.code == 400


async def test_malformed_json(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.malformed_json = True
    with pytest.raises(MoogoInvalidResponseError, match="malformed JSON"):
        await client.get_devices()
    with pytest.raises(MoogoInvalidResponseError):
        await client.get_liquid_types()


async def test_slow_answer_with_call_timeout(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.delay = 1.0
    with pytest.raises(MoogoTimeoutError) as caught:
        await client.get_devices(request_timeout=0.1)
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, ConnectionError)
    assert not isinstance(caught.value, asyncio.CancelledError)


async def test_call_timeout_overrides_session_timeout(
    sim: MoogoCloudSimulator,
) -> None:
    """``request_timeout`` wins over a strict injected session and over the client's own."""
    sim.faults.delay = 0.3
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.05)) as strict:
        client = MoogoClient(
            email=sim.email, password=sim.password, session=strict, base_url=sim.url
        )
        await client.authenticate(request_timeout=5)
        assert await client.get_liquid_types(request_timeout=5)
    async with MoogoClient(
        email=sim.email, password=sim.password, base_url=sim.url, timeout=0.05
    ) as own:
        assert await own.get_devices(request_timeout=5)


async def test_hanging_cloud(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    await logged_in(client)
    sim.faults.hang = True
    with pytest.raises(MoogoTimeoutError):
        await client.start_spray(sim.device_ids[0], request_timeout=0.1)


async def test_cloud_unreachable(session: aiohttp.ClientSession) -> None:
    sim = MoogoCloudSimulator()
    await sim.start()
    url = sim.url
    await sim.stop()
    client = MoogoClient(email=sim.email, password=sim.password, session=session, base_url=url)
    with pytest.raises(MoogoConnectionError) as caught:
        await client.authenticate()
    assert isinstance(caught.value, ConnectionError)
    assert not isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value.__cause__, aiohttp.ClientError)
    with pytest.raises(MoogoConnectionError):
        await client.get_liquid_types()


async def test_errors_never_leak_library_exceptions(
    client: MoogoClient, sim: MoogoCloudSimulator
) -> None:
    """Across every fault switch, only our own errors escape."""
    await logged_in(client)
    device_id = sim.device_ids[0]
    switches = [
        ("http_status", 500),
        ("http_status", 429),
        ("http_status", 418),
        ("html_error", True),
        ("malformed_json", True),
    ]
    for name, value in switches:
        setattr(sim.faults, name, value)
        for call in (
            client.get_devices(),
            client.get_device_status(device_id),
            client.get_schedules(device_id),
            client.get_liquid_types(),
        ):
            with pytest.raises(MoogoError) as caught:
                await call
            assert not isinstance(caught.value, aiohttp.ClientError)
        sim.faults = MoogoFaults()


async def test_public_endpoint_unauthorised(client: MoogoClient, sim: MoogoCloudSimulator) -> None:
    sim.faults.http_status = 401
    with pytest.raises(MoogoAuthenticationError):
        await client.get_recommended_plans()


def test_base_url_must_be_absolute_http() -> None:
    for bad in ("ftp://example.com/", "/v1/", "example.com"):
        with pytest.raises(ValueError, match="absolute"):
            MoogoClient(base_url=bad)
    assert str(MoogoClient(base_url="http://127.0.0.1:1/api").base_url) == (
        "http://127.0.0.1:1/api/"
    )
    assert str(MoogoClient().base_url) == "https://api.moogo.com/"
