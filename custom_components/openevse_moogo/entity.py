"""The base entity every charger and pump entity builds on."""

from __future__ import annotations

from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator


# CoordinatorEntity itself bounds its coordinator by DataUpdateCoordinator[Any].
class OpenEVSEMoogoEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one device, described by an entity description, fed by a coordinator.

    The unique id is `<device id>_<description key>`: stable across renames and firmware
    versions. State is written only when something Home Assistant would store changed, so a
    charger pushing a delta every second rewrites only the entities whose values moved.
    """

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: CoordinatorT,
        description: EntityDescription,
        *,
        device_id: str,
        device_info: DeviceInfo,
    ) -> None:
        """Bind the entity to its device and description."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{device_id}_{description.key}"
        self._attr_device_info = device_info
        self._written: tuple[object, ...] | None = None

    def _rendered(self) -> tuple[object, ...]:
        """Everything of this entity that Home Assistant stores and a new snapshot can move.

        The state and every attribute the entity computes: the platform's capability
        attributes (a number's bounds, a select's options), its state attributes (an update's
        versions and progress), the entity's own extras, and the unit. While unavailable Home
        Assistant stores neither the state nor the state attributes, so they are not computed:
        the device, its data or its connection may be gone.
        """
        if not self.available:
            return (False, self.capability_attributes, self.unit_of_measurement)
        return (
            True,
            self.state,
            self.capability_attributes,
            self.state_attributes,
            self.extra_state_attributes,
            self.unit_of_measurement,
            self.icon,
        )

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write state only when what this entity renders changed since the last write."""
        rendered = self._rendered()
        if rendered != self._written:
            self._written = rendered
            self.async_write_ha_state()
