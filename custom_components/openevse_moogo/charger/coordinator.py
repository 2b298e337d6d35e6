"""One coordinator per charger: websocket push first, a slow poll only as a safety net.

The vendored client keeps the charger's state: the websocket merges every pushed delta into its
cache and refetches a resource (config, override, claims, limit) only when the matching
``*_version`` counter moved. The coordinator turns each change into a new immutable
:class:`ChargerData` snapshot; entities write their state only when their own value changed.
Every call to the charger passes its own deadline (``request_timeout``): the shared session's
timeout is long, and a hung single-threaded ESP32 must never stall Home Assistant.

When the charger cannot be read, :mod:`.grace` decides whether the entities keep their values
for a while (a reboot we asked for, a struggling charger) or turn unavailable (a charger gone).
After our own restart request the push channel is probed until the charger is back, so states
are fresh within moments of its return rather than when the keepalive notices the silence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Final, override

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..clients.openevse import (
    CHANGED_CLAIM_TARGET,
    OpenEVSE,
    OpenEVSEAuthenticationError,
    OpenEVSEError,
    OpenEVSENotFoundError,
    OpenEVSERateLimitError,
    WebsocketState,
)
from ..clients.openevse.models import ClaimProperties, ClaimTarget
from ..const import DOMAIN, LOGGER
from ..errors import action_error, error_translation_key, update_failed
from .boot import BootTracker
from .const import FALLBACK_POLL_INTERVAL, REQUEST_TIMEOUT
from .data import ChargerData
from .errors import CHARGER_ERRORS
from .event_log import EventLog
from .grace import RESTART_DELAY, Trouble
from .history import FinishedSession, async_read_last_session

if TYPE_CHECKING:
    from .runtime import ChargerConfigEntry


# Told of a manual request before it is sent: (start charging?, current asked for); raises a
# translated error to refuse it. None for a pause or a request that sets no current.
type RequestGuard = Callable[[bool | None, int | None], None]


class Keep(Enum):
    """Marker for "leave this claim property as it is"."""

    KEEP = "keep"


# While a requested reboot is under way: how often the push channel is checked, and how long
# a JSON ping may go unanswered before the link counts as gone (loopback or LAN: milliseconds).
_PROBE_INTERVAL: Final = 0.5
_PROBE_TIMEOUT: Final = 1.0


class ChargerCoordinator(DataUpdateCoordinator[ChargerData]):
    """Holds one charger's snapshot and its push channel."""

    config_entry: ChargerConfigEntry

    def __init__(self, hass: HomeAssistant, entry: ChargerConfigEntry, client: OpenEVSE) -> None:
        """Set up the coordinator around a client that is not yet connected."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"OpenEVSE {entry.title}",
            update_interval=FALLBACK_POLL_INTERVAL,
            always_update=False,
        )
        self.client = client
        self.event_log = EventLog(client)
        self.configuration_url = client.url
        self._own_claim: ClaimProperties | None = None
        self._boot = BootTracker()
        self.trouble = Trouble()
        """The current episode of failed requests (for the grace rules and diagnostics)."""
        self._polling = False
        self._last_session: FinishedSession | None = None
        self._has_event_log = False
        self._event_log_read = False
        self.request_guard: RequestGuard | None = None
        """Set by a charging circuit this charger is on: it may refuse a request (see below)."""

    # --- lifecycle -------------------------------------------------------------------------

    async def async_run_push(self) -> None:
        """Keep the websocket running until cancelled (run as the entry's background task)."""
        unsubscribe = [
            self.client.subscribe(self._handle_change),
            self.client.subscribe_connection(self._handle_connection),
        ]
        try:
            await self.client.ws_start()
            await asyncio.Event().wait()
        finally:
            for unsubscribe_one in unsubscribe:
                unsubscribe_one()
            # Stops the websocket only: the shared session is injected and stays open.
            await self.client.ws_disconnect()

    # --- polling ---------------------------------------------------------------------------

    @override
    async def _async_update_data(self) -> ChargerData:
        """Resynchronise everything: the fallback poll, also run when the push channel drops."""
        self._polling = True
        # With the push channel up, the status alone resyncs: its version counters tell whether
        # the configuration changed, so a healthy charger costs one request per poll.
        push_up = self.client.ws_state is WebsocketState.CONNECTED
        try:
            await self.client.update(
                force_status=True, request_timeout=REQUEST_TIMEOUT, include_config=not push_up
            )
            # At start-up we may already hold a claim (made before a restart); later on only a
            # claim we believe we hold can have changed behind our back.
            if self._own_claim is not None or self.data is None:
                self._own_claim = await self.client.get_claim(request_timeout=REQUEST_TIMEOUT)
            if not self._event_log_read:
                # Also what ended while Home Assistant was down: the log survives reboots.
                self._event_log_read = True
                await self._async_read_last_session()
        except (OpenEVSEError, TimeoutError) as err:
            return self._failed(err)
        finally:
            self._polling = False
        if self.trouble.resolved():
            LOGGER.info("Charger %s answers again", self.config_entry.title)
            self.update_interval = FALLBACK_POLL_INTERVAL
            if self.client.ws_state is not WebsocketState.CONNECTED:
                # The charger answers with our credentials: end a hold-off the push channel
                # may be in after refused ones, and any backoff.
                self.client.ws_reconnect()
        return self._snapshot()

    @property
    def answering(self) -> bool:
        """Whether the charger answered its last request.

        False also while its values are kept through a tolerated failure: what anything that
        acts on the charger (a circuit sharing current) must go by, not the entities' state.
        """
        return self.last_update_success and self.trouble.since is None

    def _failed(self, err: Exception) -> ChargerData:
        """Keep the last values while the failure is tolerated; otherwise raise what HA shows."""
        if self.data is not None and self.trouble.tolerates(err, self.hass.loop.time()):
            LOGGER.debug("Keeping %s's values through: %s", self.config_entry.title, err)
            self.update_interval = self.trouble.retry_interval()
            return self._snapshot()
        self.update_interval = FALLBACK_POLL_INTERVAL
        if isinstance(err, OpenEVSEAuthenticationError | OpenEVSERateLimitError):
            # 429 answers only a wrong credential on a charger that counts failures: stop
            # polling (every poll would be one more failure) and ask for the password again.
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key=error_translation_key(err, CHARGER_ERRORS, "charger_auth_failed"),
                translation_placeholders={"error": str(err)},
            ) from err
        raise update_failed(err, CHARGER_ERRORS) from err

    # --- push ------------------------------------------------------------------------------

    @callback
    def _handle_change(self, changed: frozenset[str]) -> None:
        """Publish a change of the client's cache (a pushed delta or a refetch it caused)."""
        if self._polling:
            return  # the running poll returns the new snapshot itself
        if CHANGED_CLAIM_TARGET in changed and self._own_claim is not None:
            # Our claim may have been released with the session (auto release): re-read it.
            self.config_entry.async_create_background_task(
                self.hass, self._async_reload_own_claim(), "openevse own claim"
            )
        if "ota" in changed and self.client.status_data.raw.get("ota") == "completed":
            # A flashed update: the gateway reboots into it a second later.
            self._expect_restart()
        self._publish()

    @callback
    def _handle_connection(self, state: WebsocketState, error: str | None) -> None:
        """Follow the push channel; check the charger with a poll when it drops."""
        if state is WebsocketState.CONNECTED:
            LOGGER.debug("Push channel to %s connected", self.config_entry.title)
            if self.trouble.resolved_by_push():
                self.update_interval = FALLBACK_POLL_INTERVAL
            self._publish()
        elif state in (WebsocketState.DISCONNECTED, WebsocketState.ERROR):
            LOGGER.debug("Push channel to %s lost: %s", self.config_entry.title, error)
            if self.data is not None and self.data.push_connected:
                self._publish()
            # A poll tells "charger gone" (entities unavailable) from "websocket hiccup", and
            # raises the reauth flow when the charger now rejects our credentials.
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), "openevse check after push loss"
            )

    async def _async_reload_own_claim(self) -> None:
        try:
            self._own_claim = await self.client.get_claim(request_timeout=REQUEST_TIMEOUT)
        except (OpenEVSEError, TimeoutError) as err:
            LOGGER.debug("Could not read our claim on %s: %s", self.config_entry.title, err)
            return
        self._publish()

    async def _async_read_last_session(self) -> bool:
        """Read the last finished session from the event log; tell whether it changed."""
        try:
            session = await async_read_last_session(self.event_log)
        except OpenEVSENotFoundError:
            self._has_event_log = False  # firmware without an event log
            return False
        except (OpenEVSEError, TimeoutError) as err:
            LOGGER.debug("Could not read the event log of %s: %s", self.config_entry.title, err)
            return False
        self._has_event_log = True
        changed, self._last_session = session != self._last_session, session
        return changed

    async def _async_reload_last_session(self) -> None:
        if await self._async_read_last_session():
            self._publish()

    @callback
    def _publish(self) -> None:
        """Hand the client's current state to the entities."""
        if not self.last_update_success:
            LOGGER.info("Charger %s is reachable again", self.config_entry.title)
        previous = self.data
        if self.trouble.since is not None and self.last_update_success:
            # A failed request is being retried: a push must not postpone the retry, as
            # async_set_updated_data would (a charging charger pushes every second). The push
            # channel may well be up while requests fail: a busy gateway's 5xx, or credentials
            # refused on firmware whose websocket does not check them.
            self.data = self._snapshot()
            self.async_update_listeners()
        else:
            self.async_set_updated_data(self._snapshot())
        if (
            self._has_event_log
            and previous is not None
            and previous.status.vehicle_connected
            and self.data.status.vehicle_connected is False
        ):
            # Unplugged: the session is over and its end is in the log now.
            self.config_entry.async_create_background_task(
                self.hass, self._async_reload_last_session(), "openevse session history"
            )

    def _snapshot(self) -> ChargerData:
        client = self.client
        status = client.status_data
        return ChargerData(
            status=status,
            config=client.config_data,
            features=client.features,
            override=client.override,
            claim_target=client.claim_target,
            own_claim=self._own_claim,
            own_client_id=client.claim_client_id,
            limit=client.limit,
            boot_time=self._boot.update(status.uptime),
            push_connected=client.ws_state is WebsocketState.CONNECTED,
            last_session=self._last_session,
            has_event_log=self._has_event_log,
            schedule=client.schedule,
            schedule_plan=client.schedule_plan,
        )

    # --- planned restarts ------------------------------------------------------------------

    async def async_restart_gateway(self) -> None:
        """Ask the gateway to reboot, and follow it: no unavailable entity, no error for it."""
        await self.async_command(
            lambda client: client.restart_gateway(request_timeout=REQUEST_TIMEOUT)
        )
        self._expect_restart()

    @callback
    def _expect_restart(self) -> None:
        if self.trouble.restart_expected(self.hass.loop.time()):
            return  # already following one
        self.trouble.expect_restart(self.hass.loop.time())
        self.config_entry.async_create_background_task(
            self.hass, self._async_follow_restart(), "openevse follow restart"
        )

    async def _async_follow_restart(self) -> None:
        """Probe the push channel until the rebooted charger is back on it.

        A rebooting gateway's websocket goes silent, without a close; the keepalive would need
        up to half a minute to tell. A ping unanswered for a second drops it instead, and the
        reconnect loop (retrying every 1.5 s at most) connects as soon as the charger is back.
        A charger reporting its uptime is back once it reports a smaller one; without uptime,
        once the push channel came back after being dropped.
        """
        loop = self.hass.loop
        reboots = self._boot.reboots
        health = self.client.websocket_health
        reconnects = health.reconnects if health is not None else 0
        await asyncio.sleep(RESTART_DELAY)
        while self.trouble.restart_expected(loop.time()):
            if self.client.ws_state is WebsocketState.CONNECTED:
                health = self.client.websocket_health
                back = health is not None and health.reconnects > reconnects
                if self._boot.reboots > reboots or (back and self.data.status.uptime is None):
                    self.trouble.restart_seen()
                    return
                await self.client.ws_probe(_PROBE_TIMEOUT)
            await asyncio.sleep(_PROBE_INTERVAL)

    # --- commands --------------------------------------------------------------------------

    async def async_command(self, command: Callable[[OpenEVSE], Awaitable[object]]) -> None:
        """Run a command (it passes REQUEST_TIMEOUT); failures become translated errors.

        While the push channel is down nothing would tell us the outcome, so poll after it.
        """
        try:
            await command(self.client)
        except (OpenEVSEAuthenticationError, OpenEVSERateLimitError) as err:
            self.config_entry.async_start_reauth(self.hass)
            raise action_error(err, CHARGER_ERRORS) from err
        except (OpenEVSEError, TimeoutError) as err:
            raise action_error(err, CHARGER_ERRORS) from err
        if not self.data.push_connected:
            await self.async_refresh()

    def check_request(self, *, active: bool | None = None, amps: int | None = None) -> None:
        """Let the circuit this charger is on refuse a manual request before it is sent."""
        if self.request_guard is not None:
            self.request_guard(active, amps)

    async def async_set_own_claim(
        self,
        *,
        state: str | Keep | None = Keep.KEEP,
        charge_current: int | Keep | None = Keep.KEEP,
        max_current: int | Keep | None = Keep.KEEP,
    ) -> None:
        """Change our claim; ``Keep.KEEP`` keeps a property as it is, None drops it.

        The firmware replaces a claim as a whole, so the properties we do not change are sent
        again; a claim left with no property is released. A claim holding a maximum current
        (a charging circuit's share) is not released when the car is unplugged: it is what
        keeps the next car within the circuit while Home Assistant is away.
        """
        current = self._own_claim
        new_state = _pick(state, current.state.value if current and current.state else None)
        new_current = _pick(charge_current, current.charge_current if current else None)
        new_max = _pick(max_current, current.max_current if current else None)
        if new_state is None and new_current is None and new_max is None:
            await self.async_command(
                lambda client: client.release_claim(request_timeout=REQUEST_TIMEOUT)
            )
            self._own_claim = None
        else:
            auto_release = new_max is None
            await self.async_command(
                lambda client: client.make_claim(
                    state=new_state,
                    charge_current=new_current,
                    max_current=new_max,
                    auto_release=auto_release,
                    request_timeout=REQUEST_TIMEOUT,
                )
            )
            self._own_claim = ClaimProperties.from_dict(
                {
                    key: value
                    for key, value in (
                        ("state", new_state),
                        ("charge_current", new_current),
                        ("max_current", new_max),
                    )
                    if value is not None
                }
                | {"auto_release": auto_release}
            )
        self._publish()

    async def async_reload_schedule(self) -> None:
        """Read the timer back after an edit, so the calendar shows it as soon as it returns.

        The version counters would refetch it too, but only once their push arrived. Best
        effort: after a refused edit the refusal is what the user must see.
        """
        try:
            await self.client.get_schedule(request_timeout=REQUEST_TIMEOUT)
        except (OpenEVSEError, TimeoutError) as err:
            LOGGER.debug("Could not read the timer of %s: %s", self.config_entry.title, err)
            return
        self._publish()

    async def async_read_claim_target(self) -> ClaimTarget:
        """Ask the charger what its claims resolve to right now, and who decides each."""
        try:
            return await self.client.get_claim_target(request_timeout=REQUEST_TIMEOUT)
        except (OpenEVSEError, TimeoutError) as err:
            raise action_error(err, CHARGER_ERRORS) from err


def _pick[T](requested: T | Keep | None, current: T | None) -> T | None:
    """Return the requested value, or the current one when asked to keep it."""
    return current if isinstance(requested, Keep) else requested
