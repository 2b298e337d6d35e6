"""No password, token, e-mail or account id in any log line, at DEBUG, through a whole session.

The test runs a password-protected charger through set-up, push, a command and a rejected
password with every logger at DEBUG, then scans everything logged (messages, arguments and
tracebacks) for the password, raw and as the Basic auth header carries it.
"""

from __future__ import annotations

import base64

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import everything_logged
from tests.simulators.openevse import ChargerSimulator

from .conftest import PASSWORD, USERNAME, wait_for


@pytest.fixture
def sim_options() -> dict[str, object]:
    """A password-protected charger."""
    return {"username": USERNAME, "password": PASSWORD}


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Authentication failed while fetching OpenEVSE .* HTTP 401",
    )
)
@pytest.mark.usefixtures("debug_logs", "fast_grace")
async def test_charger_session_logs_no_credentials(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": "switch.openevse_7c40_allow_charging"}, blocking=True
    )
    # The charger now rejects our password: websocket, poll and reauth all log about it.
    charger.faults.http_status = 401
    await charger.drop_websockets()
    await wait_for(
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress()
        ),
        within=10,
    )
    logged = everything_logged(caplog)
    assert "POST /claims/23" in logged  # the scan saw the session's own log lines
    assert "401" in logged
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, basic):
        assert secret not in logged
