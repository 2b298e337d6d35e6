"""A coordinator that reads one thing from the Moogo cloud on a fixed cadence.

The account's device list, a pump's status, its schedules, settings, firmware and spray history
are each read by one of these, every ``interval`` and never on a changing clock. Between the
regular reads a reader can be asked for one extra read at a given moment (a spray's announced
end, a schedule's start); any read restarts the regular cadence from that read.

A transient failure (see ``cloud.is_transient``) keeps the last data usable for a grace of two
of the reader's own cycles, at least a minute: the data is then no staler than two missed reads
of its own kind, and a single lost answer (a 503, a Cloudflare page, a 429) does not turn
entities unavailable, which the vendor's own users already report as pumps "appearing offline".
A longer outage, or any other failure (a refused login, a pump gone), ends the grace at once.

A failure within the grace is the reader's own business: it keeps its data, records the failure
(``error``, ``failing_since``: the connectivity sensor and diagnostics show it at once) and logs
it at DEBUG, without raising to Home Assistant's coordinator, which would log an ERROR for a
blip that changes nothing the user sees. Not even a WARNING: nothing is for the user to do, the
Online sensor and diagnostics already say it, and a cloud that drops one answer in a hundred
would write one every hour or two per pump. Only the failed read that ends the grace (or one with
no grace) is raised, so Home Assistant logs it once, as it does for any coordinator.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..clients.moogo import MoogoError, MoogoRateLimitError
from ..const import LOGGER
from .cloud import AccountCloud, is_transient
from .const import MAX_RETRY_AFTER_GRACE, MIN_GRACE, RETRY_AFTER_SLACK

if TYPE_CHECKING:
    from .runtime import PumpConfigEntry


class CloudReader[T](DataUpdateCoordinator[T]):
    """Reads ``read()`` every ``interval``; failures keep the data for a bounded grace."""

    config_entry: PumpConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PumpConfigEntry,
        cloud: AccountCloud,
        *,
        name: str,
        interval: timedelta,
        read: Callable[[], Awaitable[T]],
    ) -> None:
        """Read with ``read`` (through ``cloud``) every ``interval``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=name,
            update_interval=interval,
            always_update=False,
        )
        self._cloud = cloud
        self._read = read
        self.error: Exception | None = None
        """The client's error of the last read, None after a good read."""
        self.tried_at: float | None = None
        """Monotonic time the last read was tried, well or not."""
        self.failing_since: float | None = None
        """Monotonic time of the first failed read in a row, None while reads succeed."""
        self._grace_ends: CALLBACK_TYPE | None = None
        self._extra_read: CALLBACK_TYPE | None = None
        self._extra_read_at: datetime | None = None
        self._stopped = False
        self._unseen_news = False

    @property
    def grace(self) -> timedelta:
        """How long a transient failure keeps the data usable: two cycles, a minute at least.

        A 429 whose Retry-After postpones the next read past that keeps the data until just
        after that read (a Retry-After of up to ten minutes; a longer one is not waited out).
        """
        interval = self.update_interval or timedelta()
        grace = max(2 * interval, MIN_GRACE)
        if isinstance(self.error, MoogoRateLimitError) and self.error.retry_after is not None:
            wait = timedelta(seconds=min(self.error.retry_after, MAX_RETRY_AFTER_GRACE))
            grace = max(grace, wait + RETRY_AFTER_SLACK)
        return grace

    @property
    def read_ok(self) -> bool:
        """Whether the last read was answered (a failure within the grace counts as failed)."""
        return self.last_update_success and self.error is None

    @property
    def usable(self) -> bool:
        """Whether entities may show the data: read well, or failing only within the grace."""
        if self.data is None or not self.last_update_success:
            return False  # never read, or a failure that was not (or no longer) ridden out
        if self.error is None:
            return True
        return self._within_grace(time.monotonic())

    def _within_grace(self, now: float, *, margin: float = 0.0) -> bool:
        """Whether a run of transient failures is still within its grace at ``now``."""
        if self.error is None or self.failing_since is None or not is_transient(self.error):
            return False
        return now - self.failing_since < self.grace.total_seconds() - margin

    async def _async_update_data(self) -> T:
        self.tried_at = now = time.monotonic()
        try:
            data = await self._read()
        except (MoogoError, TimeoutError) as err:  # anything else is a bug: its traceback shows
            self._note_failure(err)
            if not self._rides_out(now):
                raise self._cloud.translate(err) from err
            LOGGER.debug("%s: read failed, data kept within the grace: %r", self.name, err)
            if isinstance(err, MoogoRateLimitError) and err.retry_after is not None:
                # The next regular read waits for the cloud's Retry-After. Home Assistant's one
                # public way, raising UpdateFailed(retry_after=...), would also mark the reader
                # failed and log an ERROR, which the grace is there to avoid; so this sets what
                # that raise sets (same attribute and use in 2026.10 and 2026.11; the Retry-After
                # test in tests/pump/test_transient_faults.py fails should that change).
                self._retry_after = err.retry_after
            self._unseen_news = True
            return self.data
        if self.failing_since is not None and self.last_update_success:
            LOGGER.debug("%s: read answered again within the grace", self.name)
            self._unseen_news = True
        self._note_success()
        return data

    def _rides_out(self, now: float) -> bool:
        """Whether a failed read at ``now`` keeps the data rather than failing the reader.

        The read is ridden out if the data is still within its grace half a cycle later: the
        regular reads land a whole cycle apart (give or take a slow answer), so the read two
        cycles after the first failure is the one that ends the grace and is reported, rather
        than a tie on the grace's exact end deciding it.
        """
        if self.data is None or not self.last_update_success:
            return False  # nothing to keep (the first read), or already failed openly
        interval = (self.update_interval or timedelta()).total_seconds()
        return self._within_grace(now, margin=interval / 2)

    @callback
    def _async_refresh_finished(self) -> None:
        # The base class tells listeners only about changed data or a change of its success; a
        # failure it never saw, and the answer that ends it, are news to them too (the
        # connectivity sensor turns off at once, and on again).
        if self._unseen_news:
            self._unseen_news = False
            self.async_update_listeners()

    def _note_failure(self, err: Exception) -> None:
        self.error = err
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
        # Entities are rendered again when the grace is over (or at once for a failure that has
        # none), even if no further read fails by then: a Retry-After may postpone it, and the
        # coordinator tells its listeners only about the first failure in a row.
        remaining = 0.0
        if is_transient(err):
            remaining = max(self.failing_since + self.grace.total_seconds() - now, 0.0)
        self._cancel_grace()
        self._grace_ends = async_call_later(
            self.hass,
            remaining,
            HassJob(self._end_grace, f"{self.name} grace", cancel_on_shutdown=True),
        )

    @callback
    def async_set_updated_data(self, data: T) -> None:
        """Take data read elsewhere (a command's confirmation): a good read like any other."""
        if self._stopped:
            return  # a command that outlived its entry: no timer may start
        self._note_success()
        super().async_set_updated_data(data)

    def _note_success(self) -> None:
        self.error = None
        self.failing_since = None
        self._cancel_grace()

    @callback
    def _end_grace(self, _now: datetime) -> None:
        self._grace_ends = None
        self.async_update_listeners()

    def _cancel_grace(self) -> None:
        if self._grace_ends is not None:
            self._grace_ends()
            self._grace_ends = None

    @callback
    def read_once_by(self, when: datetime | None) -> None:
        """Read once more, besides the regular reads, no later than ``when`` (UTC).

        An extra read already planned for ``when`` or earlier stands (asking again with a later
        time never postpones it); None asks for nothing.
        """
        if self._stopped or when is None:
            return
        if self._extra_read_at is not None and self._extra_read_at <= when:
            return
        self._cancel_extra_read()
        self._extra_read_at = when

        @callback
        def _read(_now: datetime) -> None:
            self._extra_read = self._extra_read_at = None
            self.config_entry.async_create_background_task(
                self.hass, self.async_refresh(), f"{self.name} extra read"
            )

        self._extra_read = async_track_point_in_utc_time(self.hass, _read, when)

    def _cancel_extra_read(self) -> None:
        if self._extra_read is not None:
            self._extra_read()
        self._extra_read = self._extra_read_at = None

    async def async_shutdown(self) -> None:
        """Stop reading: no regular, extra or grace timer is left behind."""
        self._stopped = True
        self._cancel_extra_read()
        self._cancel_grace()
        await super().async_shutdown()
