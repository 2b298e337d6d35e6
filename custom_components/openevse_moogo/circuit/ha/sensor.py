"""The circuit device's sensors: each member's allocation, the headroom, the measured load.

Per-phase figures show their highest phase as the state (the one closest to the breaker's
limit) and every phase as attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ...const import DOMAIN
from ...entity import OpenEVSEMoogoEntity
from .controller import CircuitController, CircuitData
from .runtime import CircuitConfigEntry


@dataclass(frozen=True, kw_only=True)
class CircuitSensorDescription(SensorEntityDescription):
    """A circuit-wide figure: per phase, shown at its highest (or lowest) phase."""

    phases_fn: Callable[[CircuitData], tuple[float, ...]]
    lowest: bool = False


_CURRENT = {
    "device_class": SensorDeviceClass.CURRENT,
    "native_unit_of_measurement": UnitOfElectricCurrent.AMPERE,
    "state_class": SensorStateClass.MEASUREMENT,
    "suggested_display_precision": 1,
}

CIRCUIT_SENSORS: tuple[CircuitSensorDescription, ...] = (
    CircuitSensorDescription(
        key="headroom",
        translation_key="circuit_headroom",
        phases_fn=lambda data: data.allocation.headroom,
        lowest=True,
        **_CURRENT,  # type: ignore[arg-type]
    ),
    CircuitSensorDescription(
        key="measured_load",
        translation_key="circuit_measured_load",
        phases_fn=lambda data: data.measured,
        **_CURRENT,  # type: ignore[arg-type]
    ),
    CircuitSensorDescription(
        key="other_loads",
        translation_key="circuit_other_loads",
        phases_fn=lambda data: data.allocation.other_loads,
        **_CURRENT,  # type: ignore[arg-type]
    ),
    CircuitSensorDescription(
        key="allocated",
        translation_key="circuit_allocated",
        phases_fn=lambda data: data.allocation.allocated,
        **_CURRENT,  # type: ignore[arg-type]
    ),
)

MEMBER_ALLOCATION = SensorEntityDescription(
    key="allocation",
    translation_key="circuit_member_allocation",
    device_class=SensorDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    state_class=SensorStateClass.MEASUREMENT,
)


def circuit_device(entry: CircuitConfigEntry) -> DeviceInfo:
    """Return the circuit's own device (a service: it has no hardware of its own)."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"circuit_{entry.entry_id}")},
        name=entry.title,
        model="Charging circuit",
        entry_type=DeviceEntryType.SERVICE,
    )


class CircuitSensor(OpenEVSEMoogoEntity[CircuitController], SensorEntity):
    """A circuit-wide current."""

    entity_description: CircuitSensorDescription

    @property
    @override
    def native_value(self) -> float | None:
        values = self.entity_description.phases_fn(self.coordinator.data)
        return round(min(values) if self.entity_description.lowest else max(values), 2)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, float] | None:
        values = self.entity_description.phases_fn(self.coordinator.data)
        if len(values) == 1:
            return None
        return {f"phase_{i}": round(v, 2) for i, v in enumerate(values, start=1)}


class MemberAllocationSensor(OpenEVSEMoogoEntity[CircuitController], SensorEntity):
    """What the circuit gives one member, and why."""

    def __init__(
        self, controller: CircuitController, entry: CircuitConfigEntry, member_id: str
    ) -> None:
        """Bind the sensor to one member (named after its charger)."""
        description = replace(MEMBER_ALLOCATION, key=f"allocation_{member_id}")
        super().__init__(
            controller,
            description,
            device_id=f"circuit_{entry.entry_id}",
            device_info=circuit_device(entry),
        )
        self._member_id = member_id
        self._attr_translation_placeholders = {"charger": controller.data.members[member_id].name}

    @property
    @override
    def native_value(self) -> int:
        return self.coordinator.data.members[self._member_id].amps

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, object]:
        view = self.coordinator.data.members[self._member_id]
        return {
            "reason": view.reason,
            "reachable": view.reachable,
            "in_force": view.in_force,
            "draw": round(view.draw, 1),
        }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CircuitConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the circuit's sensors and one allocation sensor per member."""
    controller = entry.runtime_data.controller
    device = circuit_device(entry)
    entities: list[SensorEntity] = [
        CircuitSensor(
            controller, description, device_id=f"circuit_{entry.entry_id}", device_info=device
        )
        for description in CIRCUIT_SENSORS
    ]
    entities.extend(
        MemberAllocationSensor(controller, entry, member_id)
        for member_id in controller.member_ids()
    )
    async_add_entities(entities)
