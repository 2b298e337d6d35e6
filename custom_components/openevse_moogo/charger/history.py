"""The last finished charging session, read back from the gateway's event log.

The firmware writes one log line at every EVSE state change, each carrying the session's energy,
duration and highest temperature at that moment, and keeps the log in flash across reboots. A
session ends at the first line without a vehicle after lines with one; the log is read when a
car is unplugged and at start-up, so a session that ended while Home Assistant was down is
found too, and nothing is read while a car charges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..clients.openevse.models import LogEntry
from .event_log import EventLog


@dataclass(frozen=True, slots=True, kw_only=True)
class FinishedSession:
    """What the last finished session delivered."""

    ended: datetime | None
    energy: float | None
    """Wh."""
    duration: int | None
    """Seconds."""
    temperature_max: float | None
    """°C."""


def _highest[T: (int, float)](values: Sequence[T | None]) -> T | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def last_finished_session(entries: Sequence[LogEntry]) -> FinishedSession | None:
    """Return the newest session that ended within these entries (oldest first)."""
    finished: FinishedSession | None = None
    session: list[LogEntry] = []
    for entry in entries:
        if entry.vehicle_connected:
            session.append(entry)
        elif entry.vehicle_connected is False and session:
            # The end line still carries the session's counters (they reset at the next plug).
            lines = [*session, entry]
            finished = FinishedSession(
                ended=entry.time,
                energy=_highest([line.energy for line in lines]),
                duration=_highest([line.elapsed for line in lines]),
                temperature_max=_highest([line.temperature_max for line in lines]),
            )
            session = []
    return finished


async def async_read_last_session(log: EventLog) -> FinishedSession | None:
    """Read the log's blocks, newest first, until one holds the end of a session.

    A block can rotate away between the range and the read (404 "Block out of range"): the
    blocks still there are enough. A session spanning blocks is read whole, since each block
    read extends the entries towards the past.
    """
    first, last = await log.async_range()
    entries: list[LogEntry] = []
    for index in range(last, first - 1, -1):
        block = await log.async_block(index)
        if block is None:
            break
        entries = [*block, *entries]
        found = last_finished_session(entries)
        # A session found with lines before it cannot grow by reading further back.
        if found is not None and entries[0].vehicle_connected is False:
            return found
    return last_finished_session(entries)
