"""Diagnostics: useful content, no secret, no identifier."""

from __future__ import annotations

import json

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.simulators.openevse import ChargerSimulator

from .conftest import PASSWORD, SERIAL, USERNAME, wait_for


@pytest.mark.parametrize("sim_options", [{"username": USERNAME, "password": PASSWORD}])
async def test_diagnostics_redact_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded)
    text = json.dumps(diagnostics)
    for secret in (PASSWORD, USERNAME, SERIAL, "garage-iot", "127.0.0.1", "a4:cf:12"):
        assert secret.lower() not in text.lower(), secret
    assert diagnostics["firmware"] == "v5.1.5"
    assert diagnostics["status"]["state"] == 1
    assert diagnostics["config"]["www_password"] == "**REDACTED**"
    assert diagnostics["websocket"]["state"] == "connected"
    assert diagnostics["plan"]["status"] == "off"
    assert diagnostics["plan"]["settings"]["departure"] == "07:00:00"
    assert diagnostics["coordinator"]["push_connected"] is True
    assert diagnostics["coordinator"]["last_background_refresh_error"] is None
    assert diagnostics["coordinator"]["failing_for_seconds"] is None
    assert diagnostics["coordinator"]["failure"] is None
    assert diagnostics["coordinator"]["reboot_expected"] is False
    assert diagnostics["features"]["claims"] is True
