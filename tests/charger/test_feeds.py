"""Options feeds: Home Assistant values converted, coalesced, rate limited, sent to the charger."""

from __future__ import annotations

import asyncio
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
    CONF_HOME_BATTERY_POWER_SENSOR,
    CONF_HOME_BATTERY_SOC_SENSOR,
    CONF_INVERT_GRID,
    CONF_LIVE_POWER_SENSOR,
    CONF_SOLAR_SENSOR,
    CONF_VEHICLE_ETA_SENSOR,
    CONF_VEHICLE_LIMIT_SENSOR,
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
    return sim.requests.count(("POST", "/status"))


def config_writes(sim: ChargerSimulator) -> int:
    return sim.requests.count(("POST", "/config"))


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
    # Current values go out at start, together (export shown as positive by this meter:
    # inverted).
    await wait_for(lambda: charger.status["grid_ie"] == 1500 and charger.status["voltage"] == 231)
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: bool(feeder.sent))
    assert feeder.sent == [{"grid_ie": 1500.0, "voltage": 231.0}]
    assert posts(charger) == 1
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
    assert config_writes(charger) == 0  # no vehicle feed: the vehicle source is left alone


async def test_each_batch_is_one_request(hass: HomeAssistant, charger: ChargerSimulator) -> None:
    watts = {ATTR_UNIT_OF_MEASUREMENT: "W"}
    hass.states.async_set("sensor.grid", "300", watts)
    hass.states.async_set("sensor.volts", "229", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    hass.states.async_set("sensor.house", "1200", watts)
    entry = await setup_with(
        hass,
        charger,
        {
            CONF_GRID_SENSOR: "sensor.grid",
            CONF_VOLTAGE_SENSOR: "sensor.volts",
            CONF_LIVE_POWER_SENSOR: "sensor.house",
        },
    )
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: charger.status["shaper_live_pwr"] == 1200)
    assert (charger.status["grid_ie"], charger.status["voltage"]) == (300, 229)
    assert posts(charger) == 1

    # Three feeds change within the interval: they leave together, in a single request.
    # (The interval restarts now, so a loaded machine cannot have let it pass already.)
    feeder._last_sent = hass.loop.time()
    hass.states.async_set("sensor.grid", "-450", watts)
    hass.states.async_set("sensor.volts", "233", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    hass.states.async_set("sensor.house", "1800", watts)
    await wait_for(lambda: charger.status["shaper_live_pwr"] == 1800)
    assert (charger.status["grid_ie"], charger.status["voltage"]) == (-450, 233)
    assert posts(charger) == 2
    await wait_for(lambda: len(feeder.sent) == 2)  # recorded once the reply is in
    assert feeder.sent == [
        {"grid_ie": 300.0, "voltage": 229.0, "shaper_live_pwr": 1200.0},
        {"grid_ie": -450.0, "voltage": 233.0, "shaper_live_pwr": 1800.0},
    ]
    assert await hass.config_entries.async_unload(entry.entry_id)


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
    assert posts(charger) == 1  # solar and the three vehicle values in one request
    assert config_writes(charger) == 0  # the source already is HTTP
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
    # The fault also refuses a websocket handshake: inject it only once push is up.
    await wait_for(lambda: entry.runtime_data.coordinator.data.push_connected)
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
    # The charger applies the value before its reply reaches us: wait for the reply's log line.
    await wait_for(lambda: "works again" in caplog.text)
    assert json.dumps(entry.runtime_data.feeds.sent)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_vehicle_feed_switches_the_source_to_http_once(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    assert charger.config["vehicle_data_src"] == 0  # none: the firmware ignores vehicle values
    hass.states.async_set("sensor.soc", "41")
    entry = await setup_with(hass, charger, {CONF_VEHICLE_SOC_SENSOR: "sensor.soc"})
    await wait_for(lambda: charger.status.get("battery_level") == 41)
    assert charger.config["vehicle_data_src"] == 3
    assert config_writes(charger) == 1
    client = entry.runtime_data.client
    assert client.config_data.vehicle_data_source == 3

    # The user picks another source on the charger: respected, never written back.
    await charger.update_config(vehicle_data_src=2)
    await wait_for(lambda: client.config_data.vehicle_data_source == 2)
    sent = posts(charger)
    hass.states.async_set("sensor.soc", "45")
    await wait_for(lambda: posts(charger) == sent + 1)
    await wait_for(lambda: entry.runtime_data.feeds.sent[-1] == {"battery_level": 45.0})
    assert charger.status["battery_level"] == 41  # ignored by the firmware, as it should be
    assert charger.config["vehicle_data_src"] == 2
    assert config_writes(charger) == 1

    # A new start (after a reload) switches it once more.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: charger.status.get("battery_level") == 45)
    assert charger.config["vehicle_data_src"] == 3
    assert config_writes(charger) == 2
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_vehicle_source_switch_waits_for_vehicle_values(
    hass: HomeAssistant, charger: ChargerSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    hass.states.async_set("sensor.volts", "230", {ATTR_UNIT_OF_MEASUREMENT: "V"})
    hass.states.async_set("sensor.range", "unavailable")
    entry = await setup_with(
        hass,
        charger,
        {CONF_VOLTAGE_SENSOR: "sensor.volts", CONF_VEHICLE_RANGE_SENSOR: "sensor.range"},
    )
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: feeder.sent == [{"voltage": 230.0}])
    assert config_writes(charger) == 0  # no vehicle value yet: nothing to switch for

    # The switch fails with the charger: the batch fails, and the next vehicle value retries.
    # (The fault also refuses a websocket handshake: inject it only once push is up.)
    await wait_for(lambda: entry.runtime_data.coordinator.data.push_connected)
    charger.faults.http_status = 500
    hass.states.async_set("sensor.range", "250", {ATTR_UNIT_OF_MEASUREMENT: "km"})
    await wait_for(lambda: config_writes(charger) == 1)
    await wait_for(lambda: feeder._task is not None and feeder._task.done())
    assert "Could not feed values" in caplog.text
    assert charger.config["vehicle_data_src"] == 0
    charger.faults.clear()
    hass.states.async_set("sensor.range", "260", {ATTR_UNIT_OF_MEASUREMENT: "km"})
    await wait_for(lambda: charger.status.get("battery_range") == 260)
    assert charger.config["vehicle_data_src"] == 3
    assert config_writes(charger) == 2
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_vehicle_source_switched_meanwhile_is_not_written(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    hass.states.async_set("sensor.soc", "unknown")
    entry = await setup_with(hass, charger, {CONF_VEHICLE_SOC_SENSOR: "sensor.soc"})
    client = entry.runtime_data.client
    # Someone selects HTTP on the charger before the first vehicle value arrives.
    await charger.update_config(vehicle_data_src=3)
    await wait_for(lambda: client.config_data.vehicle_data_source == 3)
    writes = config_writes(charger)
    hass.states.async_set("sensor.soc", "58")
    await wait_for(lambda: charger.status.get("battery_level") == 58)
    assert config_writes(charger) == writes
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unknown_vehicle_source_is_left_alone(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    # Firmware without the setting: nothing to switch, the values are sent as they are.
    del charger.config["vehicle_data_src"]
    hass.states.async_set("sensor.soc", "33")
    entry = await setup_with(hass, charger, {CONF_VEHICLE_SOC_SENSOR: "sensor.soc"})
    await wait_for(lambda: entry.runtime_data.feeds.sent == [{"battery_level": 33.0}])
    assert config_writes(charger) == 0
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_changes_during_a_slow_send_follow_it_and_unload_stops_everything(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    volts = {ATTR_UNIT_OF_MEASUREMENT: "V"}
    # sensor.missing has no state yet: nothing to send for it at start.
    hass.states.async_set("sensor.volts", "230", volts)
    entry = await setup_with(
        hass, charger, {CONF_VOLTAGE_SENSOR: "sensor.volts", CONF_SOLAR_SENSOR: "sensor.missing"}
    )
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: feeder.sent == [{"voltage": 230.0}])

    # A change while a send is in flight waits for it, then leaves on its own.
    charger.faults.delay = 0.3
    await wait_for(lambda: hass.loop.time() >= feeder._last_sent + 0.2)
    hass.states.async_set("sensor.volts", "231", volts)
    await wait_for(lambda: posts(charger) == 2)
    hass.states.async_set("sensor.missing", "1200", {ATTR_UNIT_OF_MEASUREMENT: "W"})
    await wait_for(lambda: len(feeder.sent) == 3)
    assert charger.status["solar"] == 1200
    assert feeder.sent[1:] == [{"voltage": 231.0}, {"solar": 1200.0}]
    assert posts(charger) == 3

    # Unloading while a send is in flight cancels it; one waiting on the interval is dropped.
    hass.states.async_set("sensor.volts", "232", volts)
    await wait_for(lambda: posts(charger) == 4)
    hass.states.async_set("sensor.volts", "233", volts)
    assert feeder._task is not None
    assert not feeder._task.done()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert feeder._task is None
    assert feeder._pending == {}
    charger.faults.clear()
    await hass.async_block_till_done()
    assert posts(charger) == 4


async def test_unload_drops_a_batch_waiting_for_the_interval(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    volts = {ATTR_UNIT_OF_MEASUREMENT: "V"}
    hass.states.async_set("sensor.volts", "230", volts)
    entry = await setup_with(hass, charger, {CONF_VOLTAGE_SENSOR: "sensor.volts"})
    feeder = entry.runtime_data.feeds
    await wait_for(lambda: feeder.sent == [{"voltage": 230.0}])
    # A long interval, so a loaded machine cannot let it pass before the next change.
    feeder._min_interval = 60.0
    hass.states.async_set("sensor.volts", "240", volts)
    assert feeder._timer is not None  # within the interval: a timer holds the batch
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert feeder._timer is None
    await asyncio.sleep(0.3)
    assert posts(charger) == 1
    assert charger.status["voltage"] == 230


@pytest.mark.parametrize("sim_options", [{"profile": "master"}])
async def test_vehicle_charge_limit_and_home_battery_feeds(
    hass: HomeAssistant, charger: ChargerSimulator
) -> None:
    # The firmware's own fields (master web_server.cpp POST /status): the vehicle's charge
    # limit (applied with an HTTP vehicle source) and the home battery, for its display.
    await charger.update_config(vehicle_data_src=3)
    hass.states.async_set("sensor.car_limit", "80", {ATTR_UNIT_OF_MEASUREMENT: "%"})
    hass.states.async_set("sensor.home_soc", "55", {ATTR_UNIT_OF_MEASUREMENT: "%"})
    hass.states.async_set("sensor.home_power", "-1.2", {ATTR_UNIT_OF_MEASUREMENT: "kW"})
    entry = await setup_with(
        hass,
        charger,
        {
            CONF_VEHICLE_LIMIT_SENSOR: "sensor.car_limit",
            CONF_HOME_BATTERY_SOC_SENSOR: "sensor.home_soc",
            CONF_HOME_BATTERY_POWER_SENSOR: "sensor.home_power",
        },
    )
    await wait_for(lambda: charger.status.get("vehicle_charge_limit") == 80)
    assert posts(charger) == 1
    assert charger.status["home_battery_soc"] == 55
    assert charger.status["home_battery_power"] == -1200
    assert entry.runtime_data.feeds.sent == [
        {"vehicle_charge_limit": 80.0, "home_battery_soc": 55.0, "home_battery_power": -1200.0}
    ]
    hass.states.async_set("sensor.car_limit", "120", {ATTR_UNIT_OF_MEASUREMENT: "%"})
    hass.states.async_set("sensor.home_soc", "60", {ATTR_UNIT_OF_MEASUREMENT: "%"})
    await wait_for(lambda: charger.status["home_battery_soc"] == 60)
    assert charger.status["vehicle_charge_limit"] == 80  # not a percentage: skipped
    assert await hass.config_entries.async_unload(entry.entry_id)
