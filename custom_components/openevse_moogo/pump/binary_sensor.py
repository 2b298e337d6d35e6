"""Binary sensors of a pump: online, and the two tank level warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.moogo import LiquidLevel
from .data import PumpData
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpBinarySensorEntityDescription(BinarySensorEntityDescription, PumpEntityDescription):
    """Describes a pump binary sensor."""

    value_fn: Callable[[PumpData], bool | None]
    reports_connection: bool = False


def _is_low(level: LiquidLevel | None) -> bool | None:
    return None if level is None else level is LiquidLevel.LOW


BINARY_SENSORS: tuple[PumpBinarySensorEntityDescription, ...] = (
    PumpBinarySensorEntityDescription(
        key="online",
        translation_key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        # It reports the connection, so it must not go unavailable with it: off as soon as the
        # pump's status cannot be read (whatever the grace of the other entities).
        reports_connection=True,
        value_fn=lambda pump: pump.status.online,
    ),
    PumpBinarySensorEntityDescription(
        key="concentrate_low",
        translation_key="concentrate_low",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda pump: _is_low(pump.status.concentrate_level),
    ),
    PumpBinarySensorEntityDescription(
        key="water_low",
        translation_key="water_low",
        device_class=BinarySensorDeviceClass.PROBLEM,
        value_fn=lambda pump: _is_low(pump.status.water_level),
    ),
)


class PumpBinarySensor(PumpEntity, BinarySensorEntity):
    """A yes/no state of a pump."""

    entity_description: PumpBinarySensorEntityDescription

    @property
    def available(self) -> bool:
        """Connectivity is always available; the rest as every pump entity."""
        return self.entity_description.reports_connection or super().available

    @property
    def is_on(self) -> bool | None:
        """The state; a connectivity sensor is off while the cloud cannot be read."""
        if self.entity_description.reports_connection and not self.coordinator.connected(
            self.pump_id
        ):
            return False
        return self.entity_description.value_fn(self.pump)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, BINARY_SENSORS, PumpBinarySensor)
