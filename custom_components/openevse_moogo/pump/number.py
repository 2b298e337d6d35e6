"""Numbers of a pump's settings: how long a manual spray lasts, and the stop temperature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfTemperature, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.moogo import MoogoConfigUpdate, MoogoDeviceConfig
from .const import MAX_SPRAY_SECONDS
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_CONFIG
from .runtime import PumpConfigEntry
from .settings import async_write_settings

# The cloud keeps the stop temperature in whole degrees Celsius (the unit of the pump's own
# temperature reading); Home Assistant converts it for a Fahrenheit unit system. Below 8 °C the
# pump refuses to spray anyway, so a threshold of 0-40 °C covers every useful choice.
MIN_STOP_TEMPERATURE = 0
MAX_STOP_TEMPERATURE = 40


@dataclass(frozen=True, kw_only=True)
class PumpNumberEntityDescription(NumberEntityDescription, PumpEntityDescription):
    """Describes a number of a pump's settings: how to read it and how to write it."""

    value_fn: Callable[[MoogoDeviceConfig], int | None]
    update_fn: Callable[[int], MoogoConfigUpdate]


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
    part=PART_CONFIG,
    value_fn=lambda config: config.spraying_seconds,
    update_fn=lambda seconds: MoogoConfigUpdate(spraying_seconds=seconds),
)

STOP_TEMPERATURE = PumpNumberEntityDescription(
    key="stop_temperature",
    translation_key="stop_temperature",
    device_class=NumberDeviceClass.TEMPERATURE,
    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
    native_min_value=MIN_STOP_TEMPERATURE,
    native_max_value=MAX_STOP_TEMPERATURE,
    native_step=1,
    mode=NumberMode.BOX,
    entity_category=EntityCategory.CONFIG,
    part=PART_CONFIG,
    value_fn=lambda config: config.stop_temperature,
    update_fn=lambda celsius: MoogoConfigUpdate(stop_temperature=celsius),
)

NUMBERS: tuple[PumpNumberEntityDescription, ...] = (SPRAY_DURATION, STOP_TEMPERATURE)


class PumpSettingNumber(PumpEntity, NumberEntity):
    """A number of the pump's cloud settings (``sprayingSeconds``, ``stopTemperature``)."""

    entity_description: PumpNumberEntityDescription

    @property
    def native_value(self) -> int | None:
        """The setting as the cloud stores it."""
        config = self.pump.config
        return None if config is None else self.entity_description.value_fn(config)

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting; the cloud stores whole numbers."""
        await async_write_settings(
            self.coordinator, self.pump_id, self.entity_description.update_fn(round(value))
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the setting numbers of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, NUMBERS, PumpSettingNumber)
