"""The "controlled by" sensors: who decides the charger's state and currents (/claims/target)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from homeassistant.components import automation
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.controllers import (
    CONTROLLER_OPTIONS,
    controller_option,
)
from custom_components.openevse_moogo.clients.openevse import DEFAULT_CLAIM_CLIENT_ID
from tests.simulators.openevse import ChargerSimulator, Claim

from .conftest import state_of, wait_for

STATE_BY = "sensor.openevse_7c40_charging_state_controlled_by"
CURRENT_BY = "sensor.openevse_7c40_charge_current_controlled_by"
MAX_BY = "sensor.openevse_7c40_maximum_current_controlled_by"
CHARGING = "switch.openevse_7c40_allow_charging"
OVERRIDE = "select.openevse_7c40_manual_override"

CLIENT_OCPP = 65545
CLIENT_RFID = 65546
CLIENT_SHAPER = 65548


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def firmware_claim(sim: ChargerSimulator, client: int, claim: Claim) -> None:
    """A claim of one of the charger's own services, pushed the way the firmware pushes it."""
    await sim.publish(sim.set_claim(client, claim))


def test_options_name_every_fixed_client_once() -> None:
    assert len(CONTROLLER_OPTIONS) == len(set(CONTROLLER_OPTIONS))
    assert controller_option(None, 23) == "default"
    assert controller_option(23, 23) == "this_integration"
    assert controller_option(20, 23) == "http_client"
    assert controller_option(65537, 23) == "manual_override"
    assert controller_option(131073, 23) == "demand_shaper"


async def test_controlled_by_follows_each_claim_owner(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    state = hass.states.get(STATE_BY)
    assert state is not None
    assert state.state == "default"
    assert state.attributes["options"] == CONTROLLER_OPTIONS
    assert state_of(hass, CURRENT_BY) == "default"
    assert state_of(hass, MAX_BY) == "default"

    await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    await wait_for(lambda: state_of(hass, STATE_BY) == "this_integration")
    assert state_of(hass, CURRENT_BY) == "default"

    await call(hass, "select", "select_option", OVERRIDE, option="active")
    await wait_for(lambda: state_of(hass, STATE_BY) == "manual_override")
    await call(hass, "select", "select_option", OVERRIDE, option="auto")
    await wait_for(lambda: state_of(hass, STATE_BY) == "this_integration")

    await firmware_claim(charger, CLIENT_SHAPER, Claim(5000, {"max_current": 12}))
    await wait_for(lambda: state_of(hass, MAX_BY) == "current_shaper")

    # Another program holding a claim over HTTP (python-openevse-http's slot 20).
    async with aiohttp.ClientSession() as session:
        reply = await session.post(f"{charger.url}/claims/20", json={"charge_current": 10})
        assert reply.status == 200
    await wait_for(lambda: state_of(hass, CURRENT_BY) == "http_client")


async def test_controlled_by_costs_no_request_while_charging(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """Only a moved claims_version refetches /claims/target; charging deltas do not."""
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    fetched = charger.requests.count(("GET", "/claims/target"))
    for _ in range(5):
        elapsed = charger.status["session_elapsed"] + 1
        await charger.publish(charger.apply({"session_elapsed": elapsed}))
    await firmware_claim(charger, CLIENT_OCPP, Claim(1050, {"state": "active"}))
    await wait_for(lambda: state_of(hass, STATE_BY) == "ocpp")
    assert charger.requests.count(("GET", "/claims/target")) == fetched + 1


async def test_automation_on_a_controlled_by_change(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """'Tell me when the charge limit stops the car' as a real automation."""
    notified: list[ServiceCall] = []

    @callback
    def notify(service_call: ServiceCall) -> None:
        notified.append(service_call)

    hass.services.async_register("notify", "phone", notify)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {"trigger": "state", "entity_id": STATE_BY, "to": "limit"},
                "actions": {"action": "notify.phone", "data": {"message": "Limit reached"}},
            }
        },
    )
    await wait_for(lambda: charger.ws_connections == 1)
    await firmware_claim(charger, CLIENT_RFID, Claim(1030, {"state": "active"}))
    await wait_for(lambda: state_of(hass, STATE_BY) == "rfid")
    assert notified == []
    await firmware_claim(charger, 65542, Claim(1100, {"state": "disabled"}, auto_release=True))
    await wait_for(lambda: len(notified) == 1)
    assert notified[0].data == {"message": "Limit reached"}


async def test_charging_switch_names_the_client_that_outranks_it(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    await firmware_claim(charger, CLIENT_OCPP, Claim(1050, {"state": "active"}))
    await wait_for(lambda: state_of(hass, STATE_BY) == "ocpp")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    assert err.value.translation_key == "charger_outranked"
    assert err.value.translation_placeholders == {"controller": "OCPP"}
    assert "OCPP decides" in str(err.value)
    # Our pause stays in place and applies once OCPP lets go.
    own = charger.claims.claims[DEFAULT_CLAIM_CLIENT_ID]
    assert own.properties == {"state": "disabled"}
    await charger.publish(charger.release_claim(CLIENT_OCPP) or {})
    await wait_for(lambda: state_of(hass, CHARGING) == "off")
    assert state_of(hass, STATE_BY) == "this_integration"


async def test_charging_switch_refusal_is_translated(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    hass.config.language = "de"
    await wait_for(lambda: charger.ws_connections == 1)
    await firmware_claim(charger, CLIENT_RFID, Claim(1030, {"state": "disabled"}))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    assert err.value.translation_placeholders == {"controller": "RFID"}
    await firmware_claim(charger, 65542, Claim(1100, {"state": "disabled"}))
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    assert err.value.translation_placeholders == {"controller": "Ladelimit"}
