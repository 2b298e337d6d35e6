"""The charge current limit, through our own claim (never written to the controller's EEPROM).

The value is what we ask for when we hold a claim, else the current the charger's claims
resolve to, else its effective maximum. Bounds are the hardware's minimum and maximum. The
charger's manual override, safety rules and the soft maximum set in its UI still cap it.
"""

from __future__ import annotations

from typing import override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfElectricCurrent
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import J1772_MAX_CURRENT, J1772_MIN_CURRENT
from .data import ChargerData
from .entity import ChargerEntity
from .planning.entities import async_setup_plan_numbers
from .runtime import ChargerConfigEntry

CHARGE_CURRENT = NumberEntityDescription(
    key="charge_current",
    translation_key="charge_current",
    device_class=NumberDeviceClass.CURRENT,
    native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
    native_step=1,
    mode=NumberMode.SLIDER,
    entity_category=EntityCategory.CONFIG,
)


def charge_current(data: ChargerData) -> int | None:
    """Return the charge current in force or asked for, in A."""
    if data.own_claim is not None and data.own_claim.charge_current is not None:
        return data.own_claim.charge_current
    if data.claim_target is not None and data.claim_target.properties.charge_current is not None:
        return data.claim_target.properties.charge_current
    return data.status.max_current


class ChargerChargeCurrent(ChargerEntity, NumberEntity):
    """The charge current we ask the charger for."""

    @property
    @override
    def native_value(self) -> float | None:
        """The current in force or asked for."""
        return charge_current(self.data)

    @property
    @override
    def native_min_value(self) -> float:
        """The hardware minimum."""
        return float(self.data.config.min_current_hard or J1772_MIN_CURRENT)

    @property
    @override
    def native_max_value(self) -> float:
        """The hardware maximum."""
        return float(self.data.config.max_current_hard or J1772_MAX_CURRENT)

    @override
    def _render_inputs(self) -> tuple[object, ...]:
        return (self.native_value, self.native_min_value, self.native_max_value)

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Ask for this current through our claim (whole amps: the firmware takes integers)."""
        self.coordinator.check_request(amps=round(value))
        await self.coordinator.async_set_own_claim(charge_current=round(value))


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the charge current control when the charger has the claims API."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.data.features.claims:
        async_add_entities([ChargerChargeCurrent(coordinator, CHARGE_CURRENT)])
    await async_setup_plan_numbers(hass, entry, async_add_entities)
