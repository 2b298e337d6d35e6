"""The pump actions: spray (with a timed stop), stop, skip, schedule management, validation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr

from custom_components.openevse_moogo.const import DOMAIN
from tests.simulators.moogo import MoogoCloudSimulator

from .conftest import coordinator_of


@pytest.fixture
def pump_device(
    simulator: MoogoCloudSimulator, account: ConfigEntry, device_registry: dr.DeviceRegistry
) -> str:
    """The Home Assistant device id of the simulator's pump."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, simulator.device_ids[0]), account.entry_id
    )
    assert device is not None
    return device.id


async def _act(hass: HomeAssistant, service: str, device: str, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        service,
        {"device_id": device, **data},
        blocking=True,
        return_response=service == "get_schedules",
    )


async def test_spray_with_duration_stops_on_time(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, pump_device: str
) -> None:
    """spray starts the pump and stops it when the duration is over."""
    pump_id = simulator.device_ids[0]
    simulator.config(pump_id)
    await _act(hass, "spray", pump_device, duration=1)
    assert simulator.device(pump_id)["runStatus"] == 1
    await asyncio.sleep(1.3)
    await hass.async_block_till_done()
    assert simulator.device(pump_id)["runStatus"] == 0
    assert hass.states.get("switch.backyard_spray").state == "off"


async def test_spray_longer_than_the_pump_allows_is_refused(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, pump_device: str
) -> None:
    """The pump stops by itself after its spray duration; longer is a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, "spray", pump_device, duration=61)
    assert err.value.translation_key == "moogo_duration_too_long"
    assert simulator.device(simulator.device_ids[0])["runStatus"] == 0


async def test_stop_spray_cancels_the_timed_stop(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, account: ConfigEntry, pump_device: str
) -> None:
    """stop_spray stops at once and forgets a pending timed stop."""
    await _act(hass, "spray", pump_device, duration=30)
    await _act(hass, "stop_spray", pump_device)
    assert simulator.device(simulator.device_ids[0])["runStatus"] == 0
    assert not coordinator_of(account)._stop_timers


async def test_schedule_management(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, pump_device: str
) -> None:
    """Add, list, update, disable, enable, skip and remove schedules by their time of day."""
    pump_id = simulator.device_ids[0]
    await _act(hass, "add_schedule", pump_device, time="06:30:00", duration=45, days=["mon", "sun"])
    await _act(hass, "add_schedule", pump_device, time="19:00", duration=60)
    assert hass.states.get("sensor.backyard_active_schedules").state == "2"
    assert hass.states.get("sensor.backyard_next_scheduled_spray").state not in ("unknown", None)

    listed = await _act(hass, "get_schedules", pump_device)
    assert listed["schedules_enabled"] is True
    first = next(item for item in listed["schedules"] if item["time"] == "06:30")
    assert (first["duration"], first["days"], first["enabled"]) == (45, ["mon", "sun"], True)

    await _act(hass, "update_schedule", pump_device, schedule="06:30", time="07:15", days=[])
    await _act(hass, "disable_schedule", pump_device, schedule="07:15")
    active = hass.states.get("sensor.backyard_active_schedules")
    assert active.state == "1"
    assert "unit_of_measurement" not in active.attributes  # "1", never "1 schedules"
    await _act(hass, "enable_schedule", pump_device, schedule="07:15")
    await _act(hass, "skip_next_schedule", pump_device)
    assert any(item["is_skip"] for item in simulator.schedules(pump_id))
    await _act(hass, "remove_schedule", pump_device, schedule="19:00")
    rows = simulator.schedules(pump_id)
    assert [(row["hour"], row["minute"], row["repeatSet"]) for row in rows] == [(7, 15, "")]


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("remove_schedule", {"schedule": "05:00"}, "moogo_schedule_not_found"),
        ("skip_next_schedule", {}, "moogo_no_upcoming_schedule"),
        ("add_schedule", {"time": "08:00", "duration": 30}, "moogo_schedule_exists"),
        ("update_schedule", {"schedule": "08:00", "time": "08:00"}, None),
    ],
)
async def test_schedule_validation(  # noqa: PLR0917 - pytest passes fixtures positionally
    hass: HomeAssistant,
    simulator: MoogoCloudSimulator,
    account: ConfigEntry,
    pump_device: str,
    service: str,
    data: dict[str, Any],
    key: str | None,
) -> None:
    """Requests the cloud would refuse are refused up front, translated."""
    await _act(hass, "add_schedule", pump_device, time="08:00", duration=30, enabled=False)
    if key is None:
        await _act(hass, service, pump_device, **data)  # keeping its own time is fine
        return
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, service, pump_device, **data)
    assert err.value.translation_key == key


async def test_twenty_schedules_at_most(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, pump_device: str
) -> None:
    """A pump holds at most twenty schedules."""
    for minute in range(20):
        await _act(hass, "add_schedule", pump_device, time=f"10:{minute:02d}", duration=5)
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, "add_schedule", pump_device, time="11:00", duration=5)
    assert err.value.translation_key == "moogo_too_many_schedules"


async def test_unknown_or_unloaded_target(
    hass: HomeAssistant,
    account: ConfigEntry,
    pump_device: str,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device that is no Moogo pump, or whose account is not loaded, is a validation error."""
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, "stop_spray", "no-such-device")
    assert err.value.translation_key == "moogo_device_not_found"
    ghost = device_registry.async_get_or_create(
        config_entry_id=account.entry_id, identifiers={(DOMAIN, "gone-pump")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, "stop_spray", ghost.id)
    assert err.value.translation_key == "moogo_device_not_found"
    assert await hass.config_entries.async_unload(account.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await _act(hass, "stop_spray", pump_device)
    assert err.value.translation_key == "moogo_entry_not_loaded"


async def test_cloud_refusal_is_translated(
    hass: HomeAssistant, simulator: MoogoCloudSimulator, pump_device: str
) -> None:
    """A schedule the cloud refuses surfaces its reason as a translated error."""
    simulator.faults.http_status = 503
    with pytest.raises(HomeAssistantError) as err:
        await _act(hass, "add_schedule", pump_device, time="09:00", duration=30)
    assert err.value.translation_key == "moogo_server_error"
    simulator.faults.http_status = None
