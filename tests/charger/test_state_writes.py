"""A charger entity writes its state when anything it shows moved, attributes included."""

from __future__ import annotations

import contextlib
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, UnitOfLength, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger.binary_sensor import ChargerBinarySensor
from custom_components.openevse_moogo.charger.number import ChargerChargeCurrent
from custom_components.openevse_moogo.charger.select import ChargerSelect
from custom_components.openevse_moogo.charger.sensor import ChargerSensor
from custom_components.openevse_moogo.charger.switch import ChargerSwitch
from custom_components.openevse_moogo.entity import OpenEVSEMoogoEntity
from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for

CURRENT = "number.openevse_7c40_charge_current_setting"
RANGE = "sensor.openevse_7c40_vehicle_range"


async def test_number_bounds_alone_are_written(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """A new hardware minimum moves only the number's `min`: the state is still rewritten."""
    before = hass.states.get(CURRENT)
    assert before is not None
    assert before.attributes["min"] != 10
    # The hardware limits are read-only over HTTP (a controller swap changes them): set the
    # simulator's value, and announce a config change as the firmware does.
    charger.config["min_current_hard"] = 10
    await charger.update_status(config_version=charger.status["config_version"] + 1)
    await wait_for(lambda: hass.states.get(CURRENT).attributes["min"] == 10)  # type: ignore[union-attr]
    assert state_of(hass, CURRENT) == before.state


async def test_sensor_unit_alone_is_written(
    hass: HomeAssistant, charger: ChargerSimulator, entry: MockConfigEntry
) -> None:
    """The range keeps its number when the charger's unit setting moves; the unit follows."""
    await charger.update_config(vehicle_data_src=3)
    await charger.update_status(battery_range=250)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    state = hass.states.get(RANGE)
    assert state is not None
    assert float(state.state) == 250
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfLength.KILOMETERS
    await charger.update_config(mqtt_vehicle_range_miles=True)
    await wait_for(
        lambda: (
            hass.states.get(RANGE).attributes[ATTR_UNIT_OF_MEASUREMENT]  # type: ignore[union-attr]
            == UnitOfLength.MILES
        )
    )
    assert state_of(hass, RANGE) == state.state
    assert await hass.config_entries.async_unload(entry.entry_id)


VOLTAGE = "sensor.openevse_7c40_voltage"
TEMPERATURE = "sensor.openevse_7c40_temperature"


async def test_delta_renders_only_the_entities_it_moves(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """An entity whose values did not move is not rendered again for a delta."""
    rendered: list[str] = []
    original = OpenEVSEMoogoEntity._rendered

    def counting(entity: OpenEVSEMoogoEntity[Any]) -> tuple[object, ...]:
        rendered.append(entity.entity_id)
        return original(entity)

    voltage = float(state_of(hass, VOLTAGE)) + 1.5
    with contextlib.ExitStack() as patches:
        for platform in (
            ChargerSensor,
            ChargerBinarySensor,
            ChargerSwitch,
            ChargerSelect,
            ChargerChargeCurrent,
        ):
            patches.enter_context(patch.object(platform, "_rendered", counting))
        await charger.update_status(voltage=voltage)
        await wait_for(lambda: float(state_of(hass, VOLTAGE)) == voltage)
    assert rendered == [VOLTAGE]


async def test_sensor_follows_value_after_display_unit_change(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    """A display unit chosen in the registry applies at once, and to every value after it."""
    assert hass.states.get(TEMPERATURE).attributes[ATTR_UNIT_OF_MEASUREMENT] == "°C"  # type: ignore[union-attr]
    celsius = float(state_of(hass, TEMPERATURE))
    er.async_get(hass).async_update_entity_options(
        TEMPERATURE, "sensor", {"unit_of_measurement": UnitOfTemperature.FAHRENHEIT}
    )
    await hass.async_block_till_done()
    assert float(state_of(hass, TEMPERATURE)) == pytest.approx(celsius * 9 / 5 + 32, abs=0.1)
    await charger.update_status(temp=300)  # tenths of a degree Celsius: 30.0 °C
    await wait_for(lambda: float(state_of(hass, TEMPERATURE)) == pytest.approx(86.0, abs=0.1))
    state = hass.states.get(TEMPERATURE)
    assert state is not None
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTemperature.FAHRENHEIT
