"""When the charger's gateway booted, from the uptime it reports: stable until a real reboot.

The gateway reports ``uptime`` (whole seconds since boot) in ``/status`` and pushes it with its
periodic data about every 30 s. ``now - uptime`` moves by a second or two between readings
(rounding, delivery), and over weeks the gateway's crystal drifts from Home Assistant's clock by
minutes, so comparing estimates of the boot time would sooner or later call a drift a reboot.
Each reading is therefore compared with the one before it: the same boot keeps counting up at
the pace of the monotonic clock; a reboot makes it start again from zero.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Final

from homeassistant.util import dt as dt_util

# A reading this much lower than the one before is a reboot. Smaller decreases are readings
# overtaking each other (a slow /status reply after a newer push).
REBOOT_DECREASE: Final = 5
# Uptime that grew this many seconds less than the time that passed since the reading before
# started counting again in between (a reboot whose downtime and new uptime together outgrew
# the old uptime): far beyond what delivery delays of a few seconds can explain.
REBOOT_LAG: Final = 60.0


class BootTracker:
    """Turns uptime readings into a boot time that changes only when the gateway rebooted."""

    def __init__(self) -> None:
        """Start without any reading."""
        self.boot_time: datetime | None = None
        self.reboots = 0
        """Reboots seen since the first reading."""
        self._uptime: int | None = None
        self._read_at = 0.0

    def update(self, uptime: int | None) -> datetime | None:
        """Take the uptime the charger reports now; return the boot time."""
        if uptime is None or uptime == self._uptime:
            return self.boot_time  # no new reading: a stale value says nothing about the clock
        now = time.monotonic()
        previous = self._uptime
        if previous is not None and (
            uptime < previous - REBOOT_DECREASE
            or previous + (now - self._read_at) - uptime > REBOOT_LAG
        ):
            self.reboots += 1
            self.boot_time = None
        self._uptime, self._read_at = uptime, now
        if self.boot_time is None:
            estimate = dt_util.utcnow() - timedelta(seconds=uptime)
            self.boot_time = estimate.replace(microsecond=0)
        return self.boot_time
