"""A pump whose cloud holds no IANA time zone: the repair issue, refused writes and the fix flow."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.openevse_moogo.clients.moogo import MoogoConfigUpdate
from custom_components.openevse_moogo.const import DOMAIN
from custom_components.openevse_moogo.pump.time_zone import time_zone_issue_id
from custom_components.openevse_moogo.repairs import async_create_fix_flow
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of

HOME_ZONE = "Europe/Berlin"
POSIX_ZONE = "CET-1CEST,M3.5.0,M10.5.0/3"

# Every entity that writes the pump's settings, with a write it would make.
SETTING_WRITES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("switch", "turn_on", "switch.backyard_stop_when_windy", {}),
    ("switch", "turn_off", "switch.backyard_stop_when_raining", {}),
    ("switch", "turn_off", "switch.backyard_stop_when_snowing", {}),
    ("number", "set_value", "number.backyard_stop_temperature", {"value": 12}),
    ("number", "set_value", "number.backyard_spray_duration", {"value": 45}),
    ("select", "select_option", "select.backyard_concentrate", {"option": "Natural Botanical"}),
]


@pytest.fixture(params=["", POSIX_ZONE], ids=["empty", "posix"])
async def simulator(
    hass: HomeAssistant, request: pytest.FixtureRequest
) -> AsyncGenerator[MoogoCloudSimulator]:
    """A cloud whose one pump reports an empty or a POSIX time zone; Home Assistant in Berlin."""
    await hass.config.async_set_time_zone(HOME_ZONE)
    sim = MoogoCloudSimulator(spray_confirm_delay=0.05, ota_seconds=0.2, devices=0)
    sim.add_device(time_zone=request.param)
    await sim.start()
    yield sim
    await sim.stop()


def _issue(hass: HomeAssistant, simulator: MoogoCloudSimulator) -> ir.IssueEntry | None:
    issue_id = time_zone_issue_id(simulator.device_ids[0])
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


def _config_writes(simulator: MoogoCloudSimulator) -> int:
    return sum(
        1 for method, path in simulator.requests if method == "PUT" and path.endswith("/configs")
    )


async def _start_fix(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, issue_id: str
) -> Any:
    """Open the issue's fix flow the way the frontend does; return the client and first step."""
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200
    return client, await response.json()


async def test_issue_raised_and_writes_refused(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The pump gets a fixable issue; every settings entity refuses with the repair's error."""
    issue = _issue(hass, simulator)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "moogo_time_zone_invalid"
    assert issue.translation_placeholders == {
        "name": "Backyard",
        "zone": simulator.config(simulator.device_ids[0])["timeZone"],
        "home_zone": HOME_ZONE,
    }
    for domain, service, entity_id, data in SETTING_WRITES:
        with pytest.raises(HomeAssistantError) as err:
            await _call(hass, domain, service, entity_id, **data)
        assert err.value.translation_key == "moogo_time_zone_needs_repair"
        assert err.value.translation_placeholders == {"name": "Backyard"}
        assert "Settings > Repairs" in str(err.value)
    assert _config_writes(simulator) == 0  # refused before reaching the cloud


async def test_fix_flow_sets_home_assistants_zone(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Confirming writes Home Assistant's zone; the issue goes and settings can be written."""
    pump_id = simulator.device_ids[0]
    client, step = await _start_fix(hass, hass_client, time_zone_issue_id(pump_id))
    assert step["type"] == "form"
    assert step["step_id"] == "confirm"
    assert step["description_placeholders"]["home_zone"] == HOME_ZONE
    assert step["description_placeholders"]["name"] == "Backyard"
    assert simulator.config(pump_id)["timeZone"] != HOME_ZONE  # nothing written before confirming

    response = await client.post(f"/api/repairs/issues/fix/{step['flow_id']}", json={})
    assert response.status == 200
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()

    assert simulator.config(pump_id)["timeZone"] == HOME_ZONE
    assert coordinator_of(account).data.pumps[pump_id].config.time_zone == HOME_ZONE
    assert _issue(hass, simulator) is None
    for domain, service, entity_id, data in SETTING_WRITES:
        await _call(hass, domain, service, entity_id, **data)
    config = simulator.config(pump_id)
    assert (config["stopWindstorm"], config["stopRainy"], config["stopSnow"]) == (1, 0, 0)
    assert (config["stopTemperature"], config["sprayingSeconds"]) == (12, 45)
    assert config["liquidName"] == "Natural Botanical"
    assert _issue(hass, simulator) is None  # the re-read settings keep it closed
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_fix_flow_shows_a_failed_write_and_can_retry(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A cloud failure keeps the form open with the translated reason; a retry succeeds."""
    pump_id = simulator.device_ids[0]
    client, step = await _start_fix(hass, hass_client, time_zone_issue_id(pump_id))
    simulator.faults.http_status = 500
    response = await client.post(f"/api/repairs/issues/fix/{step['flow_id']}", json={})
    failed = await response.json()
    simulator.faults.http_status = None
    assert failed["type"] == "form"
    assert failed["errors"] == {"base": "write_failed"}
    assert failed["description_placeholders"]["error"]
    assert _issue(hass, simulator) is not None

    response = await client.post(f"/api/repairs/issues/fix/{step['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    assert simulator.config(pump_id)["timeZone"] == HOME_ZONE


async def test_fix_flow_aborts_when_the_account_unloads(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """Unloading the account removes its issues; an open fix flow then aborts, writing nothing."""
    client, step = await _start_fix(hass, hass_client, time_zone_issue_id(simulator.device_ids[0]))
    assert await hass.config_entries.async_unload(account.entry_id)
    assert _issue(hass, simulator) is None
    response = await client.post(f"/api/repairs/issues/fix/{step['flow_id']}", json={})
    result = await response.json()
    assert (result["type"], result["reason"]) == ("abort", "entry_not_loaded")
    assert _config_writes(simulator) == 0


async def test_issue_goes_with_the_pump(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    """A pump that leaves the account takes its issue along; an open fix flow aborts."""
    client, step = await _start_fix(hass, hass_client, time_zone_issue_id(simulator.device_ids[0]))
    pump_id = simulator.device_ids[0]
    simulator.remove_device(pump_id)
    coordinator = coordinator_of(account)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, time_zone_issue_id(pump_id)) is None
    response = await client.post(f"/api/repairs/issues/fix/{step['flow_id']}", json={})
    result = await response.json()
    assert (result["type"], result["reason"]) == ("abort", "pump_gone")


async def test_zone_fixed_in_the_app_clears_the_issue(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A zone set elsewhere (the vendor app) is seen at the next settings read."""
    pump_id = simulator.device_ids[0]
    assert _issue(hass, simulator) is not None
    coordinator = coordinator_of(account)
    await coordinator.client.update_device_config(
        pump_id, MoogoConfigUpdate(time_zone="America/New_York")
    )
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert _issue(hass, simulator) is None


async def test_healthy_zone_raises_no_issue(hass: HomeAssistant) -> None:
    """A pump with an IANA zone gets no issue."""
    async with MoogoCloudSimulator(spray_confirm_delay=0.05) as sim:
        entry = await add_account(hass, sim)
        await hass.async_block_till_done()
        issue_id = time_zone_issue_id(sim.device_ids[0])
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_only_the_time_zone_issue_has_a_fix_flow(hass: HomeAssistant) -> None:
    """The login limit and firmware issues are not fixable: asking for their flow is a bug."""
    with pytest.raises(ValueError, match="moogo_login_limit_reached"):
        await async_create_fix_flow(hass, "moogo_login_limit_reached_entry", None)
