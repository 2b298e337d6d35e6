"""Sensors of a pump: climate readings, spray times, today's sprays and schedules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import PERCENTAGE, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from ..value_sensor import ValueSensorDescription, wifi_signal
from .data import PumpData, SprayDay
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_HISTORY, PART_SCHEDULES
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpSensorEntityDescription(ValueSensorDescription[PumpData], PumpEntityDescription):
    """Describes a pump sensor."""

    last_reset_fn: Callable[[PumpData], datetime | None] | None = None


def _next_spray(pump: PumpData) -> datetime | None:
    upcoming = pump.next_scheduled_spray
    return None if upcoming is None else upcoming.next_run


def _today(pump: PumpData) -> SprayDay | None:
    """Return today's figures; an empty day once midnight passed since the last read."""
    history = pump.history
    if history is None:
        return None
    today = dt_util.now().date()
    return history if history.day == today else SprayDay(day=today, sprays=0, seconds=0, last=None)


def _start_of_today(_pump: PumpData) -> datetime:
    return dt_util.start_of_local_day()


def _last_spray_seconds(pump: PumpData) -> int | None:
    last = None if pump.history is None else pump.history.last
    return None if last is None or last.duration is None else round(last.duration.total_seconds())


# Today's figures reset at local midnight. They are "total" with a last_reset (the start of the
# day) rather than "total_increasing": the reset is known exactly, and a history read listing
# fewer sprays (a row the cloud dropped) is a correction, not a new day counted again on top.
SPRAY_HISTORY: tuple[PumpSensorEntityDescription, ...] = (
    PumpSensorEntityDescription(
        key="sprays_today",
        translation_key="sprays_today",
        state_class=SensorStateClass.TOTAL,
        part=PART_HISTORY,
        value_fn=lambda pump: None if (day := _today(pump)) is None else day.sprays,
        last_reset_fn=_start_of_today,
    ),
    PumpSensorEntityDescription(
        key="spraying_time_today",
        translation_key="spraying_time_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        state_class=SensorStateClass.TOTAL,
        part=PART_HISTORY,
        value_fn=lambda pump: None if (day := _today(pump)) is None else day.seconds,
        last_reset_fn=_start_of_today,
    ),
    PumpSensorEntityDescription(
        key="last_spray_duration",
        translation_key="last_spray_duration",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        part=PART_HISTORY,
        value_fn=_last_spray_seconds,
    ),
)

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
    wifi_signal(PumpSensorEntityDescription, value_fn=lambda pump: pump.status.rssi),
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
    def native_value(self) -> StateType | datetime:
        """The reading."""
        return self.entity_description.value_fn(self.pump)

    @property
    def last_reset(self) -> datetime | None:
        """When today's figures began (sensors that reset daily)."""
        last_reset_fn = self.entity_description.last_reset_fn
        return None if last_reset_fn is None else last_reset_fn(self.pump)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, SENSORS + SPRAY_HISTORY, PumpSensor)
