"""Calendars of chargers and pumps: their schedules, through one mechanism (`schedule_calendar`)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .platform import async_setup_family_platform
from .runtime import OpenEVSEMoogoConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: OpenEVSEMoogoConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the entry's calendars."""
    await async_setup_family_platform(hass, entry, Platform.CALENDAR, async_add_entities)
