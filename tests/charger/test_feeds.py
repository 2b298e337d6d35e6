"""Options feeds: Home Assistant values converted, coalesced, rate limited, sent to the charger."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.sensor import SensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.openevse_moogo.charger import feeds
from custom_components.openevse_moogo.charger.const import (
    CONF_GRID_SENSOR,
    CONF_INVERT_GRID,
    CONF_LIVE_POWER_SENSOR,
    CONF_SOLAR_SENSOR,
    CONF_VEHICLE_ETA_SENSOR,
    CONF_VEHICLE_RANGE_SENSOR,
    CONF_VEHICLE_SOC_SENSOR,
    CONF_VOLTAGE_SENSOR,
)
from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.openevse import ChargerSimulator

from .conftest import SERIAL, entry_data, wait_for


@pytest.fixture(autouse=True)
def fast_feeds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "FEED_MIN_INTERVAL", 0.2)


def posts(sim: ChargerSimulator) -> int:
    return sum(1 for method, path in sim.requests if (method, path) == ("POST", "/status"))


async def setup_with(
    hass: HomeAssistant, sim: ChargerSimulator, options: dict[str, Any]
) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, unique_id=SERIAL, data=entry_data(sim), options=options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_grid_voltage_and_house_load_are_fed(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    hass.states.async_set("sensor.grid", "-1.5", {ATTR_UNIT_OF_MEASUREMENT: "kW"})
    hass.states.async_set("sensor.volts", "231", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    hass.states.async_set("sensor.house", "unavailable")
    entry = await setup_with(
        hass,
        charger,
        {
            CONF_GRID_SENSOR: "sensor.grid",
            CONF_INVERT_GRID: True,
            CONF_VOLTAGE_SENSOR: "sensor.volts",
            CONF_LIVE_POWER_SENSOR: "sensor.house",
        },
    )
    # Current values go out at start (export shown as positive by this meter: inverted).
    await wait_for(lambda: charger.status["grid_ie"] == 1500 and charger.status["voltage"] == 231)
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: any("voltage" in batch for batch in feeder.sent))
    sent = posts(charger)

    # A burst of changes is coalesced: the latest value wins, one batch per interval.
    for watts in range(100, 600, 100):
        hass.states.async_set("sensor.house", str(watts), {ATTR_UNIT_OF_MEASUREMENT: "W"})
    hass.states.async_set("sensor.house", "not a number")
    await wait_for(lambda: charger.status["shaper_live_pwr"] == 500)
    # Five changes: at most the first right away (the interval had passed) and one batch after.
    assert sent < posts(charger) <= sent + 2
    sent = posts(charger)
    await wait_for(lambda: feeder.sent[-1] == {"shaper_live_pwr": 500.0})

    assert await hass.config_entries.async_unload(entry.entry_id)
    hass.states.async_set("sensor.house", "900", {ATTR_UNIT_OF_MEASUREMENT: "W"})
    await hass.async_block_till_done()
    assert posts(charger) == sent  # stopped on unload


async def test_solar_and_vehicle_feeds(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    await charger.update_config(vehicle_data_src=3, mqtt_vehicle_range_miles=True)
    full_at = dt_util.utcnow() + timedelta(minutes=30)
    hass.states.async_set("sensor.pv", "2000", {ATTR_UNIT_OF_MEASUREMENT: "W"})
    hass.states.async_set("sensor.soc", "64")
    hass.states.async_set("sensor.range", "160.9344", {ATTR_UNIT_OF_MEASUREMENT: "km"})
    hass.states.async_set(
        "sensor.full", full_at.isoformat(), {ATTR_DEVICE_CLASS: SensorDeviceClass.TIMESTAMP}
    )
    entry = await setup_with(
        hass,
        charger,
        {
            CONF_SOLAR_SENSOR: "sensor.pv",
            CONF_VEHICLE_SOC_SENSOR: "sensor.soc",
            CONF_VEHICLE_RANGE_SENSOR: "sensor.range",
            CONF_VEHICLE_ETA_SENSOR: "sensor.full",
        },
    )
    await wait_for(lambda: charger.status.get("battery_level") == 64)
    assert charger.status["solar"] == 2000
    assert charger.status["battery_range"] == pytest.approx(100, abs=0.01)  # miles
    assert 1700 < charger.status["time_to_full_charge"] <= 1800
    await wait_for(
        lambda: hass.states.get("sensor.openevse_7c40_vehicle_battery_level") is not None
    )
    # A duration in hours is converted to seconds; out-of-range SoC and odd units are skipped.
    hass.states.async_set("sensor.full", "1.5", {ATTR_UNIT_OF_MEASUREMENT: "h"})
    hass.states.async_set("sensor.soc", "140")
    hass.states.async_set("sensor.pv", "3", {ATTR_UNIT_OF_MEASUREMENT: "furlongs"})
    hass.states.async_set("sensor.full", "soon", {ATTR_DEVICE_CLASS: SensorDeviceClass.TIMESTAMP})
    await wait_for(lambda: charger.status["time_to_full_charge"] == 5400)
    assert charger.status["battery_level"] == 64
    assert charger.status["solar"] == 2000
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_feed_failures_are_logged_once(
    hass: HomeAssistant, charger: ChargerSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    hass.states.async_set("sensor.volts", "230", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    entry = await setup_with(hass, charger, {CONF_VOLTAGE_SENSOR: "sensor.volts"})
    await wait_for(lambda: charger.status["voltage"] == 230)
    charger.faults.http_status = 500
    for volts in ("231", "232"):
        hass.states.async_set("sensor.volts", volts, {ATTR_UNIT_OF_MEASUREMENT: "V"})
        await wait_for(lambda: entry.runtime_data.feeds._pending == {})
        await wait_for(
            lambda: entry.runtime_data.feeds._task is None or entry.runtime_data.feeds._task.done()
        )
    assert caplog.text.count("Could not feed values") == 1
    charger.faults.clear()
    hass.states.async_set("sensor.volts", "233", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    await wait_for(lambda: charger.status["voltage"] == 233)
    assert "works again" in caplog.text
    assert json.dumps(entry.runtime_data.feeds.sent)
    assert await hass.config_entries.async_unload(entry.entry_id)
