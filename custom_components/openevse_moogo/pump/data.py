"""What the pump coordinator knows about an account: one snapshot per pump plus the catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from ..clients.moogo import (
    MoogoDevice,
    MoogoDeviceConfig,
    MoogoDeviceStatus,
    MoogoLiquidType,
    MoogoOtaInfo,
    MoogoSchedule,
    MoogoSchedules,
    MoogoSprayRecord,
)

_NONE = timedelta()


def _next_run_key(schedule: MoogoSchedule) -> float:
    return schedule.next_run.timestamp() if schedule.next_run else float("inf")


@dataclass(frozen=True, kw_only=True)
class SprayDay:
    """A pump's sprays of one local day, as the cloud's spray history lists them.

    The figures are counted from the history's rows each time it is read (never added up in
    Home Assistant), so a restart reads the day back and no spray is counted twice.
    """

    day: date
    sprays: int
    seconds: int
    last: MoogoSprayRecord | None
    """The latest spray in the history (of this day or the one before), if any."""

    @classmethod
    def of(cls, records: Iterable[MoogoSprayRecord], day: date, zone: tzinfo) -> SprayDay:
        """Count the sprays among ``records`` that started on ``day`` in ``zone``."""
        dated = [(record.started_at, record) for record in records if record.started_at]
        today = [record for started, record in dated if started.astimezone(zone).date() == day]
        latest = max(dated, key=lambda item: item[0], default=None)
        return cls(
            day=day,
            sprays=len(today),
            seconds=round(
                sum((r.duration for r in today if r.duration), timedelta()).total_seconds()
            ),
            last=None if latest is None else latest[1],
        )


@dataclass(frozen=True, kw_only=True)
class PumpData:
    """Everything known about one pump; parts fetched less often keep their last value."""

    device: MoogoDevice
    status: MoogoDeviceStatus
    schedules: MoogoSchedules | None = None
    config: MoogoDeviceConfig | None = None
    firmware: MoogoOtaInfo | None = None
    history: SprayDay | None = None
    last_spray_end: datetime | None = None
    """End of the last finished spray (the status only tells the planned end while spraying)."""

    @property
    def device_id(self) -> str:
        """The pump's cloud id."""
        return self.device.device_id

    @property
    def name(self) -> str:
        """The name the owner gave the pump in the app."""
        return self.status.name or self.device.name or self.device_id

    @property
    def running(self) -> bool:
        """Whether the pump sprays."""
        return self.status.running

    @property
    def current_spray_end(self) -> datetime | None:
        """When the spray in progress is planned to end, else None."""
        return self.status.latest_spray_end if self.status.running else None

    @property
    def schedules_enabled(self) -> bool | None:
        """The master switch that lets the pump's schedules run."""
        return None if self.schedules is None else self.schedules.master_switch_on

    @property
    def active_schedules(self) -> tuple[MoogoSchedule, ...]:
        """Schedules that will run: enabled, with the master switch on."""
        if self.schedules is None or self.schedules.master_switch_on is False:
            return ()
        return tuple(item for item in self.schedules.schedules if item.enabled)

    @property
    def next_scheduled_spray(self) -> MoogoSchedule | None:
        """The active schedule that runs next, if the cloud told when."""
        upcoming = [item for item in self.active_schedules if item.next_run is not None]
        return min(upcoming, key=_next_run_key) if upcoming else None

    @property
    def firmware_version(self) -> str | None:
        """The installed firmware version."""
        if self.firmware is not None and self.firmware.current_version:
            return self.firmware.current_version
        return self.status.firmware


@dataclass(frozen=True, kw_only=True)
class AccountData:
    """The pumps of the account, by device id, and the concentrate types on offer."""

    pumps: Mapping[str, PumpData]
    liquids: tuple[MoogoLiquidType, ...] = ()
