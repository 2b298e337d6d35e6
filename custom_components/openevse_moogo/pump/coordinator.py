"""The account coordinator: what every pump entity of one Moogo account reads, and its commands.

It polls nothing itself. Fixed-cadence readers (see ``readers``) read the account's device list
and each pump's parts; whenever one of them has news, the coordinator puts the pump's parts
together into one snapshot (``PumpData``), publishes the account's snapshots to the entities and
plans the pump's extra reads (see ``cadence``). Asking it for a refresh (``update_entity``, a
test) reads everything at once. It also carries out the commands on the pumps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later, async_track_time_change
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..clients.moogo import (
    CommandState,
    MoogoClient,
    MoogoCommandResult,
    MoogoDevice,
    MoogoDeviceNotFoundError,
    MoogoError,
)
from ..const import DOMAIN, LOGGER
from ..errors import action_error
from .cadence import firmware_read_by, schedules_read_by, status_read_by
from .cloud import AccountCloud
from .const import (
    CONFIRM_FAST_POLL_INTERVAL,
    CONFIRM_FAST_UNTIL,
    CONFIRM_FIRST_READ_AFTER,
    CONFIRM_POLL_INTERVAL,
    CONFIRM_WITHIN,
    HISTORY_AFTER_SPRAY,
    REQUEST_TIMEOUT,
)
from .data import AccountData, PumpData
from .errors import PUMP_ERRORS
from .readers import (
    PumpReaders,
    Reader,
    account_readers,
    pump_readers,
    status_interval,
)

if TYPE_CHECKING:
    from .runtime import PumpConfigEntry


class PumpCoordinator(DataUpdateCoordinator[AccountData]):
    """The snapshots of one account's pumps, put together from their readers; and commands."""

    config_entry: PumpConfigEntry

    def __init__(self, hass: HomeAssistant, entry: PumpConfigEntry, client: MoogoClient) -> None:
        """Read the account of ``entry`` through ``client``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="Moogo account",  # no email: logs never carry account identifiers
            update_interval=None,  # the readers keep their own fixed cadences
            always_update=False,
        )
        self.client = client
        self.cloud = AccountCloud(hass, client, entry_id=entry.entry_id, title=entry.title)
        self.account = account_readers(hass, entry, self.cloud)
        self.pumps: dict[str, PumpReaders] = {}
        self._devices: dict[str, MoogoDevice] = {}
        self._first_reads: dict[str, asyncio.Task[None]] = {}
        self._last_spray_end: dict[str, datetime | None] = {}
        self._pending_spray: dict[str, bool] = {}
        self._stop_timers: dict[str, Callable[[], None]] = {}
        self._status_interval = status_interval(entry)

    # -------------------------------------------------------------------------- reading

    async def async_first_read(self) -> None:
        """Read everything once while the entry sets up (a failure fails the set-up)."""
        for reader in self.account.all():
            await reader.async_config_entry_first_refresh()
        self.account.devices.async_add_listener(self._devices_changed)
        self.account.liquids.async_add_listener(self._publish)
        self._devices_changed(read_new=False)
        for pump_id in self.pumps:
            for reader in self.pumps[pump_id].all():
                await reader.async_config_entry_first_refresh()
        self._publish()
        # Today's spray figures start again from zero at midnight, before the next history read.
        self.config_entry.async_on_unload(
            async_track_time_change(self.hass, self._new_day, hour=0, minute=0, second=0)
        )

    @callback
    def _new_day(self, _now: datetime) -> None:
        self.async_update_listeners()

    async def _async_update_data(self) -> AccountData:
        """Read everything now; a failed read ends that pump's (or the whole) refresh."""
        for reader in self.account.all():
            await reader.async_refresh()
            if not reader.read_ok:
                return self._build()
        for pump_id, readers in list(self.pumps.items()):
            if (first := self._first_reads.get(pump_id)) is not None:
                await first
                continue
            await _read_all(readers.all())
        return self._build()

    @callback
    def _devices_changed(self, read_new: bool = True) -> None:
        """Follow the device list: readers for new pumps, none left for pumps that left."""
        devices = self.account.devices.data or []
        self._devices = {device.device_id: device for device in devices}
        for pump_id in [pump_id for pump_id in self.pumps if pump_id not in self._devices]:
            LOGGER.info("A Moogo pump left the account")
            self._forget_pump(pump_id)
        for pump_id, device in self._devices.items():
            if pump_id in self.pumps:
                continue
            readers = pump_readers(
                self.hass, self.config_entry, self.cloud, device, self._status_interval
            )
            self.pumps[pump_id] = readers
            for reader in readers.all():
                reader.async_add_listener(partial(self._pump_changed, pump_id))
            if read_new:
                self._first_reads[pump_id] = self.config_entry.async_create_background_task(
                    self.hass, self._read_new_pump(pump_id, readers), f"moogo read {pump_id}"
                )
        self._publish()

    async def _read_new_pump(self, pump_id: str, readers: PumpReaders) -> None:
        try:
            await _read_all(readers.all())
        finally:
            self._first_reads.pop(pump_id, None)

    def _forget_pump(self, pump_id: str) -> None:
        readers = self.pumps.pop(pump_id)
        self._last_spray_end.pop(pump_id, None)
        self.cancel_stop_timer(pump_id)
        if (first := self._first_reads.pop(pump_id, None)) is not None:
            first.cancel()
        for reader in readers.all():
            self.config_entry.async_create_background_task(
                self.hass, reader.async_shutdown(), f"moogo forget {pump_id}"
            )

    @callback
    def _pump_changed(self, pump_id: str) -> None:
        """One of a pump's readers has news: publish, plan its extra reads, follow removals."""
        readers = self.pumps.get(pump_id)
        if readers is None:
            return
        if isinstance(readers.status.error, MoogoDeviceNotFoundError):
            # Removed from the account (or no longer shared): list the devices again.
            self.config_entry.async_create_background_task(
                self.hass, self.account.devices.async_request_refresh(), "moogo devices"
            )
        was = self.data.pumps.get(pump_id) if self.data else None
        status = readers.status.data
        if status is not None and not status.running:
            self._last_spray_end[pump_id] = status.latest_spray_end
        self._publish()
        if (pump := self.data.pumps.get(pump_id)) is not None:
            now = dt_util.utcnow()
            if was is not None and _spray_ended(was, pump):
                # Its row in the history counts in today's figures.
                readers.history.read_once_by(now + HISTORY_AFTER_SPRAY)
            readers.status.read_once_by(status_read_by(pump, now))
            readers.schedules.read_once_by(schedules_read_by(pump, now))
            readers.firmware.read_once_by(firmware_read_by(pump, now))

    def _build(self) -> AccountData:
        """Put the snapshot together: each pump whose status was read, with its other parts."""
        pumps: dict[str, PumpData] = {}
        for pump_id, readers in self.pumps.items():
            device, status = self._devices.get(pump_id), readers.status.data
            if device is None or status is None:
                continue
            pumps[pump_id] = PumpData(
                device=device,
                status=status,
                schedules=readers.schedules.data,
                config=readers.config.data,
                firmware=readers.firmware.data,
                history=readers.history.data,
                last_spray_end=self._last_spray_end.get(pump_id),
            )
        return AccountData(pumps=pumps, liquids=self.account.liquids.data or ())

    @callback
    def _publish(self) -> None:
        self.async_set_updated_data(self._build())

    @callback
    def apply_poll_interval(self, interval: timedelta) -> None:
        """Read every pump's status at a new interval from now on (the options changed)."""
        self._status_interval = interval
        for readers in self.pumps.values():
            readers.status.update_interval = interval

    def usable(self, pump_id: str, part: str) -> bool:
        """Whether the pump's entities showing ``part`` may show their values."""
        readers = self.pumps.get(pump_id)
        return (
            readers is not None
            and pump_id in self.data.pumps
            and self.account.devices.usable
            and readers.status.usable
            and readers.by_part[part].usable
        )

    def connected(self, pump_id: str) -> bool:
        """Whether the cloud answered the latest read of the pump's status or the device list."""
        readers = self.pumps.get(pump_id)
        if readers is None:
            return False
        candidates: tuple[Reader, Reader] = (self.account.devices, readers.status)
        latest = max(candidates, key=lambda reader: reader.tried_at or 0.0)
        return latest.read_ok

    def readers(self) -> list[Reader]:
        """Every reader of the account, for diagnostics."""
        return [*self.account.all(), *(r for p in self.pumps.values() for r in p.all())]

    # ----------------------------------------------------------------------- snapshots

    def pump(self, device_id: str) -> PumpData:
        """Return the current snapshot of a pump, or raise a translated error if it is gone."""
        pump = self.data.pumps.get(device_id) if self.data else None
        if pump is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="moogo_pump_unknown",
                translation_placeholders={"device_id": device_id},
            )
        return pump

    async def async_change(
        self,
        device_id: str,
        part: str,
        change: Callable[[], Awaitable[object]],
    ) -> None:
        """Make a change on the cloud, then show its result by re-reading the changed part.

        Client errors leave as translated Home Assistant errors.
        """
        self.pump(device_id)
        try:
            await self.cloud.call(change)
        except (MoogoError, TimeoutError) as err:
            raise action_error(err, PUMP_ERRORS) from err
        await self.async_refresh_part(device_id, part)

    async def async_refresh_part(self, device_id: str, part: str) -> None:
        """Read one part of a pump now; a failed read leaves as a translated error."""
        reader = self.pumps[device_id].by_part[part]
        await reader.async_refresh()
        if not reader.read_ok and reader.error is not None:
            raise action_error(reader.error, PUMP_ERRORS) from reader.error

    # -------------------------------------------------------------------------- spraying

    def pending_spray(self, device_id: str) -> bool | None:
        """Return the spray state a command in flight asked for (shown until confirmed)."""
        return self._pending_spray.get(device_id)

    async def async_spray(self, device_id: str, start: bool) -> MoogoCommandResult:
        """Start or stop a pump: show the wish at once, send once, confirm, or roll back.

        The command is never re-sent. A refusal (offline, too cold, ...) or a pump that does not
        act within the confirm window rolls the shown state back and raises a translated error.
        """
        pump = self.pump(device_id)
        if not start:
            self.cancel_stop_timer(device_id)
        self._pending_spray[device_id] = start
        self.async_update_listeners()
        try:
            result = await self._send_and_confirm(device_id, start)
        except BaseException as err:
            # Roll back what the entities show; any failure (even a cancellation) ends the wish.
            self._pending_spray.pop(device_id, None)
            self.async_update_listeners()
            if isinstance(err, MoogoError | TimeoutError):
                raise action_error(err, PUMP_ERRORS) from err
            raise
        # Publish the pump's confirmed status before dropping the wish, so nothing bounces.
        self._pending_spray.pop(device_id, None)
        readers = self.pumps.get(device_id)
        if result.status is not None and readers is not None:
            # The confirmation read the status: the regular reads restart from it.
            readers.status.async_set_updated_data(result.status)
        else:
            self.async_update_listeners()
        if result.state is not CommandState.CONFIRMED:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="moogo_spray_not_confirmed",
                translation_placeholders={"name": pump.name, "seconds": str(int(CONFIRM_WITHIN))},
            )
        return result

    async def _send_and_confirm(self, device_id: str, start: bool) -> MoogoCommandResult:
        command = self.client.start_spray if start else self.client.stop_spray
        sent = await self.cloud.call(command, device_id, request_timeout=REQUEST_TIMEOUT)
        # One deadline covers the whole confirmation (the window and its last read).
        return await self.cloud.call(self._confirm_spray, sent)

    async def _confirm_spray(self, sent: MoogoCommandResult) -> MoogoCommandResult:
        """Read the status back until the pump acts, cheaply and without rounding up by much.

        The cloud flips the state 3-5 s after accepting a command, so reading earlier only
        spends requests: wait quietly until just before the earliest flip, read every half
        second through the expected window (confirmed at most half a second after the flip),
        then every second until the confirm window is over.
        """
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        # (quiet wait before the phase's first read, phase ends this long after sending, poll)
        phases = (
            (CONFIRM_FIRST_READ_AFTER, CONFIRM_FAST_UNTIL, CONFIRM_FAST_POLL_INTERVAL),
            (CONFIRM_POLL_INTERVAL, CONFIRM_WITHIN, CONFIRM_POLL_INTERVAL),
        )
        result = sent
        for quiet, until, poll_interval in phases:
            await asyncio.sleep(quiet)
            result = await self.client.confirm_spray(
                sent,
                within=max(until - (loop.time() - sent_at), 0.0),
                poll_interval=poll_interval,
                request_timeout=REQUEST_TIMEOUT,
            )
            if result.state is CommandState.CONFIRMED:
                break
        return result

    def schedule_stop(self, device_id: str, seconds: float) -> None:
        """Stop the pump after ``seconds`` (held in memory: a restart forgets it)."""
        self.cancel_stop_timer(device_id)

        @callback
        def _stop(_now: datetime) -> None:
            self._stop_timers.pop(device_id, None)
            self.config_entry.async_create_background_task(
                self.hass, self._timed_stop(device_id), f"moogo stop {device_id}"
            )

        self._stop_timers[device_id] = async_call_later(self.hass, seconds, _stop)

    async def _timed_stop(self, device_id: str) -> None:
        pump = self.data.pumps.get(device_id)
        if pump is None or not pump.running:
            return  # the pump already stopped on its own
        try:
            await self.async_spray(device_id, start=False)
        except HomeAssistantError as err:
            LOGGER.warning("Could not stop Moogo pump %s after its spray time: %s", pump.name, err)

    def cancel_stop_timer(self, device_id: str) -> None:
        """Forget a pending timed stop of the pump."""
        if (cancel := self._stop_timers.pop(device_id, None)) is not None:
            cancel()

    @callback
    def async_shutdown_timers(self) -> None:
        """Cancel every timed stop (on unload)."""
        for cancel in self._stop_timers.values():
            cancel()
        self._stop_timers.clear()


async def _read_all(readers: tuple[Reader, ...]) -> None:
    """Read each in turn; stop at the first failure (the cloud is unlikely to answer the next)."""
    for reader in readers:
        await reader.async_refresh()
        if not reader.read_ok:
            return


def _spray_ended(was: PumpData, pump: PumpData) -> bool:
    """Whether a spray ended between two snapshots (also one too short to be seen running)."""
    if pump.running:
        return False
    return was.running or was.last_spray_end != pump.last_spray_end
