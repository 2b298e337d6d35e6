"""Charging-session happenings derived from state transitions, fired on the event bus.

Both the "charging session" event entity and the device triggers listen to the bus event
:data:`CHARGER_EVENT`, so automations built either way see the same happenings. Nothing fires
for the first snapshot (a car already plugged in at start-up is not "plugged in" news).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..clients.openevse.exceptions import OpenEVSEError, OpenEVSENotFoundError
from ..clients.openevse.models import EvseState, LogEntry, as_enum
from ..const import DOMAIN, LOGGER
from .const import STATUS_OPTIONS
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .log_replay import LogPosition, async_read_since
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
    return transition_events(
        (old.status.vehicle_connected, old.status.state),
        (new.status.vehicle_connected, new.status.state),
    )


type ChargerState = tuple[bool | None, EvseState | None]
"""Whether a vehicle is connected, and the controller state."""


def transition_events(old: ChargerState, new: ChargerState) -> list[str]:
    """Return the happenings between two charger states (live snapshots or log lines)."""
    events: list[str] = []
    (was_plugged, was_state), (is_plugged, is_state) = old, new
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


_STORAGE_VERSION: Final = 1
# Reading the log's end while the entry unloads must not hold Home Assistant's shutdown up.
_SAVE_DEADLINE: Final = 5.0
_SAVE_DELAY: Final = 10.0


def log_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the store keeping how far a charger's event log has been turned into happenings."""
    return Store(hass, _STORAGE_VERSION, f"{DOMAIN}.charger_log.{entry_id}")


class ChargingSessionEvents:
    """Compares each new snapshot with the previous one and fires what happened.

    What happened while Home Assistant was down is read back from the charger's event log at
    start-up (:meth:`async_read_missed`) and fired once Home Assistant has started, so the
    automations listening to it are there. How far the log was turned into happenings is
    stored: read exactly at unload, and, should Home Assistant stop without unloading, the
    time of the last live happening marks what was already fired.
    """

    def __init__(self, hass: HomeAssistant, coordinator: ChargerCoordinator) -> None:
        """Start from the coordinator's current snapshot (no events for it)."""
        self._hass = hass
        self._coordinator = coordinator
        self._previous = coordinator.data
        self._store = log_store(hass, coordinator.config_entry.entry_id)
        self._position: LogPosition | None = None
        self._live_until: datetime | None = None

    def _stored(self) -> dict[str, Any]:
        return {
            "position": None if self._position is None else self._position.as_dict(),
            "live_until": None if self._live_until is None else self._live_until.isoformat(),
        }

    async def async_read_missed(self) -> None:
        """Read the log past the stored position; fire its happenings once started.

        Run before the push channel starts: every line written later is seen live.
        """
        stored = await self._store.async_load() or {}
        raw_position = stored.get("position")
        position = LogPosition.from_dict(raw_position) if isinstance(raw_position, dict) else None
        live_until = dt_util.parse_datetime(str(stored.get("live_until") or ""))
        try:
            reading = await async_read_since(self._coordinator.event_log, position)
        except OpenEVSENotFoundError:
            return  # firmware without an event log
        except (OpenEVSEError, TimeoutError) as err:
            # The stored position stays: the next start reads from there.
            LOGGER.debug("Could not read the event log of %s: %s", self._name, err)
            return
        if reading.gap:
            LOGGER.info(
                "The event log of %s no longer holds everything since Home Assistant last "
                "read it; happenings from the oldest lines it keeps are replayed",
                self._name,
            )
        missed = self._replayed(position, reading.lines, live_until)
        end = reading.position
        if end.vehicle_connected is None or end.evse_state is None:
            # An empty log says nothing of the state it leaves: take the charger's own.
            status = self._coordinator.data.status
            end = replace(end, evse_state=status.state, vehicle_connected=status.vehicle_connected)
        self._position, self._live_until = end, None
        await self._store.async_save(self._stored())
        if missed:

            @callback
            def fire(_hass: HomeAssistant) -> None:
                self._fire_replayed(missed)

            self._coordinator.config_entry.async_on_unload(async_at_started(self._hass, fire))

    @property
    def _name(self) -> str:
        return self._coordinator.config_entry.title

    def _replayed(
        self, position: LogPosition | None, lines: list[LogEntry], live_until: datetime | None
    ) -> list[tuple[str, LogEntry]]:
        """Return the happenings the lines record, without those already fired live."""
        if position is None:
            return []
        happenings: list[tuple[str, LogEntry]] = []
        state = (position.vehicle_connected, position.evse_state)
        for line in lines:
            line_state = (line.vehicle_connected, as_enum(EvseState, line.evse_state))
            # The log stamps whole seconds: a line of the last live second was seen live.
            fired_live = (
                live_until is not None
                and line.time is not None
                and line.time <= live_until.replace(microsecond=0)
            )
            if not fired_live:
                happenings.extend(
                    (happening, line) for happening in transition_events(state, line_state)
                )
            state = line_state
        return happenings

    @callback
    def _fire_replayed(self, happenings: list[tuple[str, LogEntry]]) -> None:
        device_id = self._device_id()
        if device_id is None:
            return
        for happening, line in happenings:
            state = as_enum(EvseState, line.evse_state)
            event_data: dict[str, object] = {
                "device_id": device_id,
                "type": happening,
                "status": STATUS_OPTIONS.get(state) if state is not None else None,
                "replayed": True,
                "time": None if line.time is None else line.time.isoformat(),
            }
            if happening in SESSION_SUMMARY_EVENTS:
                event_data |= {
                    "energy": None if line.energy is None else round(line.energy / 1000, 3),
                    "duration": line.elapsed,
                }
            self._hass.bus.async_fire(CHARGER_EVENT, event_data)

    async def async_save_position(self, _event: Event | None = None) -> None:
        """At unload and stop: note the log's end, whose lines were all seen live.

        Best effort within a short deadline; without it the last live happening's time marks
        what was fired.
        """
        if self._position is None:
            return
        try:
            async with asyncio.timeout(_SAVE_DEADLINE):
                reading = await async_read_since(self._coordinator.event_log, self._position)
        except (OpenEVSEError, TimeoutError) as err:
            LOGGER.debug("Could not note the event log end of %s: %s", self._name, err)
        else:
            self._position, self._live_until = reading.position, None
        await self._store.async_save(self._stored())

    def _device_id(self) -> str | None:
        device = dr.async_get(self._hass).async_get_device_by_identifier(
            (DOMAIN, self._coordinator.data.serial), self._coordinator.config_entry.entry_id
        )
        return None if device is None else device.id

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
        if self._position is not None:
            # Should Home Assistant stop without unloading, these are not fired again.
            self._live_until = dt_util.utcnow()
            self._store.async_delay_save(self._stored, _SAVE_DELAY)
        device_id = self._device_id()
        if device_id is None:
            return
        for happening in happenings:
            event_data: dict[str, object] = {
                "device_id": device_id,
                "type": happening,
                "status": new_status,
            }
            if happening in SESSION_SUMMARY_EVENTS:
                event_data |= session_summary(new)
            self._hass.bus.async_fire(CHARGER_EVENT, event_data)
