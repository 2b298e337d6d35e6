"""The base of every charger entity: its device and its availability."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..const import DOMAIN
from ..entity import OpenEVSEMoogoEntity
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .runtime import ChargerConfigEntry


class SupportsExists(Protocol):
    """A description that knows whether the charger can provide its entity."""

    @property
    def exists_fn(self) -> Callable[[ChargerData], bool]:
        """Whether the charger reports what the entity shows."""
        ...


def charger_device_info(data: ChargerData, configuration_url: str) -> DeviceInfo:
    """Describe the charger for the device registry."""
    config = data.config
    info = DeviceInfo(
        identifiers={(DOMAIN, data.serial)},
        manufacturer="OpenEVSE",
        model=config.build_env or "OpenEVSE",
        name=config.hostname or "OpenEVSE",
        serial_number=data.serial,
        sw_version=str(config.firmware_version),
        configuration_url=configuration_url,
    )
    if config.controller_firmware:
        info["hw_version"] = config.controller_firmware
    if data.status.mac_address:
        info["connections"] = {(CONNECTION_NETWORK_MAC, data.status.mac_address.lower())}
    return info


class ChargerEntity(OpenEVSEMoogoEntity[ChargerCoordinator]):
    """An entity of one charger, fed by its coordinator."""

    def __init__(self, coordinator: ChargerCoordinator, description: EntityDescription) -> None:
        """Bind the entity to the charger's device."""
        super().__init__(
            coordinator,
            description,
            device_id=coordinator.data.serial,
            device_info=charger_device_info(coordinator.data, coordinator.configuration_url),
        )

    @property
    def data(self) -> ChargerData:
        """The charger's current snapshot."""
        return self.coordinator.data


def async_add_supported[DescriptionT: SupportsExists](
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_type: Callable[[ChargerCoordinator, DescriptionT], Entity],
    descriptions: Iterable[DescriptionT],
) -> None:
    """Add an entity for each description the charger's firmware can provide."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        entity_type(coordinator, description)
        for description in descriptions
        if description.exists_fn(coordinator.data)
    )
