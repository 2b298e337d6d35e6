"""The base of every pump entity: its device, its snapshot and its availability."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..entity import OpenEVSEMoogoEntity
from .const import MANUFACTURER, MODEL
from .coordinator import PumpCoordinator
from .data import PumpData
from .readers import PART_STATUS
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpEntityDescription(EntityDescription):
    """Describes a pump entity; ``exists_fn`` decides whether a pump gets it.

    ``part`` is the part of the pump it shows (its status unless said otherwise): the entity is
    available while that part (and the status) can be shown, see ``PumpCoordinator.usable``.
    """

    exists_fn: Callable[[PumpData], bool] = lambda _pump: True
    part: str = PART_STATUS


def pump_device_info(pump: PumpData) -> DeviceInfo:
    """Describe the pump for the device registry."""
    return DeviceInfo(
        identifiers={(DOMAIN, pump.device_id)},
        manufacturer=MANUFACTURER,
        model=MODEL,
        name=pump.name,
        sw_version=pump.firmware_version,
    )


class PumpEntity(OpenEVSEMoogoEntity[PumpCoordinator]):
    """An entity of one pump of the account."""

    entity_description: PumpEntityDescription

    def __init__(
        self, coordinator: PumpCoordinator, description: PumpEntityDescription, pump_id: str
    ) -> None:
        """Bind the entity to the pump ``pump_id``."""
        super().__init__(
            coordinator,
            description,
            device_id=pump_id,
            device_info=pump_device_info(coordinator.data.pumps[pump_id]),
        )
        self.pump_id = pump_id
        self._last_pump = coordinator.data.pumps[pump_id]

    @property
    def pump(self) -> PumpData:
        """The pump's current snapshot; its last one once it left the account.

        Home Assistant still asks an unavailable entity for its capabilities (a select's
        options, say), and an entity of a removed pump lives until the platform drops it.
        """
        if (pump := self.coordinator.data.pumps.get(self.pump_id)) is not None:
            self._last_pump = pump
        return self._last_pump

    @property
    def available(self) -> bool:
        """Unavailable once the cloud cannot be read beyond a transient failure's grace.

        Also unavailable at once after a refused login or once the pump left the account.
        """
        return self.coordinator.usable(self.pump_id, self.entity_description.part)


def async_add_pump_entities[DescriptionT: PumpEntityDescription](
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[DescriptionT],
    create: Callable[[PumpCoordinator, DescriptionT, str], Entity],
) -> None:
    """Add the entities of every pump now, and of pumps that join the account later."""
    coordinator = entry.runtime_data.coordinator
    descriptions = tuple(descriptions)
    known: set[str] = set()

    def _add_new_pumps() -> None:
        pumps = coordinator.data.pumps
        known.intersection_update(pumps)  # a pump that left and came back gets new entities
        new = [pump_id for pump_id in pumps if pump_id not in known]
        known.update(new)
        entities = [
            create(coordinator, description, pump_id)
            for pump_id in new
            for description in descriptions
            if description.exists_fn(pumps[pump_id])
        ]
        if entities:
            async_add_entities(entities)

    _add_new_pumps()
    entry.async_on_unload(coordinator.async_add_listener(_add_new_pumps))
