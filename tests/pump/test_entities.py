"""Every pump entity: the snapshot of all platforms and each control's paths."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.openevse_moogo.const import FAMILY_PUMP
from custom_components.openevse_moogo.families import FAMILIES
from custom_components.openevse_moogo.pump import PUMP_FAMILY
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import add_account, coordinator_of

SPRAY = "switch.backyard_spray"
SCHEDULES = "switch.backyard_schedules"
EVENT = "event.backyard_spray_activity"


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: object
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


@pytest.fixture
def pinned_clock(freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture) -> None:
    """Home Assistant's clock at a fixed moment (the simulator keeps the real one)."""
    caplog.set_level(logging.CRITICAL, logger="aiohttp.access")  # no UTC offset under freezer
    freezer.move_to("2026-06-01T12:00:00+00:00")


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "pinned_clock")
@pytest.mark.parametrize("platform", list(PUMP_FAMILY.platforms))
async def test_all_entities(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Every platform's entities, names, classes and states, one platform at a time.

    Home Assistant's clock is pinned so the daily sensors' last reset is the same every day.
    """
    only = replace(PUMP_FAMILY, platforms={platform: PUMP_FAMILY.platforms[platform]})
    with patch.dict(FAMILIES, {FAMILY_PUMP: only}):
        entry = await add_account(hass, simulator)
        await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_spray_switch_confirms_and_fires_events(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """On shows at once, is confirmed by the pump, and the event entity reports start and end."""
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: (
            seen.append(event.data["new_state"].state) if event.data["entity_id"] == SPRAY else None
        ),
    )
    await _call(hass, "switch", "turn_on", SPRAY)
    assert hass.states.get(SPRAY).state == STATE_ON
    assert seen == [STATE_ON]  # no bounce back while the cloud catches up
    assert simulator.device(simulator.device_ids[0])["runStatus"] == 1
    assert hass.states.get(EVENT).attributes["event_type"] == "started"
    assert simulator.requests.count(("POST", f"/v1/devices/{simulator.device_ids[0]}/start")) == 1

    await _call(hass, "switch", "turn_off", SPRAY)
    assert hass.states.get(SPRAY).state == STATE_OFF
    assert hass.states.get(EVENT).attributes["event_type"] == "finished"


@pytest.mark.parametrize(
    ("breakage", "key"),
    [("cold", "moogo_pump_too_cold"), ("offline", "moogo_pump_offline")],
)
async def test_spray_refused_rolls_back(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    breakage: str,
    key: str,
) -> None:
    """A pump that refuses (below 8 degC, offline) shows off again and a translated error."""
    pump_id = simulator.device_ids[0]
    if breakage == "cold":
        simulator.set_temperature(pump_id, 5)
    else:
        simulator.set_online(pump_id, False)
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "switch", "turn_on", SPRAY)
    assert err.value.translation_key == key
    assert hass.states.get(SPRAY).state == STATE_OFF


async def test_unconfirmed_spray_is_not_resent(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A command the pump never acts on rolls back after the confirm window; sent only once."""
    simulator.faults.unconfirmed_commands = True
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "switch", "turn_on", SPRAY)
    assert err.value.translation_key == "moogo_spray_not_confirmed"
    assert hass.states.get(SPRAY).state == STATE_OFF
    assert simulator.requests.count(("POST", f"/v1/devices/{simulator.device_ids[0]}/start")) == 1


async def test_schedules_switch(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The master switch of the schedules writes to the cloud and shows the cloud's value."""
    assert hass.states.get(SCHEDULES).state == STATE_ON
    await _call(hass, "switch", "turn_off", SCHEDULES)
    assert hass.states.get(SCHEDULES).state == STATE_OFF
    await _call(hass, "switch", "turn_on", SCHEDULES)
    assert hass.states.get(SCHEDULES).state == STATE_ON


async def test_spray_duration_number(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The spray duration is the pump's sprayingSeconds setting."""
    entity_id = "number.backyard_spray_duration"
    assert hass.states.get(entity_id).state == "60"
    await _call(hass, "number", "set_value", entity_id, value=90)
    assert simulator.config(simulator.device_ids[0])["sprayingSeconds"] == 90
    assert hass.states.get(entity_id).state == "90"


async def test_concentrate_select(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """Choosing a concentrate also sets its recommended mix ratio; unknown names are refused."""
    entity_id = "select.backyard_concentrate"
    state = hass.states.get(entity_id)
    assert state.state == "Mosquito Concentrate"
    assert state.attributes["options"] == [
        "Mosquito Concentrate",
        "Natural Botanical",
        "Cooling Water",
    ]
    await _call(hass, "select", "select_option", entity_id, option="Natural Botanical")
    config = simulator.config(simulator.device_ids[0])
    assert (config["liquidName"], config["liquidConcentration"]) == ("Natural Botanical", 60)
    assert hass.states.get(entity_id).state == "Natural Botanical"

    coordinator = coordinator_of(account)
    entity = hass.data["entity_components"]["select"].get_entity(entity_id)
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_select_option("Lemonade")
    assert err.value.translation_key == "moogo_unknown_concentrate"
    assert coordinator.last_update_success


async def test_cloud_error_on_a_setting_is_translated(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """A failing write surfaces as a translated error, not a log line."""
    simulator.faults.http_status = 500
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "number", "set_value", "number.backyard_spray_duration", value=30)
    assert err.value.translation_key == "moogo_server_error"
    simulator.faults.http_status = None


async def test_firmware_update(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The cloud's offered firmware shows as an update, installs, and the device follows."""
    entity_id = "update.backyard_firmware"
    coordinator = coordinator_of(account)
    assert hass.states.get(entity_id).state == STATE_OFF
    simulator.offer_firmware(simulator.device_ids[0], "1.1.0", "Quieter pump")
    await coordinator.async_refresh()
    state = hass.states.get(entity_id)
    assert state.state == STATE_ON
    assert state.attributes["latest_version"] == "1.1.0"
    assert state.attributes["release_summary"] == "Quieter pump"

    await _call(hass, "update", "install", entity_id)
    assert hass.states.get(entity_id).attributes["in_progress"] is True
    await asyncio.sleep(0.3)  # the simulator's OTA takes 0.2 s
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(entity_id)
    assert state.state == STATE_OFF
    assert state.attributes["installed_version"] == "1.1.0"
    device = next(iter(coordinator.data.pumps.values()))
    assert device.firmware_version == "1.1.0"
