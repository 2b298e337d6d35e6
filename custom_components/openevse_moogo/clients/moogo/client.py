"""Async client for the Moogo misting-pump cloud API.

Session ownership follows the documented contract:

============== ======================= =======================
Scenario       Session created by      Session closed by
============== ======================= =======================
No injection   :class:`MoogoClient`    :class:`MoogoClient`
With injection the caller              the caller
============== ======================= =======================

The constructor's ``timeout`` configures only a session the client creates; an injected session
keeps its own timeout. Every call also takes a ``request_timeout`` keyword (seconds) that
overrides both for each HTTP request of that call.

Authentication lives on the client, never on the session (which may be shared with unrelated
users): the token travels as the ``token`` header of each request. The client logs in once,
exposes the token, user id and expiry so the caller can persist them and restore a client later
without logging in, and logs in again only when the cloud rejects the token (HTTP or JSON 401),
at most once per request. Concurrent requests that meet a rejected token share one login, and a
:class:`LoginGuard` caps how many logins can happen at all, because the cloud locks an account
out for the day after a handful of them. Once the cloud refused the email or password (code
10104), no further login is attempted: every call that needs one raises
:class:`MoogoInvalidCredentialsError` at once, until the caller gives new credentials with
:meth:`MoogoClient.set_credentials` or resets the guard (``client.login_guard.reset()``).

Start and stop are not idempotent and are never retried on failure: they return a result in the
state "sent", and :meth:`MoogoClient.confirm_spray` can then poll the status (without re-sending)
until the pump shows the requested state, which the cloud reports a few seconds later.

Secrets (password, token, email, user id) are never logged.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import quote

import aiohttp
from yarl import URL

from .envelope import UnauthorizedError, decode_response
from .exceptions import (
    MoogoAuthenticationError,
    MoogoConnectionError,
    MoogoError,
    MoogoInvalidCredentialsError,
    MoogoLoginLimitError,
    MoogoServerError,
    MoogoTimeoutError,
    MoogoValidationError,
)
from .login_guard import DEFAULT_MAX_LOGINS_PER_HOUR, LoginGuard
from .models import (
    CommandState,
    MoogoAuthToken,
    MoogoCommandResult,
    MoogoConfigUpdate,
    MoogoDevice,
    MoogoDeviceConfig,
    MoogoDeviceStatus,
    MoogoLiquidType,
    MoogoOtaInfo,
    MoogoRecommendedPlan,
    MoogoSchedules,
    MoogoSprayRecord,
    ScheduleSpec,
    SprayCommand,
    SprayMode,
)
from .parsing import as_int, as_items, as_mapping, as_str, require_str

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.moogo.com/"
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_USER_AGENT: Final = "openevse-moogo/1.0 (Home Assistant)"
DEFAULT_CONFIRM_WITHIN: Final = 15.0
DEFAULT_CONFIRM_POLL_INTERVAL: Final = 1.0

# Page sizes the vendor app uses: every device and every schedule (the app allows 20) at once.
_DEVICE_PAGE_SIZE: Final = 999
_SCHEDULE_PAGE_SIZE: Final = 20
_HISTORY_PAGE_SIZE: Final = 9999

type TokenCallback = Callable[[MoogoAuthToken], None]


class MoogoClient:
    """Client for one Moogo cloud account.

    Use as ``async with MoogoClient(email=..., password=...) as client:`` or call
    :meth:`close` when done. See the module documentation for session ownership, timeouts and
    the login policy.
    """

    def __init__(
        self,
        email: str | None = None,
        password: str | None = None,
        session: aiohttp.ClientSession | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        base_url: str | URL = DEFAULT_BASE_URL,
        token: str | None = None,
        user_id: str | None = None,
        token_expires_at: datetime | None = None,
        login_guard: LoginGuard | None = None,
        max_logins_per_hour: int = DEFAULT_MAX_LOGINS_PER_HOUR,
        on_token_refresh: TokenCallback | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        """Configure the client; no network traffic happens until the first call.

        ``token``, ``user_id`` and ``token_expires_at`` restore a login persisted from
        :attr:`auth_token`, so no login is needed. ``login_guard`` shares a login budget between
        clients of one account; otherwise the client makes its own guard allowing
        ``max_logins_per_hour``. ``on_token_refresh`` is called (and must not raise) with every
        new login's token so the caller can persist it. ``base_url`` points the client at
        another host (a test server); it must be an absolute http(s) URL.
        """
        url = URL(str(base_url))
        if url.scheme not in {"http", "https"} or not url.host:
            raise ValueError("base_url must be an absolute http(s) URL")
        if not url.path.endswith("/"):
            url = url.with_path(url.path + "/")
        self._base_url = url
        self._email = email
        self._password = password
        self._session = session
        self._injected_session = session is not None
        self._timeout = timeout
        self._user_agent = user_agent
        self._login_guard = login_guard or LoginGuard(max_per_hour=max_logins_per_hour)
        self._on_token_refresh = on_token_refresh
        self._auth: MoogoAuthToken | None = None
        if token:
            self._auth = MoogoAuthToken(
                token=token, user_id=user_id or "", expires_at=token_expires_at
            )
        self._login_lock = asyncio.Lock()
        # Counts finished login attempts, so a request can tell whether someone else already
        # tried to replace the token it saw rejected (and reuse that result instead of logging in).
        self._login_generation = 0
        self._last_login_error: MoogoError | None = None

    # ----------------------------------------------------------------- session and lifecycle

    @property
    def has_injected_session(self) -> bool:
        """Whether the caller supplied the session (and therefore closes it)."""
        return self._injected_session

    @property
    def base_url(self) -> URL:
        """The API root every path is resolved against."""
        return self._base_url

    async def close(self) -> None:
        """Close the session if the client created it; an injected session stays open."""
        if self._injected_session or self._session is None:
            return
        session, self._session = self._session, None
        await session.close()

    async def __aenter__(self) -> Self:
        """Return the client; nothing is opened until the first call."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client's own session, if any."""
        await self.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._injected_session:
            if self._session is None or self._session.closed:
                raise MoogoConnectionError("The injected session is already closed")
            return self._session
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    # ---------------------------------------------------------------------- authentication

    @property
    def login_guard(self) -> LoginGuard:
        """The login budget in force; call ``login_guard.reset()`` after a daily-cap lockout."""
        return self._login_guard

    def set_credentials(self, email: str, password: str) -> None:
        """Use a new email and password for the next login, and allow logins again.

        Lifts the block a refused login left (see :class:`MoogoInvalidCredentialsError`); the
        hourly budget and the daily-cap latch stay. A token held for the same email is kept
        (it still works until the cloud rejects it); another email drops it. Nothing is sent:
        call :meth:`authenticate` to log in now.
        """
        if email != self._email:
            self._auth = None
        self._email = email
        self._password = password
        self._login_guard.accept_new_credentials()

    @property
    def auth_token(self) -> MoogoAuthToken | None:
        """The current login (token, user id, expiry) to persist, or ``None``."""
        return self._auth

    @property
    def token(self) -> str | None:
        """The current token, or ``None`` before the first login."""
        return self._auth.token if self._auth else None

    @property
    def user_id(self) -> str | None:
        """The account's user id from the current login, or ``None``."""
        return self._auth.user_id if self._auth else None

    @property
    def token_expires_at(self) -> datetime | None:
        """When the cloud said the current token expires, if known."""
        return self._auth.expires_at if self._auth else None

    @property
    def is_authenticated(self) -> bool:
        """Whether a token is held and its announced lifetime has not run out."""
        return self._auth is not None and not self._auth.is_expired(datetime.now(UTC))

    async def authenticate(self, *, request_timeout: float | None = None) -> MoogoAuthToken:
        """Log in with the email and password, replacing any held token.

        Each call spends one login of the guard's budget (and of the cloud's daily cap), so
        callers holding a persisted token should restore it instead.
        """
        async with self._login_lock:
            return await self._login(request_timeout)

    async def _login(self, request_timeout: float | None) -> MoogoAuthToken:
        """Perform one login; the caller holds the login lock."""
        # The generation counts attempts that ended with an answer, so requests that found no
        # usable token while this one ran take its result instead of logging in again. A
        # cancelled attempt is not counted: the next request in line then tries itself.
        try:
            auth = await self._login_request(request_timeout)
        except MoogoError as err:
            self._last_login_error = err
            self._login_generation += 1
            raise
        self._login_generation += 1
        self._auth = auth
        self._last_login_error = None
        _LOGGER.debug("Logged in to the Moogo cloud; token valid until %s", auth.expires_at)
        if self._on_token_refresh is not None:
            self._on_token_refresh(auth)
        return auth

    async def _login_request(self, request_timeout: float | None) -> MoogoAuthToken:
        if not self._email or not self._password:
            raise MoogoAuthenticationError("No email and password to log in with")
        self._login_guard.acquire()
        _LOGGER.debug("Logging in to the Moogo cloud")
        body = {"email": self._email, "password": self._password, "keep": True}
        try:
            data = await self._send(
                "POST",
                ("v1", "user", "login"),
                token=None,
                json=body,
                request_timeout=request_timeout,
            )
        except MoogoLoginLimitError:
            # Only the cloud's daily cap gets here (the guard refuses before sending).
            _LOGGER.warning("Moogo cloud reports its daily login cap; logins are paused")
            self._login_guard.trip_daily_cap()
            raise
        except MoogoInvalidCredentialsError:
            # Trying again with the same credentials can only fail again and spend the cap.
            _LOGGER.warning(
                "Moogo cloud refused the email or password; no login until new credentials"
            )
            self._login_guard.reject_credentials()
            raise
        except UnauthorizedError as err:
            raise MoogoAuthenticationError("The cloud refused the login") from err
        except (MoogoServerError, MoogoConnectionError) as err:
            # A gateway's page or a connection never made cannot have reached sign-in; a
            # timeout may have (the cloud may count it against its cap).
            gateway = isinstance(err, MoogoServerError) and err.from_gateway
            if gateway or isinstance(err.__cause__, aiohttp.ClientConnectorError):
                self._login_guard.refund_unanswered(err)
            raise
        self._login_guard.answered()
        login = as_mapping(data, "login result")
        ttl = as_int(login.get("ttl"))
        return MoogoAuthToken(
            token=require_str(login, "token", "Login result"),
            user_id=as_str(login.get("userId")) or "",
            expires_at=(datetime.now(UTC) + timedelta(seconds=ttl) if ttl and ttl > 0 else None),
        )

    async def _fresh_token(
        self, seen_generation: int, request_timeout: float | None
    ) -> tuple[str, int]:
        """Return a token newer than the one seen at ``seen_generation``, logging in if needed.

        Requests that saw the same rejected token queue on the lock; the first logs in and the
        others reuse its token (or its error) instead of logging in again.
        """
        async with self._login_lock:
            if self._login_generation == seen_generation:
                self._auth = None  # known to be rejected (or never held)
                await self._login(request_timeout)
            if self._auth is None:
                raise self._last_login_error or MoogoAuthenticationError("Not logged in")
            return self._auth.token, self._login_generation

    # ------------------------------------------------------------------------ transport

    def _url(self, path: tuple[str, ...]) -> URL:
        return self._base_url.joinpath(*(quote(part, safe="") for part in path), encoded=True)

    async def _send(
        self,
        method: str,
        path: tuple[str, ...],
        *,
        token: str | None,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        request_timeout: float | None = None,
        device_request: bool = False,
    ) -> Any:
        """Send one HTTP request and return the envelope's data; never retries."""
        session = self._get_session()
        headers = {"Accept": "application/json", "User-Agent": self._user_agent}
        if token is not None:
            headers["token"] = token
        options: dict[str, Any] = {}
        if json is None:
            # A request without a payload goes out as the vendor app sends it: a zero-length
            # body and no Content-Type. The app's Retrofit PUTs without @Body (schedule
            # enable/disable/skip, master switch open/close) and its DELETEs send an empty
            # body; only POST bodies are rewritten into JSON by its interceptor (reference
            # moogo-api.md 1.2, from the app v1.1.8 [APK]). pymoogo sends "{}" as JSON
            # instead and the cloud takes that too; the reference ranks the app first for
            # wire format. Left alone, aiohttp would label the empty body
            # application/octet-stream, which neither sends.
            options["skip_auto_headers"] = ("Content-Type",)
        if request_timeout is not None:
            options["timeout"] = aiohttp.ClientTimeout(total=request_timeout)
        url = self._url(path)
        try:
            async with session.request(
                method, url, headers=headers, json=json, params=params, **options
            ) as response:
                body = await response.read()
                status, response_headers = response.status, response.headers
        except TimeoutError as err:
            raise MoogoTimeoutError(f"{method} {url.path} timed out") from err
        except aiohttp.ClientError as err:
            raise MoogoConnectionError(f"{method} {url.path} failed: {type(err).__name__}") from err
        _LOGGER.debug("%s %s -> HTTP %s", method, url.path, status)
        return decode_response(status, response_headers, body, device_request=device_request)

    async def _request(
        self,
        method: str,
        path: tuple[str, ...],
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        request_timeout: float | None = None,
        device_request: bool = False,
    ) -> Any:
        """Send an authenticated request, logging in again once if the token is rejected.

        Resending after a 401 is safe even for start/stop: the cloud refused the request
        before acting on it. No other failure is retried.
        """
        send = functools.partial(
            self._send,
            method,
            path,
            json=json,
            params=params,
            request_timeout=request_timeout,
            device_request=device_request,
        )
        if self._auth is not None:
            token, generation = self._auth.token, self._login_generation
        else:
            token, generation = await self._fresh_token(self._login_generation, request_timeout)
        try:
            return await send(token=token)
        except UnauthorizedError:
            _LOGGER.debug("Moogo cloud rejected the token; logging in again")
        token, _ = await self._fresh_token(generation, request_timeout)
        try:
            return await send(token=token)
        except UnauthorizedError as err:
            raise MoogoAuthenticationError("The cloud rejected a freshly issued token") from err

    async def _public(self, path: tuple[str, ...], *, request_timeout: float | None) -> Any:
        """GET an endpoint that needs no token (the token is not sent either)."""
        try:
            return await self._send("GET", path, token=None, request_timeout=request_timeout)
        except UnauthorizedError as err:
            raise MoogoAuthenticationError(
                "The cloud asked for a login on a public endpoint"
            ) from err

    @staticmethod
    def _device_path(device_id: str, *rest: str) -> tuple[str, ...]:
        if not device_id:
            raise MoogoValidationError("A device id is required")
        return ("v1", "devices", device_id, *rest)

    @staticmethod
    def _schedule_path(device_id: str, schedule_id: str, *rest: str) -> tuple[str, ...]:
        if not schedule_id:
            raise MoogoValidationError("A schedule id is required")
        return MoogoClient._device_path(device_id, "schedules", schedule_id, *rest)

    # -------------------------------------------------------------------------- devices

    async def get_devices(self, *, request_timeout: float | None = None) -> list[MoogoDevice]:
        """List every pump of the account."""
        data = await self._request(
            "GET",
            ("v1", "devices"),
            params={"page": "1", "pageSize": str(_DEVICE_PAGE_SIZE)},
            request_timeout=request_timeout,
        )
        return [MoogoDevice.from_api(item) for item in as_items(data, "device list")]

    async def get_device_status(
        self, device_id: str, *, request_timeout: float | None = None
    ) -> MoogoDeviceStatus:
        """Read one pump's live status."""
        data = await self._request(
            "GET",
            self._device_path(device_id),
            request_timeout=request_timeout,
            device_request=True,
        )
        return MoogoDeviceStatus.from_api(data)

    async def rename_device(
        self, device_id: str, name: str, *, request_timeout: float | None = None
    ) -> None:
        """Give a pump a new name."""
        if not name.strip():
            raise MoogoValidationError("The device name must not be empty")
        await self._request(
            "PUT",
            self._device_path(device_id, "update"),
            json={"deviceName": name.strip()},
            request_timeout=request_timeout,
            device_request=True,
        )

    # ---------------------------------------------------------------------------- spray

    async def start_spray(
        self,
        device_id: str,
        *,
        mode: SprayMode = SprayMode.NORMAL,
        request_timeout: float | None = None,
    ) -> MoogoCommandResult:
        """Ask the pump to start spraying for its configured time; sent once, never retried.

        Raises :class:`MoogoDeviceOfflineError` or :class:`MoogoTooColdError` when the cloud
        refuses. The result is in state "sent"; see :meth:`confirm_spray`.
        """
        return await self._spray_command(device_id, SprayCommand.START, mode, request_timeout)

    async def stop_spray(
        self,
        device_id: str,
        *,
        mode: SprayMode = SprayMode.NORMAL,
        request_timeout: float | None = None,
    ) -> MoogoCommandResult:
        """Ask the pump to stop spraying; sent once, never retried."""
        return await self._spray_command(device_id, SprayCommand.STOP, mode, request_timeout)

    async def _spray_command(
        self, device_id: str, command: SprayCommand, mode: SprayMode, request_timeout: float | None
    ) -> MoogoCommandResult:
        await self._request(
            "POST",
            self._device_path(device_id, command.value),
            json={"mode": mode.value},
            request_timeout=request_timeout,
            device_request=True,
        )
        return MoogoCommandResult(
            device_id=device_id,
            command=command,
            state=CommandState.SENT,
            sent_at=datetime.now(UTC),
        )

    async def confirm_spray(
        self,
        result: MoogoCommandResult,
        *,
        within: float = DEFAULT_CONFIRM_WITHIN,
        poll_interval: float = DEFAULT_CONFIRM_POLL_INTERVAL,
        request_timeout: float | None = None,
    ) -> MoogoCommandResult:
        """Poll the status until the pump shows what the command asked for, at most ``within`` s.

        The command is never sent again. Returns a copy of ``result`` in state "confirmed" or
        "not_confirmed", carrying the last status read. Errors reading the status propagate.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            status = await self.get_device_status(result.device_id, request_timeout=request_timeout)
            if status.running == result.wanted_running:
                state = CommandState.CONFIRMED
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                state = CommandState.NOT_CONFIRMED
                break
            await asyncio.sleep(min(poll_interval, remaining))
        return MoogoCommandResult(
            device_id=result.device_id,
            command=result.command,
            state=state,
            sent_at=result.sent_at,
            status=status,
        )

    # ------------------------------------------------------------------------ schedules

    async def get_schedules(
        self, device_id: str, *, request_timeout: float | None = None
    ) -> MoogoSchedules:
        """List a pump's schedules together with the master schedule switch."""
        data = await self._request(
            "GET",
            self._device_path(device_id, "schedules"),
            params={"page": "1", "pageSize": str(_SCHEDULE_PAGE_SIZE)},
            request_timeout=request_timeout,
            device_request=True,
        )
        return MoogoSchedules.from_api(data)

    async def create_schedule(
        self, device_id: str, spec: ScheduleSpec, *, request_timeout: float | None = None
    ) -> None:
        """Add a schedule; a schedule at an existing time raises :class:`MoogoValidationError`."""
        await self._request(
            "POST",
            self._device_path(device_id, "schedules"),
            json=spec.to_api(),
            request_timeout=request_timeout,
            device_request=True,
        )

    async def update_schedule(
        self,
        device_id: str,
        schedule_id: str,
        spec: ScheduleSpec,
        *,
        request_timeout: float | None = None,
    ) -> None:
        """Replace a schedule's time, length, days and enabled flag."""
        await self._request(
            "PUT",
            self._schedule_path(device_id, schedule_id),
            json=spec.to_api(),
            request_timeout=request_timeout,
            device_request=True,
        )

    async def delete_schedule(
        self, device_id: str, schedule_id: str, *, request_timeout: float | None = None
    ) -> None:
        """Remove a schedule."""
        await self._request(
            "DELETE",
            self._schedule_path(device_id, schedule_id),
            request_timeout=request_timeout,
            device_request=True,
        )

    async def enable_schedule(
        self, device_id: str, schedule_id: str, *, request_timeout: float | None = None
    ) -> None:
        """Turn one schedule on."""
        await self._schedule_action(device_id, schedule_id, "enable", request_timeout)

    async def disable_schedule(
        self, device_id: str, schedule_id: str, *, request_timeout: float | None = None
    ) -> None:
        """Turn one schedule off."""
        await self._schedule_action(device_id, schedule_id, "disable", request_timeout)

    async def skip_schedule(
        self, device_id: str, schedule_id: str, *, request_timeout: float | None = None
    ) -> None:
        """Skip the next run of one schedule."""
        await self._schedule_action(device_id, schedule_id, "skip", request_timeout)

    async def _schedule_action(
        self, device_id: str, schedule_id: str, action: str, request_timeout: float | None
    ) -> None:
        await self._request(
            "PUT",
            self._schedule_path(device_id, schedule_id, action),
            request_timeout=request_timeout,
            device_request=True,
        )

    async def set_schedules_enabled(
        self, device_id: str, enabled: bool, *, request_timeout: float | None = None
    ) -> None:
        """Switch all of a pump's schedules on or off (the master schedule switch)."""
        await self._request(
            "PUT",
            self._device_path(device_id, "schedules", "switch", "open" if enabled else "close"),
            request_timeout=request_timeout,
            device_request=True,
        )

    # --------------------------------------------------------------------------- config

    async def get_device_config(
        self, device_id: str, *, request_timeout: float | None = None
    ) -> MoogoDeviceConfig:
        """Read a pump's settings."""
        data = await self._request(
            "GET",
            self._device_path(device_id, "configs"),
            request_timeout=request_timeout,
            device_request=True,
        )
        return MoogoDeviceConfig.from_api(data)

    async def update_device_config(
        self, device_id: str, changes: MoogoConfigUpdate, *, request_timeout: float | None = None
    ) -> None:
        """Change a pump's settings; only the fields set in ``changes`` are sent."""
        await self._request(
            "PUT",
            self._device_path(device_id, "configs"),
            json=changes.to_api(),
            request_timeout=request_timeout,
            device_request=True,
        )

    # -------------------------------------------------------------------------- history

    async def get_spray_history(
        self, device_id: str, *, start: date, end: date, request_timeout: float | None = None
    ) -> list[MoogoSprayRecord]:
        """List the sprays between two calendar days (inclusive), as the cloud dates them."""
        if start > end:
            raise MoogoValidationError("The history start must not be after its end")
        data = await self._request(
            "GET",
            self._device_path(device_id, "logs"),
            params={
                "startDate": start.isoformat(),
                "endDate": end.isoformat(),
                "page": "1",
                "pageSize": str(_HISTORY_PAGE_SIZE),
            },
            request_timeout=request_timeout,
            device_request=True,
        )
        return [MoogoSprayRecord.from_api(item) for item in as_items(data, "spray history")]

    # ------------------------------------------------------------------------- firmware

    async def check_firmware_update(
        self, device_id: str, *, request_timeout: float | None = None
    ) -> MoogoOtaInfo:
        """Ask the cloud whether newer firmware exists for the pump."""
        data = await self._request(
            "POST",
            self._device_path(device_id, "otaCheck"),
            json={},
            request_timeout=request_timeout,
            device_request=True,
        )
        return MoogoOtaInfo.from_api(data)

    async def start_firmware_update(
        self, device_id: str, *, request_timeout: float | None = None
    ) -> None:
        """Start installing the offered firmware; :meth:`check_firmware_update` shows progress."""
        await self._request(
            "POST",
            self._device_path(device_id, "otaUpdate"),
            json={},
            request_timeout=request_timeout,
            device_request=True,
        )

    # --------------------------------------------------------------------- public catalog

    async def get_liquid_types(
        self, *, request_timeout: float | None = None
    ) -> list[MoogoLiquidType]:
        """List the concentrate types the vendor offers (no login needed)."""
        data = await self._public(("v1", "liquid"), request_timeout=request_timeout)
        return [MoogoLiquidType.from_api(item) for item in as_items(data, "liquid types")]

    async def get_recommended_plans(
        self, *, request_timeout: float | None = None
    ) -> list[MoogoRecommendedPlan]:
        """List the vendor's recommended schedule plans (no login needed)."""
        data = await self._public(("v1", "devices", "schedules"), request_timeout=request_timeout)
        return [MoogoRecommendedPlan.from_api(item) for item in as_items(data, "recommended plans")]
