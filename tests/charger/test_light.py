"""The status LED's brightness as a light (config led_brightness, RGB-LED builds)."""

from __future__ import annotations

import pytest
from homeassistant.components.light import ATTR_BRIGHTNESS
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.simulators.openevse import ChargerSimulator

from .conftest import state_of, wait_for
from .test_controls import call

LED = "light.openevse_7c40_status_led"


def brightness(hass: HomeAssistant) -> int | None:
    state = hass.states.get(LED)
    assert state is not None
    return state.attributes.get(ATTR_BRIGHTNESS)


async def test_status_led_dims_turns_off_and_comes_back(
    hass: HomeAssistant, charger: ChargerSimulator, loaded: MockConfigEntry
) -> None:
    await wait_for(lambda: charger.ws_connections == 1, 10)
    assert state_of(hass, LED) == STATE_ON
    assert brightness(hass) == 125
    await call(hass, "light", "turn_on", LED, brightness=40)
    assert charger.config["led_brightness"] == 40
    await wait_for(lambda: brightness(hass) == 40)
    await call(hass, "light", "turn_off", LED)
    assert charger.config["led_brightness"] == 0
    await wait_for(lambda: state_of(hass, LED) == STATE_OFF)
    # On again without a brightness: the last one it was lit at.
    await call(hass, "light", "turn_on", LED)
    assert charger.config["led_brightness"] == 40
    await wait_for(lambda: state_of(hass, LED) == STATE_ON)
    # Changed on the charger's own page: followed.
    await charger.update_config(led_brightness=200)
    await wait_for(lambda: brightness(hass) == 200)


@pytest.fixture
def no_rgb_led(charger: ChargerSimulator) -> None:
    """A build without an RGB LED: the firmware registers no led_brightness key."""
    del charger.config["led_brightness"]


@pytest.mark.usefixtures("no_rgb_led")
async def test_no_light_without_an_rgb_led(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    assert hass.states.get(LED) is None
