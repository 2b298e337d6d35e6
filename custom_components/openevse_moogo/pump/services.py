"""Actions on Moogo pumps: spray for a while, stop, skip a run, and manage schedules.

Every action targets one pump by its device. A pump has at most one schedule per time of day
(the cloud refuses a second one), so schedules are addressed by their time, which reads well in
automations ("remove the 06:30 schedule"); `get_schedules` lists them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import time
from typing import Any

import probatio as vol
from homeassistant.const import ATTR_DEVICE_ID, WEEKDAYS
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr

from ..clients.moogo import EVERY_DAY, MoogoSchedule, ScheduleSpec
from ..const import DOMAIN, FAMILY_PUMP
from ..family import device_owner
from .const import MAX_SPRAY_SECONDS, REQUEST_TIMEOUT
from .coordinator import PumpCoordinator
from .data import PumpData
from .readers import PART_SCHEDULES
from .runtime import PumpRuntimeData

SERVICE_SPRAY = "spray"
SERVICE_STOP_SPRAY = "stop_spray"
SERVICE_SKIP_NEXT_SCHEDULE = "skip_next_schedule"
SERVICE_ADD_SCHEDULE = "add_schedule"
SERVICE_UPDATE_SCHEDULE = "update_schedule"
SERVICE_REMOVE_SCHEDULE = "remove_schedule"
SERVICE_ENABLE_SCHEDULE = "enable_schedule"
SERVICE_DISABLE_SCHEDULE = "disable_schedule"
SERVICE_GET_SCHEDULES = "get_schedules"

ATTR_DURATION = "duration"
ATTR_SCHEDULE = "schedule"
ATTR_TIME = "time"
ATTR_DAYS = "days"
ATTR_ENABLED = "enabled"

MAX_SCHEDULES = 20  # the vendor app's limit per pump

# Home Assistant names weekdays mon..sun; the cloud numbers them 0 = Sunday .. 6 = Saturday.
_WIRE_DAY = {day: (index + 1) % 7 for index, day in enumerate(WEEKDAYS)}

_SECONDS = vol.All(vol.Coerce(int), vol.Range(min=1, max=MAX_SPRAY_SECONDS))
_DAYS = vol.All(cv.ensure_list, [vol.In(WEEKDAYS)])
_DEVICE: dict[vol.Marker, object] = {vol.Required(ATTR_DEVICE_ID): cv.string}
_SCHEDULE: dict[vol.Marker, object] = {**_DEVICE, vol.Required(ATTR_SCHEDULE): cv.time}

SPRAY_SCHEMA = vol.Schema({**_DEVICE, vol.Optional(ATTR_DURATION): _SECONDS})
DEVICE_SCHEMA = vol.Schema(_DEVICE)
SCHEDULE_SCHEMA = vol.Schema(_SCHEDULE)
ADD_SCHEDULE_SCHEMA = vol.Schema(
    {
        **_DEVICE,
        vol.Required(ATTR_TIME): cv.time,
        vol.Required(ATTR_DURATION): _SECONDS,
        vol.Optional(ATTR_DAYS): _DAYS,
        vol.Optional(ATTR_ENABLED, default=True): cv.boolean,
    }
)
UPDATE_SCHEDULE_SCHEMA = vol.Schema(
    {
        **_SCHEDULE,
        vol.Optional(ATTR_TIME): cv.time,
        vol.Optional(ATTR_DURATION): _SECONDS,
        vol.Optional(ATTR_DAYS): _DAYS,
        vol.Optional(ATTR_ENABLED): cv.boolean,
    }
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _target(call: ServiceCall) -> tuple[PumpCoordinator, PumpData]:
    """Return the coordinator and snapshot of the targeted pump, or raise a translated error."""
    device_id: str = call.data[ATTR_DEVICE_ID]
    device = dr.async_get(call.hass).async_get(device_id)
    owner = (
        None if device is None else device_owner(call.hass, device, FAMILY_PUMP, PumpRuntimeData)
    )
    if device is None or owner is None:
        raise _invalid("moogo_device_not_found", device_id=device_id)
    if owner.runtime_data is None:
        raise _invalid("moogo_entry_not_loaded", account=owner.title)
    coordinator = owner.runtime_data.coordinator
    for domain, pump_id in device.identifiers:
        if domain == DOMAIN and pump_id in coordinator.data.pumps:
            return coordinator, coordinator.data.pumps[pump_id]
    raise _invalid("moogo_device_not_found", device_id=device_id)


def _find_schedule(pump: PumpData, at: time) -> MoogoSchedule:
    for item in pump.schedules.schedules if pump.schedules else ():
        if (item.hour, item.minute) == (at.hour, at.minute):
            return item
    raise _invalid("moogo_schedule_not_found", time=at.strftime("%H:%M"), name=pump.name)


def wire_days(days: list[str] | None, default: frozenset[int]) -> frozenset[int]:
    """Convert Home Assistant's weekday keys to the cloud's numbers; None keeps ``default``."""
    return default if days is None else frozenset(_WIRE_DAY[day] for day in days)


async def _change_schedules(
    coordinator: PumpCoordinator, pump: PumpData, change: Callable[[], Awaitable[object]]
) -> None:
    await coordinator.async_change(pump.device_id, PART_SCHEDULES, change)


async def _spray(call: ServiceCall) -> None:
    coordinator, pump = _target(call)
    duration: int | None = call.data.get(ATTR_DURATION)
    configured = pump.config.spraying_seconds if pump.config else None
    if duration is not None and configured is not None and duration > configured:
        # The pump stops on its own after its spray duration; a longer spray would need a
        # second start, which we never send behind the user's back.
        raise _invalid(
            "moogo_duration_too_long", duration=str(duration), configured=str(configured)
        )
    await coordinator.async_spray(pump.device_id, start=True)
    if duration is not None:
        coordinator.schedule_stop(pump.device_id, duration)


async def _stop_spray(call: ServiceCall) -> None:
    coordinator, pump = _target(call)
    await coordinator.async_spray(pump.device_id, start=False)


async def _skip_next_schedule(call: ServiceCall) -> None:
    coordinator, pump = _target(call)
    upcoming = pump.next_scheduled_spray
    if upcoming is None:
        raise _invalid("moogo_no_upcoming_schedule", name=pump.name)
    client = coordinator.client
    await _change_schedules(
        coordinator,
        pump,
        lambda: client.skip_schedule(
            pump.device_id, upcoming.schedule_id, request_timeout=REQUEST_TIMEOUT
        ),
    )


def check_free_slot(pump: PumpData, at: time, ignore: str | None = None) -> None:
    """Refuse a second schedule at the same time of day (the cloud does too)."""
    for item in pump.schedules.schedules if pump.schedules else ():
        if item.schedule_id != ignore and (item.hour, item.minute) == (at.hour, at.minute):
            raise _invalid("moogo_schedule_exists", time=at.strftime("%H:%M"), name=pump.name)


async def _add_schedule(call: ServiceCall) -> None:
    coordinator, pump = _target(call)
    at: time = call.data[ATTR_TIME]
    check_free_slot(pump, at)
    if pump.schedules is not None and len(pump.schedules.schedules) >= MAX_SCHEDULES:
        raise _invalid("moogo_too_many_schedules", name=pump.name, limit=str(MAX_SCHEDULES))
    spec = ScheduleSpec(
        hour=at.hour,
        minute=at.minute,
        duration=call.data[ATTR_DURATION],
        repeat_days=wire_days(call.data.get(ATTR_DAYS), EVERY_DAY),
        enabled=call.data[ATTR_ENABLED],
    )
    client = coordinator.client
    await _change_schedules(
        coordinator,
        pump,
        lambda: client.create_schedule(pump.device_id, spec, request_timeout=REQUEST_TIMEOUT),
    )


async def _update_schedule(call: ServiceCall) -> None:
    coordinator, pump = _target(call)
    item = _find_schedule(pump, call.data[ATTR_SCHEDULE])
    spec = item.to_spec()
    if (at := call.data.get(ATTR_TIME)) is not None:
        check_free_slot(pump, at, ignore=item.schedule_id)
        spec = replace(spec, hour=at.hour, minute=at.minute)
    spec = replace(
        spec,
        duration=call.data.get(ATTR_DURATION, spec.duration),
        repeat_days=wire_days(call.data.get(ATTR_DAYS), spec.repeat_days),
        enabled=call.data.get(ATTR_ENABLED, spec.enabled),
    )
    client = coordinator.client
    await _change_schedules(
        coordinator,
        pump,
        lambda: client.update_schedule(
            pump.device_id, item.schedule_id, spec, request_timeout=REQUEST_TIMEOUT
        ),
    )


def _schedule_action(
    action: Callable[[PumpCoordinator], Callable[..., Awaitable[None]]],
) -> Callable[[ServiceCall], Coroutine[object, object, None]]:
    """Build an action on one schedule picked by its time: remove, enable or disable it."""

    async def handler(call: ServiceCall) -> None:
        coordinator, pump = _target(call)
        item = _find_schedule(pump, call.data[ATTR_SCHEDULE])
        method = action(coordinator)
        await _change_schedules(
            coordinator,
            pump,
            lambda: method(pump.device_id, item.schedule_id, request_timeout=REQUEST_TIMEOUT),
        )

    return handler


def schedule_as_dict(item: MoogoSchedule) -> dict[str, Any]:
    """Return a schedule as actions and diagnostics show it."""
    return {
        "id": item.schedule_id,
        "time": f"{item.hour:02d}:{item.minute:02d}",
        "duration": item.duration,
        "days": [day for day in WEEKDAYS if _WIRE_DAY[day] in item.repeat_days],
        "enabled": item.enabled,
        "skip_next": item.skip_next,
        "next_run": item.next_run.isoformat() if item.next_run else None,
    }


async def _get_schedules(call: ServiceCall) -> ServiceResponse:
    _coordinator, pump = _target(call)
    schedules = pump.schedules
    return {
        "schedules_enabled": pump.schedules_enabled,
        "schedules": [schedule_as_dict(item) for item in schedules.schedules] if schedules else [],
    }


def async_register_pump_services(hass: HomeAssistant) -> None:
    """Register the pump actions (once, at integration set-up)."""
    register = hass.services.async_register
    register(DOMAIN, SERVICE_SPRAY, _spray, schema=SPRAY_SCHEMA)
    register(DOMAIN, SERVICE_STOP_SPRAY, _stop_spray, schema=DEVICE_SCHEMA)
    register(DOMAIN, SERVICE_SKIP_NEXT_SCHEDULE, _skip_next_schedule, schema=DEVICE_SCHEMA)
    register(DOMAIN, SERVICE_ADD_SCHEDULE, _add_schedule, schema=ADD_SCHEDULE_SCHEMA)
    register(DOMAIN, SERVICE_UPDATE_SCHEDULE, _update_schedule, schema=UPDATE_SCHEDULE_SCHEMA)
    register(
        DOMAIN,
        SERVICE_REMOVE_SCHEDULE,
        _schedule_action(lambda coordinator: coordinator.client.delete_schedule),
        schema=SCHEDULE_SCHEMA,
    )
    register(
        DOMAIN,
        SERVICE_ENABLE_SCHEDULE,
        _schedule_action(lambda coordinator: coordinator.client.enable_schedule),
        schema=SCHEDULE_SCHEMA,
    )
    register(
        DOMAIN,
        SERVICE_DISABLE_SCHEDULE,
        _schedule_action(lambda coordinator: coordinator.client.disable_schedule),
        schema=SCHEDULE_SCHEMA,
    )
    register(
        DOMAIN,
        SERVICE_GET_SCHEDULES,
        _get_schedules,
        schema=DEVICE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
