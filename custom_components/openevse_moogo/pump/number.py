"""Numbers of a pump: how long a manual spray lasts."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.moogo import MoogoConfigUpdate
from .const import MAX_SPRAY_SECONDS, REQUEST_TIMEOUT
from .coordinator import PART_CONFIG
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpNumberEntityDescription(NumberEntityDescription, PumpEntityDescription):
    """Describes a pump number."""


SPRAY_DURATION = PumpNumberEntityDescription(
    key="spray_duration",
    translation_key="spray_duration",
    device_class=NumberDeviceClass.DURATION,
    native_unit_of_measurement=UnitOfTime.SECONDS,
    native_min_value=1,
    native_max_value=MAX_SPRAY_SECONDS,
    native_step=1,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
)


class PumpSprayDuration(PumpEntity, NumberEntity):
    """The pump's ``sprayingSeconds``: how long a spray started by hand or by an action lasts."""

    @property
    def native_value(self) -> int | None:
        """The spray length in seconds."""
        config = self.pump.config
        return None if config is None else config.spraying_seconds

    async def async_set_native_value(self, value: float) -> None:
        """Write a new spray length to the pump's settings."""
        client, pump_id = self.coordinator.client, self.pump_id
        await self.coordinator.async_change(
            pump_id,
            PART_CONFIG,
            lambda: client.update_device_config(
                pump_id,
                MoogoConfigUpdate(spraying_seconds=round(value)),
                request_timeout=REQUEST_TIMEOUT,
            ),
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the spray duration of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (SPRAY_DURATION,), PumpSprayDuration)
