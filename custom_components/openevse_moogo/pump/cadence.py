"""When a pump is read once more between its fixed-cadence reads.

Every part of a pump is read on a fixed cadence (see ``const``). A few moments are known in
advance where the pump changes and waiting for the next regular read would show it late: the
announced end of a spray, and the start of the next scheduled spray (which also moves the
schedules' next run). For those the pump's reader reads once more, just after the moment, so a
scheduled spray and its end show within seconds. Each function returns that moment, or None.
"""

from __future__ import annotations

from datetime import datetime

from .const import FIRMWARE_PROGRESS_INTERVAL, SCHEDULED_START_SLACK, SPRAY_END_SLACK
from .data import PumpData


def next_scheduled_start(pump: PumpData, now: datetime) -> datetime | None:
    """Just after the pump's next scheduled spray starts, if one is planned after ``now``."""
    upcoming = pump.next_scheduled_spray
    if upcoming is None or upcoming.next_run is None or upcoming.next_run <= now:
        return None
    return upcoming.next_run + SCHEDULED_START_SLACK


def status_read_by(pump: PumpData, now: datetime) -> datetime | None:
    """When the status is read once more: after the spray's announced end, or the next start.

    A spray whose announced end has passed (the cloud lagging) is left to the regular reads.
    """
    if pump.running:
        end = pump.current_spray_end
        return end + SPRAY_END_SLACK if end is not None and end > now else None
    return next_scheduled_start(pump, now)


def schedules_read_by(pump: PumpData, now: datetime) -> datetime | None:
    """When the schedules are read once more: after the next run, which moves ``next_run``."""
    return next_scheduled_start(pump, now)


def firmware_read_by(pump: PumpData, now: datetime) -> datetime | None:
    """While the pump installs firmware its progress is read every progress interval."""
    if pump.firmware is None or not pump.firmware.updating:
        return None
    return now + FIRMWARE_PROGRESS_INTERVAL
