"""Charger selects: the charger's own manual override, and the J1772 service level."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, override

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.openevse import OpenEVSE
from ..clients.openevse.models import ServiceLevel
from .const import REQUEST_TIMEOUT
from .data import ChargerData
from .entity import ChargerEntity, async_add_supported
from .planning.entities import async_setup_plan_selects
from .runtime import ChargerConfigEntry

OVERRIDE_AUTO: Final = "auto"
SERVICE_LEVELS: Final = {
    ServiceLevel.AUTOMATIC: "automatic",
    ServiceLevel.LEVEL_1: "level_1",
    ServiceLevel.LEVEL_2: "level_2",
}
# The firmware's development branch dropped automatic detection: a config write of service 0
# is ignored there (master app_config.cpp, "Only L1/L2 are valid"). Releases up to this one
# take it (v5.1.5 app_config.cpp:486-494); a build naming no release is built from the
# current source.
LAST_FIRMWARE_WITH_AUTOMATIC_SERVICE_LEVEL: Final = (5, 1, 5)


@dataclass(frozen=True, kw_only=True)
class ChargerSelectDescription(SelectEntityDescription):
    """How one charger select reads and sets its option."""

    current_fn: Callable[[ChargerData], str | None]
    select_fn: Callable[[OpenEVSE, ChargerData, str], Awaitable[None]]
    exists_fn: Callable[[ChargerData], bool] = lambda _: True
    options_fn: Callable[[ChargerData], list[str]] | None = None
    """The options this charger's firmware takes, when they depend on it."""


def _override_state(data: ChargerData) -> str | None:
    override = data.override
    if override is None or override.state is None:
        return OVERRIDE_AUTO
    return override.state.value


async def _select_override(client: OpenEVSE, data: ChargerData, option: str) -> None:
    """``auto`` releases the override; otherwise keep its current limits and change the state."""
    if option == OVERRIDE_AUTO:
        await client.clear_override(request_timeout=REQUEST_TIMEOUT)
        return
    current = data.override
    await client.set_override(
        state=option,
        charge_current=current.charge_current if current else None,
        max_current=current.max_current if current else None,
        auto_release=current.auto_release if current else None,
        request_timeout=REQUEST_TIMEOUT,
    )


def _service_levels(data: ChargerData) -> list[str]:
    release = data.config.firmware_version.release
    if release is not None and release <= LAST_FIRMWARE_WITH_AUTOMATIC_SERVICE_LEVEL:
        return list(SERVICE_LEVELS.values())
    return [SERVICE_LEVELS[ServiceLevel.LEVEL_1], SERVICE_LEVELS[ServiceLevel.LEVEL_2]]


def _service_level(data: ChargerData) -> str | None:
    """Return the configured level; None for one the firmware no longer offers (stale 0)."""
    level = data.config.service_level
    option = SERVICE_LEVELS[level] if level is not None else None
    return option if option in _service_levels(data) else None


async def _select_service_level(client: OpenEVSE, _data: ChargerData, option: str) -> None:
    level = next(level for level, name in SERVICE_LEVELS.items() if name == option)
    await client.set_service_level(level, request_timeout=REQUEST_TIMEOUT)


SELECTS: Final[tuple[ChargerSelectDescription, ...]] = (
    ChargerSelectDescription(
        key="override_state",
        translation_key="override_state",
        options=[OVERRIDE_AUTO, "active", "disabled"],
        current_fn=_override_state,
        select_fn=_select_override,
        exists_fn=lambda data: data.features.claims,
    ),
    ChargerSelectDescription(
        key="service_level_setting",
        translation_key="service_level_setting",
        options=list(SERVICE_LEVELS.values()),
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        options_fn=_service_levels,
        current_fn=_service_level,
        select_fn=_select_service_level,
        exists_fn=lambda data: "service" in data.config.raw,
    ),
)


class ChargerSelect(ChargerEntity, SelectEntity):
    """A charger select driven by its description."""

    entity_description: ChargerSelectDescription

    @property
    @override
    def options(self) -> list[str]:
        """The options the charger's firmware takes."""
        options_fn = self.entity_description.options_fn
        return super().options if options_fn is None else options_fn(self.data)

    @property
    @override
    def current_option(self) -> str | None:
        """The selected option from the latest snapshot."""
        return self.entity_description.current_fn(self.data)

    @override
    def _render_inputs(self) -> tuple[object, ...]:
        return (self.current_option, tuple(self.options))

    @override
    async def async_select_option(self, option: str) -> None:
        """Apply the option."""
        data = self.data
        await self.coordinator.async_command(
            lambda client: self.entity_description.select_fn(client, data, option)
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the selects this charger supports."""
    async_add_supported(entry, async_add_entities, ChargerSelect, SELECTS)
    await async_setup_plan_selects(hass, entry, async_add_entities)
