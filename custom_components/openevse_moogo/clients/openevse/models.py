"""Typed views of the OpenEVSE gateway's JSON payloads.

Units are normalised here, once, at the edge: the firmware reports the charge current in
milliamps, temperatures in tenths of a degree Celsius (or ``false`` when a sensor is absent),
session energy in Wh, lifetime and period totals in kWh and power in W. The models expose amps,
degrees Celsius, Wh for the session, kWh for totals and W for power, and fall back to the older
keys that earlier firmware used (``wattsec``, ``watthour``, ``temp1``, ``free_heap`` ...).

Parsing never fails on a well-formed JSON object: a key that is missing or has an unexpected type
becomes ``None``, unknown keys are ignored, and the original object is kept in ``raw`` for
diagnostics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from enum import Enum, IntEnum, StrEnum
from types import MappingProxyType
from typing import Any, Final, Self

from .version import FirmwareVersion

_EMPTY: Mapping[str, Any] = MappingProxyType({})

VEHICLE_CONNECTED_FLAG = 0x0100
"""Bit of the controller's ``flags`` that says a vehicle is plugged in."""


class EvseState(IntEnum):
    """J1772 / controller state codes reported as ``state``."""

    STARTING = 0
    NOT_CONNECTED = 1
    CONNECTED = 2
    CHARGING = 3
    VENT_REQUIRED = 4
    DIODE_CHECK_FAILED = 5
    GFCI_FAULT = 6
    NO_EARTH_GROUND = 7
    STUCK_RELAY = 8
    GFCI_SELF_TEST_FAILED = 9
    OVER_TEMPERATURE = 10
    OVER_CURRENT = 11
    SLEEPING = 254
    DISABLED = 255

    @property
    def is_error(self) -> bool:
        """Whether the controller is in a fault state."""
        return EvseState.VENT_REQUIRED <= self <= EvseState.OVER_CURRENT


class ChargeState(StrEnum):
    """Value of the ``state`` property of claims and overrides (and the manager ``status``)."""

    ACTIVE = "active"
    DISABLED = "disabled"


class DivertMode(IntEnum):
    """Solar divert mode: ``fast`` charges normally, ``eco`` follows the surplus."""

    FAST = 1
    ECO = 2


class ChargeMode(StrEnum):
    """Config ``charge_mode``: the divert mode selected when divert is enabled."""

    FAST = "fast"
    ECO = "eco"


class ServiceLevel(IntEnum):
    """Config ``service``: J1772 service level (0 lets the controller detect it)."""

    AUTOMATIC = 0
    LEVEL_1 = 1
    LEVEL_2 = 2


class VehicleDataSource(IntEnum):
    """Config ``vehicle_data_src``: where the charger takes vehicle SoC, range and ETA from."""

    NONE = 0
    TESLA = 1
    MQTT = 2
    HTTP = 3
    """``POST /status`` (what :meth:`OpenEVSE.post_status_feeds` sends)."""


class LimitType(StrEnum):
    """Kinds of charge limit: minutes, session Wh, battery % or vehicle range."""

    TIME = "time"
    ENERGY = "energy"
    SOC = "soc"
    RANGE = "range"


# --- value coercion: the single place that decides what a JSON value means -----------------


def as_float(value: object) -> float | None:
    """Return a finite number as float; booleans, text and non-finite values give None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_int(value: object) -> int | None:
    """Return a whole number as int; anything else gives None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_bool(value: object) -> bool | None:
    """Return a JSON boolean or a 0/1 flag as bool; anything else gives None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return None


def as_str(value: object) -> str | None:
    """Return text as is; anything else gives None."""
    return value if isinstance(value, str) else None


def as_enum[E: Enum](enum: type[E], value: object) -> E | None:
    """Return the enum member for a value, or None for unknown or mistyped values."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def _scaled(value: object, factor: float) -> float | None:
    number = as_float(value)
    return None if number is None else number * factor


def _tenths_celsius(value: object) -> float | None:
    """Convert a temperature in tenths of a degree (``false`` when absent) to degrees."""
    return _scaled(value, 0.1)


def _first(raw: Mapping[str, Any], *keys: str) -> object:
    """Return the value of the first key present (and not ``false``)."""
    for key in keys:
        value = raw.get(key)
        if value is not None and value is not False:
            return value
    return None


def _timestamp(value: object) -> datetime | None:
    """Parse the firmware's ISO-8601 timestamps (``...Z`` or ``...-0700``)."""
    text = as_str(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else _EMPTY


# --- payload models -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerStatus:
    """The ``/status`` object (also what the websocket pushes), with normalised units."""

    raw: Mapping[str, Any] = field(repr=False)
    state: EvseState | None
    state_code: int | None
    manager_status: ChargeState | None
    vehicle_connected: bool | None
    charging_current: float | None
    """Actual charge current in A (the firmware reports mA)."""
    voltage: float | None
    power: float | None
    """Power in W as the charger reports it (firmware 4.2 and later)."""
    pilot: int | None
    max_current: int | None
    flags: int | None
    colour: int | None
    manual_override: bool | None
    ambient_temperature: float | None
    max_temperature: float | None
    rtc_temperature: float | None
    ir_temperature: float | None
    esp_temperature: float | None
    session_energy: float | None
    """Energy of the current session in Wh."""
    session_elapsed: int | None
    total_energy: float | None
    """Lifetime energy in kWh."""
    total_day: float | None
    total_week: float | None
    total_month: float | None
    total_year: float | None
    total_switches: int | None
    divert_mode: DivertMode | None
    divert_active: bool | None
    solar: float | None
    grid_ie: float | None
    charge_rate: float | None
    shaper_enabled: bool | None
    shaper_live_power: float | None
    shaper_max_power: float | None
    shaper_current_available: float | None
    shaper_updated: bool | None
    service_level: int | None
    limit_active: bool | None
    ota_update: bool | None
    ota_state: str | None
    """The last firmware update message pushed on the websocket (``started``, ``completed``,
    ``failed``); never in ``/status`` itself (http_update.cpp:96-173)."""
    ota_progress: int | None
    """The last ``ota_progress`` percentage pushed on the websocket."""
    vehicle_soc: float | None
    vehicle_range: float | None
    vehicle_eta: float | None
    """Seconds until the vehicle reports a full battery."""
    wifi_signal: int | None
    mode: str | None
    ip_address: str | None
    mac_address: str | None
    wifi_connected: bool | None
    ethernet_connected: bool | None
    emoncms_connected: bool | None
    mqtt_connected: bool | None
    ocpp_connected: bool | None
    evse_connected: bool | None
    uptime: int | None
    free_ram: int | None
    time: datetime | None
    gfci_count: int | None
    no_ground_count: int | None
    stuck_relay_count: int | None
    config_version: int | None
    claims_version: int | None
    override_version: int | None
    schedule_version: int | None
    schedule_plan_version: int | None
    limit_version: int | None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from a ``/status`` object."""
        state_code = as_int(raw.get("state"))
        flags = as_int(raw.get("flags"))
        vehicle = as_bool(raw.get("vehicle"))
        if vehicle is None and flags is not None:
            vehicle = bool(flags & VEHICLE_CONNECTED_FLAG)
        session_energy = as_float(raw.get("session_energy"))
        if session_energy is None:
            session_energy = _scaled(raw.get("wattsec"), 1 / 3600)
        total_energy = as_float(raw.get("total_energy"))
        if total_energy is None:
            total_energy = _scaled(_first(raw, "watthour", "wh"), 1 / 1000)
        return cls(
            raw=raw,
            state=as_enum(EvseState, state_code),
            state_code=state_code,
            manager_status=as_enum(ChargeState, raw.get("status")),
            vehicle_connected=vehicle,
            charging_current=_scaled(raw.get("amp"), 1 / 1000),
            voltage=as_float(raw.get("voltage")),
            power=as_float(raw.get("power")),
            pilot=as_int(raw.get("pilot")),
            max_current=as_int(raw.get("max_current")),
            flags=flags,
            colour=as_int(raw.get("colour")),
            manual_override=as_bool(raw.get("manual_override")),
            ambient_temperature=_tenths_celsius(_first(raw, "temp", "temp1")),
            max_temperature=_tenths_celsius(raw.get("temp_max")),
            rtc_temperature=_tenths_celsius(raw.get("temp2")),
            ir_temperature=_tenths_celsius(raw.get("temp3")),
            esp_temperature=_tenths_celsius(raw.get("temp4")),
            session_energy=session_energy,
            session_elapsed=as_int(_first(raw, "session_elapsed", "elapsed")),
            total_energy=total_energy,
            total_day=as_float(raw.get("total_day")),
            total_week=as_float(raw.get("total_week")),
            total_month=as_float(raw.get("total_month")),
            total_year=as_float(raw.get("total_year")),
            total_switches=as_int(raw.get("total_switches")),
            divert_mode=as_enum(DivertMode, as_int(raw.get("divertmode"))),
            divert_active=as_bool(raw.get("divert_active")),
            solar=as_float(raw.get("solar")),
            grid_ie=as_float(raw.get("grid_ie")),
            charge_rate=as_float(raw.get("charge_rate")),
            shaper_enabled=as_bool(raw.get("shaper")),
            shaper_live_power=as_float(raw.get("shaper_live_pwr")),
            shaper_max_power=as_float(raw.get("shaper_max_pwr")),
            shaper_current_available=as_float(raw.get("shaper_cur")),
            shaper_updated=as_bool(raw.get("shaper_updated")),
            service_level=as_int(raw.get("service_level")),
            limit_active=as_bool(raw.get("limit", raw.get("has_limit"))),
            ota_update=as_bool(raw.get("ota_update")),
            ota_state=as_str(raw.get("ota")),
            ota_progress=as_int(raw.get("ota_progress")),
            vehicle_soc=as_float(_first(raw, "battery_level", "vehicle_soc")),
            vehicle_range=as_float(_first(raw, "battery_range", "vehicle_range")),
            vehicle_eta=as_float(raw.get("time_to_full_charge")),
            wifi_signal=as_int(raw.get("srssi")),
            mode=as_str(raw.get("mode")),
            ip_address=as_str(raw.get("ipaddress")),
            mac_address=as_str(raw.get("macaddress")),
            wifi_connected=as_bool(raw.get("wifi_client_connected")),
            ethernet_connected=as_bool(raw.get("eth_connected")),
            emoncms_connected=as_bool(raw.get("emoncms_connected")),
            mqtt_connected=as_bool(raw.get("mqtt_connected")),
            ocpp_connected=as_bool(raw.get("ocpp_connected")),
            evse_connected=as_bool(_first(raw, "evse_connected", "rapi_connected")),
            uptime=as_int(raw.get("uptime")),
            free_ram=as_int(_first(raw, "freeram", "free_heap")),
            time=_timestamp(raw.get("time")),
            gfci_count=as_int(raw.get("gfcicount")),
            no_ground_count=as_int(raw.get("nogndcount")),
            stuck_relay_count=as_int(raw.get("stuckcount")),
            config_version=as_int(raw.get("config_version")),
            claims_version=as_int(raw.get("claims_version")),
            override_version=as_int(raw.get("override_version")),
            schedule_version=as_int(raw.get("schedule_version")),
            schedule_plan_version=as_int(raw.get("schedule_plan_version")),
            limit_version=as_int(raw.get("limit_version")),
        )

    @property
    def charging_power(self) -> float | None:
        """Power in W: the reported value, else voltage times current (older firmware)."""
        if self.power is not None:
            return self.power
        if self.voltage is None or self.charging_current is None:
            return None
        return self.voltage * self.charging_current

    @property
    def status_text(self) -> str | None:
        """One word for the charger's condition, as older clients reported it.

        The manager status (``active``/``disabled``) when the firmware reports one, else the
        controller state's name in lower case (``sleeping``, ``charging`` ...).
        """
        if self.manager_status is not None:
            return self.manager_status.value
        if self.state is not None:
            return self.state.name.lower()
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerConfig:
    """The ``/config`` object: identity, limits and the few settings the client writes."""

    raw: Mapping[str, Any] = field(repr=False)
    firmware_version: FirmwareVersion
    """Version of the WiFi gateway firmware (``version``)."""
    controller_firmware: str | None
    protocol: str | None
    wifi_serial: str | None
    build_env: str | None
    evse_serial: str | None
    hostname: str | None
    min_current_hard: int | None
    max_current_hard: int | None
    max_current_soft: int | None
    service_level: ServiceLevel | None
    charge_mode: ChargeMode | None
    divert_enabled: bool | None
    current_shaper_enabled: bool | None
    current_shaper_max_power: float | None
    led_brightness: int | None
    vehicle_range_miles: bool | None
    vehicle_data_source: int | None
    is_threephase: bool | None
    pause_uses_disabled: bool | None
    default_state: bool | None
    mqtt_enabled: bool | None
    ocpp_enabled: bool | None
    auth_enabled: bool
    """Whether the web UI and API are protected by a user name."""

    @property
    def time_zone(self) -> str | None:
        """The IANA name of the charger's zone (``time_zone`` is "Region/City|POSIX")."""
        zone = as_str(self.raw.get("time_zone"))
        name = zone.split("|", 1)[0].strip() if zone else ""
        return name or None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from a ``/config`` object."""
        return cls(
            raw=raw,
            firmware_version=FirmwareVersion.parse(raw.get("version")),
            controller_firmware=as_str(raw.get("firmware")),
            protocol=as_str(raw.get("protocol")),
            wifi_serial=as_str(raw.get("wifi_serial")) or None,
            build_env=as_str(raw.get("buildenv")),
            evse_serial=as_str(raw.get("evse_serial")) or None,
            hostname=as_str(raw.get("hostname")),
            min_current_hard=as_int(raw.get("min_current_hard")),
            max_current_hard=as_int(raw.get("max_current_hard")),
            max_current_soft=as_int(raw.get("max_current_soft")),
            service_level=as_enum(ServiceLevel, as_int(raw.get("service"))),
            charge_mode=as_enum(ChargeMode, raw.get("charge_mode")),
            divert_enabled=as_bool(raw.get("divert_enabled")),
            current_shaper_enabled=as_bool(raw.get("current_shaper_enabled")),
            current_shaper_max_power=as_float(raw.get("current_shaper_max_pwr")),
            led_brightness=as_int(raw.get("led_brightness")),
            vehicle_range_miles=as_bool(raw.get("mqtt_vehicle_range_miles")),
            vehicle_data_source=as_int(raw.get("vehicle_data_src")),
            is_threephase=as_bool(raw.get("is_threephase")),
            pause_uses_disabled=as_bool(raw.get("pause_uses_disabled")),
            default_state=as_bool(raw.get("default_state")),
            mqtt_enabled=as_bool(raw.get("mqtt_enabled")),
            ocpp_enabled=as_bool(raw.get("ocpp_enabled")),
            auth_enabled=bool(as_str(raw.get("www_username"))),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimProperties:
    """What a claim (or the manual override) asks of the charger; unset properties are None."""

    raw: Mapping[str, Any] = field(repr=False)
    state: ChargeState | None
    charge_current: int | None
    max_current: int | None
    auto_release: bool | None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from a claim or override object."""
        return cls(
            raw=raw,
            state=as_enum(ChargeState, raw.get("state")),
            charge_current=as_int(raw.get("charge_current")),
            max_current=as_int(raw.get("max_current")),
            auto_release=as_bool(raw.get("auto_release")),
        )


Override = ClaimProperties
"""The manual override (``/override``) has exactly the shape of a claim's properties."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One entry of ``/claims``: who claims what, at which priority."""

    client_id: int | None
    priority: int | None
    properties: ClaimProperties

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from one ``/claims`` entry."""
        return cls(
            client_id=as_int(raw.get("client")),
            priority=as_int(raw.get("priority")),
            properties=ClaimProperties.from_dict(raw),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimTarget:
    """``/claims/target``: the winning value of each property and the client that set it."""

    raw: Mapping[str, Any] = field(repr=False)
    properties: ClaimProperties
    owners: Mapping[str, int]
    """Property name -> client id of the claim that supplies the winning value."""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from a ``/claims/target`` object."""
        owners = {
            name: client
            for name, value in _mapping(raw.get("claims")).items()
            if (client := as_int(value)) is not None
        }
        return cls(
            raw=raw,
            properties=ClaimProperties.from_dict(_mapping(raw.get("properties"))),
            owners=MappingProxyType(owners),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Limit:
    """The active charge limit (``/limit``)."""

    raw: Mapping[str, Any] = field(repr=False)
    limit_type: LimitType | None
    value: float | None
    """Minutes, session Wh, battery % or range, depending on ``limit_type``."""
    auto_release: bool | None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from a ``/limit`` object."""
        return cls(
            raw=raw,
            limit_type=as_enum(LimitType, raw.get("type")),
            value=as_float(raw.get("value")),
            auto_release=as_bool(raw.get("auto_release")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleEvent:
    """One event of the charging timer (``/schedule``)."""

    raw: Mapping[str, Any] = field(repr=False)
    event_id: int | None
    state: ChargeState | None
    time: clock_time | None
    days: tuple[str, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from one ``/schedule`` entry."""
        days = raw.get("days")
        text = as_str(raw.get("time"))
        try:
            at = clock_time.fromisoformat(text) if text is not None else None
        except ValueError:
            at = None
        return cls(
            raw=raw,
            event_id=as_int(raw.get("id")),
            state=as_enum(ChargeState, raw.get("state")),
            time=at,
            days=tuple(day for day in days if isinstance(day, str))
            if isinstance(days, list)
            else (),
        )


# The development branch's optional keys of a timer event: what the window is for (``feature``:
# ``divert`` charges on solar surplus only, ``current`` at ``feature_value`` A, ...) and a session
# limit. A write of the event without them drops them (master scheduler.cpp:530-553, 731-790).
SCHEDULE_FEATURE_KEYS: Final = ("feature", "feature_value", "limit", "limit_value")

# The firmware's weekday names, in its own order (scheduler.cpp: 0 = Sunday).
SCHEDULE_DAYS: Final = (
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanEntry:
    """One timer event on one weekday, as the scheduler laid it out (``/schedule/plan``)."""

    event_id: int | None
    state: ChargeState | None
    day: str | None
    offset: int | None
    """The configured time, in seconds after local midnight."""
    start_offset: int | None
    """When it really acts: active events start at a random moment around their time."""
    duration: int | None
    """Seconds until the next event of the week."""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from one plan entry."""
        return cls(
            event_id=as_int(raw.get("id")),
            state=as_enum(ChargeState, raw.get("state")),
            day=as_str(raw.get("day")),
            offset=as_int(raw.get("offset")),
            start_offset=as_int(raw.get("start_offset")),
            duration=as_int(raw.get("duration")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulePlan:
    """The scheduler's week: what is in force, what comes next and each day's events.

    The firmware sends the days as top-level arrays named by weekday, only for days with
    events (scheduler.cpp serializePlan).
    """

    raw: Mapping[str, Any] = field(repr=False)
    current_day: str | None
    current_offset: int | None
    """Seconds after local midnight on the charger's clock when the plan was made."""
    next_event_delay: int | None
    """Seconds from then until the next event acts; None without events."""
    current_event: PlanEntry | None
    next_event: PlanEntry | None
    days: Mapping[str, tuple[PlanEntry, ...]]
    received: datetime | None = None
    """When the plan was read (its offsets count from then)."""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], received: datetime | None = None) -> Self:
        """Build the model from ``/schedule/plan`` read at ``received``."""

        def entry(value: Any) -> PlanEntry | None:
            return PlanEntry.from_dict(value) if isinstance(value, Mapping) else None

        delay = raw.get("next_event_delay")
        return cls(
            raw=raw,
            current_day=as_str(raw.get("current_day")),
            current_offset=as_int(raw.get("current_offset")),
            next_event_delay=None if isinstance(delay, bool) else as_int(delay),
            current_event=entry(raw.get("current_event")),
            next_event=entry(raw.get("next_event")),
            days=MappingProxyType(
                {
                    day: tuple(
                        PlanEntry.from_dict(item) for item in items if isinstance(item, Mapping)
                    )
                    for day in SCHEDULE_DAYS
                    if isinstance(items := raw.get(day), list)
                }
            ),
            received=received,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChargerFeatures:
    """What this charger can do, detected from the keys its payloads carry.

    Version strings lie on development builds, so wherever the firmware announces a feature by
    reporting a key, the key decides; the version is only the fallback.
    """

    power_reading: bool
    limits: bool
    claims: bool
    override_counter: bool
    serial: bool
    current_shaper: bool
    solar_divert: bool
    evse_restart: bool
    led_brightness: bool
    vehicle_data: bool

    @classmethod
    def detect(cls, status: Mapping[str, Any], config: Mapping[str, Any]) -> Self:
        """Derive the features from raw ``/status`` and ``/config`` objects."""
        version = FirmwareVersion.parse(config.get("version"))
        return cls(
            power_reading="power" in status,
            limits="limit_version" in status or "limit" in status,
            claims="claims_version" in status or version.at_least("4.1.0"),
            override_counter="override_version" in status,
            serial=bool(as_str(config.get("wifi_serial"))),
            current_shaper="shaper" in status,
            solar_divert="divertmode" in status,
            evse_restart="uptime" in status or version.at_least("5.0.0"),
            led_brightness="led_brightness" in config,
            vehicle_data="vehicle_state_update" in status,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogEntry:
    """One line of the gateway's event log (``/logs/{n}``), written at each EVSE state change."""

    raw: Mapping[str, Any] = field(repr=False)
    time: datetime | None
    evse_state: int | None
    vehicle_connected: bool | None
    """From the controller flags (bit 0x100) at the time of the entry."""
    energy: float | None
    """Session energy (Wh) at the time of the entry."""
    elapsed: int | None
    """Session duration (s) at the time of the entry."""
    temperature_max: float | None
    """Highest temperature (°C) the controller had seen at the time of the entry."""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build the model from one ``/logs/{n}`` entry."""
        flags = as_int(raw.get("evseFlags"))
        return cls(
            raw=raw,
            time=_timestamp(raw.get("time")),
            evse_state=as_int(raw.get("evseState")),
            vehicle_connected=None if flags is None else bool(flags & VEHICLE_CONNECTED_FLAG),
            energy=as_float(raw.get("energy")),
            elapsed=as_int(raw.get("elapsed")),
            temperature_max=as_float(raw.get("temperatureMax")),
        )
