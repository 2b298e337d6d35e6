"""Charger actions: charge limits, the manual override and the timer's events, by device.

Registered once when the integration loads; each call checks that the device is a loaded
charger, validates the values against that charger and raises translated errors.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, Final

import probatio as vol
from homeassistant.const import ATTR_DEVICE_ID, WEEKDAYS
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..clients.openevse.models import SCHEDULE_DAYS, ChargeState, LimitType
from ..const import DOMAIN, FAMILY_CHARGER
from ..family import device_owner
from .const import J1772_MAX_CURRENT, J1772_MIN_CURRENT, REQUEST_TIMEOUT
from .coordinator import ChargerCoordinator
from .runtime import ChargerRuntimeData
from .timer import MAX_EVENTS, next_transition

SERVICE_SET_CHARGE_LIMIT: Final = "set_charge_limit"
SERVICE_CLEAR_CHARGE_LIMIT: Final = "clear_charge_limit"
SERVICE_SET_OVERRIDE: Final = "set_override"
SERVICE_CLEAR_OVERRIDE: Final = "clear_override"
SERVICE_SET_TIMER_EVENT: Final = "set_timer_event"
SERVICE_REMOVE_TIMER_EVENT: Final = "remove_timer_event"
SERVICE_GET_TIMER: Final = "get_timer"
SERVICE_SET_PLAN_DEPARTURE: Final = "set_plan_departure"

ATTR_ENERGY: Final = "energy"
ATTR_TIME: Final = "time"
ATTR_SOC: Final = "soc"
ATTR_RANGE: Final = "range"
ATTR_AUTO_RELEASE: Final = "auto_release"
ATTR_STATE: Final = "state"
ATTR_CHARGE_CURRENT: Final = "charge_current"
ATTR_MAX_CURRENT: Final = "max_current"
ATTR_EVENT_ID: Final = "event_id"
ATTR_DAYS: Final = "days"
ATTR_DEPARTURE: Final = "departure"

_LIMIT_KINDS: Final = {
    # field -> (firmware limit type, factor to the firmware's unit)
    ATTR_ENERGY: (LimitType.ENERGY, 1000),  # kWh -> Wh
    ATTR_TIME: (LimitType.TIME, 1),  # minutes
    ATTR_SOC: (LimitType.SOC, 1),  # %
    ATTR_RANGE: (LimitType.RANGE, 1),  # km or miles, as the charger is set
}

_DEVICE = {vol.Required(ATTR_DEVICE_ID): cv.string}

SET_CHARGE_LIMIT_SCHEMA: Final = vol.All(
    vol.Schema(
        {
            **_DEVICE,
            vol.Exclusive(ATTR_ENERGY, "limit"): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
            vol.Exclusive(ATTR_TIME, "limit"): vol.All(vol.Coerce(int), vol.Range(min=1)),
            vol.Exclusive(ATTR_SOC, "limit"): vol.All(vol.Coerce(int), vol.Range(min=1, max=100)),
            vol.Exclusive(ATTR_RANGE, "limit"): vol.All(vol.Coerce(int), vol.Range(min=1)),
            vol.Optional(ATTR_AUTO_RELEASE, default=True): cv.boolean,
        }
    ),
    cv.has_at_least_one_key(*_LIMIT_KINDS),
)
SET_OVERRIDE_SCHEMA: Final = vol.Schema(
    {
        **_DEVICE,
        vol.Optional(ATTR_STATE): vol.In([state.value for state in ChargeState]),
        vol.Optional(ATTR_CHARGE_CURRENT): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional(ATTR_MAX_CURRENT): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Optional(ATTR_AUTO_RELEASE, default=True): cv.boolean,
    }
)
DEVICE_SCHEMA: Final = vol.Schema(_DEVICE)
_EVENT_ID = vol.All(vol.Coerce(int), vol.Range(min=1, max=65535))
SET_TIMER_EVENT_SCHEMA: Final = vol.Schema(
    {
        **_DEVICE,
        vol.Optional(ATTR_EVENT_ID): _EVENT_ID,
        vol.Required(ATTR_STATE): vol.In([state.value for state in ChargeState]),
        vol.Required(ATTR_TIME): cv.time,
        vol.Required(ATTR_DAYS): vol.All(cv.ensure_list, [vol.In(WEEKDAYS)], vol.Length(min=1)),
    }
)
REMOVE_TIMER_EVENT_SCHEMA: Final = vol.Schema({**_DEVICE, vol.Required(ATTR_EVENT_ID): _EVENT_ID})
# Home Assistant's weekday keys (mon..sun) -> the firmware's names.
_FIRMWARE_DAY: Final = {day: SCHEDULE_DAYS[(index + 1) % 7] for index, day in enumerate(WEEKDAYS)}
SET_PLAN_DEPARTURE_SCHEMA: Final = vol.Schema(
    {**_DEVICE, vol.Required(ATTR_DEPARTURE): cv.datetime}
)


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _coordinator_for(hass: HomeAssistant, call: ServiceCall) -> ChargerCoordinator:
    """Return the coordinator of the loaded charger entry owning the targeted device."""
    return _runtime_for(hass, call).coordinator


def _runtime_for(hass: HomeAssistant, call: ServiceCall) -> ChargerRuntimeData:
    """Return the runtime data of the loaded charger entry owning the targeted device."""
    device_id: str = call.data[ATTR_DEVICE_ID]
    device = dr.async_get(hass).async_get(device_id)
    owner = (
        None if device is None else device_owner(hass, device, FAMILY_CHARGER, ChargerRuntimeData)
    )
    if owner is None:
        raise _validation_error("charger_device_not_found", device_id=device_id)
    if owner.runtime_data is None:
        raise _validation_error("charger_not_loaded", name=owner.title)
    return owner.runtime_data


def _check_current(coordinator: ChargerCoordinator, field: str, amps: int | None) -> None:
    """Reject a current outside the charger's hardware range."""
    if amps is None:
        return
    config = coordinator.data.config
    low = config.min_current_hard or J1772_MIN_CURRENT
    high = config.max_current_hard or J1772_MAX_CURRENT
    if not low <= amps <= high:
        raise _validation_error(
            "charger_current_out_of_range", field=field, min=str(low), max=str(high)
        )


async def _set_charge_limit(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _coordinator_for(hass, call)
    if not coordinator.data.features.limits:
        raise _validation_error("charger_limits_not_supported")
    field = next(field for field in _LIMIT_KINDS if field in call.data)
    kind, factor = _LIMIT_KINDS[field]
    value = round(call.data[field] * factor)
    auto_release: bool = call.data[ATTR_AUTO_RELEASE]
    await coordinator.async_command(
        lambda client: client.set_limit(
            kind, value, auto_release=auto_release, request_timeout=REQUEST_TIMEOUT
        )
    )


async def _clear_charge_limit(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _coordinator_for(hass, call)
    await coordinator.async_command(
        lambda client: client.clear_limit(request_timeout=REQUEST_TIMEOUT)
    )


async def _set_override(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _coordinator_for(hass, call)
    data: dict[str, Any] = call.data
    _check_current(coordinator, ATTR_CHARGE_CURRENT, data.get(ATTR_CHARGE_CURRENT))
    _check_current(coordinator, ATTR_MAX_CURRENT, data.get(ATTR_MAX_CURRENT))
    # The override outranks a charging circuit's claim: the circuit may refuse it first.
    state = data.get(ATTR_STATE)
    amps = [a for a in (data.get(ATTR_CHARGE_CURRENT), data.get(ATTR_MAX_CURRENT)) if a]
    coordinator.check_request(
        active=None if state is None else state == ChargeState.ACTIVE.value,
        amps=min(amps) if amps else None,
    )
    await coordinator.async_command(
        lambda client: client.set_override(
            state=data.get(ATTR_STATE),
            charge_current=data.get(ATTR_CHARGE_CURRENT),
            max_current=data.get(ATTR_MAX_CURRENT),
            auto_release=data[ATTR_AUTO_RELEASE],
            request_timeout=REQUEST_TIMEOUT,
        )
    )


async def _clear_override(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _coordinator_for(hass, call)
    await coordinator.async_command(
        lambda client: client.clear_override(request_timeout=REQUEST_TIMEOUT)
    )


def _timer_coordinator(hass: HomeAssistant, call: ServiceCall) -> ChargerCoordinator:
    coordinator = _coordinator_for(hass, call)
    if coordinator.data.schedule is None:
        raise _validation_error("charger_timer_not_supported")
    return coordinator


async def _set_timer_event(hass: HomeAssistant, call: ServiceCall) -> None:
    """Add or replace one raw timer event (what the calendar cannot express)."""
    coordinator = _timer_coordinator(hass, call)
    event: dict[str, Any] = {
        "state": call.data[ATTR_STATE],
        "time": call.data[ATTR_TIME].strftime("%H:%M:%S"),
        "days": [_FIRMWARE_DAY[day] for day in WEEKDAYS if day in call.data[ATTR_DAYS]],
    }
    if ATTR_EVENT_ID in call.data:
        event["id"] = call.data[ATTR_EVENT_ID]
    elif len(coordinator.data.schedule or ()) >= MAX_EVENTS:
        raise _validation_error("charger_schedule_full", limit=str(MAX_EVENTS))
    try:
        await coordinator.async_command(
            lambda client: client.set_schedule_events([event], request_timeout=REQUEST_TIMEOUT)
        )
    finally:
        await coordinator.async_reload_schedule()


async def _remove_timer_event(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _timer_coordinator(hass, call)
    event_id: int = call.data[ATTR_EVENT_ID]
    if not any(event.event_id == event_id for event in coordinator.data.schedule or ()):
        raise _validation_error("charger_timer_event_not_found", event_id=str(event_id))
    try:
        await coordinator.async_command(
            lambda client: client.delete_schedule_event(event_id, request_timeout=REQUEST_TIMEOUT)
        )
    finally:
        await coordinator.async_reload_schedule()


async def _get_timer(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    coordinator = _timer_coordinator(hass, call)
    data = coordinator.data
    start = next_transition(data.schedule_plan, active=True)
    stop = next_transition(data.schedule_plan, active=False)
    return {
        "events": [dict(event.raw) for event in data.schedule or ()],
        "next_start": start.isoformat() if start else None,
        "next_stop": stop.isoformat() if stop else None,
    }


async def _set_plan_departure(hass: HomeAssistant, call: ServiceCall) -> None:
    """Set a one-off departure for the charge plan; the daily time applies again once passed."""
    runtime = _runtime_for(hass, call)
    departure: datetime = call.data[ATTR_DEPARTURE]
    if departure.tzinfo is None:
        departure = departure.replace(tzinfo=dt_util.get_default_time_zone())
    if departure <= dt_util.utcnow():
        raise _validation_error("plan_departure_in_past", departure=departure.isoformat())
    await runtime.plan.async_update_settings(one_off_departure=departure)


@callback
def async_register_charger_services(hass: HomeAssistant) -> None:
    """Register the charger actions (once, when the integration loads)."""
    for name, handler, schema in (
        (SERVICE_SET_CHARGE_LIMIT, _set_charge_limit, SET_CHARGE_LIMIT_SCHEMA),
        (SERVICE_CLEAR_CHARGE_LIMIT, _clear_charge_limit, DEVICE_SCHEMA),
        (SERVICE_SET_OVERRIDE, _set_override, SET_OVERRIDE_SCHEMA),
        (SERVICE_CLEAR_OVERRIDE, _clear_override, DEVICE_SCHEMA),
        (SERVICE_SET_TIMER_EVENT, _set_timer_event, SET_TIMER_EVENT_SCHEMA),
        (SERVICE_REMOVE_TIMER_EVENT, _remove_timer_event, REMOVE_TIMER_EVENT_SCHEMA),
        (SERVICE_SET_PLAN_DEPARTURE, _set_plan_departure, SET_PLAN_DEPARTURE_SCHEMA),
    ):
        hass.services.async_register(DOMAIN, name, partial(handler, hass), schema=schema)
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_TIMER,
        partial(_get_timer, hass),
        schema=DEVICE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
