"""What each device family (chargers, pumps) plugs into the shared integration skeleton.

The integration has one config flow, one set of platform modules and one diagnostics module;
each of those looks up the entry's family here and hands the work to the family package
(`charger/` or `pump/`). A family package exposes one `Family` value and nothing else is needed
to wire it in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_FAMILY

type PlatformSetup = Callable[
    [HomeAssistant, ConfigEntry[Any], AddConfigEntryEntitiesCallback], Awaitable[None]
]


@dataclass(frozen=True, kw_only=True)
class Family:
    """The hooks one device family provides."""

    key: str
    # Platform -> function adding that platform's entities for an entry of this family.
    platforms: Mapping[Platform, PlatformSetup]
    # Connect, first refresh and set entry.runtime_data; raise ConfigEntryNotReady/AuthFailed.
    async_setup_entry: Callable[[HomeAssistant, ConfigEntry[Any]], Awaitable[None]]
    # Release what setup started that entry.async_on_unload does not already release.
    async_unload_entry: Callable[[HomeAssistant, ConfigEntry[Any]], Awaitable[None]]
    async_get_diagnostics: Callable[[HomeAssistant, ConfigEntry[Any]], Awaitable[dict[str, Any]]]
    # Whether the user may delete this device from the registry (it is gone from the account).
    async_remove_device: Callable[[HomeAssistant, ConfigEntry[Any], DeviceEntry], Awaitable[bool]]
    # Registers the family's actions once, at integration set-up.
    async_register_services: Callable[[HomeAssistant], None]


def family_key(entry: ConfigEntry[Any]) -> str:
    """Return the family key stored in the entry."""
    return str(entry.data[CONF_FAMILY])
