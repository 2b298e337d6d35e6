"""Switches, number, selects, buttons and actions, against the simulator's claims engine."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.components.button import SERVICE_PRESS
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.clients.openevse import DEFAULT_CLAIM_CLIENT_ID
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import CLIENT_MANUAL, ChargerSimulator

from .conftest import SERIAL, state_of, wait_for

CHARGING = "switch.openevse_7c40_allow_charging"
CURRENT = "number.openevse_7c40_charge_current_setting"
OVERRIDE = "select.openevse_7c40_manual_override"


async def call(hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


def own_claim(sim: ChargerSimulator) -> dict[str, Any] | None:
    claim = sim.claims.claims.get(DEFAULT_CLAIM_CLIENT_ID)
    return dict(claim.properties) if claim is not None else None


async def test_charging_switch_pauses_and_resumes_through_our_claim(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, CHARGING) == "on")
    await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    assert own_claim(charger) == {"state": "disabled"}
    await wait_for(lambda: state_of(hass, CHARGING) == "off")
    await wait_for(lambda: state_of(hass, "sensor.openevse_7c40_status") == "sleeping")

    # Resuming drops our pause; nothing else holds the charger, so no "active" claim is made.
    await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    assert own_claim(charger) is None
    await wait_for(lambda: state_of(hass, CHARGING) == "on")


async def test_charging_switch_overrules_a_lower_priority_pause(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await charger.update_config(default_state=False)  # the charger starts sessions paused
    await wait_for(lambda: state_of(hass, CHARGING) == "off")
    await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    assert own_claim(charger) == {"state": "active"}
    await wait_for(lambda: state_of(hass, CHARGING) == "on")


async def test_charging_switch_refuses_against_manual_override(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await call(hass, "select", SERVICE_SELECT_OPTION, OVERRIDE, **{ATTR_OPTION: "active"})
    await wait_for(lambda: state_of(hass, OVERRIDE) == "active")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    assert err.value.translation_key == "charger_override_in_force"
    assert own_claim(charger) is None


async def test_charge_current_number_keeps_pause(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    state = hass.states.get(CURRENT)
    assert state is not None
    assert state.attributes["min"] == 6
    assert state.attributes["max"] == 32
    await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    await call(hass, "number", SERVICE_SET_VALUE, CURRENT, **{ATTR_VALUE: 16})
    assert own_claim(charger) == {"state": "disabled", "charge_current": 16}
    await wait_for(lambda: state_of(hass, CURRENT) == "16")
    await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    assert own_claim(charger) == {"charge_current": 16}
    assert "max_current_soft" not in [path for _, path in charger.requests if path == "/config"]


async def test_override_select(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    assert state_of(hass, OVERRIDE) == "auto"
    await call(hass, "select", SERVICE_SELECT_OPTION, OVERRIDE, **{ATTR_OPTION: "disabled"})
    assert charger.claims.claims[CLIENT_MANUAL].properties == {"state": "disabled"}
    await wait_for(lambda: state_of(hass, OVERRIDE) == "disabled")
    await wait_for(lambda: state_of(hass, CHARGING) == "off")
    await call(hass, "select", SERVICE_SELECT_OPTION, OVERRIDE, **{ATTR_OPTION: "auto"})
    assert CLIENT_MANUAL not in charger.claims.claims
    await wait_for(lambda: state_of(hass, OVERRIDE) == "auto")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_service_level_select(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    entity_id = "select.openevse_7c40_service_level_setting"
    assert state_of(hass, entity_id) == "level_2"
    await call(hass, "select", SERVICE_SELECT_OPTION, entity_id, **{ATTR_OPTION: "automatic"})
    assert charger.config["service"] == 0
    await wait_for(lambda: state_of(hass, entity_id) == "automatic")


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("sim_options", [{"profile": "master"}, {"profile": "dev"}])
async def test_service_level_select_offers_what_the_firmware_takes(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    # Builds of the development branch no longer take "automatic" (a write of 0 is ignored).
    entity_id = "select.openevse_7c40_service_level_setting"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["options"] == ["level_1", "level_2"]
    with pytest.raises(ServiceValidationError):
        await call(hass, "select", SERVICE_SELECT_OPTION, entity_id, **{ATTR_OPTION: "automatic"})
    await call(hass, "select", SERVICE_SELECT_OPTION, entity_id, **{ATTR_OPTION: "level_1"})
    await wait_for(lambda: state_of(hass, entity_id) == "level_1")
    # A level 0 left in its stored config from older firmware is not shown as an option.
    charger.config["service"] = 0
    await charger.update_config(led_brightness=50)  # any change: the config is read again
    await wait_for(lambda: state_of(hass, entity_id) == "unknown")


async def test_divert_and_shaper_switches(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    divert, shaper = "switch.openevse_7c40_solar_divert_eco", "switch.openevse_7c40_current_shaper"
    await call(hass, "switch", SERVICE_TURN_ON, divert)
    await wait_for(lambda: state_of(hass, divert) == "on")
    assert charger.status["divertmode"] == 2
    await call(hass, "switch", SERVICE_TURN_OFF, divert)
    await wait_for(lambda: state_of(hass, divert) == "off")
    await call(hass, "switch", SERVICE_TURN_ON, shaper)
    await wait_for(lambda: state_of(hass, shaper) == "on")
    await call(hass, "switch", SERVICE_TURN_OFF, shaper)
    await wait_for(lambda: state_of(hass, shaper) == "off")


async def test_eco_divert_pauses_charging_until_the_switch_claims_it(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    # A real charger in eco mode with no surplus sleeps: divert holds a priority-10 disabled
    # claim (divert.cpp), so the Charging switch shows off without anyone turning it off.
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, CHARGING) == "on")
    await call(hass, "switch", SERVICE_TURN_ON, "switch.openevse_7c40_solar_divert_eco")
    await wait_for(lambda: state_of(hass, CHARGING) == "off")
    assert charger.status["state"] == 254
    # Turning Charging on is a priority-500 active claim: it outranks divert's pause.
    await call(hass, "switch", SERVICE_TURN_ON, CHARGING)
    await wait_for(lambda: state_of(hass, CHARGING) == "on")
    assert charger.status["state"] == 3


async def test_restart_buttons(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await call(hass, "button", SERVICE_PRESS, "button.openevse_7c40_restart_evse")
    await call(hass, "button", SERVICE_PRESS, "button.openevse_7c40_restart_gateway")
    assert [path for method, path in charger.requests if method == "POST"] == [
        "/restart",
        "/restart",
    ]


async def test_command_errors_are_translated(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    charger.faults.http_status = 500
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "button", SERVICE_PRESS, "button.openevse_7c40_restart_gateway")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "charger_command_failed"
    charger.faults.http_status = 401
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    assert err.value.translation_key == "charger_auth_failed"
    charger.faults.clear()


# --- actions ------------------------------------------------------------------------------


def charger_device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), entry.entry_id)
    assert device is not None
    return device.id


async def action(hass: HomeAssistant, name: str, **data: Any) -> None:
    await hass.services.async_call(DOMAIN, name, data, blocking=True)


@pytest.mark.parametrize(
    "case",
    [
        ("energy", 10.5, {"type": "energy", "value": 10500}),
        ("time", 90, {"type": "time", "value": 90}),
        ("soc", 80, {"type": "soc", "value": 80}),
        ("range", 250, {"type": "range", "value": 250}),
    ],
)
async def test_set_and_clear_charge_limit(
    hass: HomeAssistant,
    charger: ChargerSimulator,
    loaded: MockConfigEntry,
    case: tuple[str, float, dict[str, Any]],
) -> None:
    field, value, expected = case
    device_id = charger_device_id(hass, loaded)
    await action(hass, "set_charge_limit", device_id=device_id, **{field: value})
    assert charger.limit is not None
    assert {key: charger.limit[key] for key in ("type", "value")} == expected
    await wait_for(
        lambda: state_of(hass, "binary_sensor.openevse_7c40_charge_limit_active") == "on"
    )
    await action(hass, "clear_charge_limit", device_id=device_id)
    assert charger.limit is None


async def test_set_and_clear_override_action(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    device_id = charger_device_id(hass, loaded)
    await action(
        hass, "set_override", device_id=device_id, state="active", charge_current=20,
        auto_release=False,
    )  # fmt: skip
    claim = charger.claims.claims[CLIENT_MANUAL]
    assert claim.properties == {"state": "active", "charge_current": 20}
    assert claim.auto_release is False
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "set_override", device_id=device_id, max_current=60)
    assert err.value.translation_key == "charger_current_out_of_range"
    await action(hass, "clear_override", device_id=device_id)
    assert CLIENT_MANUAL not in charger.claims.claims


async def test_actions_validate_the_target(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "clear_override", device_id="no-such-device")
    assert err.value.translation_key == "charger_device_not_found"
    elsewhere = MockConfigEntry(domain="other")
    elsewhere.add_to_hass(hass)
    foreign = dr.async_get(hass).async_get_or_create(
        config_entry_id=elsewhere.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "clear_override", device_id=foreign.id)
    assert err.value.translation_key == "charger_device_not_found"
    device_id = charger_device_id(hass, loaded)
    assert await hass.config_entries.async_unload(loaded.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "clear_override", device_id=device_id)
    assert err.value.translation_key == "charger_not_loaded"


@pytest.mark.parametrize("sim_options", [{"profile": "v4"}])
async def test_limits_need_firmware_support(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await action(hass, "set_charge_limit", device_id=charger_device_id(hass, loaded), time=5)
    assert err.value.translation_key == "charger_limits_not_supported"


async def test_override_current_shows_in_number_and_our_released_claim_is_noticed(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    device_id = charger_device_id(hass, loaded)
    await action(hass, "set_override", device_id=device_id, charge_current=20)
    await wait_for(lambda: state_of(hass, CURRENT) == "20")
    await action(hass, "clear_override", device_id=device_id)

    await charger.plug_in()
    await call(hass, "switch", SERVICE_TURN_OFF, CHARGING)
    assert loaded.runtime_data.coordinator.data.own_claim is not None
    await charger.unplug()  # the session ends: the firmware auto-releases our claim
    await wait_for(lambda: loaded.runtime_data.coordinator.data.own_claim is None)
    assert own_claim(charger) is None


async def test_commands_poll_while_push_is_down(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    charger.faults.refuse_websocket = True
    await charger.drop_websockets()
    await wait_for(lambda: state_of(hass, "binary_sensor.openevse_7c40_push_connection") == "off")
    statuses = sum(1 for _, path in charger.requests if path == "/status")
    await call(hass, "switch", SERVICE_TURN_ON, "switch.openevse_7c40_current_shaper")
    await wait_for(lambda: state_of(hass, "switch.openevse_7c40_current_shaper") == "on")
    assert sum(1 for _, path in charger.requests if path == "/status") > statuses
    charger.faults.clear()
