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
        self._inputs_written: tuple[object, ...] | None = None

    def _render_inputs(self) -> tuple[object, ...] | None:
        """Return what the rendering is computed from, when that is cheaper to compare.

        An entity whose rendering is a function of a few values of the snapshot (and of what
        is fixed for it: its description, its registry options, which Home Assistant applies
        with a write of its own) returns them here; while they stay equal, the rendering is
        not computed again. A charger pushes a delta every second that moves a handful of its
        entities; for the others, Home Assistant's state and attribute properties (a sensor's
        state handles units, precision and device classes) cost more than the values
        themselves. None: always compare the rendering.
        """
        return None

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
        # Unavailable, the entity renders neither state nor attributes: nothing to save there.
        inputs = self._render_inputs() if self.available else None
        if inputs is not None and inputs == self._inputs_written:
            return
        rendered = self._rendered()
        if rendered != self._written:
            self._written = rendered
            self.async_write_ha_state()
        self._inputs_written = inputs
