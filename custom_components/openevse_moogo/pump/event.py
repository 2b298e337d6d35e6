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
        """Remember whether the pump sprays now, so only changes fire events."""
        super().__init__(coordinator, description, pump_id)
        self._was_running = self.pump.running

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        pump = self.coordinator.data.pumps.get(self.pump_id)
        if pump is not None and pump.running != self._was_running:
            self._was_running = pump.running
            if pump.running:
                end = pump.current_spray_end
                self._trigger_event(
                    EVENT_STARTED, {"planned_end": end.isoformat() if end else None}
                )
            else:
                duration = pump.status.latest_spray_duration
                self._trigger_event(
                    EVENT_FINISHED,
                    {"duration": None if duration is None else duration.total_seconds()},
                )
            self.async_write_ha_state()
            return
        super()._handle_coordinator_update()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the spray event entity of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (SPRAY_EVENT,), PumpSprayEvent)
