"""The charger's event log (``/logs`` for the block range, ``/logs/{n}`` for a block).

Two readers use the log: the last finished session (:mod:`.history`, in the coordinator's first
refresh and after an unplug) and the happenings missed while Home Assistant was down
(:mod:`.log_replay`, right after that refresh). At set-up both want the range and the newest
block a moment apart, so within :meth:`EventLog.shared_reads` the charger answers each of them
once and the second reader gets the first's answers. Everywhere else every read goes to the
charger: after an unplug the log has grown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ..clients.openevse import OpenEVSE
from ..clients.openevse.exceptions import OpenEVSENotFoundError
from ..clients.openevse.models import LogEntry
from .const import REQUEST_TIMEOUT


@dataclass
class _Answers:
    """What the log answered while reads were shared."""

    range: tuple[int, int] | OpenEVSENotFoundError | None = None
    blocks: dict[int, list[LogEntry] | None] = field(default_factory=dict)


class EventLog:
    """One charger's event log, read through its client."""

    def __init__(self, client: OpenEVSE) -> None:
        """Read the log through ``client``; nothing is read until asked."""
        self._client = client
        self._shared: _Answers | None = None

    @contextmanager
    def shared_reads(self) -> Iterator[None]:
        """Within this block, each of the log's resources is read from the charger at most once."""
        self._shared = _Answers()
        try:
            yield
        finally:
            self._shared = None

    async def async_range(self) -> tuple[int, int]:
        """Return the (first, last) block index; 404 when the firmware keeps no event log."""
        shared = self._shared
        if shared is None:
            return await self._client.get_log_range(request_timeout=REQUEST_TIMEOUT)
        if shared.range is None:
            try:
                shared.range = await self._client.get_log_range(request_timeout=REQUEST_TIMEOUT)
            except OpenEVSENotFoundError as err:
                shared.range = err  # no event log: the second reader need not ask again
        if isinstance(shared.range, OpenEVSENotFoundError):
            raise shared.range
        return shared.range

    async def async_block(self, index: int) -> list[LogEntry] | None:
        """Return one block, oldest line first; None when it is gone (rotated away, 404)."""
        shared = self._shared
        if shared is not None and index in shared.blocks:
            return shared.blocks[index]
        try:
            block: list[LogEntry] | None = await self._client.get_log_block(
                index, request_timeout=REQUEST_TIMEOUT
            )
        except OpenEVSENotFoundError:
            block = None
        if shared is not None:
            shared.blocks[index] = block
        return block
