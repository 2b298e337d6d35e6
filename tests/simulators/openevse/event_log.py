"""The gateway's event log: one line per EVSE state change, kept in rotating blocks.

The firmware (event_log.cpp) appends to the newest block file until it exceeds 1024 bytes,
then starts the next one and keeps at most ten; ``GET /logs`` reports the first and last block
index and ``GET /logs/{n}`` one block's entries. The log lives in flash, so it survives a reboot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

ROTATE_SIZE: Final = 1024
MAX_BLOCKS: Final = 10

INFORMATION: Final = "information"
NOTIFICATION: Final = "notification"
WARNING: Final = "warning"


@dataclass
class EventLog:
    """Blocks of log entries, as ``/logs`` serves them."""

    min_index: int = 0
    max_index: int = 0
    _blocks: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: {0: []})
    _sizes: dict[int, int] = field(default_factory=lambda: {0: 0})

    def log(self, entry: dict[str, Any]) -> None:
        """Append one entry (the keys of ``GET /logs/{n}``), rotating like the firmware."""
        if self._sizes[self.max_index] > ROTATE_SIZE:
            self.max_index += 1
            self._blocks[self.max_index] = []
            self._sizes[self.max_index] = 0
            while self.max_index + 1 - self.min_index > MAX_BLOCKS:
                del self._blocks[self.min_index], self._sizes[self.min_index]
                self.min_index += 1
        self._blocks[self.max_index].append(entry)
        # The stored line uses short keys (t, ty, ms, ...): about this many bytes.
        self._sizes[self.max_index] += len(json.dumps(entry, separators=(",", ":"))) - 60

    def block(self, index: int) -> list[dict[str, Any]]:
        """Return one block's entries, oldest first."""
        return list(self._blocks.get(index, []))
