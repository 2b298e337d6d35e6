"""The OpenEVSE & Moogo integration: OpenEVSE chargers and Moogo misting pumps.

Each config entry is one charger, one Moogo account or one charging circuit; the entry's
family (`charger/`, `pump/`, `circuit/ha/`) does the specific work, this module only routes to
it.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, FAMILY_PUMP
from .families import FAMILIES, family_for
from .family import family_key
from .pump.account import account_title
from .runtime import OpenEVSEMoogoConfigEntry

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register every family's actions once, whatever entries exist."""
    for family in FAMILIES.values():
        family.register_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry) -> bool:
    """Bring an entry of an older minor version up to date (Home Assistant refuses newer ones)."""
    if entry.minor_version < 2:
        # 1.2: a Moogo account's title no longer is its e-mail, which Home Assistant logs.
        title = entry.title
        if family_key(entry) == FAMILY_PUMP and "@" in title:
            title = account_title(title)
        hass.config_entries.async_update_entry(entry, title=title, minor_version=2)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry) -> bool:
    """Set up one charger, one Moogo account or one charging circuit."""
    family = family_for(entry)
    entry.runtime_data = await family.async_setup_entry(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, list(family.platforms))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry) -> bool:
    """Unload the entry's platforms; what set-up started stops through entry.async_on_unload."""
    return await hass.config_entries.async_unload_platforms(
        entry, list(family_for(entry).platforms)
    )


async def async_remove_entry(hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry) -> None:
    """Clear what a removed entry leaves behind (its repair issues, its login budget)."""
    await family_for(entry).async_remove_entry(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: OpenEVSEMoogoConfigEntry, device_entry: DeviceEntry
) -> bool:
    """Let the user delete a device only when its family says it is gone."""
    return await family_for(entry).async_remove_device(hass, entry, device_entry)
