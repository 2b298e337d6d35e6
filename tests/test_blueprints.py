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
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.openevse_moogo.const import DOMAIN

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
