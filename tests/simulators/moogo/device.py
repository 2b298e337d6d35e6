"""One simulated pump as the cloud sees it: status, spray state machine, schedules, config.

Time is evaluated lazily: every read first calls :meth:`SimDevice.advance`, which replays, in
order, everything that became due since the last read (a command reaching the pump after the
confirm delay, a spray running out, a schedule firing, an OTA finishing). No background task is
needed, so a stopped simulator leaves nothing behind and a fake clock can jump freely.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

from .schedules import MAX_SCHEDULES_PER_DEVICE, Schedule, zone_of
from .wire import CODE_BUSINESS, BusinessError

COLD_LOCK_BELOW = 8  # degrees Celsius: the cloud refuses to start a spray below this
MAX_REPLAY = 7 * 24 * 3600  # a clock jump replays at most a week of schedule runs

CONFIG_KEYS_WRITABLE = frozenset(
    {
        "deviceId",
        "stopTemperature",
        "stopRainy",
        "stopSnow",
        "userId",
        "liquidName",
        "timeZone",
        "sprayingSeconds",
        "id",
        "stopWindstorm",
        "liquidConcentration",
    }
)


@dataclass
class PendingCommand:
    """A start or stop acknowledged by the cloud and not yet carried out by the pump."""

    due: float
    action: Literal["start", "stop"]
    seconds: int | None = None  # spray length; None means the configured ``sprayingSeconds``


@dataclass
class Spray:
    """The spray in progress."""

    started_at: float
    planned_end: float


@dataclass
class Weather:
    """The weather at the pump, as the cloud knows it."""

    rain: bool = False
    snow: bool = False
    wind: bool = False


@dataclass
class Firmware:
    """The firmware offered by the cloud for this device and an update in progress."""

    offered: str | None = None
    description: str = ""
    updating_until: float | None = None


@dataclass
class SimDevice:
    """The cloud's record of one pump."""

    device_id: str
    name: str
    created_at: int
    online: bool = True
    temperature: float = 22.0
    humidity: int = 55
    rssi: int = -58
    water_low: bool = False
    concentrate_low: bool = False
    firmware: str = "1.0.8"
    config: dict[str, Any] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    schedules_master_on: bool = True
    history: list[dict[str, Any]] = field(default_factory=list)
    spray: Spray | None = None
    latest_duration: int = 0
    latest_end: int = 0
    pending: list[PendingCommand] = field(default_factory=list)
    ota: Firmware = field(default_factory=Firmware)
    weather: Weather = field(default_factory=Weather)
    access_revoked: bool = False
    advanced_to: float = 0.0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ----- derived readings -------------------------------------------------------------

    @property
    def reported_temperature(self) -> int:
        """The pump reports whole degrees; the cloud only knows (and checks) that value."""
        return round(self.temperature)

    @property
    def weather_stop(self) -> str | None:
        """Why the configuration's weather stops hold scheduled sprays back now, if they do.

        ``stopRainy``, ``stopSnow`` and ``stopWindstorm`` are on/off flags, ``stopTemperature``
        a threshold in degrees Celsius (scheduled sprays pause below it); the onboarding
        defaults are 10, 1, 1, 0. They act on scheduled sprays only: a manual start is the
        user's explicit choice and is refused only by the cold lock.
        """
        config, weather = self.config, self.weather
        if weather.rain and int(config["stopRainy"]):
            return "rain"
        if weather.snow and int(config["stopSnow"]):
            return "snow"
        if weather.wind and int(config["stopWindstorm"]):
            return "wind"
        if self.reported_temperature < int(config["stopTemperature"]):
            return "temperature"
        return None

    @property
    def spraying_seconds(self) -> int:
        """Length of a manual spray, from the device configuration."""
        return int(self.config["sprayingSeconds"])

    def next_id(self, prefix: str) -> str:
        """A fresh identifier for a schedule or a history row of this device."""
        return f"{prefix}{self.device_id[-6:]}{next(self._ids):06d}"

    # ----- wire views --------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """The ``DeviceStatus`` object of ``GET v1/devices/{id}``."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.name,
            "onlineStatus": 1 if self.online else 0,
            "runStatus": 1 if self.spray else 0,
            "rssi": self.rssi,
            "temperature": self.reported_temperature,
            "humidity": self.humidity,
            "liquid_level": 0 if self.concentrate_low else 1,
            "water_level": 0 if self.water_low else 1,
            "liquidConcentration": int(self.config["liquidConcentration"]),
            "latestSprayingDuration": self.latest_duration,
            "latestSprayingEnd": self.latest_end,
            "firmware": self.firmware,
        }

    def info(self) -> dict[str, Any]:
        """The ``DeviceInfo`` object of the devices list."""
        return {
            "deviceId": self.device_id,
            "deviceName": self.name,
            "onlineStatus": 1 if self.online else 0,
            "rssi": self.rssi,
            "createdAt": self.created_at,
        }

    def schedules_page(self, now: float, page: int, page_size: int) -> dict[str, Any]:
        """The ``GET …/schedules`` payload with the master switch."""
        zone = zone_of(str(self.config["timeZone"]))
        rows = [
            item.to_wire(now, zone, master_on=self.schedules_master_on) for item in self.schedules
        ]
        start = (page - 1) * page_size
        return {
            "items": rows[start : start + page_size],
            "total": len(rows),
            "scheduleSwitchStatus": 1 if self.schedules_master_on else 0,
        }

    # ----- commands ----------------------------------------------------------------------

    def command(
        self,
        action: Literal["start", "stop"],
        now: float,
        delay: float,
        *,
        seconds: int | None = None,
    ) -> None:
        """Queue a start or stop; the pump carries it out ``delay`` seconds later."""
        self.pending.append(PendingCommand(due=now + delay, action=action, seconds=seconds))

    def begin_spray(self, at: float, seconds: int) -> None:
        """Start spraying now (a confirmed command or a schedule firing on the pump)."""
        if self.spray is not None:
            return
        self.spray = Spray(started_at=at, planned_end=at + seconds)
        self.latest_duration = seconds
        self.latest_end = int(at + seconds)

    def end_spray(self, at: float) -> None:
        """Stop spraying and record the run in the history."""
        if self.spray is None:
            return
        seconds = max(0, round(at - self.spray.started_at))
        self.history.append(
            {"id": self.next_id("L"), "createdAt": int(self.spray.started_at), "seconds": seconds}
        )
        self.latest_duration = seconds
        self.latest_end = int(at)
        self.spray = None

    def find_schedule(self, schedule_id: str) -> Schedule:
        """Return a schedule of this device or refuse with a business error."""
        for item in self.schedules:
            if item.schedule_id == schedule_id:
                return item
        raise BusinessError(CODE_BUSINESS, "Schedule does not exist")

    def check_schedule_slot(self, hour: int, minute: int, *, ignore: str | None = None) -> None:
        """Refuse a second schedule at the same time of day, as the cloud does."""
        for item in self.schedules:
            if item.schedule_id != ignore and (item.hour, item.minute) == (hour, minute):
                raise BusinessError(CODE_BUSINESS, "The schedule time already exists")

    def check_schedule_room(self) -> None:
        """Refuse more than the app's twenty schedules per device."""
        if len(self.schedules) >= MAX_SCHEDULES_PER_DEVICE:
            raise BusinessError(
                CODE_BUSINESS, f"A device can have at most {MAX_SCHEDULES_PER_DEVICE} schedules"
            )

    # ----- time --------------------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Carry out, in time order, everything that fell due up to ``now``."""
        self.advanced_to = max(self.advanced_to, now - MAX_REPLAY)
        while True:
            due = self._next_event(now)
            if due is None:
                break
            moment, apply = due
            self.advanced_to = moment
            apply(moment)
        self.advanced_to = max(self.advanced_to, now)

    def _next_event(self, now: float) -> tuple[float, Any] | None:
        candidates: list[tuple[float, Any]] = []
        if self.pending:
            first = min(self.pending, key=lambda item: item.due)
            candidates.append((first.due, lambda at, cmd=first: self._apply_command(cmd, at)))
        if self.spray is not None:
            candidates.append((self.spray.planned_end, self.end_spray))
        if self.ota.updating_until is not None:
            candidates.append((self.ota.updating_until, self._finish_ota))
        if self.schedules_master_on:
            zone = zone_of(str(self.config["timeZone"]))
            for item in self.schedules:
                if item.enabled:
                    moment = item.occurrence_after(self.advanced_to, zone)
                    candidates.append((moment, lambda at, s=item: self._fire_schedule(s, at)))
        due = [item for item in candidates if item[0] <= now]
        return min(due, key=lambda item: item[0]) if due else None

    def _apply_command(self, command: PendingCommand, at: float) -> None:
        self.pending.remove(command)
        if not self.online:
            return  # the command never reaches a pump that dropped off the network
        if command.action == "start":
            self.begin_spray(at, command.seconds or self.spraying_seconds)
        else:
            self.end_spray(at)

    def _fire_schedule(self, item: Schedule, at: float) -> None:
        if not item.repeat_days:
            item.enabled = False  # a one-shot schedule runs (or is skipped) once
        if item.is_skip:
            item.is_skip = False
            item.skip_count += 1
            item.last_skipped_at = int(at)
            return
        if self.online and self.reported_temperature >= COLD_LOCK_BELOW and not self.weather_stop:
            self.begin_spray(at, item.duration)

    def _finish_ota(self, _at: float) -> None:
        if self.ota.offered is not None:
            self.firmware = self.ota.offered
        self.ota.updating_until = None
