"""What happened while Home Assistant was down, read back from the charger's event log.

The firmware appends one line per EVSE state change to numbered blocks that survive reboots
(``/logs`` gives the first and last block, ``/logs/{n}`` one block; event_log.cpp,
web_server_events.cpp:22-100). We remember how far we have read: the block and how many of its
lines, and the state of the last line. After a restart everything past that point is read and
turned into the same session happenings the websocket gives live, so nothing is fired twice
and nothing is skipped. A block that rotated away while we were gone (ten are kept) is a gap
the charger no longer holds: we say so and carry on from the oldest block left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from ..clients.openevse.models import EvseState, LogEntry, as_enum, as_int
from .event_log import EventLog


@dataclass(frozen=True, slots=True, kw_only=True)
class LogPosition:
    """How far the log has been read, and the state its last line read left the charger in."""

    block: int
    lines: int
    """Lines of ``block`` already read."""
    evse_state: EvseState | None
    vehicle_connected: bool | None

    def as_dict(self) -> dict[str, Any]:
        """Return the position as stored."""
        return {
            "block": self.block,
            "lines": self.lines,
            "evse_state": None if self.evse_state is None else int(self.evse_state),
            "vehicle_connected": self.vehicle_connected,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self | None:
        """Read a stored position; None when it is unusable."""
        block, lines = as_int(raw.get("block")), as_int(raw.get("lines"))
        if block is None or lines is None or lines < 0:
            return None
        vehicle = raw.get("vehicle_connected")
        return cls(
            block=block,
            lines=lines,
            evse_state=as_enum(EvseState, raw.get("evse_state")),
            vehicle_connected=vehicle if isinstance(vehicle, bool) else None,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class LogReading:
    """The lines written since a position (oldest first) and the position after them."""

    lines: list[LogEntry]
    position: LogPosition
    gap: bool
    """Whether lines the position pointed at are gone (rotated away, or the log was reset)."""


def _after(position: LogPosition | None, entry: LogEntry, block: int, lines: int) -> LogPosition:
    state = as_enum(EvseState, entry.evse_state)
    return LogPosition(
        block=block,
        lines=lines,
        evse_state=state if state is not None else (position.evse_state if position else None),
        vehicle_connected=entry.vehicle_connected,
    )


async def async_read_since(log: EventLog, position: LogPosition | None) -> LogReading:
    """Read what the log holds past ``position``; with none, only find the end of the log."""
    first, last = await log.async_range()
    if position is None:
        newest = await log.async_block(last) or []
        empty = LogPosition(block=last, lines=0, evse_state=None, vehicle_connected=None)
        end = _after(None, newest[-1], last, len(newest)) if newest else empty
        return LogReading(lines=[], position=end, gap=False)
    start, skip, gap = position.block, position.lines, False
    if not first <= start <= last:
        # Rotated past us, or a log that starts again from scratch (a wiped flash).
        start, skip, gap = first, 0, True
    lines: list[LogEntry] = []
    current = position
    for index in range(start, last + 1):
        block = await log.async_block(index)
        if block is None:
            gap = True  # rotated away between the range and this read
            continue
        if index == start:
            if skip > len(block):
                gap, skip = True, 0  # not the block we read before
            new = block[skip:]
        else:
            new = block
        lines.extend(new)
        current = _after(current, new[-1], index, len(block)) if new else current
        if not new and index != current.block:
            current = LogPosition(
                block=index,
                lines=len(block),
                evse_state=current.evse_state,
                vehicle_connected=current.vehicle_connected,
            )
    return LogReading(lines=lines, position=current, gap=gap)
