"""The base entity every charger and pump entity builds on."""

from __future__ import annotations

from typing import Any, override

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator


class OpenEVSEMoogoEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one device, described by an entity description, fed by a coordinator.

    The unique id is `<device id>_<description key>`: stable across renames and firmware
    versions. State is written only when what Home Assistant would store changed, so a charger
    pushing a delta every second rewrites only the entities whose values moved.
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

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write state only when this entity's rendered state changed since the last update."""
        # Like Home Assistant's own state writing, an unavailable entity renders no state: its
        # device may have left the account, leaving nothing to read the state from.
        available = self.available
        rendered = (available, self.state, self.extra_state_attributes) if available else (False,)
        if rendered != self._written:
            self._written = rendered
            self.async_write_ha_state()
