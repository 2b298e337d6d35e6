"""Charging-session happenings derived from state transitions, fired on the event bus.

Both the "charging session" event entity and the device triggers listen to the bus event
:data:`CHARGER_EVENT`, so automations built either way see the same happenings. Nothing fires
for the first snapshot (a car already plugged in at start-up is not "plugged in" news).
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from ..clients.openevse.models import EvseState
from ..const import DOMAIN
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .sensor import charger_status

CHARGER_EVENT: Final = f"{DOMAIN}_charger_event"
"""Bus event: ``device_id``, ``type`` (one of EVENT_TYPES or ``status_changed``), ``status``."""

EVENT_PLUGGED_IN: Final = "plugged_in"
EVENT_UNPLUGGED: Final = "unplugged"
EVENT_CHARGING_STARTED: Final = "charging_started"
EVENT_CHARGING_STOPPED: Final = "charging_stopped"
EVENT_FAULT: Final = "fault"
# Fired by the charge plan (``planning/controller.py``): its first run began, its target is in.
EVENT_PLAN_STARTED: Final = "plan_started"
EVENT_PLAN_COMPLETED: Final = "plan_completed"
EVENT_TYPES: Final = (
    EVENT_PLUGGED_IN,
    EVENT_UNPLUGGED,
    EVENT_CHARGING_STARTED,
    EVENT_CHARGING_STOPPED,
    EVENT_FAULT,
    EVENT_PLAN_STARTED,
    EVENT_PLAN_COMPLETED,
)
STATUS_CHANGED: Final = "status_changed"
# Happenings that close (part of) a session carry what it delivered: energy (kWh), duration (s).
SESSION_SUMMARY_EVENTS: Final = frozenset({EVENT_CHARGING_STOPPED, EVENT_UNPLUGGED})


def session_summary(data: ChargerData) -> dict[str, float | int | None]:
    """Return the session's energy (kWh) and duration (s) so far.

    The charger keeps both until the next car is plugged in, so at the session's end they
    still describe it.
    """
    energy = data.status.session_energy
    return {
        "energy": None if energy is None else round(energy / 1000, 3),
        "duration": data.status.session_elapsed,
    }


def session_events(old: ChargerData, new: ChargerData) -> list[str]:
    """Return the happenings between two snapshots, in the order they make sense."""
    events: list[str] = []
    was_plugged, is_plugged = old.status.vehicle_connected, new.status.vehicle_connected
    was_state, is_state = old.status.state, new.status.state
    was_charging = was_state is EvseState.CHARGING
    is_charging = is_state is EvseState.CHARGING
    if was_plugged is False and is_plugged is True:
        events.append(EVENT_PLUGGED_IN)
    if was_state is not None and is_state is not None:
        if is_charging and not was_charging:
            events.append(EVENT_CHARGING_STARTED)
        if was_charging and not is_charging:
            events.append(EVENT_CHARGING_STOPPED)
        if is_state.is_error and not was_state.is_error:
            events.append(EVENT_FAULT)
    if was_plugged is True and is_plugged is False:
        events.append(EVENT_UNPLUGGED)
    return events


class ChargingSessionEvents:
    """Compares each new snapshot with the previous one and fires what happened."""

    def __init__(self, hass: HomeAssistant, coordinator: ChargerCoordinator) -> None:
        """Start from the coordinator's current snapshot (no events for it)."""
        self._hass = hass
        self._coordinator = coordinator
        self._previous = coordinator.data

    @callback
    def async_update(self) -> None:
        """Coordinator listener: fire the happenings since the previous snapshot."""
        new = self._coordinator.data
        old, self._previous = self._previous, new
        if new is old:
            return
        happenings = session_events(old, new)
        old_status, new_status = charger_status(old), charger_status(new)
        if new_status != old_status and new_status is not None:
            happenings.append(STATUS_CHANGED)
        if not happenings:
            return
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, new.serial), self._coordinator.config_entry.entry_id
        )
        if device is None:
            return
        for happening in happenings:
            event_data: dict[str, object] = {
                "device_id": device.id,
                "type": happening,
                "status": new_status,
            }
            if happening in SESSION_SUMMARY_EVENTS:
                event_data |= session_summary(new)
            self._hass.bus.async_fire(CHARGER_EVENT, event_data)
