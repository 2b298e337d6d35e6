"""Selects of a pump: which concentrate it is filled with."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from ..clients.moogo import MoogoConfigUpdate
from ..const import DOMAIN
from .entity import PumpEntity, PumpEntityDescription, async_add_pump_entities
from .readers import PART_CONFIG
from .runtime import PumpConfigEntry
from .settings import async_write_settings


@dataclass(frozen=True, kw_only=True)
class PumpSelectEntityDescription(SelectEntityDescription, PumpEntityDescription):
    """Describes a pump select."""


CONCENTRATE = PumpSelectEntityDescription(
    key="concentrate",
    translation_key="concentrate",
    part=PART_CONFIG,
    entity_category=EntityCategory.CONFIG,
)


class PumpConcentrateSelect(PumpEntity, SelectEntity):
    """The concentrate type, from the vendor's list; the pump's mix ratio follows the choice."""

    entity_description: PumpSelectEntityDescription

    @property
    def options(self) -> list[str]:
        """The concentrate types on offer (and the pump's own, should the list lack it)."""
        names = [liquid.name for liquid in self.coordinator.data.liquids]
        current = self.current_option
        if current is not None and current not in names:
            names.append(current)
        return names

    @property
    def current_option(self) -> str | None:
        """The concentrate the pump is set to."""
        config = self.pump.config
        return None if config is None else config.liquid_name

    async def async_select_option(self, option: str) -> None:
        """Set the concentrate and its recommended mix ratio."""
        liquid = next((item for item in self.coordinator.data.liquids if item.name == option), None)
        if liquid is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="moogo_unknown_concentrate",
                translation_placeholders={"option": option},
            )
        await async_write_settings(
            self.coordinator,
            self.pump_id,
            MoogoConfigUpdate(liquid_name=liquid.name, liquid_concentration=liquid.concentration),
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PumpConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the concentrate select of every pump of the account."""
    async_add_pump_entities(entry, async_add_entities, (CONCENTRATE,), PumpConcentrateSelect)
