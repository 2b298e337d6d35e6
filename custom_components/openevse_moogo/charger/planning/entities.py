"""The plan's entities on the charger's device: its settings and what it plans.

Settings entities (switches, departure time, numbers, the mode select) write the plan's
settings, which the plan stores itself (so nothing depends on restoring entity states); the
sensors show the plan. Each entity follows both the charger (availability) and the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any, Final, override

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.components.select import SelectEntity
from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
)
from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.components.time import TimeEntity
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfEnergy
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from ...value_sensor import ValueSensorDescription
from ..const import CONF_VEHICLE_SOC_SENSOR
from ..coordinator import ChargerCoordinator
from ..entity import ChargerEntity
from ..plan import ChargeMode, PlanStatus
from ..runtime import ChargerConfigEntry

if TYPE_CHECKING:  # the controller imports the session events, which import the sensors
    from .controller import PlanController

type SettingsValue = bool | float | time | ChargeMode | None


@dataclass(frozen=True, kw_only=True)
class PlanSettingDescription(EntityDescription):
    """A plan setting: the field of :class:`PlanSettings` it shows and sets."""

    setting: str
    needs_soc: bool = False


@dataclass(frozen=True, kw_only=True)
class PlanSwitchDescription(PlanSettingDescription, SwitchEntityDescription):
    """A plan switch."""


@dataclass(frozen=True, kw_only=True)
class PlanNumberDescription(PlanSettingDescription, NumberEntityDescription):
    """A plan number."""


@dataclass(frozen=True, kw_only=True)
class PlanSensorDescription(ValueSensorDescription["PlanController"]):
    """A plan sensor: its value from the plan controller."""

    attributes_fn: Callable[[PlanController], dict[str, Any]] | None = None


class PlanEntity(ChargerEntity):
    """An entity of the charger's plan: it follows the charger and the plan."""

    def __init__(
        self, coordinator: ChargerCoordinator, plan: PlanController, description: EntityDescription
    ) -> None:
        """Bind the entity to the charger's device and to its plan."""
        super().__init__(coordinator, description)
        self.plan = plan
        self._setting_name = (
            description.setting if isinstance(description, PlanSettingDescription) else ""
        )

    @override
    async def async_added_to_hass(self) -> None:
        """Also follow the plan's updates."""
        await super().async_added_to_hass()
        self.async_on_remove(self.plan.async_add_listener(self._handle_coordinator_update))

    def _setting(self) -> SettingsValue:
        value: SettingsValue = getattr(self.plan.settings, self._setting_name)
        return value

    async def _async_set(self, value: SettingsValue) -> None:
        await self.plan.async_update_settings(**{self._setting_name: value})


SWITCHES: Final = (
    PlanSwitchDescription(key="plan_enabled", translation_key="plan_enabled", setting="enabled"),
    PlanSwitchDescription(
        key="plan_precondition",
        translation_key="plan_precondition",
        setting="precondition",
        entity_category=EntityCategory.CONFIG,
    ),
)


def _energy_number(
    key: str, setting: str, *, entity_category: EntityCategory | None = None
) -> PlanNumberDescription:
    """Describe an energy the plan is to deliver: kWh typed in, up to 200 in half kWh."""
    return PlanNumberDescription(
        key=key,
        translation_key=key,
        setting=setting,
        device_class=NumberDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=0,
        native_max_value=200,
        native_step=0.5,
        mode=NumberMode.BOX,
        entity_category=entity_category,
    )


NUMBERS: Final = (
    _energy_number("plan_target_energy", "target_energy_kwh"),
    _energy_number("plan_minimum_energy", "minimum_kwh", entity_category=EntityCategory.CONFIG),
    PlanNumberDescription(
        key="plan_target_soc",
        translation_key="plan_target_soc",
        setting="target_soc",
        device_class=NumberDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=1,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
        needs_soc=True,
    ),
    PlanNumberDescription(
        key="plan_battery_capacity",
        translation_key="plan_battery_capacity",
        setting="battery_capacity_kwh",
        device_class=NumberDeviceClass.ENERGY_STORAGE,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        native_min_value=1,
        native_max_value=250,
        native_step=0.1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
        needs_soc=True,
    ),
)

MODE: Final = PlanSettingDescription(
    key="plan_mode",
    translation_key="plan_mode",
    setting="mode",
    entity_category=EntityCategory.CONFIG,
)
DEPARTURE: Final = PlanSettingDescription(
    key="plan_departure", translation_key="plan_departure", setting="departure"
)


def _slots(plan: PlanController) -> dict[str, Any]:
    current = plan.plan
    return {
        "departure": current.departure.isoformat() if current else None,
        "energy_wanted": round(current.energy_wanted_kwh, 3) if current else None,
        "power": round(plan.power_kw, 3) if plan.power_kw is not None else None,
        "prices_complete": current.prices_complete if current else None,
        "price_error": plan.price_error,
        "slots": [
            {"start": start.isoformat(), "end": end.isoformat()}
            for start, end in plan.planned_slots
        ],
    }


def _next_start(plan: PlanController) -> datetime | None:
    slots = plan.planned_slots
    return slots[0][0] if slots else None


def _planned_end(plan: PlanController) -> datetime | None:
    slots = plan.planned_slots
    return slots[-1][1] if slots else None


SENSORS: Final = (
    PlanSensorDescription(
        key="plan_status",
        translation_key="plan_status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in PlanStatus],
        value_fn=lambda plan: str(plan.status),
        attributes_fn=_slots,
    ),
    PlanSensorDescription(
        key="plan_next_start",
        translation_key="plan_next_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_next_start,
    ),
    PlanSensorDescription(
        key="plan_end",
        translation_key="plan_end",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_planned_end,
    ),
    PlanSensorDescription(
        key="plan_energy",
        translation_key="plan_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=lambda plan: round(plan.plan.energy_kwh, 3) if plan.plan else None,
    ),
    PlanSensorDescription(
        key="plan_cost",
        translation_key="plan_cost",
        suggested_display_precision=2,
        value_fn=lambda plan: round(plan.plan.cost, 4) if plan.plan else None,
    ),
)


class PlanSwitch(PlanEntity, SwitchEntity):
    """A plan setting that is on or off."""

    @property
    @override
    def is_on(self) -> bool:
        """Whether the setting is on."""
        return bool(self._setting())

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn the setting on."""
        await self._async_set(True)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the setting off."""
        await self._async_set(False)


class PlanNumber(PlanEntity, NumberEntity):
    """A plan setting that is a number."""

    @property
    @override
    def native_value(self) -> float | None:
        """The setting's value (None: not set)."""
        value = self._setting()
        return value if isinstance(value, float) else None

    @override
    async def async_set_native_value(self, value: float) -> None:
        """Set the setting."""
        await self._async_set(float(value))


class PlanModeSelect(PlanEntity, SelectEntity):
    """Continuous (one run) or split (the cheapest slots)."""

    _attr_options: list[str] = [mode.value for mode in ChargeMode]  # noqa: RUF012

    @property
    @override
    def current_option(self) -> str:
        """The mode in force."""
        return self.plan.settings.mode.value

    @override
    async def async_select_option(self, option: str) -> None:
        """Set the mode."""
        await self._async_set(ChargeMode(option))


class PlanDepartureTime(PlanEntity, TimeEntity):
    """The daily departure; a one-off departure (the action) takes precedence until it passes."""

    @property
    @override
    def native_value(self) -> time:
        """The daily departure time."""
        return self.plan.settings.departure

    @override
    async def async_set_value(self, value: time) -> None:
        """Set the daily departure time."""
        await self._async_set(value.replace(second=0, microsecond=0))


class PlanSensor(PlanEntity, SensorEntity):
    """What the plan does, from the plan controller."""

    entity_description: PlanSensorDescription

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The sensor's value."""
        return self.entity_description.value_fn(self.plan)

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        """The cost is in Home Assistant's currency (prices are taken as the source gives them)."""
        if self.entity_description.key == "plan_cost":
            return self.hass.config.currency
        return super().native_unit_of_measurement

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The plan's details on the status sensor (departure, slots, power used)."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.plan)


def _has_soc(entry: ChargerConfigEntry) -> bool:
    """Whether the charger can know the car's SoC (it reports one, or the options feed one)."""
    coordinator = entry.runtime_data.coordinator
    return coordinator.data.status.vehicle_soc is not None or bool(
        entry.options.get(CONF_VEHICLE_SOC_SENSOR)
    )


def _plan(entry: ChargerConfigEntry) -> tuple[ChargerCoordinator, PlanController] | None:
    runtime = entry.runtime_data
    if not runtime.coordinator.data.features.claims:
        return None  # the plan is carried out through a claim
    return runtime.coordinator, runtime.plan


async def async_setup_plan_switches(
    hass: HomeAssistant, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Add the plan's switches."""
    if parts := _plan(entry):
        add(PlanSwitch(*parts, description) for description in SWITCHES)


async def async_setup_plan_numbers(
    hass: HomeAssistant, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Add the plan's numbers (the SoC ones only when the charger can know the SoC)."""
    if parts := _plan(entry):
        soc = _has_soc(entry)
        add(PlanNumber(*parts, d) for d in NUMBERS if soc or not d.needs_soc)


async def async_setup_plan_selects(
    hass: HomeAssistant, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Add the plan's mode select."""
    if parts := _plan(entry):
        add([PlanModeSelect(*parts, MODE)])


async def async_setup_entry(
    hass: HomeAssistant, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Add the plan's departure time (the charger family's ``time`` platform)."""
    if parts := _plan(entry):
        add([PlanDepartureTime(*parts, DEPARTURE)])


async def async_setup_plan_sensors(
    hass: HomeAssistant, entry: ChargerConfigEntry, add: AddConfigEntryEntitiesCallback
) -> None:
    """Add the plan's sensors."""
    if parts := _plan(entry):
        add(PlanSensor(*parts, description) for description in SENSORS)
