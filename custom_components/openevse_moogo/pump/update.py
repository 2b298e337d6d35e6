"""The firmware update entity of a pump, from the cloud's OTA check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import REQUEST_TIMEOUT
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_FIRMWARE
from .runtime import PumpConfigEntry


@dataclass(frozen=True, kw_only=True)
class PumpUpdateEntityDescription(UpdateEntityDescription, PumpEntityDescription):
    """Describes a pump update entity."""


FIRMWARE = PumpUpdateEntityDescription(
    key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.CONFIG,
    part=PART_FIRMWARE,
)


class PumpFirmwareUpdate(PumpEntity, UpdateEntity):
    """Offers the firmware the cloud has for the pump, and installs it over the air."""

    entity_description: PumpUpdateEntityDescription

    _attr_supported_features = UpdateEntityFeature.INSTALL | UpdateEntityFeature.PROGRESS

    @property
    def installed_version(self) -> str | None:
        """The firmware on the pump."""
        return self.pump.firmware_version

    @property
    def latest_version(self) -> str | None:
        """The firmware the cloud offers (the installed one when nothing newer exists)."""
        firmware = self.pump.firmware
        if firmware is None or not firmware.update_available:
            return self.installed_version
        return firmware.latest_version or self.installed_version

    @property
    def release_summary(self) -> str | None:
        """The cloud's description of the offered firmware."""
        firmware = self.pump.firmware
        return None if firmware is None else firmware.release_notes

    @property
    def in_progress(self) -> bool:
        """Whether the pump is installing firmware."""
        firmware = self.pump.firmware
        return firmware is not None and firmware.updating

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Start the over-the-air update; progress shows as the cloud reports it."""
        client, pump_id = self.coordinator.client, self.pump_id
        await self.coordinator.async_change(
            pump_id,
            PART_FIRMWARE,
            lambda: client.start_firmware_update(pump_id, request_timeout=REQUEST_TIMEOUT),
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the firmware entity of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (FIRMWARE,), PumpFirmwareUpdate)
