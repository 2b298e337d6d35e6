"""The "charging session" event entity: plugged in, unplugged, charging started/stopped, fault."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from .entity import ChargerEntity
from .runtime import ChargerConfigEntry
from .session_events import CHARGER_EVENT, EVENT_TYPES

CHARGING_SESSION = EventEntityDescription(
    key="charging_session",
    translation_key="charging_session",
    event_types=list(EVENT_TYPES),
)


class ChargerSessionEvent(ChargerEntity, EventEntity):
    """Fires once per happening of the charging session."""

    @override
    async def async_added_to_hass(self) -> None:
        """Listen to this charger's session happenings on the bus."""
        await super().async_added_to_hass()
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.data.serial), self.coordinator.config_entry.entry_id
        )
        device_id = device.id if device is not None else None

        @callback
        def for_this_charger(event_data: Mapping[str, Any]) -> bool:
            return event_data.get("device_id") == device_id and event_data.get("type") in (
                EVENT_TYPES
            )

        self.async_on_remove(
            self.hass.bus.async_listen(
                CHARGER_EVENT, self._handle_session_event, event_filter=for_this_charger
            )
        )

    @callback
    def _handle_session_event(self, event: Event[Mapping[str, Any]]) -> None:
        attributes = {
            key: event.data[key]
            for key in ("status", "energy", "duration", "cost", "departure")
            if key in event.data
        }
        self._trigger_event(str(event.data["type"]), attributes)
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charging session event entity."""
    async_add_entities([ChargerSessionEvent(entry.runtime_data.coordinator, CHARGING_SESSION)])
