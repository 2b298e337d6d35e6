"""Diagnostics of an account carry no secret."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.simulators.moogo import MoogoCloudSimulator


async def test_diagnostics_redact_every_secret(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
) -> None:
    """Pumps, schedules, config (time zone kept), login guard and polling; no secrets or ids."""
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, account)
    text = json.dumps(diagnostics)
    for secret in (
        simulator.email,
        simulator.password,
        simulator.user_id,
        account.data["token"],
        *simulator.device_ids,
    ):
        assert secret not in text
    pump = diagnostics["pumps"][0]
    assert pump["config"]["timeZone"] == "America/Los_Angeles"
    assert pump["status"]["firmware"] == "1.0.8"
    assert diagnostics["login_guard"]["attempts_in_last_hour"] == 0
    assert diagnostics["login_guard"]["credentials_rejected_at"] is None
    assert diagnostics["requests"]["calls"] >= 6
    assert diagnostics["requests"]["calls_by_kind"]["get_device_status"] >= 1
    readers = {reader["name"]: reader for reader in diagnostics["readers"]}
    assert readers["Moogo Backyard status"]["interval"] == 60
    assert readers["Moogo Backyard status"]["last_read_ok"] is True
    assert readers["Moogo account"]["interval"] == 900
    assert readers["Moogo Backyard history"]["interval"] == 7200
    assert pump["history"]["sprays"] == 0
    assert diagnostics["cloud"]["authenticated"] is True
