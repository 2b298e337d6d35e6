"""No password, token, e-mail or account id in any log line, at DEBUG, through a whole session.

The test runs a Moogo account through set-up, polling, a spray, a token expiry, a rejected
password and unload with every logger at DEBUG, then scans everything logged (messages,
arguments and tracebacks) for the password, e-mail, user id and tokens.
"""

from __future__ import annotations

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant

from tests.conftest import everything_logged
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Authentication failed while fetching Moogo account data")
)
@pytest.mark.usefixtures("debug_logs")
async def test_pump_account_logs_no_secrets(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await add_account(hass, simulator)
    coordinator = coordinator_of(entry)
    pump_id = simulator.device_ids[0]
    await coordinator.async_spray(pump_id, start=True)
    simulator.expire_tokens()  # one re-login with the stored password
    await coordinator.async_refresh()
    simulator.faults.wrong_password = True
    simulator.expire_tokens()  # the re-login fails: reauth
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert [flow["context"]["source"] for flow in hass.config_entries.flow.async_progress()] == [
        SOURCE_REAUTH
    ]
    assert await hass.config_entries.async_unload(entry.entry_id)
    # asyncio's slow-task warnings (on a loaded machine) name Home Assistant's set-up task after
    # the entry's title, which the user sees anyway: only the other loggers' lines are scanned.
    logged = everything_logged(caplog, skip=("asyncio",))
    assert "Moogo" in logged  # the scan saw the session's own log lines
    secrets = [simulator.password, simulator.email, simulator.user_id, entry.data["token"]]
    secrets.append(coordinator.client.token or "")
    for secret in filter(None, secrets):
        assert secret not in logged, "a secret was logged"
