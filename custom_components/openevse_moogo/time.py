"""Time entities of chargers: the charge plan's departure (`charger/planning/`)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .platform import async_setup_family_platform
from .runtime import OpenEVSEMoogoConfigEntry

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenEVSEMoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's time entities."""
    await async_setup_family_platform(hass, entry, Platform.TIME, async_add_entities)
