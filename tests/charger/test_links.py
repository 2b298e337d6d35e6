"""The charger's own connections (MQTT, OCPP, Emoncms, Ethernet) as diagnostic binary sensors."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

MQTT = "binary_sensor.openevse_7c40_mqtt_connection"
RARELY_WANTED = (
    "binary_sensor.openevse_7c40_ocpp_connection",
    "binary_sensor.openevse_7c40_emoncms_connection",
    "binary_sensor.openevse_7c40_ethernet_connection",
)


async def test_mqtt_link_follows_the_charger(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for entity_id in RARELY_WANTED:
        entry = registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    start = state_of(hass, MQTT)
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.update_status(mqtt_connected=0 if start == "on" else 1)
    await wait_for(lambda: state_of(hass, MQTT) != start)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_rarely_wanted_links_when_enabled(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.update_status(ocpp_connected=1, emoncms_connected=1, eth_connected=1)
    for entity_id in RARELY_WANTED:
        await wait_for(lambda entity_id=entity_id: state_of(hass, entity_id) == "on")
    await charger.update_status(eth_connected=0)
    await wait_for(lambda: state_of(hass, RARELY_WANTED[2]) == "off")
