"""Polling the account: stored logins, re-login, reauth, outages, login cap, rate limits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import UpdateFailed

from custom_components.openevse_moogo.clients.moogo import MoogoRateLimitError, MoogoServerError
from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump.cloud import login_cap_resets_at
from custom_components.openevse_moogo.pump.const import CONF_TOKEN, DATA_LOGIN_GUARDS
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of

ONLINE = "binary_sensor.backyard_online"
TEMPERATURE = "sensor.backyard_temperature"


async def test_expired_token_costs_one_login_and_no_reload(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A rejected token is replaced by one login, stored in the entry without a reload."""
    coordinator = coordinator_of(account)
    old_token = account.data[CONF_TOKEN]
    simulator.expire_tokens()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.last_update_success
    assert simulator.login_count == 2  # the flow's login and the one re-login
    assert account.data[CONF_TOKEN] not in (old_token, None)
    assert account.data[CONF_TOKEN] == coordinator.client.token
    assert coordinator_of(account) is coordinator  # the entry was not reloaded


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Authentication failed while fetching Moogo account data")
)
async def test_rejected_password_starts_reauth(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Token rejected and the stored password refused: the user is asked to sign in again."""
    simulator.expire_tokens()
    simulator.faults.wrong_password = True
    await coordinator_of(account).async_refresh()
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
    assert flows[0]["step_id"] == "moogo_reauth_confirm"
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Error fetching Moogo .* data: .* HTTP 522")
)
async def test_lasting_outage_makes_entities_unavailable_then_recovers(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An outage (HTML error page) outlasting the grace: unavailable, then back; online stays."""
    # Under the freezer aiohttp's access log cannot read the local UTC offset; it is not needed.
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")
    coordinator = coordinator_of(account)
    simulator.faults.html_error = True
    await coordinator.async_refresh()
    assert hass.states.get(TEMPERATURE).state == "22.0"  # within the grace
    assert hass.states.get(ONLINE).state == STATE_OFF  # the connection shows it at once
    freezer.tick(timedelta(minutes=31))  # two cycles of the device list
    await coordinator.async_refresh()
    assert hass.states.get(TEMPERATURE).state == STATE_UNAVAILABLE
    assert hass.states.get(ONLINE).state == STATE_OFF
    assert coordinator.cloud.stats.last_error == "MoogoServerError"
    simulator.faults.html_error = False
    await coordinator.async_refresh()
    assert hass.states.get(TEMPERATURE).state == "22.0"
    assert hass.states.get(ONLINE).state == STATE_ON


async def test_offline_pump_stays_available(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """An offline pump is reported by its connectivity sensor, not by unavailable entities."""
    assert hass.states.get(ONLINE).state == STATE_ON
    simulator.set_online(simulator.device_ids[0], False)
    await coordinator_of(account).async_refresh()
    assert hass.states.get(ONLINE).state == STATE_OFF
    assert hass.states.get(TEMPERATURE).state == "22.0"


async def test_rate_limit_and_server_errors_are_update_failures(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """HTTP 429 carries the cloud's Retry-After; 5xx fail the read (ridden out in the grace)."""
    coordinator = coordinator_of(account)
    devices = coordinator.account.devices
    simulator.faults.http_status = 429
    simulator.faults.retry_after = 120
    await coordinator.async_refresh()
    assert not devices.read_ok
    assert devices.usable  # within the grace: recorded, not raised (nor logged as an error)
    assert isinstance(devices.error, MoogoRateLimitError)
    failure = coordinator.cloud.translate(devices.error)  # what ending the grace would raise
    assert isinstance(failure, UpdateFailed)
    assert failure.retry_after == 120
    assert failure.translation_key == "moogo_rate_limited"
    simulator.faults.http_status = 503
    await coordinator.async_refresh()
    assert isinstance(devices.error, MoogoServerError)
    assert coordinator.cloud.translate(devices.error).translation_key == "moogo_server_error"
    simulator.faults.http_status = None
    await coordinator.async_refresh()
    assert devices.read_ok
    assert devices.error is None


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Error fetching Moogo account data: .* Daily login cap reached",
    )
)
async def test_login_cap_raises_a_repair_issue_and_waits_for_the_next_day(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The daily cap: one refused login, a repair issue, no further logins until it resets."""
    coordinator = coordinator_of(account)
    simulator.expire_tokens()
    simulator.faults.login_cap_after = 0
    await coordinator.async_refresh()
    issue_id = f"moogo_login_limit_reached_{account.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert isinstance(coordinator.account.devices.last_exception, UpdateFailed)
    retry_after = coordinator.account.devices.last_exception.retry_after
    assert 0 < retry_after <= 24 * 3600 + 600
    logins_tried = simulator.requests.count(("POST", "/v1/user/login"))
    for _poll in range(3):
        await coordinator.async_refresh()
    assert simulator.requests.count(("POST", "/v1/user/login")) == logins_tried

    # A new day: the guard lets one login through and the issue goes away.
    simulator.faults.login_cap_after = None
    guard = coordinator.client.login_guard
    guard._daily_cap_hit_at = datetime.now(UTC) - timedelta(days=2)
    await coordinator.async_refresh()
    assert coordinator.account.devices.last_update_success
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


def test_login_cap_resets_after_midnight_utc() -> None:
    """The cap is expected to lift with the calendar day (plus some slack)."""
    hit = datetime(2026, 5, 1, 22, 30, tzinfo=UTC)
    assert login_cap_resets_at(hit) == datetime(2026, 5, 2, 0, 10, tzinfo=UTC)


async def test_unload_keeps_the_shared_session_open(
    hass: HomeAssistant, account: ConfigEntry
) -> None:
    """Unloading closes nothing that Home Assistant owns."""
    assert await hass.config_entries.async_unload(account.entry_id)
    assert account.state is ConfigEntryState.NOT_LOADED
    assert not async_get_clientsession(hass).closed


async def test_setup_retries_when_the_cloud_is_down(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A cloud outage at start-up means "retry later", not a failed entry."""
    simulator.faults.http_status = 502
    await hass.config_entries.async_reload(account.entry_id)
    assert account.state is ConfigEntryState.SETUP_RETRY
    simulator.faults.http_status = None


@pytest.mark.expected_errors(
    (
        "custom_components.openevse_moogo",
        "^Error fetching Moogo account data: .* Daily login cap reached",
    )
)
async def test_removing_the_account_clears_its_login_budget_and_repair_issue(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    """A removed account leaves neither its login-cap issue nor its login budget behind."""
    coordinator = coordinator_of(account)
    simulator.expire_tokens()
    simulator.faults.login_cap_after = 0
    await coordinator.async_refresh()
    issue_id = f"moogo_login_limit_reached_{account.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    assert account.entry_id in hass.data[DATA_LOGIN_GUARDS]
    await hass.config_entries.async_remove(account.entry_id)
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    assert account.entry_id not in hass.data[DATA_LOGIN_GUARDS]
