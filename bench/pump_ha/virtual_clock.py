"""Home Assistant's clock driven forward event by event, so hours pass in seconds.

Under the harness's ``freezer`` every clock Home Assistant reads is frozen: wall time, the
monotonic clock and the event loop's own ``loop.time()``. This module moves that clock from one
scheduled timer to the next, exactly to its deadline, and lets the event loop run the timer
itself (no timer is fired early or by hand); everything the timer starts (a coordinator poll,
its HTTP requests over loopback) runs to completion before the clock moves on. Real time spent
on requests is therefore not added to the virtual clock (a few milliseconds per poll).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util.async_ import get_scheduled_timer_handles

# Ticks are whole microseconds, the frozen clock's resolution.
_MICROSECOND = 1e-6
# A clock that stops moving means some timer keeps re-arming itself for "now".
_MAX_STEPS_WITHOUT_PROGRESS = 1000


def virtual_epoch() -> float:
    """Seconds since the epoch on Home Assistant's clock (frozen time while the freezer runs).

    The simulator takes this as its clock; looking ``time.time`` up on every call is what lets
    the freezer's replacement of it take effect.
    """
    return time.time()


def _next_deadline(loop: asyncio.AbstractEventLoop) -> float | None:
    deadlines = [
        handle.when() for handle in get_scheduled_timer_handles(loop) if not handle.cancelled()
    ]
    return min(deadlines, default=None)


async def run_virtual_time(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    *,
    until: Callable[[], bool] | None = None,
) -> float:
    """Let ``seconds`` of virtual time pass, or less if ``until()`` becomes true first.

    Before each move of the clock everything Home Assistant started has run to its end
    (background tasks included). Returns the virtual seconds that passed.
    """

    async def settle() -> None:
        await hass.async_block_till_done(wait_background_tasks=True)

    return await advance(freezer, seconds, settle, until=until)


async def advance(
    freezer: FrozenDateTimeFactory,
    seconds: float,
    settle: Callable[[], Awaitable[None]],
    *,
    until: Callable[[], bool] | None = None,
) -> float:
    """Move the running loop's frozen clock timer by timer, ``settle()`` before every move.

    ``settle`` decides when the work a timer started is done; :func:`run_virtual_time` waits
    for Home Assistant's tasks. Returns the virtual seconds that passed.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    end = start + seconds
    stuck = 0
    while True:
        # The turn after a tick moves the timers now due behind this task's own wake-up, so
        # yield once more before waiting: by then they have run and started their tasks.
        await asyncio.sleep(0)
        await settle()
        now = loop.time()
        if (until is not None and until()) or now >= end:
            return now - start
        deadline = _next_deadline(loop)
        if deadline is not None and deadline < now:
            # Already due: the event loop runs it on its next turn.
            stuck += 1
            if stuck > _MAX_STEPS_WITHOUT_PROGRESS:
                raise RuntimeError("a timer keeps re-arming itself without letting time pass")
            continue
        target = end if deadline is None else min(deadline, end)
        # Land just past the target: the loop runs a timer only once its clock has passed the
        # deadline, and at epoch-sized clock values its resolution vanishes in float rounding.
        freezer.tick((math.floor((target - now) / _MICROSECOND) + 1) * _MICROSECOND)
        stuck = 0
