"""The pump's weather stops: read back from its cloud settings, written with allowed keys only."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_OFF,
    STATE_ON,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM

from custom_components.openevse_moogo.pump.number import MAX_STOP_TEMPERATURE
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.moogo import server as moogo_server
from tests.simulators.moogo.device import CONFIG_KEYS_WRITABLE

from .conftest import add_account

RAIN = "switch.backyard_stop_when_raining"
SNOW = "switch.backyard_stop_when_snowing"
WIND = "switch.backyard_stop_when_windy"
STOP_TEMPERATURE = "number.backyard_stop_temperature"


@pytest.fixture
def config_writes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every body the simulated cloud read from a settings write (``PUT …/configs``)."""
    writes: list[dict[str, Any]] = []
    read_body = moogo_server.read_body

    async def recording_read_body(request: Any) -> dict[str, Any]:
        body = await read_body(request)
        if request.method == "PUT" and request.path.endswith("/configs"):
            writes.append(dict(body))
        return body

    monkeypatch.setattr(moogo_server, "read_body", recording_read_body)
    return writes


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity_id: str, **data: Any
) -> None:
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id, **data}, blocking=True
    )


async def test_weather_stops_read_back_from_the_cloud(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry
) -> None:
    """The onboarding defaults (rain and snow on, wind off, 10 °C) show as the cloud holds them."""
    assert hass.states.get(RAIN).state == STATE_ON
    assert hass.states.get(SNOW).state == STATE_ON
    assert hass.states.get(WIND).state == STATE_OFF
    temperature = hass.states.get(STOP_TEMPERATURE)
    assert temperature.state == "10"
    assert temperature.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTemperature.CELSIUS
    assert temperature.attributes["max"] == MAX_STOP_TEMPERATURE


@pytest.mark.parametrize(
    "case",
    [
        (RAIN, "stopRainy", "turn_off", STATE_OFF, 0),
        (SNOW, "stopSnow", "turn_off", STATE_OFF, 0),
        (WIND, "stopWindstorm", "turn_on", STATE_ON, 1),
    ],
)
async def test_weather_stop_switch_writes_only_its_key(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    config_writes: list[dict[str, Any]],
    case: tuple[str, str, str, str, int],
) -> None:
    """A switch sends its own flag and nothing else (the cloud refuses unknown keys)."""
    entity_id, key, service, state, wire = case
    before = simulator.config(simulator.device_ids[0])
    await _call(hass, "switch", service, entity_id)
    assert config_writes == [{key: wire}]
    assert set(config_writes[0]) <= CONFIG_KEYS_WRITABLE
    after = simulator.config(simulator.device_ids[0])
    assert after == {**before, key: wire}
    assert hass.states.get(entity_id).state == state


async def test_stop_temperature_written_in_celsius(
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    config_writes: list[dict[str, Any]],
) -> None:
    """The threshold goes to the cloud as whole degrees Celsius."""
    await _call(hass, "number", "set_value", STOP_TEMPERATURE, value=15)
    assert config_writes == [{"stopTemperature": 15}]
    assert simulator.config(simulator.device_ids[0])["stopTemperature"] == 15
    assert hass.states.get(STOP_TEMPERATURE).state == "15"


async def test_stop_temperature_in_fahrenheit(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, config_writes: list[dict[str, Any]]
) -> None:
    """With a US customary unit system the threshold shows and is set in °F, stored in °C."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    entry = await add_account(hass, simulator)
    state = hass.states.get(STOP_TEMPERATURE)
    assert state.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfTemperature.FAHRENHEIT
    assert float(state.state) == pytest.approx(50.0)  # the cloud's 10 °C
    assert float(state.attributes["max"]) == pytest.approx(104.0)  # 40 °C

    await _call(hass, "number", "set_value", STOP_TEMPERATURE, value=59)
    assert config_writes == [{"stopTemperature": 15}]
    assert float(hass.states.get(STOP_TEMPERATURE).state) == pytest.approx(59.0)
    assert await hass.config_entries.async_unload(entry.entry_id)
