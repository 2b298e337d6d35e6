"""The charger's config flow, options flow, reauth, reconfigure and zeroconf: every path."""

from __future__ import annotations

from collections.abc import Generator
from ipaddress import ip_address
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import SOURCE_USER, SOURCE_ZEROCONF
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.const import (
    CONF_GRID_SENSOR,
    CONF_INVERT_GRID,
    CONF_MDNS_ID,
    CONF_MIN_RUN,
    CONF_SOLAR_SENSOR,
    CONF_VOLTAGE_SENSOR,
)
from custom_components.openevse_moogo.const import CONF_FAMILY, DOMAIN, FAMILY_CHARGER
from tests.simulators.openevse import ChargerSimulator

from .conftest import PASSWORD, SERIAL, USERNAME, entry_data


@pytest.fixture(autouse=True)
def no_setup() -> Generator[None]:
    """Flows only: creating or updating an entry does not set it up."""
    with (
        patch("custom_components.openevse_moogo.async_setup_entry", return_value=True),
        patch("custom_components.openevse_moogo.async_unload_entry", return_value=True),
    ):
        yield


def host_input(sim: ChargerSimulator, **extra: Any) -> dict[str, Any]:
    return {
        CONF_HOST: sim.host,
        CONF_PORT: sim.port,
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
    } | extra


async def start_charger_flow(hass: HomeAssistant) -> FlowResult:
    menu = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert menu["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        menu["flow_id"], {"next_step_id": "charger"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger"
    return result


async def test_add_charger_without_auth(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    result = await start_charger_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "openevse-7c40"
    assert result["result"].unique_id == SERIAL
    assert result["data"] == {
        CONF_FAMILY: FAMILY_CHARGER,
        CONF_HOST: "127.0.0.1",
        CONF_PORT: charger.port,
        CONF_SSL: False,
    }


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_add_charger_asks_credentials_only_on_401(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    result = await start_charger_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger_auth"
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "wrong"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PASSWORD: "charger_invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_USERNAME] == USERNAME
    assert result["data"][CONF_PASSWORD] == PASSWORD


def _break(sim: ChargerSimulator, how: str) -> None:
    if how == "html":
        sim.faults.malformed_json = True
    elif how == "no_serial":
        sim.config["wifi_serial"] = ""
    elif how == "not_found":
        sim.faults.http_status = 404
    elif how == "locked":
        sim.faults.http_status = 429
    elif how == "server_error":
        sim.faults.http_status = 503


def _repair(sim: ChargerSimulator) -> None:
    sim.faults.clear()
    sim.config["wifi_serial"] = SERIAL


@pytest.mark.parametrize(
    ("how", "errors"),
    [
        ("html", {CONF_HOST: "not_openevse"}),
        ("no_serial", {CONF_HOST: "not_openevse"}),
        ("not_found", {CONF_HOST: "not_openevse"}),
        ("locked", {"base": "rate_limited"}),
        ("server_error", {CONF_HOST: "cannot_connect"}),
    ],
)
async def test_add_charger_errors_then_recovery(
    hass: HomeAssistant, charger: ChargerSimulator, how: str, errors: dict[str, str]
) -> None:
    result = await start_charger_flow(hass)
    _break(charger, how)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    _repair(charger)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_add_charger_unreachable_then_recovery(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    result = await start_charger_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], host_input(charger, **{CONF_PORT: 1})
    )
    assert result["errors"] == {CONF_HOST: "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.expected_errors(
    ("custom_components.openevse_moogo", "^Unexpected error while testing the charger$")
)
async def test_add_charger_unexpected_error(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    result = await start_charger_flow(hass)
    with patch(
        "custom_components.openevse_moogo.charger.config_flow.async_probe",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], host_input(charger)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_add_charger_already_configured(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger)).add_to_hass(hass)
    result = await start_charger_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# --- zeroconf -----------------------------------------------------------------------------


def discovery(sim: ChargerSimulator, **properties: str) -> ZeroconfServiceInfo:
    return ZeroconfServiceInfo(
        ip_address=ip_address(sim.host),
        ip_addresses=[ip_address(sim.host)],
        port=sim.port,
        hostname="openevse-7c40.local.",
        type="_openevse._tcp.local.",
        name="openevse-7c40._openevse._tcp.local.",
        properties={"type": "openevse_wifi_v1", "version": "v5.1.5", **properties},
    )


async def discover(hass: HomeAssistant, info: ZeroconfServiceInfo) -> FlowResult:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=info
    )


async def test_zeroconf_adds_charger(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    result = await discover(hass, discovery(charger, id="12345678"))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger_discovery_confirm"
    assert result["description_placeholders"] == {"name": "openevse-7c40", "host": "127.0.0.1"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SERIAL
    assert result["data"][CONF_MDNS_ID] == "12345678"
    assert result["data"][CONF_PORT] == charger.port


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_zeroconf_password_protected_goes_to_auth(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    result = await discover(hass, discovery(charger, id="12345678"))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger_auth"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == SERIAL
    assert result["data"][CONF_MDNS_ID] == "12345678"


async def test_zeroconf_without_id_aborts(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    result = await discover(hass, discovery(charger))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_openevse"


async def test_zeroconf_unreachable_aborts(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    charger.faults.http_status = 500
    result = await discover(hass, discovery(charger, id="12345678"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_zeroconf_updates_host_of_known_charger_by_mdns_id(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        data=entry_data(charger, **{CONF_HOST: "192.0.2.1", CONF_MDNS_ID: "12345678"}),
    )
    entry.add_to_hass(hass)
    result = await discover(hass, discovery(charger, id="12345678"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"
    assert charger.requests == []  # recognised without asking the charger


async def test_zeroconf_updates_host_of_known_charger_by_serial(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger, **{CONF_HOST: "192.0.2.1"})
    )
    entry.add_to_hass(hass)
    result = await discover(hass, discovery(charger, id="some-other-id"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "127.0.0.1"


# --- reauth and reconfigure ---------------------------------------------------------------


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_reauth(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        data=entry_data(charger, **{CONF_PASSWORD: "old-password"}),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "charger_reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: "still-wrong"}
    )
    assert result["errors"] == {CONF_PASSWORD: "charger_invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: USERNAME, CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD
    assert entry.data[CONF_PORT] == charger.port


async def test_reconfigure_same_charger(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=SERIAL,
        data=entry_data(charger, **{CONF_PORT: 1, CONF_MDNS_ID: "12345678"}),
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "charger_reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], host_input(charger, **{CONF_PORT: 1})
    )
    assert result["errors"] == {CONF_HOST: "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], host_input(charger))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PORT] == charger.port
    assert entry.data[CONF_MDNS_ID] == "12345678"
    assert entry.data[CONF_FAMILY] == FAMILY_CHARGER


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_reconfigure_keeps_password_when_left_empty(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger))
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], host_input(charger, **{CONF_USERNAME: USERNAME, CONF_PASSWORD: ""})
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_PASSWORD] == PASSWORD

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], host_input(charger, **{CONF_USERNAME: USERNAME, CONF_PASSWORD: "new"})
    )
    assert result["errors"] == {CONF_PASSWORD: "charger_invalid_auth"}


async def test_reconfigure_to_other_charger_aborts(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger))
    entry.add_to_hass(hass)
    async with ChargerSimulator(serial="0123456789AB") as other:
        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], host_input(other)
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "different_charger"
    assert entry.data[CONF_PORT] == charger.port


# --- options ------------------------------------------------------------------------------


async def test_options_flow(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(charger))
    entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "charger"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_GRID_SENSOR: "sensor.grid", CONF_SOLAR_SENSOR: "sensor.solar"},
    )
    assert result["errors"] == {CONF_SOLAR_SENSOR: "grid_and_solar"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_GRID_SENSOR: "sensor.grid", CONF_INVERT_GRID: True, CONF_VOLTAGE_SENSOR: "sensor.v"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_GRID_SENSOR: "sensor.grid",
        CONF_INVERT_GRID: True,
        CONF_VOLTAGE_SENSOR: "sensor.v",
        CONF_MIN_RUN: 15,
    }
