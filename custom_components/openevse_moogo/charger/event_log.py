"""Reads of the charger's event log (``/logs`` for the block range, ``/logs/{n}`` for a block).

Two readers use the log: the last finished session (:mod:`.history`, in the coordinator's first
refresh and after an unplug) and the happenings missed while Home Assistant was down
(:mod:`.log_replay`, right after that refresh). At set-up both want the range and the newest
block a moment apart, so within :func:`read_once` the charger answers each of them once and the
second reader gets the first's answers. Everywhere else every read goes to the charger: after
an unplug the log has grown.

The set-up's answers travel in a context variable rather than as an argument because the first
reader runs inside Home Assistant's first refresh of the coordinator, which passes nothing on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..clients.openevse import OpenEVSE
from ..clients.openevse.exceptions import OpenEVSENotFoundError
from ..clients.openevse.models import LogEntry
from .const import REQUEST_TIMEOUT


class _Answers:
    """What one charger's log answered during one set-up."""

    def __init__(self, client: OpenEVSE) -> None:
        self.client = client
        self.open = True
        self.range: tuple[int, int] | OpenEVSENotFoundError | None = None
        self.blocks: dict[int, list[LogEntry] | None] = {}


_SETUP: ContextVar[_Answers | None] = ContextVar("openevse_setup_log_answers", default=None)


@contextmanager
def read_once(client: OpenEVSE) -> Iterator[None]:
    """Within this block, each of the log's resources is read from ``client`` at most once."""
    answers = _Answers(client)
    token = _SETUP.set(answers)
    try:
        yield
    finally:
        # Timers and tasks started inside the block copied the context: closing the answers
        # makes their later reads go to the charger again.
        answers.open = False
        _SETUP.reset(token)


def _answers(client: OpenEVSE) -> _Answers | None:
    answers = _SETUP.get()
    return answers if answers is not None and answers.open and answers.client is client else None


async def async_log_range(client: OpenEVSE) -> tuple[int, int]:
    """Return the (first, last) block index; 404 when the firmware keeps no event log."""
    answers = _answers(client)
    if answers is None:
        return await client.get_log_range(request_timeout=REQUEST_TIMEOUT)
    if answers.range is None:
        try:
            answers.range = await client.get_log_range(request_timeout=REQUEST_TIMEOUT)
        except OpenEVSENotFoundError as err:
            answers.range = err  # no event log: the second reader need not ask again
    if isinstance(answers.range, OpenEVSENotFoundError):
        raise answers.range
    return answers.range


async def async_log_block(client: OpenEVSE, index: int) -> list[LogEntry] | None:
    """Return one block, oldest line first; None when it is gone (rotated away, 404)."""
    answers = _answers(client)
    if answers is not None and index in answers.blocks:
        return answers.blocks[index]
    try:
        block: list[LogEntry] | None = await client.get_log_block(
            index, request_timeout=REQUEST_TIMEOUT
        )
    except OpenEVSENotFoundError:
        block = None
    if answers is not None:
        answers.blocks[index] = block
    return block
