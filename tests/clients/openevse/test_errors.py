"""Every fault switch of the simulator maps to a typed result or a typed exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from custom_components.openevse_moogo.clients.openevse import (
    OpenEVSE,
    OpenEVSEAuthenticationError,
    OpenEVSECommandError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
    OpenEVSEResponseError,
    OpenEVSEServerError,
    OpenEVSETimeoutError,
)
from custom_components.openevse_moogo.clients.openevse.transport import (
    error_for_status,
    retry_after_seconds,
)
from tests.simulators.openevse import UNKNOWN_STATE_CODE, ChargerSimulator


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, OpenEVSEAuthenticationError),
        (403, OpenEVSEAuthenticationError),
        (404, OpenEVSENotFoundError),
        (405, OpenEVSECommandError),
        (423, OpenEVSECommandError),
        (429, OpenEVSERateLimitError),
        (500, OpenEVSEServerError),
        (503, OpenEVSEServerError),
    ],
)
async def test_http_status_faults(
    simulator: ChargerSimulator,
    charger: OpenEVSE,
    status: int,
    error: type[OpenEVSEResponseError],
) -> None:
    simulator.faults.http_status = status
    with pytest.raises(error) as caught:
        await charger.update()
    assert caught.value.status == status
    assert isinstance(caught.value, OpenEVSEError)
    if status == 401:
        assert caught.value.message == ""  # empty body, challenge only
    if status == 429:
        assert caught.value.message == "locked"
        assert isinstance(caught.value, OpenEVSERateLimitError)
        assert caught.value.retry_after is None


async def test_html_error_page(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    simulator.faults.html_error = True
    with pytest.raises(OpenEVSEServerError) as caught:
        await charger.update()
    assert caught.value.status == 500
    assert "<" not in caught.value.message


async def test_malformed_json(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    simulator.faults.malformed_json = True
    with pytest.raises(OpenEVSEInvalidResponseError, match="not JSON"):
        await charger.update()
    with pytest.raises(OpenEVSEInvalidResponseError):
        await charger.set_override(state="active")


@pytest.mark.expected_errors(
    # The simulator may be reading the request when the client gives up and drops it.
    ("aiohttp.server", "^Error handling request"),
    required=False,
)
async def test_slow_and_hung_charger_time_out(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    simulator.faults.delay = 0.2
    with pytest.raises(OpenEVSETimeoutError) as caught:
        await charger.get_status(request_timeout=0.05)
    assert isinstance(caught.value, TimeoutError)
    simulator.faults.delay = 0
    simulator.faults.hang = True
    with pytest.raises(TimeoutError):
        await charger.set_divert_mode("eco", request_timeout=0.05)
    simulator.faults.hang = False


async def test_unreachable_charger(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    await simulator.stop()
    with pytest.raises(OpenEVSEConnectionError) as caught:
        await charger.update()
    assert isinstance(caught.value, ConnectionError)


async def test_unknown_state_and_absent_temperatures(
    simulator: ChargerSimulator, charger: OpenEVSE
) -> None:
    simulator.faults.unknown_state = True
    simulator.faults.false_temperatures = True
    await charger.update()
    status = charger.status_data
    assert status.state_code == UNKNOWN_STATE_CODE
    assert status.state is None
    assert charger.state is None
    assert status.ambient_temperature is None
    assert status.max_temperature is None
    assert status.esp_temperature is None
    assert charger.status == "active"  # the manager status still tells the condition


async def test_text_endpoint_answering_html(simulator: ChargerSimulator, charger: OpenEVSE) -> None:
    # An HTML page with a success status (a captive portal, a proxy) is not a confirmation.
    simulator.faults.html_error = True
    with pytest.raises(OpenEVSEServerError):
        await charger.set_current_shaper(True)


def test_error_mapping_helpers() -> None:
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds("-3") == 0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = datetime.now(UTC) + timedelta(seconds=60)
    assert 50 < (retry_after_seconds(format_datetime(later, usegmt=True)) or 0) <= 60
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00") == 0
    error = error_for_status(429, '{"msg":"locked"}', {"Retry-After": "30"})
    assert isinstance(error, OpenEVSERateLimitError)
    assert error.retry_after == 30
    assert str(error) == "HTTP 429: locked"
    assert str(error_for_status(500)) == "HTTP 500"
    assert error_for_status(400, "plain   text\nreply").message == "plain text reply"
    assert error_for_status(400, "[1, 2]").message == "[1, 2]"
