"""Switches of a pump: spraying, the master switch of its schedules, and its weather stops."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.moogo import MoogoConfigUpdate, MoogoDeviceConfig
from .const import REQUEST_TIMEOUT
from .coordinator import PumpCoordinator
from .data import PumpData
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_CONFIG, PART_SCHEDULES
from .runtime import PumpConfigEntry
from .settings import async_write_settings


@dataclass(frozen=True, kw_only=True)
class PumpSwitchEntityDescription(SwitchEntityDescription, PumpEntityDescription):
    """Describes a pump switch."""

    value_fn: Callable[[PumpCoordinator, PumpData], bool | None]
    set_fn: Callable[[PumpCoordinator, str, bool], Awaitable[object]]


async def _spray(coordinator: PumpCoordinator, pump_id: str, on: bool) -> None:
    await coordinator.async_spray(pump_id, start=on)


async def _schedules(coordinator: PumpCoordinator, pump_id: str, on: bool) -> None:
    client = coordinator.client
    await coordinator.async_change(
        pump_id,
        PART_SCHEDULES,
        lambda: client.set_schedules_enabled(pump_id, on, request_timeout=REQUEST_TIMEOUT),
    )


def _spraying(coordinator: PumpCoordinator, pump: PumpData) -> bool:
    pending = coordinator.pending_spray(pump.device_id)
    return pump.running if pending is None else pending


def _setting(
    read: Callable[[MoogoDeviceConfig], int | None],
) -> Callable[[PumpCoordinator, PumpData], bool | None]:
    """Read an on/off setting the cloud keeps as 0/1."""

    def value(_coordinator: PumpCoordinator, pump: PumpData) -> bool | None:
        flag = None if pump.config is None else read(pump.config)
        return None if flag is None else bool(flag)

    return value


def _write_setting(
    update: Callable[[int], MoogoConfigUpdate],
) -> Callable[[PumpCoordinator, str, bool], Awaitable[None]]:
    """Write an on/off setting as the cloud keeps it (0/1)."""

    async def write(coordinator: PumpCoordinator, pump_id: str, on: bool) -> None:
        await async_write_settings(coordinator, pump_id, update(int(on)))

    return write


# The pump's own weather stops: its cloud holds scheduled sprays back while it rains, snows or
# storms at the pump (a manual start is not held back).
WEATHER_STOPS: tuple[PumpSwitchEntityDescription, ...] = (
    PumpSwitchEntityDescription(
        key="stop_when_rainy",
        translation_key="stop_when_rainy",
        entity_category=EntityCategory.CONFIG,
        part=PART_CONFIG,
        value_fn=_setting(lambda config: config.stop_rainy),
        set_fn=_write_setting(lambda flag: MoogoConfigUpdate(stop_rainy=flag)),
    ),
    PumpSwitchEntityDescription(
        key="stop_when_snowing",
        translation_key="stop_when_snowing",
        entity_category=EntityCategory.CONFIG,
        part=PART_CONFIG,
        value_fn=_setting(lambda config: config.stop_snow),
        set_fn=_write_setting(lambda flag: MoogoConfigUpdate(stop_snow=flag)),
    ),
    PumpSwitchEntityDescription(
        key="stop_when_windy",
        translation_key="stop_when_windy",
        entity_category=EntityCategory.CONFIG,
        part=PART_CONFIG,
        value_fn=_setting(lambda config: config.stop_windstorm),
        set_fn=_write_setting(lambda flag: MoogoConfigUpdate(stop_windstorm=flag)),
    ),
)

SWITCHES: tuple[PumpSwitchEntityDescription, ...] = (
    PumpSwitchEntityDescription(
        key="spray",
        translation_key="spray",
        value_fn=_spraying,
        set_fn=_spray,
    ),
    PumpSwitchEntityDescription(
        key="schedules",
        translation_key="schedules",
        part=PART_SCHEDULES,
        value_fn=lambda _coordinator, pump: pump.schedules_enabled,
        set_fn=_schedules,
    ),
)


class PumpSwitch(PumpEntity, SwitchEntity):
    """A switch of a pump; errors of the cloud surface as translated errors."""

    entity_description: PumpSwitchEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The state (a command in flight shows the state it asked for)."""
        return self.entity_description.value_fn(self.coordinator, self.pump)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch on."""
        await self.entity_description.set_fn(self.coordinator, self.pump_id, True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch off."""
        await self.entity_description.set_fn(self.coordinator, self.pump_id, False)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, SWITCHES + WEATHER_STOPS, PumpSwitch)
