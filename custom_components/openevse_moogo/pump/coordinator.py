"""The account coordinator: polls the Moogo cloud for the pumps of one account.

Each pump's status is read on its own cadence (see ``cadence``): idle pumps at the idle interval
(60 s by default), a spraying pump faster so the end of its spray shows promptly. The timer wakes
at the earliest due pump and reads only the pumps that are due; the others keep their last
snapshot. A refresh asked for (``update_entity``, a test) reads every pump at once. The device
list, schedules, settings, firmware and the concentrate catalogue change rarely and are fetched
on their own slower clocks (a pump's parts when that pump is read), and at once after Home
Assistant changed them. Every cloud call runs under its own deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..clients.moogo import (
    CommandState,
    MoogoAuthenticationError,
    MoogoClient,
    MoogoCommandResult,
    MoogoDevice,
    MoogoDeviceNotFoundError,
    MoogoError,
    MoogoLoginLimitError,
    MoogoRateLimitError,
)
from ..const import DOMAIN, LOGGER
from ..errors import action_error, update_failed
from .cadence import StatusCadence, status_wait
from .const import (
    CALL_DEADLINE,
    CONF_POLL_INTERVAL,
    CONFIG_INTERVAL,
    CONFIRM_FAST_POLL_INTERVAL,
    CONFIRM_FAST_UNTIL,
    CONFIRM_FIRST_READ_AFTER,
    CONFIRM_POLL_INTERVAL,
    CONFIRM_WITHIN,
    DEFAULT_POLL_INTERVAL,
    DEVICE_LIST_INTERVAL,
    FIRMWARE_INTERVAL,
    ISSUE_LOGIN_CAP,
    LIQUIDS_INTERVAL,
    LOGIN_CAP_RESET_SLACK,
    MIN_TIMER_INTERVAL,
    REQUEST_TIMEOUT,
    SCHEDULES_INTERVAL,
)
from .data import AccountData, PumpData
from .errors import PUMP_ERRORS

if TYPE_CHECKING:
    from .runtime import PumpConfigEntry

# The parts of a pump fetched on their own clocks.
PART_SCHEDULES = "schedules"
PART_CONFIG = "config"
PART_FIRMWARE = "firmware"


@dataclass
class PollStatistics:
    """Counters for diagnostics: how the polling went since set-up."""

    polls: int = 0
    failed_polls: int = 0
    cloud_calls: int = 0
    last_error: str | None = None
    last_poll_duration: float | None = None
    calls_by_kind: dict[str, int] = field(default_factory=dict)


def login_cap_resets_at(hit_at: datetime) -> datetime:
    """When the cloud's daily login cap, reported at ``hit_at``, is expected to be lifted."""
    next_day = dt_util.as_utc(hit_at).date() + timedelta(days=1)
    midnight = datetime(next_day.year, next_day.month, next_day.day, tzinfo=dt_util.UTC)
    return midnight + LOGIN_CAP_RESET_SLACK


def login_cap_issue_id(entry_id: str) -> str:
    """Return the repair issue shown while the cloud refuses the account's logins for the day."""
    return f"{ISSUE_LOGIN_CAP}_{entry_id}"


class PumpCoordinator(DataUpdateCoordinator[AccountData]):
    """Polls one Moogo account and carries out commands on its pumps."""

    config_entry: PumpConfigEntry

    def __init__(self, hass: HomeAssistant, entry: PumpConfigEntry, client: MoogoClient) -> None:
        """Poll the account of ``entry`` through ``client``."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="Moogo account",  # no email: logs never carry account identifiers
            update_interval=self.idle_interval(entry),
            always_update=False,
        )
        self.client = client
        self.stats = PollStatistics()
        self._devices: list[MoogoDevice] | None = None
        self._fetched_at: dict[tuple[str, str], float] = {}
        self._cadence = StatusCadence()
        self._read_every_pump = False
        self._pending_spray: dict[str, bool] = {}
        self._stop_timers: dict[str, Callable[[], None]] = {}

    @staticmethod
    def idle_interval(entry: PumpConfigEntry) -> timedelta:
        """Return the poll interval while no pump sprays, from the entry's options."""
        return timedelta(seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))

    # ----------------------------------------------------------------------- cloud calls

    async def call[**P, T](
        self,
        func: Callable[P, Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run one client call under its own deadline, whatever the session's timeout is."""
        self.stats.cloud_calls += 1
        kind = getattr(func, "__name__", "call")
        self.stats.calls_by_kind[kind] = self.stats.calls_by_kind.get(kind, 0) + 1
        async with asyncio.timeout(CALL_DEADLINE):
            return await func(*args, **kwargs)

    def _due(self, part: str, key: str, interval: timedelta) -> bool:
        fetched = self._fetched_at.get((part, key))
        return fetched is None or time.monotonic() - fetched >= interval.total_seconds()

    def _mark_fetched(self, part: str, key: str) -> None:
        self._fetched_at[(part, key)] = time.monotonic()

    def invalidate(self, part: str, device_id: str = "") -> None:
        """Fetch this part again at the next poll (which then also reads that pump)."""
        self._fetched_at.pop((part, device_id), None)
        if device_id:
            self._cadence.read_soon(device_id)

    # -------------------------------------------------------------------------- polling

    async def async_refresh(self) -> None:
        """Refresh now, reading every pump (the timer's polls read only the pumps due)."""
        self._read_every_pump = True
        try:
            await super().async_refresh()
        finally:
            self._read_every_pump = False

    async def _async_update_data(self) -> AccountData:
        """Fetch what is due; translate failures for Home Assistant."""
        started = time.monotonic()
        self.stats.polls += 1
        try:
            data = await self._fetch(started)
        except MoogoAuthenticationError as err:
            self._note_failure(err)
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="moogo_auth_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        except MoogoLoginLimitError as err:
            self._note_failure(err)
            raise update_failed(err, PUMP_ERRORS, retry_after=self._login_limit_wait(err)) from err
        except MoogoRateLimitError as err:
            self._note_failure(err)
            raise update_failed(err, PUMP_ERRORS, retry_after=err.retry_after) from err
        except (MoogoError, TimeoutError) as err:
            self._note_failure(err)
            raise update_failed(err, PUMP_ERRORS) from err
        finally:
            self.stats.last_poll_duration = round(time.monotonic() - started, 3)
            self.update_interval = self.next_interval(now=started)
        ir.async_delete_issue(self.hass, DOMAIN, self.login_cap_issue_id)
        return data

    def _note_failure(self, err: Exception) -> None:
        self.stats.failed_polls += 1
        self.stats.last_error = type(err).__name__

    async def _fetch(self, now: float) -> AccountData:
        """One poll at ``now`` (monotonic): account-level reads when due, then the due pumps."""
        try:
            return await self._fetch_due(now)
        except Exception:
            # The attempt counts for the pumps the poll did not get to read: they are retried
            # on their own cadences, so an outage is not polled every second.
            self._postpone_unread(now)
            raise

    def _postpone_unread(self, now: float) -> None:
        previous = self.data.pumps if self.data else {}
        for device in self._devices or ():
            if self._cadence.is_due(device.device_id, now):
                self._schedule_next_read(device.device_id, previous.get(device.device_id), now)

    async def _fetch_due(self, now: float) -> AccountData:
        self._lift_expired_login_cap()
        previous = self.data.pumps if self.data else {}
        if self._devices is None or self._due("devices", "", DEVICE_LIST_INTERVAL):
            self._devices = await self.call(
                self.client.get_devices, request_timeout=REQUEST_TIMEOUT
            )
            self._mark_fetched("devices", "")
        liquids = self.data.liquids if self.data else ()
        if not liquids or self._due("liquids", "", LIQUIDS_INTERVAL):
            liquids = tuple(
                await self.call(self.client.get_liquid_types, request_timeout=REQUEST_TIMEOUT)
            )
            self._mark_fetched("liquids", "")
        self._cadence.keep_only(device.device_id for device in self._devices)
        # A pump without a snapshot yet (new, or its first read failed) is always read.
        due = {
            device.device_id
            for device in self._devices
            if self._read_every_pump
            or device.device_id not in previous
            or self._cadence.is_due(device.device_id, now)
        }
        pumps: dict[str, PumpData] = {}
        for device in self._devices:
            if device.device_id not in due:
                pumps[device.device_id] = replace(previous[device.device_id], device=device)
                continue
            try:
                pump = await self._fetch_pump(device, previous.get(device.device_id))
            except MoogoDeviceNotFoundError:
                # Removed from the account (or no longer shared): list the devices again, and
                # let the timer wait for the other pumps rather than for this one.
                LOGGER.info("Moogo pump %s is gone from the account", device.name)
                self.invalidate("devices")
                self._schedule_next_read(device.device_id, None, now)
                continue
            self._schedule_next_read(device.device_id, pump, now)
            pumps[device.device_id] = pump
        return AccountData(pumps=pumps, liquids=liquids)

    def _schedule_next_read(self, device_id: str, pump: PumpData | None, now: float) -> None:
        """Time the pump's next status read from its status (a pump not yet known: idle)."""
        idle = self.idle_interval(self.config_entry)
        wait = idle if pump is None else status_wait(pump, idle, dt_util.utcnow())
        self._cadence.read_at(device_id, now, wait)

    async def _fetch_pump(self, device: MoogoDevice, previous: PumpData | None) -> PumpData:
        device_id = device.device_id
        status = await self.call(
            self.client.get_device_status, device_id, request_timeout=REQUEST_TIMEOUT
        )
        pump = (
            PumpData(device=device, status=status)
            if previous is None
            else replace(previous, device=device, status=status)
        )
        if not status.running:
            pump = replace(pump, last_spray_end=status.latest_spray_end)
        if pump.schedules is None or self._schedules_due(pump):
            schedules = await self.call(
                self.client.get_schedules, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, schedules=schedules)
            self._mark_fetched(PART_SCHEDULES, device_id)
        if pump.config is None or self._due(PART_CONFIG, device_id, CONFIG_INTERVAL):
            config = await self.call(
                self.client.get_device_config, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, config=config)
            self._mark_fetched(PART_CONFIG, device_id)
        if (
            pump.firmware is None
            or pump.firmware.updating
            or self._due(PART_FIRMWARE, device_id, FIRMWARE_INTERVAL)
        ):
            firmware = await self.call(
                self.client.check_firmware_update, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, firmware=firmware)
            self._mark_fetched(PART_FIRMWARE, device_id)
        return pump

    def _schedules_due(self, pump: PumpData) -> bool:
        """Schedules are re-read on their clock, and once a known next run has passed."""
        if self._due(PART_SCHEDULES, pump.device_id, SCHEDULES_INTERVAL):
            return True
        upcoming = pump.next_scheduled_spray
        return (
            upcoming is not None
            and upcoming.next_run is not None
            and upcoming.next_run <= dt_util.utcnow()
        )

    def next_interval(self, *, now: float | None = None) -> timedelta:
        """Time from ``now`` (monotonic, default: the present) until the earliest due pump.

        The idle interval while no pump is known, so the account-level reads still happen.
        """
        if now is None:
            now = time.monotonic()
        seconds = self._cadence.seconds_until_next(now)
        if seconds is None:
            return self.idle_interval(self.config_entry)
        return max(timedelta(seconds=seconds), MIN_TIMER_INTERVAL)

    # ----------------------------------------------------------------------- login cap

    @property
    def login_cap_issue_id(self) -> str:
        """The repair issue shown while the cloud refuses logins for the day."""
        return login_cap_issue_id(self.config_entry.entry_id)

    def _login_limit_wait(self, err: MoogoLoginLimitError) -> float | None:
        """Seconds to wait before the next try; raises the repair issue for the daily cap."""
        hit_at = self.client.login_guard.daily_cap_hit_at
        if not err.daily_cap or hit_at is None:
            return err.retry_after
        resets_at = login_cap_resets_at(hit_at)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.login_cap_issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="moogo_login_limit_reached",
            translation_placeholders={
                "account": self.config_entry.title,
                "retry_at": dt_util.as_local(resets_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return max((resets_at - dt_util.utcnow()).total_seconds(), 1.0)

    def _lift_expired_login_cap(self) -> None:
        """Allow logins again once the day that capped them is over."""
        guard = self.client.login_guard
        hit_at = guard.daily_cap_hit_at
        if hit_at is not None and dt_util.utcnow() >= login_cap_resets_at(hit_at):
            LOGGER.info("A new day began; Moogo logins are allowed again")
            guard.reset()

    # ----------------------------------------------------------------- pushing snapshots

    @callback
    def async_set_pump(self, pump: PumpData) -> None:
        """Publish a fresher snapshot of one pump (after a command or a change)."""
        if self.data is None or pump.device_id not in self.data.pumps:
            return
        data = replace(self.data, pumps={**self.data.pumps, pump.device_id: pump})
        self.update_interval = self.next_interval()
        self.async_set_updated_data(data)

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

    async def async_refresh_part(self, device_id: str, part: str) -> None:
        """Re-read one part of a pump at once, after Home Assistant changed it."""
        pump = self.pump(device_id)
        if part == PART_SCHEDULES:
            schedules = await self.call(
                self.client.get_schedules, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, schedules=schedules)
        elif part == PART_CONFIG:
            config = await self.call(
                self.client.get_device_config, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, config=config)
        else:
            firmware = await self.call(
                self.client.check_firmware_update, device_id, request_timeout=REQUEST_TIMEOUT
            )
            pump = replace(pump, firmware=firmware)
        self._mark_fetched(part, device_id)
        self.async_set_pump(pump)

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
            async with asyncio.timeout(CALL_DEADLINE):
                self.stats.cloud_calls += 1
                await change()
            await self.async_refresh_part(device_id, part)
        except (MoogoError, TimeoutError) as err:
            raise action_error(err, PUMP_ERRORS) from err

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
        current = self.data.pumps.get(device_id, pump)
        if result.status is not None:
            confirmed = replace(current, status=result.status)
            # The confirm read the pump's status: its next regular read follows from this one.
            self._schedule_next_read(device_id, confirmed, time.monotonic())
            self.async_set_pump(confirmed)
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
        sent = await self.call(command, device_id, request_timeout=REQUEST_TIMEOUT)
        async with asyncio.timeout(CONFIRM_WITHIN + CALL_DEADLINE):
            self.stats.cloud_calls += 1
            return await self._confirm(sent)

    async def _confirm(self, sent: MoogoCommandResult) -> MoogoCommandResult:
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
