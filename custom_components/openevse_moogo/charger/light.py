"""The charger's status LED brightness, as a light (RGB-LED builds only).

The firmware keeps the brightness (0-255) as config ``led_brightness``, registered only when
it is built with an RGB LED (v5.1.5 app_config.cpp:232-235), and applies a change at once
(app_config.cpp:392-393): the light exists when the charger's config carries the key.
Brightness 0 is "off"; turning it on again restores the last brightness seen, else the
firmware's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, override

from homeassistant.components.light import LightEntity, LightEntityDescription
from homeassistant.components.light.const import ATTR_BRIGHTNESS, ColorMode
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import REQUEST_TIMEOUT
from .coordinator import ChargerCoordinator
from .entity import ChargerEntity
from .runtime import ChargerConfigEntry

# LED_DEFAULT_BRIGHTNESS (v5.1.5 emonesp.h:175).
DEFAULT_BRIGHTNESS: Final = 128


@dataclass(frozen=True, kw_only=True)
class ChargerLightEntityDescription(LightEntityDescription):
    """Describes a charger light."""


STATUS_LED = ChargerLightEntityDescription(
    key="led_brightness",
    translation_key="status_led",
    entity_category=EntityCategory.CONFIG,
)


class ChargerStatusLed(ChargerEntity, LightEntity):
    """The brightness of the charger's status LED."""

    _attr_color_mode = ColorMode.BRIGHTNESS

    def __init__(
        self, coordinator: ChargerCoordinator, description: ChargerLightEntityDescription
    ) -> None:
        """Start from the brightness the charger reports."""
        super().__init__(coordinator, description)
        self._attr_supported_color_modes = {ColorMode.BRIGHTNESS}
        self._last_on = self.brightness or DEFAULT_BRIGHTNESS

    @property
    @override
    def brightness(self) -> int | None:
        """The LED's brightness (0-255)."""
        return self.data.config.led_brightness

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the LED is lit at all."""
        brightness = self.brightness
        return None if brightness is None else brightness > 0

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Remember the last brightness the LED was lit at, then write the state."""
        if self.brightness:
            self._last_on = self.brightness
        super()._handle_coordinator_update()

    async def _async_set(self, brightness: int) -> None:
        await self.coordinator.async_command(
            lambda client: client.set_led_brightness(brightness, request_timeout=REQUEST_TIMEOUT)
        )

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Light the LED at the brightness asked for, else at the last one."""
        await self._async_set(int(kwargs.get(ATTR_BRIGHTNESS, self._last_on)))

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Dim the LED to nothing."""
        await self._async_set(0)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the status LED when the charger's build has one it can dim."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.data.features.led_brightness:
        async_add_entities([ChargerStatusLed(coordinator, STATUS_LED)])
