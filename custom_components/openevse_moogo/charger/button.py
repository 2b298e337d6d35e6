"""Charger buttons: restart the WiFi gateway or the EVSE controller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.components.button.const import ButtonDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import REQUEST_TIMEOUT
from .coordinator import ChargerCoordinator
from .data import ChargerData
from .entity import ChargerEntity, async_add_supported
from .runtime import ChargerConfigEntry


@dataclass(frozen=True, kw_only=True)
class ChargerButtonDescription(ButtonEntityDescription):
    """What pressing one charger button does."""

    press_fn: Callable[[ChargerCoordinator], Awaitable[None]]
    exists_fn: Callable[[ChargerData], bool] = lambda _: True


BUTTONS: Final[tuple[ChargerButtonDescription, ...]] = (
    ChargerButtonDescription(
        key="restart_gateway",
        translation_key="restart_gateway",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        # Followed by the coordinator: the reboot it causes turns nothing unavailable.
        press_fn=lambda coordinator: coordinator.async_restart_gateway(),
    ),
    ChargerButtonDescription(
        key="restart_evse",
        translation_key="restart_evse",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        # Only the controller restarts; the gateway, and with it the push channel, stays up.
        press_fn=lambda coordinator: coordinator.async_command(
            lambda client: client.restart_evse(request_timeout=REQUEST_TIMEOUT)
        ),
        # Older firmware can only restart the controller over RAPI, which it blocks.
        exists_fn=lambda data: data.features.evse_restart,
    ),
)


class ChargerButton(ChargerEntity, ButtonEntity):
    """A charger button driven by its description."""

    entity_description: ChargerButtonDescription

    @override
    async def async_press(self) -> None:
        """Send the command."""
        await self.entity_description.press_fn(self.coordinator)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons this charger supports."""
    async_add_supported(entry, async_add_entities, ChargerButton, BUTTONS)
