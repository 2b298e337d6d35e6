"""What each family (chargers, pumps, circuits) plugs into the shared integration skeleton.

The integration has one config flow, one set of platform modules and one diagnostics module;
each of those looks up the entry's family here and hands the work to the family package
(`charger/`, `pump/` or `circuit/ha/`). A family package exposes one `Family` value and nothing
else is needed to wire it in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import BaseDeviceEntry, DeviceEntry
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_FAMILY, DOMAIN

type PlatformSetup[RuntimeT] = Callable[
    [HomeAssistant, ConfigEntry[RuntimeT], AddConfigEntryEntitiesCallback], Awaitable[None]
]


@dataclass(frozen=True, kw_only=True)
class Family[RuntimeT]:
    """The hooks of one device family whose entries hold ``RuntimeT`` while loaded.

    The shared skeleton calls the methods below with the entry it got from Home Assistant; the
    methods hand it on, typed as this family's entry, to the family's own hooks.
    """

    key: str
    # Platform -> function adding that platform's entities for an entry of this family.
    platforms: Mapping[Platform, PlatformSetup[RuntimeT]]
    # Connect, first refresh, return the runtime data; raise ConfigEntryNotReady/AuthFailed.
    # Whatever it starts it registers with entry.async_on_unload, so unloading needs no hook.
    setup_entry: Callable[[HomeAssistant, ConfigEntry[RuntimeT]], Awaitable[RuntimeT]]
    # Diagnostics are JSON-like by Home Assistant's definition (dict[str, Any]).
    get_diagnostics: Callable[[HomeAssistant, ConfigEntry[RuntimeT]], Awaitable[dict[str, Any]]]
    # Whether the user may delete this device from the registry (it is gone from the account).
    remove_device: Callable[[HomeAssistant, ConfigEntry[RuntimeT], DeviceEntry], Awaitable[bool]]
    # Clear what the entry leaves behind once the user removed it (repair issues, state kept
    # across reloads). Runs with the entry unloaded: no runtime data.
    remove_entry: Callable[[HomeAssistant, ConfigEntry[RuntimeT]], Awaitable[None]]
    # Registers the family's actions once, at integration set-up.
    register_services: Callable[[HomeAssistant], None]

    def _own[AnyRuntimeT](self, entry: ConfigEntry[AnyRuntimeT]) -> ConfigEntry[RuntimeT]:
        """Type the entry as this family's: its family key decides what runtime data it holds."""
        if family_key(entry) != self.key:
            raise ValueError(f"entry {entry.entry_id} belongs to another family")
        return cast("ConfigEntry[RuntimeT]", entry)

    async def async_setup_entry[T](self, hass: HomeAssistant, entry: ConfigEntry[T]) -> RuntimeT:
        """Set the entry up and return what it holds while loaded."""
        return await self.setup_entry(hass, self._own(entry))

    async def async_setup_platform[T](
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[T],
        platform: Platform,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Add the entities this family provides on ``platform``."""
        await self.platforms[platform](hass, self._own(entry), async_add_entities)

    async def async_get_diagnostics[T](
        self, hass: HomeAssistant, entry: ConfigEntry[T]
    ) -> dict[str, Any]:
        """Return the entry's redacted diagnostics."""
        return await self.get_diagnostics(hass, self._own(entry))

    async def async_remove_device[T](
        self, hass: HomeAssistant, entry: ConfigEntry[T], device: DeviceEntry
    ) -> bool:
        """Whether the user may delete ``device``."""
        return await self.remove_device(hass, self._own(entry), device)

    async def async_remove_entry[T](self, hass: HomeAssistant, entry: ConfigEntry[T]) -> None:
        """Clear what the removed entry left behind."""
        await self.remove_entry(hass, self._own(entry))


def family_key[T](entry: ConfigEntry[T]) -> str:
    """Return the family key stored in the entry."""
    return str(entry.data[CONF_FAMILY])


@dataclass(frozen=True, slots=True)
class DeviceOwner[RuntimeT]:
    """The config entry of this integration that a device belongs to, as an action sees it."""

    title: str
    runtime_data: RuntimeT | None
    """What the entry holds; None while it is not loaded."""


def device_owner[RuntimeT](
    hass: HomeAssistant, device: BaseDeviceEntry, key: str, runtime_type: type[RuntimeT]
) -> DeviceOwner[RuntimeT] | None:
    """Return the entry of family ``key`` owning ``device``; None when no such entry owns it."""
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if entry is None or entry.domain != DOMAIN or entry.data.get(CONF_FAMILY) != key:
        return None
    if entry.state is not ConfigEntryState.LOADED:
        return DeviceOwner(entry.title, None)
    runtime_data = entry.runtime_data
    if not isinstance(runtime_data, runtime_type):
        return None
    return DeviceOwner(entry.title, runtime_data)
