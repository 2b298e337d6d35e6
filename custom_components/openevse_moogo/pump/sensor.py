"""Sensors of a pump: climate readings, spray times and schedules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import PumpData
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_SCHEDULES
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpSensorEntityDescription(SensorEntityDescription, PumpEntityDescription):
    """Describes a pump sensor."""

    value_fn: Callable[[PumpData], float | int | datetime | None]


def _next_spray(pump: PumpData) -> datetime | None:
    upcoming = pump.next_scheduled_spray
    return None if upcoming is None else upcoming.next_run


SENSORS: tuple[PumpSensorEntityDescription, ...] = (
    PumpSensorEntityDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda pump: pump.status.temperature,
    ),
    PumpSensorEntityDescription(
        key="humidity",
        device_class=SensorDeviceClass.HUMIDITY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda pump: pump.status.humidity,
    ),
    PumpSensorEntityDescription(
        key="wifi_signal",
        translation_key="wifi_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda pump: pump.status.rssi,
    ),
    PumpSensorEntityDescription(
        key="current_spray_end",
        translation_key="current_spray_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda pump: pump.current_spray_end,
    ),
    PumpSensorEntityDescription(
        key="last_spray_end",
        translation_key="last_spray_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda pump: pump.last_spray_end,
    ),
    PumpSensorEntityDescription(
        key="next_scheduled_spray",
        translation_key="next_scheduled_spray",
        part=PART_SCHEDULES,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_spray,
    ),
    PumpSensorEntityDescription(
        key="active_schedules",
        translation_key="active_schedules",
        part=PART_SCHEDULES,
        value_fn=lambda pump: None if pump.schedules is None else len(pump.active_schedules),
    ),
)


class PumpSensor(PumpEntity, SensorEntity):
    """A reading of a pump."""

    entity_description: PumpSensorEntityDescription

    @property
    def native_value(self) -> float | int | datetime | None:
        """The reading."""
        return self.entity_description.value_fn(self.pump)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, SENSORS, PumpSensor)
