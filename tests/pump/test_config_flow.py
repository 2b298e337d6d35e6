"""The Moogo account flow: one login, errors and recovery, duplicates, reauth, reconfigure."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, section

from custom_components.openevse_moogo.clients.moogo import MoogoAuthenticationError
from custom_components.openevse_moogo.const import CONF_FAMILY, DOMAIN, FAMILY_PUMP
from custom_components.openevse_moogo.pump.const import (
    CONF_POLL_INTERVAL,
    CONF_TOKEN,
    CONF_TOKEN_EXPIRES_AT,
    CONF_USER_ID,
)
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import (
    add_account,
    coordinator_of,
    credentials,
    start_moogo_flow,
    start_reauth,
    start_reconfigure,
)


async def test_add_account_costs_one_login_through_two_restarts(
    hass: HomeAssistant, simulator: MoogoCloudSimulator
) -> None:
    """Adding the account logs in once; set-up and restarts reuse the stored token."""
    entry = await add_account(hass, simulator)

    local, _, domain = simulator.email.partition("@")
    assert entry.title == f"Moogo {local[0]}…@{domain}"
    assert simulator.email not in entry.title
    assert entry.unique_id == simulator.user_id
    assert entry.data[CONF_FAMILY] == FAMILY_PUMP
    assert entry.data[CONF_URL] == simulator.url
    assert entry.data[CONF_USER_ID] == simulator.user_id
    assert len(entry.data[CONF_TOKEN]) == 32
    assert entry.data[CONF_TOKEN_EXPIRES_AT]
    for _restart in range(2):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is config_entries.ConfigEntryState.LOADED
    assert simulator.login_count == 1
    assert ("POST", "/v1/user/login") in simulator.requests
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_server_address_defaults_to_the_vendor_cloud(hass: HomeAssistant) -> None:
    """The collapsed "advanced" section holds the cloud address, defaulting to production."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "moogo"}
    )
    validated = result["data_schema"]({CONF_EMAIL: "a@b.c", CONF_PASSWORD: "x", "advanced": {}})
    assert validated["advanced"] == {CONF_URL: "https://api.moogo.com/"}
    hass.config_entries.flow.async_abort(result["flow_id"])


@pytest.mark.parametrize(
    ("breakage", "error"),
    [
        ("wrong_password", "invalid_auth"),
        ("login_cap", "login_limit_reached"),
        ("outage", "cannot_connect"),
        ("html", "cannot_connect"),
        ("bad_url", "invalid_url"),
        pytest.param(
            "crash",
            "unknown",
            marks=pytest.mark.expected_errors(
                (
                    "custom_components.openevse_moogo",
                    "^Unexpected error while logging in to the Moogo cloud$",
                )
            ),
        ),
    ],
)
async def test_errors_then_recovery(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, breakage: str, error: str
) -> None:
    """Every login failure shows a translated error, and the form then succeeds."""
    flow_id = await start_moogo_flow(hass)
    user_input = credentials(simulator)
    if breakage == "wrong_password":
        user_input[CONF_PASSWORD] = "not-the-password"
    elif breakage == "login_cap":
        simulator.faults.login_cap_after = 0
    elif breakage == "outage":
        simulator.faults.http_status = 503
    elif breakage == "html":
        simulator.faults.html_error = True
    elif breakage == "bad_url":
        user_input["advanced"] = {CONF_URL: "not a url"}
    crash = patch(
        "custom_components.openevse_moogo.clients.moogo.MoogoClient.authenticate",
        side_effect=RuntimeError("boom"),
    )
    if breakage == "crash":
        with crash:
            result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    else:
        result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    simulator.faults.login_cap_after = None
    simulator.faults.http_status = None
    simulator.faults.html_error = False
    result = await hass.config_entries.flow.async_configure(flow_id, credentials(simulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


def _advanced_section(result: ConfigFlowResult) -> tuple[bool, object]:
    """Return (collapsed, suggested cloud address) of a form's "Advanced" section."""
    for marker, value in result["data_schema"].schema.items():
        if marker == "advanced":
            assert isinstance(value, section)
            url_marker = next(iter(value.schema.schema))
            suggested = (url_marker.description or {}).get("suggested_value")
            return bool(value.options["collapsed"]), suggested
    raise AssertionError("the form has no Advanced section")


async def test_failed_login_keeps_the_custom_server_address(
    hass: HomeAssistant, simulator: MoogoCloudSimulator
) -> None:
    """After a wrong password the form keeps the custom address, expanded, for the retry."""
    flow_id = await start_moogo_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, credentials(simulator, password="not-the-password")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _advanced_section(result) == (False, simulator.url)
    # What the form shows is what a retry sends: the right password reaches the same server.
    retry = result["data_schema"](
        {
            CONF_EMAIL: simulator.email,
            CONF_PASSWORD: simulator.password,
            "advanced": {CONF_URL: _advanced_section(result)[1]},
        }
    )
    result = await hass.config_entries.flow.async_configure(flow_id, retry)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == simulator.url
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)


async def test_vendor_address_stays_collapsed(hass: HomeAssistant) -> None:
    """The Advanced section is collapsed while it holds the vendor's address."""
    flow_id = await start_moogo_flow(hass)
    with patch(
        "custom_components.openevse_moogo.clients.moogo.MoogoClient.authenticate",
        side_effect=MoogoAuthenticationError("rejected"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_EMAIL: "a@b.c", CONF_PASSWORD: "x", "advanced": {}}
        )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _advanced_section(result) == (True, "https://api.moogo.com/")
    hass.config_entries.flow.async_abort(flow_id)


async def test_reconfigure_shows_the_entry_address_expanded(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Reconfiguring an account on a custom server shows that address, not collapsed."""
    result = await start_reconfigure(hass, account)
    assert _advanced_section(result) == (False, simulator.url)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(simulator, password="wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert _advanced_section(result) == (False, simulator.url)
    hass.config_entries.flow.async_abort(result["flow_id"])


async def test_same_account_twice_aborts(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The account's user id is the unique id: a second entry for it is refused."""
    flow_id = await start_moogo_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, credentials(simulator))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reauth_after_error(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Re-authentication asks for the password, recovers from an error and stores the login."""
    old_token = account.data[CONF_TOKEN]
    result = await start_reauth(hass, account)
    assert result["step_id"] == "moogo_reauth_confirm"
    assert result["description_placeholders"]["email"].endswith("@example.com")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    simulator.password = "new-password"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "new-password"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert account.data[CONF_PASSWORD] == "new-password"
    assert account.data[CONF_TOKEN] != old_token
    assert account.state is config_entries.ConfigEntryState.LOADED


async def test_reauth_with_another_account_aborts(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Credentials of a different account cannot take over the entry."""
    async with MoogoCloudSimulator(email="someone.else@example.com") as other:
        data = {**account.data, CONF_URL: other.url, CONF_EMAIL: other.email}
        hass.config_entries.async_update_entry(account, data=data)
        result = await start_reauth(hass, account)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_PASSWORD: other.password}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_reconfigure_after_error(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Reconfiguration changes the sign-in after recovering from an error."""
    result = await start_reconfigure(hass, account)
    assert result["step_id"] == "moogo_reconfigure"

    simulator.faults.http_status = 502
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(simulator)
    )
    assert result["errors"] == {"base": "cannot_connect"}

    simulator.faults.http_status = None
    simulator.password = "changed"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], credentials(simulator, password="changed")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert account.data[CONF_PASSWORD] == "changed"
    assert account.state is config_entries.ConfigEntryState.LOADED


async def test_reconfigure_with_another_account_aborts(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Reconfiguring to another account's credentials is refused."""
    async with MoogoCloudSimulator(email="someone.else@example.com") as other:
        result = await start_reconfigure(hass, account)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], credentials(other)
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert account.data[CONF_EMAIL] == simulator.email


async def test_options_set_the_idle_poll_interval(
    hass: HomeAssistant, account: ConfigEntry
) -> None:
    """The poll interval option applies from the next poll, without a reload."""
    coordinator = coordinator_of(account)
    result = await hass.config_entries.options.async_init(account.entry_id)
    assert result["step_id"] == "moogo"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_POLL_INTERVAL: 120}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert account.options == {CONF_POLL_INTERVAL: 120}
    (readers,) = coordinator.pumps.values()
    assert readers.status.update_interval == timedelta(seconds=120)
    assert coordinator_of(account) is coordinator  # not reloaded


async def test_entry_titled_with_the_e_mail_is_migrated(
    hass: HomeAssistant, simulator: MoogoCloudSimulator
) -> None:
    """An account added before 1.2 was titled with its e-mail: set-up masks it first."""
    added = await add_account(hass, simulator)
    assert await hass.config_entries.async_unload(added.entry_id)
    hass.config_entries.async_update_entry(added, title=simulator.email, minor_version=1)

    assert await hass.config_entries.async_setup(added.entry_id)
    await hass.async_block_till_done()

    assert added.minor_version == 2
    assert simulator.email not in added.title
    assert added.title.startswith("Moogo ")
    assert await hass.config_entries.async_unload(added.entry_id)
