"""The device families this integration supports, looked up by config entry."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry

from .charger import CHARGER_FAMILY
from .family import Family, family_key
from .pump import PUMP_FAMILY

FAMILIES: dict[str, Family] = {family.key: family for family in (CHARGER_FAMILY, PUMP_FAMILY)}


def family_for(entry: ConfigEntry[Any]) -> Family:
    """Return the family that owns this config entry."""
    return FAMILIES[family_key(entry)]
