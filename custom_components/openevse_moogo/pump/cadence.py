"""When each pump's status is read next: every pump on its own cadence, not the account's.

An idle pump is read at the idle interval (the entry's option); a spraying pump faster, timed to
the end the cloud announced for its spray. The coordinator's timer wakes at the earliest due
pump and reads only the pumps that are due, so a spraying pump never speeds up its neighbours.
Times are monotonic seconds (the clock of the event loop that runs the coordinator's timer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .const import (
    MIN_SPRAYING_POLL_INTERVAL,
    SCHEDULED_START_SLACK,
    SPRAY_END_SLACK,
    SPRAYING_POLL_INTERVAL,
    TIMER_TOLERANCE,
)
from .data import PumpData


def status_wait(pump: PumpData, idle: timedelta, now: datetime) -> timedelta:
    """How long the status of ``pump`` stays good enough, read at ``now`` (UTC).

    Idle: the idle interval, or less when a schedule starts a spray before then (read just
    after its start, so the spray shows promptly). Spraying: at most the spraying interval, and
    just after the announced end of the spray (plus slack for the cloud to notice).
    """
    if not pump.running:
        upcoming = pump.next_scheduled_spray
        if upcoming is not None and upcoming.next_run is not None and upcoming.next_run > now:
            return min(idle, upcoming.next_run - now + SCHEDULED_START_SLACK)
        return idle
    wait = SPRAYING_POLL_INTERVAL
    end = pump.current_spray_end
    if end is not None and end > now:
        wait = min(wait, end - now + SPRAY_END_SLACK)
    return max(wait, MIN_SPRAYING_POLL_INTERVAL)


@dataclass
class StatusCadence:
    """The time each pump's status is next due; a pump never read is due at once."""

    _due_at: dict[str, float] = field(default_factory=dict)

    def is_due(self, device_id: str, now: float) -> bool:
        """Whether the pump's status should be read by a poll at ``now``.

        Reads due within the tolerance count as due: the coordinator's timer rounds its wake-up
        to the second, so it may fire slightly before the earliest due time it was set for.
        """
        due_at = self._due_at.get(device_id)
        return due_at is None or due_at <= now + TIMER_TOLERANCE.total_seconds()

    def read_at(self, device_id: str, now: float, wait: timedelta) -> None:
        """Note a read (or an attempt) at ``now``; the next one is due ``wait`` later."""
        self._due_at[device_id] = now + wait.total_seconds()

    def read_soon(self, device_id: str) -> None:
        """Make the pump due at the next poll."""
        self._due_at.pop(device_id, None)

    def keep_only(self, device_ids: Iterable[str]) -> None:
        """Forget pumps that left the account."""
        keep = set(device_ids)
        for device_id in self._due_at.keys() - keep:
            del self._due_at[device_id]

    def seconds_until_next(self, now: float) -> float | None:
        """Seconds from ``now`` until the earliest due pump (0 if one is overdue), or None."""
        if not self._due_at:
            return None
        return max(min(self._due_at.values()) - now, 0.0)
