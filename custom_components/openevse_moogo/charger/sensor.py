"""Charger sensors: status, measurements, energy counters, temperatures, feeds, who decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, override

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfLength,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from ..clients.openevse.models import ChargerStatus
from ..value_sensor import ValueSensorDescription, wifi_signal
from .const import SERVICE_LEVEL_OPTIONS, STATUS_OPTIONS
from .controllers import CONTROLLED_PROPERTIES, CONTROLLER_OPTIONS, controlled_by
from .data import ChargerData
from .entity import ChargerEntity, async_add_supported
from .history import FinishedSession
from .planning.entities import async_setup_plan_sensors
from .runtime import ChargerConfigEntry
from .timer import next_transition


def charger_status(data: ChargerData) -> str | None:
    """Return the status option of the controller state; None (unknown) for unknown codes."""
    state = data.status.state
    return STATUS_OPTIONS.get(state) if state is not None else None


def _vehicle_eta(data: ChargerData) -> datetime | None:
    """When the vehicle will be full, to the minute so a ticking countdown does not rewrite it."""
    seconds = data.status.vehicle_eta
    if seconds is None or seconds <= 0:
        return None
    eta = dt_util.utcnow() + timedelta(seconds=seconds)
    return eta.replace(second=0, microsecond=0)


def _has(*raw_keys: str) -> Callable[[ChargerData], bool]:
    """Create the entity only when the charger reports one of these status keys with a value."""

    def exists(data: ChargerData) -> bool:
        return any(data.status.raw.get(key) not in (None, False) for key in raw_keys)

    return exists


def _reports(*raw_keys: str) -> Callable[[ChargerData], bool]:
    """Create the entity when the charger's status carries one of these keys at all."""

    def exists(data: ChargerData) -> bool:
        return any(key in data.status.raw for key in raw_keys)

    return exists


def _has_vehicle_data(data: ChargerData) -> bool:
    """Tell whether the charger gets vehicle data (Tesla, MQTT or HTTP) or reports some."""
    return bool(data.config.vehicle_data_source) or _has(
        "battery_level", "battery_range", "time_to_full_charge"
    )(data)


def _status_value(
    getter: Callable[[ChargerStatus], StateType],
) -> Callable[[ChargerData], StateType]:
    return lambda data: getter(data.status)


@dataclass(frozen=True, kw_only=True)
class ChargerSensorDescription(ValueSensorDescription[ChargerData]):
    """How one charger sensor reads its value and whether this charger has it."""

    exists_fn: Callable[[ChargerData], bool] = lambda _: True
    unit_fn: Callable[[ChargerData], str | None] | None = None


def _energy(key: str, getter: Callable[[ChargerStatus], StateType]) -> ChargerSensorDescription:
    """Describe a period energy total (kWh, resets each period), disabled by default."""
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        entity_registry_enabled_default=False,
        value_fn=_status_value(getter),
        exists_fn=_reports(key),
    )


def _temperature(
    key: str, raw_key: str, getter: Callable[[ChargerStatus], StateType], *, enabled: bool
) -> ChargerSensorDescription:
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=None if enabled else EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=enabled,
        value_fn=_status_value(getter),
        exists_fn=_has(raw_key),
    )


def _fault_counter(
    key: str, raw_key: str, getter: Callable[[ChargerStatus], StateType]
) -> ChargerSensorDescription:
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_status_value(getter),
        exists_fn=_reports(raw_key),
    )


def _amps(
    key: str,
    getter: Callable[[ChargerStatus], StateType],
    raw_key: str,
    *,
    diagnostic: bool = False,
    enabled: bool = True,
) -> ChargerSensorDescription:
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        entity_registry_enabled_default=enabled,
        value_fn=_status_value(getter),
        exists_fn=_reports(raw_key),
    )


def _watts(
    key: str, getter: Callable[[ChargerStatus], StateType], raw_key: str, *, enabled: bool = True
) -> ChargerSensorDescription:
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        entity_registry_enabled_default=enabled,
        value_fn=_status_value(getter),
        exists_fn=_reports(raw_key),
    )


def _controlled_by(prop: str) -> ChargerSensorDescription:
    """Describe the sensor naming the client whose claim decides ``prop`` right now."""
    return ChargerSensorDescription(
        key=f"{prop}_controlled_by",
        translation_key=f"{prop}_controlled_by",
        device_class=SensorDeviceClass.ENUM,
        options=CONTROLLER_OPTIONS,
        value_fn=lambda data: controlled_by(data, prop),
        exists_fn=lambda data: data.features.claims,
    )


def _last_session(
    key: str,
    read: Callable[[FinishedSession], StateType | datetime],
    device_class: SensorDeviceClass,
    *,
    unit: str | None = None,
    suggested_unit: str | None = None,
    precision: int | None = None,
) -> ChargerSensorDescription:
    """Describe a figure of the last finished session, on chargers that keep an event log."""
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=device_class,
        native_unit_of_measurement=unit,
        suggested_unit_of_measurement=suggested_unit,
        suggested_display_precision=precision,
        value_fn=lambda data: None if data.last_session is None else read(data.last_session),
        exists_fn=lambda data: data.has_event_log,
    )


def _schedule_transition(key: str, *, active: bool) -> ChargerSensorDescription:
    """Describe when the charger's timer next starts (``active``) or stops charging."""
    return ChargerSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: next_transition(data.schedule_plan, active=active),
        exists_fn=lambda data: data.schedule is not None,
    )


SENSORS: Final[tuple[ChargerSensorDescription, ...]] = (
    ChargerSensorDescription(
        key="status",
        translation_key="charger_status",
        device_class=SensorDeviceClass.ENUM,
        options=list(STATUS_OPTIONS.values()),
        value_fn=charger_status,
    ),
    _amps("charging_current", lambda s: s.charging_current, "amp"),
    ChargerSensorDescription(
        key="voltage",
        translation_key="voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=0,
        value_fn=_status_value(lambda s: s.voltage),
        exists_fn=_reports("voltage"),
    ),
    # The charger's own reading where it has one, else volts times amps (older firmware).
    _watts("power", lambda s: s.charging_power, "amp"),
    ChargerSensorDescription(
        key="session_energy",
        translation_key="session_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.WATT_HOUR,
        suggested_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=_status_value(lambda s: s.session_energy),
        exists_fn=_reports("session_energy", "wattsec"),
    ),
    # The lifetime meter is the one to pick in the Energy dashboard.
    ChargerSensorDescription(
        key="total_energy",
        translation_key="total_energy",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=_status_value(lambda s: s.total_energy),
        exists_fn=_reports("total_energy", "watthour", "wh"),
    ),
    _energy("total_day", lambda s: s.total_day),
    _energy("total_week", lambda s: s.total_week),
    _energy("total_month", lambda s: s.total_month),
    _energy("total_year", lambda s: s.total_year),
    ChargerSensorDescription(
        key="session_time",
        translation_key="session_time",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_status_value(lambda s: s.session_elapsed),
        exists_fn=_reports("session_elapsed", "elapsed"),
    ),
    _amps("current_capacity", lambda s: s.pilot, "pilot"),
    _amps("max_current", lambda s: s.max_current, "max_current", diagnostic=True),
    ChargerSensorDescription(
        key="service_level",
        translation_key="service_level",
        device_class=SensorDeviceClass.ENUM,
        options=list(SERVICE_LEVEL_OPTIONS.values()),
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: SERVICE_LEVEL_OPTIONS.get(data.status.service_level or 0),
        exists_fn=_reports("service_level"),
    ),
    _temperature("ambient_temperature", "temp", lambda s: s.ambient_temperature, enabled=True),
    _temperature("max_temperature", "temp_max", lambda s: s.max_temperature, enabled=False),
    _temperature("rtc_temperature", "temp2", lambda s: s.rtc_temperature, enabled=False),
    _temperature("ir_temperature", "temp3", lambda s: s.ir_temperature, enabled=False),
    _temperature("esp_temperature", "temp4", lambda s: s.esp_temperature, enabled=False),
    wifi_signal(
        ChargerSensorDescription,
        value_fn=_status_value(lambda s: s.wifi_signal),
        exists_fn=_reports("srssi"),
    ),
    _amps("divert_charge_rate", lambda s: s.charge_rate, "charge_rate"),
    _watts("divert_solar", lambda s: s.solar, "solar", enabled=False),
    _watts("divert_grid", lambda s: s.grid_ie, "grid_ie", enabled=False),
    _amps("shaper_available_current", lambda s: s.shaper_current_available, "shaper_cur"),
    _watts("shaper_live_power", lambda s: s.shaper_live_power, "shaper_live_pwr", enabled=False),
    ChargerSensorDescription(
        key="vehicle_soc",
        translation_key="vehicle_soc",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        value_fn=_status_value(lambda s: s.vehicle_soc),
        exists_fn=_has_vehicle_data,
    ),
    ChargerSensorDescription(
        key="vehicle_range",
        translation_key="vehicle_range",
        device_class=SensorDeviceClass.DISTANCE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfLength.KILOMETERS,
        suggested_display_precision=0,
        value_fn=_status_value(lambda s: s.vehicle_range),
        exists_fn=_has_vehicle_data,
        # The charger stores the range in the unit it was fed in, as its config says.
        unit_fn=lambda data: (
            UnitOfLength.MILES if data.config.vehicle_range_miles else UnitOfLength.KILOMETERS
        ),
    ),
    ChargerSensorDescription(
        key="vehicle_time_to_full",
        translation_key="vehicle_time_to_full",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_vehicle_eta,
        exists_fn=_has_vehicle_data,
    ),
    _fault_counter("gfci_count", "gfcicount", lambda s: s.gfci_count),
    _fault_counter("no_ground_count", "nogndcount", lambda s: s.no_ground_count),
    _fault_counter("stuck_relay_count", "stuckcount", lambda s: s.stuck_relay_count),
    ChargerSensorDescription(
        key="boot_time",
        translation_key="boot_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.boot_time,
        exists_fn=_reports("uptime"),
    ),
    *(_controlled_by(prop) for prop in CONTROLLED_PROPERTIES),
    _last_session(
        "last_session_energy",
        lambda session: session.energy,
        SensorDeviceClass.ENERGY,
        unit=UnitOfEnergy.WATT_HOUR,
        suggested_unit=UnitOfEnergy.KILO_WATT_HOUR,
        precision=2,
    ),
    _last_session(
        "last_session_duration",
        lambda session: session.duration,
        SensorDeviceClass.DURATION,
        unit=UnitOfTime.SECONDS,
        suggested_unit=UnitOfTime.MINUTES,
        precision=0,
    ),
    _last_session("last_session_end", lambda session: session.ended, SensorDeviceClass.TIMESTAMP),
    _schedule_transition("next_schedule_start", active=True),
    _schedule_transition("next_schedule_stop", active=False),
    _last_session(
        "last_session_max_temperature",
        lambda session: session.temperature_max,
        SensorDeviceClass.TEMPERATURE,
        unit=UnitOfTemperature.CELSIUS,
        precision=1,
    ),
)


class ChargerSensor(ChargerEntity, SensorEntity):
    """A charger sensor driven by its description."""

    entity_description: ChargerSensorDescription

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The sensor's value from the latest snapshot."""
        return self.entity_description.value_fn(self.data)

    @property
    @override
    def native_unit_of_measurement(self) -> str | None:
        """The unit, for sensors whose unit depends on the charger's settings."""
        if self.entity_description.unit_fn is not None:
            return self.entity_description.unit_fn(self.data)
        return super().native_unit_of_measurement

    @override
    def _render_inputs(self) -> tuple[object, ...]:
        # Everything else a sensor renders comes from its description and registry options.
        return (self.native_value, self.native_unit_of_measurement)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ChargerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors this charger can provide."""
    async_add_supported(entry, async_add_entities, ChargerSensor, SENSORS)
    await async_setup_plan_sensors(hass, entry, async_add_entities)
