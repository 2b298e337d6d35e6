"""Spray schedules: validation of the wire fields and next-run computation in the device zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .wire import CODE_BUSINESS, BusinessError

MAX_SCHEDULES_PER_DEVICE = 20


def parse_repeat_set(text: str) -> tuple[int, ...]:
    """Parse ``"0,1,2"`` (0 = Sunday .. 6 = Saturday); the empty string means a one-shot run."""
    if not text.strip():
        return ()
    days: set[int] = set()
    for raw in text.split(","):
        part = raw.strip()
        if not part.isdigit() or not 0 <= int(part) <= 6:
            raise BusinessError(CODE_BUSINESS, "Invalid parameter: repeatSet")
        days.add(int(part))
    return tuple(sorted(days))


def zone_of(name: str) -> tzinfo:
    """Return the IANA zone, or UTC for the empty or POSIX strings some devices report."""
    if is_iana_zone(name):
        return ZoneInfo(name)
    return UTC


def is_iana_zone(name: str) -> bool:
    """Tell whether ``name`` is an IANA zone name (``America/Los_Angeles``), not a POSIX rule."""
    if not name or "," in name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError, ValueError:
        return False
    return True


def wire_weekday(moment: datetime) -> int:
    """Weekday on the wire: 0 = Sunday .. 6 = Saturday (Python's Monday = 0 shifted by one)."""
    return (moment.weekday() + 1) % 7


@dataclass
class Schedule:
    """One schedule of a device, as the cloud stores it."""

    schedule_id: str
    hour: int
    minute: int
    duration: int
    repeat_days: tuple[int, ...]
    enabled: bool
    updated_at: int
    is_skip: bool = False
    skip_count: int = 0
    last_skipped_at: int = 0

    @property
    def repeat_set(self) -> str:
        """The wire form of the repeat days."""
        return ",".join(str(day) for day in self.repeat_days)

    def occurrence_after(self, after: float, zone: tzinfo) -> float:
        """Epoch seconds of the first run strictly after ``after``, in the device's zone."""
        local = datetime.fromtimestamp(after, zone)
        for offset in range(8):  # a weekly repeat falls within the next seven days
            day = local.date() + timedelta(days=offset)
            candidate = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=zone)
            if self.repeat_days and wire_weekday(candidate) not in self.repeat_days:
                continue
            moment = candidate.timestamp()
            if moment > after:
                return moment
        raise AssertionError("a schedule always has a run within eight days")

    def next_run(self, after: float, zone: tzinfo) -> float:
        """The next run that will really spray: a pending skip passes over one occurrence."""
        moment = self.occurrence_after(after, zone)
        if self.is_skip:
            if not self.repeat_days:
                return moment  # a skipped one-shot never runs; show when it would have
            moment = self.occurrence_after(moment, zone)
        return moment

    def to_wire(self, now: float, zone: tzinfo, *, master_on: bool) -> dict[str, Any]:
        """The ``DeviceSchedule`` object of the schedules list."""
        active = self.enabled and master_on
        return {
            "id": self.schedule_id,
            "hour": self.hour,
            "minute": self.minute,
            "duration": self.duration,
            "repeatSet": self.repeat_set,
            "status": 1 if self.enabled else 0,
            "is_skip": self.is_skip,
            "skipCount": self.skip_count,
            "lastSkippedAt": self.last_skipped_at,
            "nextSprayingTime": int(self.next_run(now, zone)) if active else 0,
            "updatedAt": self.updated_at,
        }
