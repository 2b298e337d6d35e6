"""Routing a platform's set-up to the family that owns the config entry."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .families import family_for
from .runtime import OpenEVSEMoogoConfigEntry


async def async_setup_family_platform(
    hass: HomeAssistant,
    entry: OpenEVSEMoogoConfigEntry,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entities the entry's family provides on this platform."""
    await family_for(entry).async_setup_platform(hass, entry, platform, async_add_entities)
