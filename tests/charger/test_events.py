"""The charging session event entity, device triggers and an automation built on them."""

from __future__ import annotations

import pytest
from homeassistant.components import automation
from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_PLATFORM, CONF_TYPE
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from probatio import Invalid
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger import device_trigger
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import SERIAL, state_of, wait_for

SESSION = "event.openevse_7c40_charging_session"


def device_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier((DOMAIN, SERIAL), entry.entry_id)
    assert device is not None
    return device.id


async def test_session_events_and_notify_automation(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """'Notify when charging finishes' as a real automation on the event entity."""
    notified: list[ServiceCall] = []

    @callback
    def notify(call: ServiceCall) -> None:
        notified.append(call)

    hass.services.async_register("notify", "phone", notify)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {
                    "trigger": "state",
                    "entity_id": SESSION,
                    "attribute": "event_type",
                    "to": "charging_stopped",
                },
                "actions": {"action": "notify.phone", "data": {"message": "Charging finished"}},
            }
        },
    )
    assert state_of(hass, SESSION) == "unknown"  # nothing fired for the state at start-up
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    await wait_for(
        lambda: hass.states.get(SESSION).attributes.get("event_type") == "charging_started"  # type: ignore[union-attr]
    )
    await charger.finish_charging()
    await wait_for(lambda: len(notified) == 1)
    assert notified[0].data == {"message": "Charging finished"}
    await charger.unplug()
    await wait_for(
        lambda: hass.states.get(SESSION).attributes.get("event_type") == "unplugged"  # type: ignore[union-attr]
    )
    await charger.raise_fault(6)
    await wait_for(
        lambda: hass.states.get(SESSION).attributes.get("event_type") == "fault"  # type: ignore[union-attr]
    )
    assert len(notified) == 1


async def test_device_triggers(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    charger_id = device_id(hass, loaded)
    triggers = await device_trigger.async_get_charger_triggers(hass, charger_id)
    types = {(t[CONF_TYPE], t.get("subtype")) for t in triggers}
    assert ("plugged_in", None) in types
    assert ("status_changed", "charging") in types
    assert all(t[CONF_DOMAIN] == DOMAIN and t[CONF_DEVICE_ID] == charger_id for t in triggers)

    fired: list[str] = []
    unsubscribes = []
    for config in (
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: charger_id,
         CONF_TYPE: "plugged_in"},
        {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: charger_id,
         CONF_TYPE: "status_changed", "subtype": "charging"},
    ):  # fmt: skip
        validated = await device_trigger.async_validate_charger_trigger_config(hass, config)

        @callback
        def action(run_variables: dict[str, object], context: object = None, t=validated) -> None:
            fired.append(str(t.get("subtype") or t[CONF_TYPE]))

        unsubscribes.append(
            await device_trigger.async_attach_charger_trigger(
                hass,
                validated,
                action,
                {"trigger_data": {}, "variables": {}},  # type: ignore[typeddict-item]
            )
        )
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    await wait_for(lambda: sorted(fired) == ["charging", "plugged_in"])
    for unsubscribe in unsubscribes:
        unsubscribe()

    with pytest.raises(Invalid):
        await device_trigger.async_validate_charger_trigger_config(
            hass,
            {CONF_PLATFORM: "device", CONF_DOMAIN: DOMAIN, CONF_DEVICE_ID: charger_id,
             CONF_TYPE: "status_changed"},
        )  # fmt: skip


async def test_device_trigger_automation_notifies_when_charging_finishes(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """A UI-style automation with a device trigger on the charger, end to end."""
    from custom_components.openevse_moogo import device_trigger as integration_triggers

    charger_id = device_id(hass, loaded)
    assert await integration_triggers.async_get_triggers(hass, charger_id)
    pump_entry = MockConfigEntry(domain=DOMAIN, data={"family": "pump"}, unique_id="pumps")
    pump_entry.add_to_hass(hass)
    pump = dr.async_get(hass).async_get_or_create(
        config_entry_id=pump_entry.entry_id, identifiers={(DOMAIN, "a-pump")}
    )
    assert await integration_triggers.async_get_triggers(hass, pump.id) == []
    assert await integration_triggers.async_get_triggers(hass, "no-such-device") == []

    notified: list[ServiceCall] = []
    hass.services.async_register("notify", "phone", notified.append)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {
                    CONF_PLATFORM: "device",
                    CONF_DOMAIN: DOMAIN,
                    CONF_DEVICE_ID: charger_id,
                    CONF_TYPE: "charging_stopped",
                },
                "actions": {"action": "notify.phone", "data": {"message": "Charging finished"}},
            }
        },
    )
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    await wait_for(lambda: state_of(hass, "sensor.openevse_7c40_status") == "charging")
    assert notified == []
    await charger.finish_charging()
    await wait_for(lambda: len(notified) == 1)
    assert notified[0].data == {"message": "Charging finished"}


async def test_session_end_events_carry_energy_and_duration(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1)
    await charger.start_charging()
    await wait_for(lambda: charger.status["session_energy"] >= 5, within=10)
    await charger.finish_charging()

    def attributes() -> dict[str, object]:
        state = hass.states.get(SESSION)
        assert state is not None
        return dict(state.attributes)

    await wait_for(lambda: attributes().get("event_type") == "charging_stopped")
    stopped = attributes()
    assert stopped["energy"] == round(charger.status["session_energy"] / 1000, 3)
    assert stopped["energy"] > 0
    assert stopped["duration"] == charger.status["session_elapsed"]
    await charger.unplug()
    await wait_for(lambda: attributes().get("event_type") == "unplugged")
    assert attributes()["energy"] == stopped["energy"]
    assert isinstance(attributes()["duration"], int)
    await charger.plug_in()
    await wait_for(lambda: attributes().get("event_type") == "plugged_in")
    assert "energy" not in attributes()
