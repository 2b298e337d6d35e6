"""Push channel of the OpenEVSE gateway (``/ws``), usable on its own.

The gateway pushes JSON objects holding only the keys that changed (and the full status object
whenever any client connects). :class:`OpenEVSEWebsocket` keeps one connection open for as long
as it runs:

* explicit connection states (:class:`WebsocketState`) are reported to the callback;
* every ``keepalive_interval`` it sends both a websocket protocol PING (answered by the gateway's
  network stack) and the firmware's own ``{"ping": 1}`` (answered with ``{"pong": 1}``); a
  connection that shows no sign of life (pong, data) within ``pong_timeout`` of a ping is
  treated as half-open and dropped, so a dead link is noticed within
  ``keepalive_interval + pong_timeout``;
* it reconnects forever by default, with capped, jittered exponential backoff that resets after
  a connection stayed up for ``stable_after`` seconds (``max_reconnect_attempts`` bounds it);
* a caller that knows more than the keepalive can (it asked the charger to reboot) checks the
  link at once with :meth:`OpenEVSEWebsocket.probe` or drops it with
  :meth:`OpenEVSEWebsocket.reconnect`, which also skips a pending backoff;
* Basic credentials go on the handshake (newer firmware requires them);
* health counters (:class:`WebsocketHealth`) describe the channel for diagnostics.

The callback has the shape ``callback(message_type, data, error)`` and may be a plain function or
a coroutine function. ``message_type`` is :data:`SIGNAL_DATA` (``data`` is the pushed object,
without keepalive replies) or :data:`SIGNAL_CONNECTION_STATE` (``data`` is the new
:class:`WebsocketState`, ``error`` the reason for ``error``/``disconnected``/``stopped`` states).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, Self

import aiohttp
from yarl import URL

from .exceptions import (
    OpenEVSEAuthenticationError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSERateLimitError,
)
from .transport import auth_headers, charger_url, parse_json, translate_errors

_LOGGER = logging.getLogger(__name__)

SIGNAL_CONNECTION_STATE: Final = "websocket_state"
SIGNAL_DATA: Final = "data"

_KEEPALIVE_PING: Final = '{"ping":1}'
# Seconds a dead or unwanted connection may take to close: a rebooted charger never answers the
# close frame, and waiting ``close_timeout`` for it would only hold the reconnect back.
_QUICK_CLOSE: Final = 0.1
_RECONNECT_REQUESTED: Final = "reconnect requested"
# Full-jitter lower bound: each delay is drawn from [half, full] of the exponential step, so
# many clients restarting together (e.g. after a Wi-Fi outage) spread out.
_JITTER_FLOOR: Final = 0.5

type WebsocketCallback = Callable[[str, Any, str | None], Awaitable[None] | None]


class WebsocketState(StrEnum):
    """Connection states reported to the callback."""

    CREATED = "created"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTING = "disconnecting"
    DISCONNECTED = "disconnected"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True, kw_only=True)
class WebsocketOptions:
    """Timing and reconnect policy of the websocket (all durations in seconds).

    The defaults suit a charger on a home network: a half-open connection is noticed within
    ``keepalive_interval + pong_timeout`` (30 s), the first retry comes within
    ``reconnect_delay`` (1 s), later ones back off up to ``max_reconnect_delay``.
    """

    keepalive_interval: float = 20.0
    """Interval of the keepalive pings (protocol PING and the firmware's JSON ping)."""
    pong_timeout: float = 10.0
    """How long after a keepalive ping some message must have arrived."""
    connect_timeout: float = 10.0
    close_timeout: float = 5.0
    reconnect_delay: float = 1.0
    max_reconnect_delay: float = 60.0
    stable_after: float = 30.0
    """A connection that stayed up this long resets the backoff."""
    max_reconnect_attempts: int | None = None
    """Consecutive failed attempts before giving up; None retries forever."""
    auth_retry_delay: float = 300.0
    """Wait at least this long after the charger refused the credentials (401, 403, 429):
    newer firmware counts every refused attempt and locks logins out after ten."""

    def __post_init__(self) -> None:
        """Reject durations that would make the loop spin or never run."""
        durations = (
            self.keepalive_interval,
            self.pong_timeout,
            self.connect_timeout,
            self.close_timeout,
            self.reconnect_delay,
            self.max_reconnect_delay,
            self.auth_retry_delay,
        )
        if any(value <= 0 for value in durations) or self.stable_after < 0:
            raise ValueError("websocket durations must be positive")
        if self.max_reconnect_attempts is not None and self.max_reconnect_attempts < 0:
            raise ValueError("max_reconnect_attempts must not be negative")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Return the delay before reconnect attempt ``attempt`` (1 for the first retry)."""
        step = min(self.max_reconnect_delay, self.reconnect_delay * 2.0 ** max(0, attempt - 1))
        return step * rng.uniform(_JITTER_FLOOR, 1.0)


@dataclass(slots=True, kw_only=True)
class WebsocketHealth:
    """Counters describing the push channel, for diagnostics (a snapshot; never updated)."""

    state: WebsocketState
    messages_received: int = 0
    connection_attempts: int = 0
    reconnects: int = 0
    """Successful connections after the first one."""
    consecutive_failures: int = 0
    pings_sent: int = 0
    """Keepalive rounds (one protocol PING plus one JSON ping each)."""
    pongs_received: int = 0
    """JSON ``{"pong": 1}`` replies."""
    last_error: str | None = None
    last_error_at: datetime | None = None
    connected_since: datetime | None = None
    last_message_at: datetime | None = None


def websocket_url(server: str) -> URL:
    """Return the ``/ws`` URL for a charger given as host, base URL or websocket URL."""
    text = server.strip()
    if text.startswith(("ws://", "wss://")):
        url = URL(text)
        secure = url.scheme == "wss"
        base = charger_url(f"{'https' if secure else 'http'}://{url.authority}")
        path = url.path if url.path not in ("", "/") else "/ws"
    else:
        base = charger_url(text)
        secure = base.scheme == "https"
        path = "/ws"
    return base.with_scheme("wss" if secure else "ws").with_path(path)


class OpenEVSEWebsocket:
    """Long-lived websocket to a charger's ``/ws``, with reconnects and health counters.

    ``server`` is the charger's host, base URL (``http://host/``) or websocket URL. An injected
    ``session`` is used for the connection and never closed; without one the websocket creates
    its own on :meth:`start` and closes it on :meth:`stop`. Use ``async with`` or
    :meth:`start`/:meth:`stop`; stopping leaves no task or socket behind.
    """

    def __init__(
        self,
        server: str,
        callback: WebsocketCallback,
        user: str | None = None,
        password: str | None = None,
        session: aiohttp.ClientSession | None = None,
        *,
        options: WebsocketOptions | None = None,
        verify_ssl: bool = True,
    ) -> None:
        """Configure the websocket; nothing connects before :meth:`start`."""
        self.uri = websocket_url(server)
        self.callback = callback
        self._auth_headers = auth_headers(user, password)
        self._injected_session = session
        self._owned_session: aiohttp.ClientSession | None = None
        self._options = options or WebsocketOptions()
        self._ssl = verify_ssl
        self._rng = random.SystemRandom()
        self._task: asyncio.Task[None] | None = None
        self._health = WebsocketHealth(state=WebsocketState.CREATED)
        self._last_rx = 0.0
        # Wall-clock time of the last message: stamped as a float on every message, because a
        # datetime per message would cost more than the rest of its bookkeeping; turned into
        # ``last_message_at`` only when a health snapshot is taken.
        self._last_message_time: float | None = None
        self._connected_before = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        # Set by reconnect(): ends the connection being served or the backoff being waited out.
        self._wake = asyncio.Event()

    # --- public surface -------------------------------------------------------------------

    @property
    def state(self) -> WebsocketState:
        """The current connection state."""
        return self._health.state

    @property
    def health(self) -> WebsocketHealth:
        """A snapshot of the health counters."""
        received = self._last_message_time
        if received is None:
            return replace(self._health)
        return replace(self._health, last_message_at=datetime.fromtimestamp(received, UTC))

    @property
    def options(self) -> WebsocketOptions:
        """The timing and reconnect policy in use."""
        return self._options

    @property
    def has_injected_session(self) -> bool:
        """Whether the session was given by the caller (and is therefore never closed here)."""
        return self._injected_session is not None

    @property
    def running(self) -> bool:
        """Whether the connection loop is running (connected or trying to)."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the connection loop in the background (no-op when already running)."""
        if self.running:
            return
        if self._injected_session is None and (
            self._owned_session is None or self._owned_session.closed
        ):
            self._owned_session = aiohttp.ClientSession()
        self._task = asyncio.create_task(self._run(), name=f"openevse websocket {self.uri.host}")

    def reconnect(self) -> None:
        """Drop the current connection, if any, and connect again at once.

        A pending backoff is skipped, the hold-off after refused credentials included: for a
        caller that knows the link is gone or the credentials work again.
        """
        if self.running:
            self._wake.set()

    async def probe(self, wait: float) -> bool:
        """Check the open connection with a JSON ping; reconnect when nothing arrives in time.

        Returns whether the link answered. Without an open connection nothing is sent (the loop
        is already reconnecting) and the answer is False.
        """
        ws = self._ws
        if ws is None or ws.closed:
            return False
        loop = asyncio.get_running_loop()
        sent = loop.time()
        try:
            await ws.send_str(_KEEPALIVE_PING)
        except aiohttp.ClientError, OSError:
            self.reconnect()
            return False
        await asyncio.sleep(wait)
        if self._ws is not ws or self._last_rx >= sent:
            return True  # it answered, or a newer connection replaced it meanwhile
        self.reconnect()
        return False

    async def stop(self) -> None:
        """Close the connection, end the loop and release an owned session."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            await self._set_state(WebsocketState.DISCONNECTING)
            task.cancel()
            # asyncio.wait, unlike awaiting the task, does not re-raise its cancellation, so a
            # cancellation of the caller itself still propagates normally.
            await asyncio.wait({task})
        await self._close_owned_session()
        self._health.connected_since = None
        await self._set_state(WebsocketState.STOPPED)

    async def _close_owned_session(self) -> None:
        session, self._owned_session = self._owned_session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Self:
        """Start the websocket."""
        await self.start()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        """Stop the websocket."""
        await self.stop()

    # --- connection loop ------------------------------------------------------------------

    async def _run(self) -> None:
        """Connect, serve, and reconnect with backoff until stopped or out of attempts."""
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            await self._set_state(WebsocketState.CONNECTING)
            self._health.connection_attempts += 1
            refused: float | None = None
            try:
                ws = await self._connect()
            except OpenEVSEError as err:
                refused = self._refusal_delay(err)
                self._record_error(str(err) or type(err).__name__)
                await self._set_state(WebsocketState.ERROR, self._health.last_error)
            else:
                connected_at = loop.time()
                reason = await self._serve(ws)
                if loop.time() - connected_at >= self._options.stable_after:
                    failures = 0
                if reason is not None:
                    self._record_error(reason)
                self._health.connected_since = None
                await self._set_state(WebsocketState.DISCONNECTED, reason)
            failures += 1
            self._health.consecutive_failures = failures
            limit = self._options.max_reconnect_attempts
            if limit is not None and failures > limit:
                await self._close_owned_session()
                message = f"gave up after {failures} failed attempts"
                await self._set_state(WebsocketState.STOPPED, message)
                return
            delay = self._options.backoff(failures, self._rng)
            if refused is not None:
                delay = max(delay, refused)
                _LOGGER.warning(
                    "Charger at %s refused the websocket credentials; retrying in %.0f s",
                    self.uri.host,
                    delay,
                )
            await self._pause(delay)

    async def _pause(self, delay: float) -> None:
        """Wait out a backoff, or less when reconnect() is called meanwhile."""
        if not self._wake.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
        self._wake.clear()

    def _refusal_delay(self, err: OpenEVSEError) -> float | None:
        """How long to hold off after the credentials were refused; None for other errors."""
        if isinstance(err, OpenEVSERateLimitError):
            return max(self._options.auth_retry_delay, err.retry_after or 0.0)
        if isinstance(err, OpenEVSEAuthenticationError):
            return self._options.auth_retry_delay
        return None

    async def _connect(self) -> aiohttp.ClientWebSocketResponse:
        session = self._injected_session or self._owned_session
        if session is None or session.closed:
            raise OpenEVSEConnectionError("the HTTP session is closed")
        with translate_errors(f"websocket {self.uri.path}"):
            async with asyncio.timeout(self._options.connect_timeout):
                # Keepalive is ours (see _keepalive), so aiohttp's heartbeat and autoping are off:
                # we answer PINGs ourselves and see PONGs as signs of life.
                return await session.ws_connect(
                    self.uri,
                    headers=self._auth_headers,
                    autoping=False,
                    ssl=self._ssl,
                    timeout=aiohttp.ClientWSTimeout(
                        ws_receive=None, ws_close=self._options.close_timeout
                    ),
                )

    async def _serve(self, ws: aiohttp.ClientWebSocketResponse) -> str | None:
        """Run one connection until it ends; return why it ended (None for a normal close)."""
        tasks: set[asyncio.Task[str | None]] = set()
        ended = False
        try:
            self._ws = ws
            self._wake.clear()  # a reconnect asked for while connecting: this one is new
            self._health.connected_since = datetime.now(UTC)
            self._health.consecutive_failures = 0
            self._health.reconnects += 1 if self._connected_before else 0
            self._connected_before = True
            self._last_rx = asyncio.get_running_loop().time()
            await self._set_state(WebsocketState.CONNECTED)
            tasks = {
                asyncio.create_task(self._read(ws)),
                asyncio.create_task(self._keepalive(ws)),
                asyncio.create_task(self._woken()),
            }
            done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            ended = True
            finished = done.pop()
            if (error := finished.exception()) is not None:
                # Unexpected, but it must end this connection, not the reconnect loop.
                _LOGGER.error("Websocket to %s failed: %r", self.uri.host, error)
                return f"unexpected error: {error!r}"
            return finished.result()
        finally:
            # Runs on every exit, cancellation by stop() included: no task or socket survives.
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks)
            self._ws = None
            await self._close(ws, quick=ended)

    async def _woken(self) -> str | None:
        await self._wake.wait()
        return _RECONNECT_REQUESTED

    async def _close(self, ws: aiohttp.ClientWebSocketResponse, *, quick: bool) -> None:
        # close() is bounded by the close timeout given at connect time and never raises for a
        # broken transport; the socket is released either way. A connection that ended on its
        # own (lost, silent, or dropped on request) is closed without waiting for the reply.
        if ws.closed:
            return
        if not quick:
            await ws.close()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_QUICK_CLOSE):
                await ws.close()

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> str | None:
        while True:
            msg = await ws.receive()
            if msg.type is aiohttp.WSMsgType.TEXT:
                await self._handle_text(msg.data)
            elif msg.type is aiohttp.WSMsgType.BINARY:
                await self._handle_text(msg.data.decode("utf-8", errors="replace"))
            elif msg.type is aiohttp.WSMsgType.PING:
                self._last_rx = asyncio.get_running_loop().time()
                await ws.pong(msg.data)
            elif msg.type is aiohttp.WSMsgType.PONG:
                self._last_rx = asyncio.get_running_loop().time()
            elif msg.type is aiohttp.WSMsgType.ERROR:
                return f"connection lost: {msg.data}"
            else:
                # CLOSE, CLOSING or CLOSED: the charger (or its network) ended the connection.
                code = ws.close_code
                return None if code in (None, aiohttp.WSCloseCode.OK) else f"closed ({code})"

    async def _keepalive(self, ws: aiohttp.ClientWebSocketResponse) -> str | None:
        """Ping every ``keepalive_interval``; fail once a ping got no reply in ``pong_timeout``.

        The cadence does not wait for the reply check, so pings go out every interval even
        when the pong timeout is longer than the interval.
        """
        loop = asyncio.get_running_loop()
        interval, timeout = self._options.keepalive_interval, self._options.pong_timeout
        next_ping = loop.time() + interval
        unanswered: deque[float] = deque()  # send times of pings not known to be answered
        while True:
            wake = min(next_ping, unanswered[0] + timeout) if unanswered else next_ping
            await asyncio.sleep(max(0.0, wake - loop.time()))
            now = loop.time()
            while unanswered and unanswered[0] <= self._last_rx:
                unanswered.popleft()  # something arrived after this ping: the link is alive
            if unanswered and now >= unanswered[0] + timeout:
                return f"no reply to keepalive ping within {timeout:g} s"
            if now < next_ping:
                continue
            try:
                await ws.ping()
                await ws.send_str(_KEEPALIVE_PING)
            except (aiohttp.ClientError, OSError) as err:
                return f"keepalive ping failed: {err}"
            self._health.pings_sent += 1
            unanswered.append(now)
            next_ping += interval

    async def _handle_text(self, text: str) -> None:
        self._last_rx = asyncio.get_running_loop().time()
        self._health.messages_received += 1
        self._last_message_time = time.time()
        try:
            payload = parse_json(text)
        except ValueError, RecursionError:
            _LOGGER.debug("Ignoring non-JSON websocket message from %s", self.uri.host)
            return
        if not isinstance(payload, dict):
            _LOGGER.debug("Ignoring websocket message that is not an object from %s", self.uri.host)
            return
        if "pong" in payload:
            self._health.pongs_received += 1
            del payload["pong"]
            if not payload:
                return
        await self._emit(SIGNAL_DATA, payload, None)

    # --- bookkeeping ----------------------------------------------------------------------

    def _record_error(self, message: str) -> None:
        _LOGGER.debug("Websocket to %s: %s", self.uri.host, message)
        self._health.last_error = message
        self._health.last_error_at = datetime.now(UTC)

    async def _set_state(self, state: WebsocketState, error: str | None = None) -> None:
        if state is self._health.state and error is None:
            return
        self._health.state = state
        await self._emit(SIGNAL_CONNECTION_STATE, state, error)

    async def _emit(self, message_type: str, data: Any, error: str | None) -> None:
        try:
            result = self.callback(message_type, data, error)
            if inspect.isawaitable(result):
                await result
        except Exception:
            # A subscriber's bug must not take the push channel down with it.
            _LOGGER.exception("Error in websocket callback for %s", self.uri.host)
