"""End to end: simulators, a real Home Assistant process, its REST API, and nothing mocked.

Adds a charger and a Moogo account through the config flow the way the frontend does, checks
the entities, sees a change on the charger arrive by push, and drives a switch and an action
back to the simulators.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.stack import (
    HomeAssistantApi,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
)
from tests.simulators.moogo import MoogoCloudSimulator
from tests.simulators.openevse import ChargerSimulator

CHARGER = "openevse_7c40"  # the simulator's default serial ends in 7C40
PUMP = "backyard"  # the name of the cloud simulator's first pump
SLEEPING = 254


@dataclass
class Stack:
    charger: ChargerSimulator
    cloud: MoogoCloudSimulator
    hass: HomeAssistantProcess
    api: HomeAssistantApi


@pytest.fixture
async def stack(tmp_path: Path, socket_enabled: None) -> AsyncGenerator[Stack]:
    charger = ChargerSimulator(tick=0.2)
    cloud = MoogoCloudSimulator(devices=1, spray_confirm_delay=0.5)
    hass = HomeAssistantProcess(config_dir=tmp_path / "config", integration_log_level="debug")
    await charger.start()
    await cloud.start()
    try:
        await hass.start(within=90)
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, hass.url)
            await api.onboard(name="Test", username="test", password="test-password")
            yield Stack(charger, cloud, hass, api)
    finally:
        process = hass.process
        await hass.stop()
        await cloud.stop()
        await charger.stop()
        assert process is None or process.returncode is not None  # nothing left running
    # A fresh Home Assistant with the integration logs no error and no traceback, from start-up
    # and onboarding through the whole session to shutdown.
    assert hass.log_problems() == []


@pytest.mark.timeout(150)
async def test_charger_and_pump_end_to_end(stack: Stack) -> None:
    api, charger, cloud = stack.api, stack.charger, stack.cloud

    charger_entry = await add_charger(api, port=charger.port)
    assert charger_entry["result"]["state"] == "loaded"
    pump_entry = await add_moogo_account(
        api, email=cloud.email, password=cloud.password, cloud_url=cloud.url
    )
    assert pump_entry["result"]["state"] == "loaded"
    assert cloud.login_count == 1

    # The expected entities exist, with their states, units and device classes.
    await api.wait_for_state(f"sensor.{CHARGER}_status", "not_connected")
    states = await api.states()
    voltage = states[f"sensor.{CHARGER}_voltage"]
    assert voltage["attributes"]["unit_of_measurement"] == "V"
    assert float(voltage["state"]) == pytest.approx(charger.status["voltage"])
    energy = states[f"sensor.{CHARGER}_lifetime_energy"]["attributes"]
    assert (energy["unit_of_measurement"], energy["device_class"]) == ("kWh", "energy")
    assert energy["state_class"] == "total_increasing"
    assert states[f"binary_sensor.{CHARGER}_vehicle_plugged_in"]["state"] == "off"
    assert states[f"binary_sensor.{PUMP}_online"]["state"] == "on"
    temperature = states[f"sensor.{PUMP}_temperature"]
    assert temperature["attributes"]["unit_of_measurement"] == "°C"
    assert states[f"switch.{PUMP}_spray"]["state"] == "off"

    # A car plugs in and starts charging on the charger: the states arrive by push.
    requests_before = len(charger.requests)
    await charger.plug_in()
    await api.wait_for_state(f"binary_sensor.{CHARGER}_vehicle_plugged_in", "on", within=5)
    await charger.start_charging()
    await api.wait_for_state(f"sensor.{CHARGER}_status", "charging", within=5)
    await api.wait_for_state(f"binary_sensor.{CHARGER}_charging", "on", within=5)
    assert not [r for r in charger.requests[requests_before:] if r == ("GET", "/status")]

    # The "Allow charging" switch pauses the charger through our claim, and resumes it.
    await api.call_action("switch", "turn_off", {"entity_id": f"switch.{CHARGER}_allow_charging"})
    await api.wait_for_state(f"sensor.{CHARGER}_status", "sleeping", within=5)
    assert charger.status["state"] == SLEEPING
    await api.call_action("switch", "turn_on", {"entity_id": f"switch.{CHARGER}_allow_charging"})
    await api.wait_for_state(f"sensor.{CHARGER}_status", "charging", within=5)

    # The pump's spray action reaches the cloud, and the spray switch follows.
    device_id = await api.render_template(f"{{{{ device_id('switch.{PUMP}_spray') }}}}")
    await api.call_action("openevse_moogo", "spray", {"device_id": device_id})
    await api.wait_for_state(f"switch.{PUMP}_spray", "on", within=10)
    assert cloud.device(cloud.device_ids[0])["runStatus"] == 1
    await api.call_action("openevse_moogo", "stop_spray", {"device_id": device_id})
    await api.wait_for_state(f"switch.{PUMP}_spray", "off", within=10)
    await asyncio.sleep(0)
    assert cloud.login_count == 1
