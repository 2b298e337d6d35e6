"""Other loads read from Home Assistant sensors: units, unusable readings, age."""

from __future__ import annotations

import time

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from custom_components.openevse_moogo.circuit.ha.loads import mains_volts, read_loads


async def test_currents_per_phase_in_milliamperes(hass: HomeAssistant) -> None:
    for number, value in enumerate(("1500", "2000", "500"), start=1):
        hass.states.async_set(f"sensor.l{number}", value, {"unit_of_measurement": "mA"})
    (load,) = read_loads(hass, ["sensor.l1", "sensor.l2", "sensor.l3"], None, dt_util.utcnow())
    assert load.amps == (1.5, 2.0, 0.5)
    assert load.available


async def test_power_in_kilowatts_and_its_age(hass: HomeAssistant) -> None:
    hass.states.async_set(
        "sensor.house", "2.3", {"unit_of_measurement": "kW"}, timestamp=time.time() - 40
    )
    (load,) = read_loads(hass, [], "sensor.house", dt_util.utcnow())
    assert load.watts == 2300
    assert 39 <= load.age_s <= 45


async def test_unusable_readings_make_the_load_unavailable(hass: HomeAssistant) -> None:
    hass.states.async_set("sensor.l1", "7", {"unit_of_measurement": "A"})
    hass.states.async_set("sensor.l2", "lots", {"unit_of_measurement": "A"})
    hass.states.async_set("sensor.p", "100", {"unit_of_measurement": "BTU/h"})
    current, power = read_loads(hass, ["sensor.l1", "sensor.l2"], "sensor.p", dt_util.utcnow())
    assert not current.available
    assert not power.available
    # A sensor that does not exist (removed, renamed) is no reading either.
    (missing,) = read_loads(hass, ["sensor.gone"], None, dt_util.utcnow())
    assert not missing.available


async def test_power_is_divided_by_the_lowest_plausible_mains_voltage(
    hass: HomeAssistant,
) -> None:
    hass.states.async_set("sensor.house", "2080", {"unit_of_measurement": "W"})
    # A member on a 208 V supply: the loads are counted at 208 V (10 A, not 9.04 A).
    volts = mains_volts([236.0, 208.0, None, 0.0])
    assert volts == 208.0
    (load,) = read_loads(hass, [], "sensor.house", dt_util.utcnow(), volts=volts)
    assert load.watts == 2080
    assert load.volts == 208.0
    # A charger reporting its configured 240 V cannot lift the count above 230 V.
    assert mains_volts([240.0]) == 230.0
    assert mains_volts([]) == 230.0
