"""The shipped blueprints load through Home Assistant's blueprint machinery and work."""

from __future__ import annotations

import shutil
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.openevse_moogo.const import DOMAIN
from tests.pump.conftest import add_account
from tests.simulators.moogo import MoogoCloudSimulator

BLUEPRINTS = Path(__file__).resolve().parent.parent / "blueprints" / "automation" / DOMAIN


@pytest.fixture(autouse=True)
async def blueprint_config_dir(hass: HomeAssistant, tmp_path: Path) -> AsyncGenerator[None]:
    """Install the blueprints in a private config dir; disable the automations afterwards."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / DOMAIN)
    yield
    if hass.services.has_service("automation", "turn_off"):
        # Time triggers keep timers until their automation stops.
        await hass.services.async_call(
            "automation", "turn_off", {"entity_id": "all"}, blocking=True
        )


async def _use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": name,
                "use_blueprint": {"path": f"{DOMAIN}/{name}.yaml", "input": inputs},
            }
        },
    )
    await hass.async_block_till_done()
    assert len(hass.states.async_all("automation")) == 1


async def _at(hass: HomeAssistant, freezer: FrozenDateTimeFactory, hh_mm: str) -> None:
    """Move the clock to the next occurrence of HH:MM local time and fire the timers."""
    now = dt_util.now()
    hour, minute = (int(part) for part in hh_mm.split(":"))
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    freezer.move_to(target)
    async_fire_time_changed(hass, target)
    await hass.async_block_till_done()


def test_every_blueprint_is_covered() -> None:
    assert {path.stem for path in BLUEPRINTS.glob("*.yaml")} == {
        "notify_charging_finished",
        "charge_in_cheap_tariff_window",
        "mist_unless_home",
        "skip_spray_when_rain_forecast",
    }


async def test_blueprints_validate(hass: HomeAssistant) -> None:
    """Each file is a valid automation blueprint with a source URL and our integration filter."""
    from homeassistant.components.blueprint import models, schemas
    from homeassistant.util.yaml import load_yaml_dict

    for path in BLUEPRINTS.glob("*.yaml"):
        blueprint = models.Blueprint(
            load_yaml_dict(path), expected_domain="automation", schema=schemas.BLUEPRINT_SCHEMA
        )
        assert blueprint.metadata["source_url"].endswith(path.name)
        assert DOMAIN in str(blueprint.inputs)


async def test_notify_when_charging_finishes(hass: HomeAssistant) -> None:
    calls: list[ServiceCall] = async_mock_service(hass, "test", "notify")
    hass.states.async_set("sensor.car_charger_status", "charging")
    await _use_blueprint(
        hass,
        "notify_charging_finished",
        {
            "charger_status": "sensor.car_charger_status",
            "finished_actions": [{"action": "test.notify"}],
        },
    )
    hass.states.async_set("sensor.car_charger_status", "sleeping")  # paused: not "finished"
    await hass.async_block_till_done()
    assert calls == []
    hass.states.async_set("sensor.car_charger_status", "charging")
    hass.states.async_set("sensor.car_charger_status", "connected")
    await hass.async_block_till_done()
    assert len(calls) == 1


async def test_charge_in_cheap_tariff_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=dt_util.get_default_time_zone()))
    turned_on = async_mock_service(hass, "switch", "turn_on")
    turned_off = async_mock_service(hass, "switch", "turn_off")
    await _use_blueprint(
        hass,
        "charge_in_cheap_tariff_window",
        {
            "charging_switch": "switch.car_charger_charging",
            "window_start": "01:00:00",
            "window_end": "05:00:00",
        },
    )
    await _at(hass, freezer, "01:00")
    assert [call.data["entity_id"] for call in turned_on] == [["switch.car_charger_charging"]]
    assert turned_off == []
    await _at(hass, freezer, "05:00")
    assert [call.data["entity_id"] for call in turned_off] == [["switch.car_charger_charging"]]


@pytest.mark.parametrize(("people_home", "sprays"), [("0", 1), ("2", 0)])
async def test_mist_unless_home(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, people_home: str, sprays: int
) -> None:
    freezer.move_to(datetime(2026, 7, 1, 12, 0, tzinfo=dt_util.get_default_time_zone()))
    turned_on = async_mock_service(hass, "switch", "turn_on")
    hass.states.async_set("zone.home", people_home)
    await _use_blueprint(
        hass,
        "mist_unless_home",
        {"spray_switch": "switch.patio_mister_spray", "mist_time": "20:30:00"},
    )
    await _at(hass, freezer, "20:30")
    assert len(turned_on) == sprays


# A template weather entity whose hourly forecast holds one hour, set by the test through states
# (no now() in it, so the entity keeps no timer).
_FORECAST_WEATHER = {
    "template": [
        {
            "weather": [
                {
                    "name": "Garden forecast",
                    "condition_template": "cloudy",
                    "temperature_template": "{{ 21 }}",
                    "humidity_template": "{{ 60 }}",
                    "forecast_hourly_template": (
                        "{{ [{'datetime': states('sensor.test_rain_at'),"
                        " 'condition': states('sensor.test_condition'),"
                        " 'precipitation_probability': states('sensor.test_rain_chance') | int,"
                        " 'temperature': 21}] }}"
                    ),
                }
            ]
        }
    ]
}


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(
    ("condition", "chance", "in_hours", "skipped"),
    [
        ("cloudy", "80", "1", True),  # probability at the threshold or above
        ("rainy", "10", "2", True),  # a rainy condition
        ("sunny", "10", "1", False),  # dry
        ("pouring", "90", "5", False),  # rain, but beyond the hours looked at
    ],
)
async def test_skip_spray_when_rain_forecast(
    hass: HomeAssistant, condition: str, chance: str, in_hours: str, skipped: bool
) -> None:
    """Before the pump's next scheduled spray, rain in the forecast skips it on the cloud."""
    hass.states.async_set("sensor.test_condition", condition)
    hass.states.async_set("sensor.test_rain_chance", chance)
    rain_at = dt_util.now() + timedelta(hours=int(in_hours))
    hass.states.async_set("sensor.test_rain_at", rain_at.isoformat())
    assert await async_setup_component(hass, "template", _FORECAST_WEATHER)
    await hass.async_block_till_done()
    assert hass.states.get("weather.garden_forecast") is not None
    async with MoogoCloudSimulator(spray_confirm_delay=0.05) as simulator:
        entry = await add_account(hass, simulator)
        pump_id = simulator.device_ids[0]
        await _use_blueprint(
            hass,
            "skip_spray_when_rain_forecast",
            {
                "next_spray_sensor": "sensor.backyard_next_scheduled_spray",
                "weather_entity": "weather.garden_forecast",
                "minutes_before": 30,
                "hours_ahead": 3,
                "probability_threshold": 60,
            },
        )
        # A schedule 10 minutes from now is within the 30 minutes before which the forecast is
        # checked: adding it arms the automation at once.
        spray_at = dt_util.now() + timedelta(minutes=10)
        sensor = er.async_get(hass).async_get("sensor.backyard_next_scheduled_spray")
        await hass.services.async_call(
            DOMAIN,
            "add_schedule",
            {"device_id": sensor.device_id, "time": spray_at.strftime("%H:%M"), "duration": 60},
            blocking=True,
        )
        await hass.async_block_till_done()
        skips = [path for method, path in simulator.requests if path.endswith("/skip")]
        (schedule,) = simulator.schedules(pump_id)
        assert bool(schedule["is_skip"]) is skipped
        assert len(skips) == int(skipped)
        assert await hass.config_entries.async_unload(entry.entry_id)
