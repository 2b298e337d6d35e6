"""The "spray" event entity of a pump: fires when a spray starts and when it finishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PumpCoordinator
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .runtime import PumpConfigEntry

EVENT_STARTED = "started"
EVENT_FINISHED = "finished"


@dataclass(frozen=True, kw_only=True)
class PumpEventEntityDescription(EventEntityDescription, PumpEntityDescription):
    """Describes a pump event entity."""


SPRAY_EVENT = PumpEventEntityDescription(
    key="spray_event",
    translation_key="spray",
    event_types=[EVENT_STARTED, EVENT_FINISHED],
)


class PumpSprayEvent(PumpEntity, EventEntity):
    """Fires "started" and "finished" as the pump's spraying state changes, by hand or schedule."""

    entity_description: PumpEventEntityDescription

    def __init__(
        self, coordinator: PumpCoordinator, description: PumpEventEntityDescription, pump_id: str
    ) -> None:
        """Remember whether the pump sprays now and its last spray, so only changes fire."""
        super().__init__(coordinator, description, pump_id)
        self._was_running = self.pump.running
        self._last_end = self.pump.last_spray_end

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        pump = self.coordinator.data.pumps.get(self.pump_id)
        if pump is None:
            super()._handle_coordinator_update()
            return
        started = pump.running and not self._was_running
        # A spray ended: seen running before, or one that began and ended between two reads
        # (the end of the last spray moved on).
        finished = not pump.running and (self._was_running or pump.last_spray_end != self._last_end)
        self._was_running = pump.running
        self._last_end = pump.last_spray_end
        if started:
            end = pump.current_spray_end
            self._trigger_event(EVENT_STARTED, {"planned_end": end.isoformat() if end else None})
        elif finished:
            duration = pump.status.latest_spray_duration
            self._trigger_event(
                EVENT_FINISHED,
                {"duration": None if duration is None else duration.total_seconds()},
            )
        else:
            super()._handle_coordinator_update()
            return
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the spray event entity of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (SPRAY_EVENT,), PumpSprayEvent)
