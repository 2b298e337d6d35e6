"""What the charger's, the plan's and the pump's sensors share.

Each family's sensor description reads its value from that family's data (a charger's snapshot,
the plan, a pump); the Wi-Fi signal is the same sensor on a charger and on a pump.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import SIGNAL_STRENGTH_DECIBELS_MILLIWATT, EntityCategory
from homeassistant.helpers.typing import StateType


@dataclass(frozen=True, kw_only=True)
class ValueSensorDescription[DataT](SensorEntityDescription):
    """A sensor whose value its description reads from the device's data."""

    value_fn: Callable[[DataT], StateType | datetime]


def wifi_signal[DescriptionT: ValueSensorDescription[Any]](
    description: type[DescriptionT], **family: Any
) -> DescriptionT:
    """Describe the device's Wi-Fi signal (dBm), a diagnostic disabled by default.

    ``family`` holds the family's own fields: at least where the value is read (``value_fn``).
    """
    return description(
        key="wifi_signal",
        translation_key="wifi_signal",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        **family,
    )
