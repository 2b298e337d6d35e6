"""Diagnostics for a charger or Moogo account entry (each family redacts its own secrets)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant

from .families import family_for
from .runtime import OpenEVSEMoogoConfigEntry


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry
) -> dict[str, Any]:
    """Return the family's redacted diagnostics for this entry."""
    return await family_for(entry).async_get_diagnostics(hass, entry)
