"""Typed, immutable views of the Moogo cloud's payloads.

Each model is a frozen dataclass built by a ``from_api`` class method from one JSON object of the
cloud. The object itself is kept in ``raw`` (left out of ``repr`` and equality) so diagnostics can
show fields this client does not model yet. Timestamps are aware UTC datetimes, durations are
timedeltas, and every value the cloud may omit or garble is optional.

Weekdays follow the cloud's own numbering: 0 = Sunday ... 6 = Saturday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .exceptions import MoogoInvalidResponseError, MoogoValidationError
from .parsing import (
    as_bool,
    as_datetime,
    as_duration,
    as_float,
    as_int,
    as_items,
    as_mapping,
    as_str,
    require_str,
)

SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(7)
EVERY_DAY: frozenset[int] = frozenset(range(7))


def _raw_field() -> Any:
    """Declare the field holding the source object: excluded from repr and comparisons."""
    return field(default_factory=dict, repr=False, compare=False)


class LiquidLevel(StrEnum):
    """Fill state of the water or concentrate tank: the cloud only reports OK or low."""

    OK = "ok"
    LOW = "low"

    @classmethod
    def from_api(cls, value: Any) -> LiquidLevel | None:
        """Read a level flag: 0 means low or empty, any other number means OK."""
        number = as_int(value)
        if number is None:
            return None
        return cls.LOW if number == 0 else cls.OK


def parse_repeat_days(value: Any) -> frozenset[int]:
    """Read the cloud's ``repeatSet`` ("0,1,6"); an empty string means a one-shot schedule."""
    text = as_str(value) or ""
    days: set[int] = set()
    for part in text.split(","):
        day = as_int(part) if part.strip() else None
        if day is not None and 0 <= day <= 6:
            days.add(day)
    return frozenset(days)


def format_repeat_days(days: Iterable[int]) -> str:
    """Write weekday numbers in the cloud's ``repeatSet`` form, sorted and comma-separated."""
    return ",".join(str(day) for day in sorted(set(days)))


@dataclass(frozen=True, kw_only=True)
class MoogoAuthToken:
    """A login's result, which the caller may persist to restore a client without logging in.

    ``token`` and ``user_id`` are secrets and never appear in ``repr``.
    """

    token: str = field(repr=False)
    user_id: str = field(repr=False)
    expires_at: datetime | None

    def is_expired(self, now: datetime) -> bool:
        """Tell whether the cloud's announced lifetime has run out at ``now``."""
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True, kw_only=True)
class MoogoDevice:
    """One pump of the account, as listed by the device list."""

    device_id: str
    name: str
    online: bool
    rssi: int | None
    created_at: datetime | None
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one item of ``GET v1/devices``."""
        data = as_mapping(value, "device")
        return cls(
            device_id=require_str(data, "deviceId", "Device"),
            name=as_str(data.get("deviceName")) or "",
            online=as_bool(data.get("onlineStatus")) or False,
            rssi=as_int(data.get("rssi")),
            created_at=as_datetime(data.get("createdAt")),
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoDeviceStatus:
    """Live state of one pump (``GET v1/devices/{id}``)."""

    device_id: str
    name: str
    online: bool
    running: bool
    rssi: int | None
    temperature: float | None
    """Ambient temperature in degrees Celsius; spraying is locked below 8."""
    humidity: int | None
    """Relative humidity in percent."""
    water_level: LiquidLevel | None
    concentrate_level: LiquidLevel | None
    concentration: int | None
    """Concentrate mix ratio set for the pump."""
    firmware: str | None
    latest_spray_duration: timedelta | None
    """Length of the current spray while running, else of the last one."""
    latest_spray_end: datetime | None
    """Planned end of the current spray while running, else the end of the last one."""
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from the ``data`` of ``GET v1/devices/{id}``."""
        data = as_mapping(value, "device status")
        return cls(
            device_id=require_str(data, "deviceId", "Device status"),
            name=as_str(data.get("deviceName")) or "",
            online=as_bool(data.get("onlineStatus")) or False,
            running=as_bool(data.get("runStatus")) or False,
            rssi=as_int(data.get("rssi")),
            temperature=as_float(data.get("temperature")),
            humidity=as_int(data.get("humidity")),
            water_level=LiquidLevel.from_api(data.get("water_level")),
            concentrate_level=LiquidLevel.from_api(data.get("liquid_level")),
            concentration=as_int(data.get("liquidConcentration")),
            firmware=as_str(data.get("firmware")) or None,
            latest_spray_duration=as_duration(data.get("latestSprayingDuration")),
            latest_spray_end=as_datetime(data.get("latestSprayingEnd")),
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class ScheduleSpec:
    """What a schedule does: the fields the cloud takes when creating or editing one.

    Validated on construction, so an invalid schedule never reaches the cloud.
    ``repeat_days`` empty means the schedule runs once.
    """

    hour: int
    minute: int
    duration: int
    """Spray length in seconds."""
    repeat_days: frozenset[int] = EVERY_DAY
    enabled: bool = True

    def __post_init__(self) -> None:
        """Reject values the cloud or the pump cannot represent."""
        object.__setattr__(self, "repeat_days", frozenset(self.repeat_days))
        problems = []
        if not 0 <= self.hour <= 23:
            problems.append("hour must be 0-23")
        if not 0 <= self.minute <= 59:
            problems.append("minute must be 0-59")
        if self.duration <= 0:
            problems.append("duration must be a positive number of seconds")
        if not self.repeat_days <= EVERY_DAY:
            problems.append("repeat days must be 0 (Sunday) to 6 (Saturday)")
        if problems:
            raise MoogoValidationError("Invalid schedule: " + ", ".join(problems))

    def to_api(self) -> dict[str, Any]:
        """Render the request body; the cloud expects all five fields on every write."""
        return {
            "hour": self.hour,
            "minute": self.minute,
            "duration": self.duration,
            "repeatSet": format_repeat_days(self.repeat_days),
            "status": 1 if self.enabled else 0,
        }


@dataclass(frozen=True, kw_only=True)
class MoogoSchedule:
    """One spray schedule of a pump."""

    schedule_id: str
    hour: int
    minute: int
    duration: int
    """Spray length in seconds."""
    repeat_days: frozenset[int]
    """Weekdays it runs on (0 = Sunday); empty for a one-shot schedule."""
    enabled: bool
    skip_next: bool
    """The next occurrence will be skipped."""
    skip_count: int | None
    last_skipped_at: datetime | None
    next_run: datetime | None
    updated_at: datetime | None
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one item of ``GET v1/devices/{id}/schedules``."""
        data = as_mapping(value, "schedule")
        return cls(
            schedule_id=require_str(data, "id", "Schedule"),
            hour=as_int(data.get("hour")) or 0,
            minute=as_int(data.get("minute")) or 0,
            duration=as_int(data.get("duration")) or 0,
            repeat_days=parse_repeat_days(data.get("repeatSet")),
            enabled=as_bool(data.get("status")) or False,
            skip_next=as_bool(data.get("is_skip")) or False,
            skip_count=as_int(data.get("skipCount")),
            last_skipped_at=as_datetime(data.get("lastSkippedAt")),
            next_run=as_datetime(data.get("nextSprayingTime")),
            updated_at=as_datetime(data.get("updatedAt")),
            raw=data,
        )

    def to_spec(self) -> ScheduleSpec:
        """Return the editable part, e.g. to change one field with ``dataclasses.replace``."""
        return ScheduleSpec(
            hour=self.hour,
            minute=self.minute,
            duration=self.duration,
            repeat_days=self.repeat_days,
            enabled=self.enabled,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoSchedules:
    """A pump's schedules and the master switch that enables or disables all of them."""

    schedules: tuple[MoogoSchedule, ...]
    master_switch_on: bool | None
    total: int | None
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from the ``data`` of ``GET v1/devices/{id}/schedules``."""
        data = as_mapping(value if value is not None else {}, "schedule list")
        items = as_items(data, "schedule list")
        return cls(
            schedules=tuple(MoogoSchedule.from_api(item) for item in items),
            master_switch_on=as_bool(data.get("scheduleSwitchStatus")),
            total=as_int(data.get("total")),
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoDeviceConfig:
    """A pump's settings (``GET v1/devices/{id}/configs``)."""

    config_id: str | None
    device_id: str | None
    liquid_name: str | None
    """Concentrate type, one of the names of the liquid types list."""
    liquid_concentration: int | None
    spraying_seconds: int | None
    """Length of a manual spray in seconds."""
    stop_temperature: int | None
    stop_rainy: int | None
    stop_snow: int | None
    stop_windstorm: int | None
    sync_status: bool | None
    """Whether the pump has received the current settings (read-only)."""
    time_zone: str | None
    """IANA name; some pumps report an empty or POSIX value."""
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from the ``data`` of ``GET v1/devices/{id}/configs``."""
        data = as_mapping(value, "device config")
        return cls(
            config_id=as_str(data.get("id")),
            device_id=as_str(data.get("deviceId")),
            liquid_name=as_str(data.get("liquidName")),
            liquid_concentration=as_int(data.get("liquidConcentration")),
            spraying_seconds=as_int(data.get("sprayingSeconds")),
            stop_temperature=as_int(data.get("stopTemperature")),
            stop_rainy=as_int(data.get("stopRainy")),
            stop_snow=as_int(data.get("stopSnow")),
            stop_windstorm=as_int(data.get("stopWindstorm")),
            sync_status=as_bool(data.get("syncStatus")),
            time_zone=as_str(data.get("timeZone")) or None,
            raw=data,
        )


def iana_time_zone_name(value: str | ZoneInfo) -> str:
    """Return the IANA name of a time zone, rejecting anything the cloud would refuse.

    The cloud accepts only IANA names (``Europe/Berlin``); POSIX rules such as
    ``CET-1CEST,M3.5.0,M10.5.0/3`` are rejected. Validating a text name may read the time zone
    database once (cached afterwards); callers on an event loop can pass a loaded ``ZoneInfo``.
    """
    if isinstance(value, ZoneInfo):
        if value.key is None:
            raise MoogoValidationError("The time zone has no IANA name")
        return value.key
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise MoogoValidationError(f"Not an IANA time zone name: {value!r}") from err
    return value


@dataclass(frozen=True, kw_only=True)
class MoogoConfigUpdate:
    """Settings to change on a pump; fields left at ``None`` are not sent.

    Only keys the cloud accepts for writing are ever produced: it rejects the whole request
    when an unknown key (such as the read-only ``syncStatus``) is present.
    """

    liquid_name: str | None = None
    liquid_concentration: int | None = None
    spraying_seconds: int | None = None
    stop_temperature: int | None = None
    stop_rainy: int | None = None
    stop_snow: int | None = None
    stop_windstorm: int | None = None
    time_zone: str | ZoneInfo | None = None

    def to_api(self) -> dict[str, Any]:
        """Render the request body, validating every value; raise if nothing would change."""
        if self.liquid_name is not None and not self.liquid_name.strip():
            raise MoogoValidationError("The liquid name must not be empty")
        if self.liquid_concentration is not None and self.liquid_concentration <= 0:
            raise MoogoValidationError("The liquid concentration must be positive")
        if self.spraying_seconds is not None and self.spraying_seconds <= 0:
            raise MoogoValidationError("The spraying time must be a positive number of seconds")
        candidates: dict[str, Any] = {
            "liquidName": self.liquid_name,
            "liquidConcentration": self.liquid_concentration,
            "sprayingSeconds": self.spraying_seconds,
            "stopTemperature": self.stop_temperature,
            "stopRainy": self.stop_rainy,
            "stopSnow": self.stop_snow,
            "stopWindstorm": self.stop_windstorm,
            "timeZone": (None if self.time_zone is None else iana_time_zone_name(self.time_zone)),
        }
        body = {key: value for key, value in candidates.items() if value is not None}
        if not body:
            raise MoogoValidationError("No setting to change")
        return body


@dataclass(frozen=True, kw_only=True)
class MoogoSprayRecord:
    """One row of a pump's spray history: when a spray started and how long it lasted."""

    record_id: str | None
    started_at: datetime | None
    duration: timedelta | None
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one item of ``GET v1/devices/{id}/logs``."""
        data = as_mapping(value, "spray record")
        return cls(
            record_id=as_str(data.get("id")),
            started_at=as_datetime(data.get("createdAt")),
            duration=as_duration(data.get("seconds")),
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoOtaInfo:
    """Firmware update state of a pump (``POST v1/devices/{id}/otaCheck``)."""

    current_version: str | None
    latest_version: str | None
    update_available: bool
    updating: bool
    release_notes: str | None
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from the ``data`` of the OTA check."""
        data = as_mapping(value, "OTA check")
        version = data.get("version")
        offered = version if isinstance(version, Mapping) else {}
        return cls(
            current_version=as_str(data.get("currentVersion")) or None,
            latest_version=as_str(offered.get("code")) or None,
            update_available=as_bool(data.get("needUpgrade")) or False,
            updating=as_bool(data.get("isUpdating")) or False,
            release_notes=as_str(offered.get("description")) or None,
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoLiquidType:
    """A concentrate type offered by the vendor (``GET v1/liquid``)."""

    name: str
    concentration: int | None
    """Recommended mix ratio."""
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one element of the liquid list."""
        data = as_mapping(value, "liquid type")
        return cls(
            name=require_str(data, "liquidName", "Liquid type"),
            concentration=as_int(data.get("liquidConcentration")),
            raw=data,
        )


@dataclass(frozen=True, kw_only=True)
class MoogoScheduleTemplate:
    """One schedule of a recommended plan; not tied to a pump."""

    hour: int
    minute: int
    duration: int
    repeat_days: frozenset[int]

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one schedule of a recommended plan."""
        data = as_mapping(value, "plan schedule")
        return cls(
            hour=as_int(data.get("hour")) or 0,
            minute=as_int(data.get("minute")) or 0,
            duration=as_int(data.get("duration")) or 0,
            repeat_days=parse_repeat_days(data.get("repeatSet")),
        )


@dataclass(frozen=True, kw_only=True)
class MoogoRecommendedPlan:
    """A vendor-recommended set of schedules ("misting plan", ``GET v1/devices/schedules``)."""

    plan_id: str | None
    title: str
    banner_url: str | None
    sort_order: int | None
    schedules: tuple[MoogoScheduleTemplate, ...]
    raw: Mapping[str, Any] = _raw_field()

    @classmethod
    def from_api(cls, value: Any) -> Self:
        """Build from one plan of the recommended list."""
        data = as_mapping(value, "recommended plan")
        schedules = data.get("schedules")
        if schedules is not None and not isinstance(schedules, list):
            raise MoogoInvalidResponseError("Recommended plan schedules is not a list")
        return cls(
            plan_id=as_str(data.get("id")),
            title=as_str(data.get("title")) or "",
            banner_url=as_str(data.get("banner")) or None,
            sort_order=as_int(data.get("sortOrder")),
            schedules=tuple(MoogoScheduleTemplate.from_api(item) for item in schedules or []),
            raw=data,
        )


class SprayMode(StrEnum):
    """How the app labels a spray command: a normal spray or the installer's self-test."""

    NORMAL = "normal"
    SELF_TEST = "self-test"


class SprayCommand(StrEnum):
    """A spray command sent to a pump."""

    START = "start"
    STOP = "stop"


class CommandState(StrEnum):
    """How far a command is known to have taken effect."""

    SENT = "sent"
    """The cloud accepted the command; the pump has not been seen to act on it yet."""
    CONFIRMED = "confirmed"
    """The pump's status shows the requested state."""
    NOT_CONFIRMED = "not_confirmed"
    """The pump did not show the requested state within the wait; the command was not resent."""


@dataclass(frozen=True, kw_only=True)
class MoogoCommandResult:
    """Outcome of a start or stop command, and of waiting for it to take effect."""

    device_id: str
    command: SprayCommand
    state: CommandState
    sent_at: datetime
    status: MoogoDeviceStatus | None = None
    """The last status read while confirming, if any."""

    @property
    def wanted_running(self) -> bool:
        """The ``running`` value the command asks for."""
        return self.command is SprayCommand.START
