"""Async client of the OpenEVSE WiFi gateway's local HTTP API.

:class:`OpenEVSE` keeps a cache of the charger (``/status``, ``/config``, the manual override,
the claim target and the charge limit), refreshes it with :meth:`OpenEVSE.update` or keeps it
current through the websocket (:meth:`OpenEVSE.ws_start`), and sends commands.

Session rules: an injected ``aiohttp.ClientSession`` is used for every request and for the
websocket and is never closed. Without one the client creates its own (with ``request_timeout``
as its timeout): a long-lived one while the websocket runs or inside ``async with``, closed in
:meth:`OpenEVSE.close`, on ``async with`` exit and in :meth:`OpenEVSE.ws_disconnect`; otherwise a
temporary one per request, so a client that is never closed leaves nothing open. Credentials
travel with each request (Basic auth); nothing is set on the session, which may be shared with
other code. Every network method takes a
keyword-only ``request_timeout`` (seconds) that overrides the session's timeout for each
request of that call.

Work the client starts by itself, without a caller to put a deadline around it (the refetch of
``/config``, ``/override``, ``/claims/target`` or ``/limit`` after a pushed delta moved their
``*_version`` counter), runs under the constructor's ``background_timeout`` instead, whatever
session is in use: a hung charger cannot hold the websocket's reader hostage. A refetch that
fails or runs out of time is logged, kept in :attr:`OpenEVSE.background_error` and retried on
the next push or :meth:`OpenEVSE.update`.

Caller mistakes (an out-of-range value, an unknown config key) raise ``ValueError``; everything
the charger or the network does wrong raises an :class:`~.exceptions.OpenEVSEError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Self

import aiohttp

from .exceptions import (
    OpenEVSECommandError,
    OpenEVSEConnectionError,
    OpenEVSEError,
    OpenEVSEInvalidResponseError,
    OpenEVSENotFoundError,
    OpenEVSEServerError,
)
from .models import (
    SCHEDULE_FEATURE_KEYS,
    ChargeMode,
    ChargerConfig,
    ChargerFeatures,
    ChargerStatus,
    ChargeState,
    Claim,
    ClaimProperties,
    ClaimTarget,
    DivertMode,
    EvseState,
    Limit,
    LimitType,
    LogEntry,
    Override,
    ScheduleEvent,
    SchedulePlan,
    ServiceLevel,
    VehicleDataSource,
    as_int,
)
from .transport import auth_headers, charger_url, decode_json, error_for_status, translate_errors
from .version import FirmwareVersion
from .websocket import (
    SIGNAL_CONNECTION_STATE,
    SIGNAL_DATA,
    OpenEVSEWebsocket,
    WebsocketHealth,
    WebsocketOptions,
    WebsocketState,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_REQUEST_TIMEOUT: Final = 10.0
DEFAULT_BACKGROUND_TIMEOUT: Final = 10.0
"""Deadline (seconds) of the refetches the client starts by itself after a push."""
DEFAULT_CLAIM_CLIENT_ID: Final = 23
"""Claim slot used for our own claims. The firmware's own services use ids from 65537 up and
python-openevse-http uses 20, so 23 keeps clear of both."""

# Names reported to subscribers, next to the /status keys, when a cached resource changed.
CHANGED_CONFIG: Final = "config"
CHANGED_OVERRIDE: Final = "override"
CHANGED_CLAIM_TARGET: Final = "claim_target"
CHANGED_LIMIT: Final = "limit"
CHANGED_SCHEDULE: Final = "schedule"
CHANGED_SCHEDULE_PLAN: Final = "schedule_plan"

# The /status counters the firmware bumps when a cached resource changed, with the resource.
_VERSIONED_RESOURCES: Final = (
    ("config_version", CHANGED_CONFIG),
    ("override_version", CHANGED_OVERRIDE),
    ("claims_version", CHANGED_CLAIM_TARGET),
    ("limit_version", CHANGED_LIMIT),
    # The timer's events move schedule_version (and the plan's); the plan alone moves each time
    # the scheduler passes an event (scheduler.cpp buildSchedule, loop).
    ("schedule_version", CHANGED_SCHEDULE),
    ("schedule_plan_version", CHANGED_SCHEDULE_PLAN),
)
_VERSION_KEYS: Final = frozenset(key for key, _ in _VERSIONED_RESOURCES)

# Keys of /config the client writes; anything else is refused before it reaches the charger.
WRITABLE_CONFIG_KEYS: Final = frozenset(
    {
        "service",
        "charge_mode",
        "divert_enabled",
        "current_shaper_enabled",
        "current_shaper_max_pwr",
        "led_brightness",
        "mqtt_vehicle_range_miles",
        "max_current_soft",
        "pause_uses_disabled",
        "default_state",
        "vehicle_data_src",
    }
)

type ChangeCallback = Callable[[frozenset[str]], None]
type StateCallback = Callable[[WebsocketState, str | None], None]


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    text: str


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise OpenEVSEInvalidResponseError(f"{what}: expected a JSON object")
    return body


def _objects(body: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(body, list):
        raise OpenEVSEInvalidResponseError(f"{what}: expected a JSON array")
    return [item for item in body if isinstance(item, dict)]


_ABSENT: Final = object()
# The text reply of a gateway about to reboot (GET /restart; any /restart on 4.x firmware).
_GATEWAY_REBOOTING: Final = "1"


def _changed_values(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """Return the keys of ``new`` that ``old`` lacks or holds with another value.

    A different JSON type counts as a change (0 is not false). Only ``new``'s keys are
    looked at, so a pushed delta costs the size of the delta, not of the whole status.
    """
    return {
        key
        for key, value in new.items()
        if type(previous := old.get(key, _ABSENT)) is not type(value) or previous != value
    }


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """Return the keys whose value differs when ``new`` replaces ``old`` (removals count)."""
    return _changed_values(old, new) | (old.keys() - new.keys())


def _feed_body(**values: float | None) -> dict[str, float]:
    """Return the ``POST /status`` document of the values given (None means not sent)."""
    return {key: value for key, value in values.items() if value is not None}


def _claim_body(
    state: ChargeState | str | None,
    charge_current: int | None,
    max_current: int | None,
    auto_release: bool | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if state is not None:
        body["state"] = ChargeState(state).value
    for name, amps in (("charge_current", charge_current), ("max_current", max_current)):
        if amps is not None:
            if amps <= 0:
                raise ValueError(f"{name} must be positive")
            body[name] = amps
    if auto_release is not None:
        body["auto_release"] = auto_release
    return body


class OpenEVSE:
    """Client of one OpenEVSE charger.

    ``host`` is a host name or IP address, optionally with ``:port``, or a full base URL. The
    keyword-only options select HTTPS (``ssl``, ``verify_ssl``), a ``port``, the timeout of a
    session the client creates (``request_timeout``), the deadline of the refetches the client
    starts by itself after a push, whatever the session (``background_timeout``), the claim
    slot for :meth:`make_claim` (``claim_client_id``) and the websocket policy
    (``websocket_options``).
    """

    def __init__(
        self,
        host: str,
        user: str | None = "",
        pwd: str | None = "",
        session: aiohttp.ClientSession | None = None,
        *,
        port: int | None = None,
        ssl: bool = False,
        verify_ssl: bool = True,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        claim_client_id: int = DEFAULT_CLAIM_CLIENT_ID,
        websocket_options: WebsocketOptions | None = None,
        background_timeout: float = DEFAULT_BACKGROUND_TIMEOUT,
    ) -> None:
        """Configure the client; nothing is sent before the first call."""
        if request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        if background_timeout <= 0:
            raise ValueError("background_timeout must be positive")
        self.host = host
        self.url = str(charger_url(host, port=port, ssl=ssl))
        self._base = charger_url(host, port=port, ssl=ssl)
        self._user = user or ""
        self._password = pwd or ""
        self._auth_headers = auth_headers(user, pwd)
        self._verify_ssl = verify_ssl
        self._request_timeout = request_timeout
        self._background_timeout = background_timeout
        self._claim_client_id = claim_client_id
        self._websocket_options = websocket_options
        self._injected_session = session
        self._owned_session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()
        # The raw /status is the cache; its typed model is built only when read (see
        # status_data) and dropped when the raw dict changes. A built model keeps a reference
        # to the dict it was built from, so that dict is never mutated again: the next change
        # copies it first (see _merge_status).
        self._status_raw: dict[str, Any] = {}
        self._status: ChargerStatus | None = None
        self._config_raw: dict[str, Any] = {}
        self._config = ChargerConfig.from_dict(self._config_raw)
        self._override: Override | None = None
        self._claim_target: ClaimTarget | None = None
        self._limit: Limit | None = None
        self._schedule: tuple[ScheduleEvent, ...] | None = None
        self._schedule_plan: SchedulePlan | None = None
        self._fetched_versions: dict[str, int] = {}
        # Whether a counter in the cached status differs from the one last fetched, so a push
        # has something to refetch (also after a failed refetch, which is retried).
        self._versions_pending = False
        self._background_error: OpenEVSEError | None = None
        self._websocket: OpenEVSEWebsocket | None = None
        self._change_callbacks: list[ChangeCallback] = []
        self._state_callbacks: list[StateCallback] = []

    # --- session lifecycle ----------------------------------------------------------------

    @property
    def claim_client_id(self) -> int:
        """The claim slot of :meth:`make_claim`: how ``/claims/target`` names this client."""
        return self._claim_client_id

    @property
    def has_injected_session(self) -> bool:
        """Whether the session was given by the caller (and is therefore never closed here)."""
        return self._injected_session is not None

    def _new_session(self) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._request_timeout))

    def _long_lived_session(self) -> aiohttp.ClientSession:
        """Return the session for the websocket and ``async with`` use, creating ours if needed."""
        if self._injected_session is not None:
            return self._injected_session
        if self._owned_session is None or self._owned_session.closed:
            self._owned_session = self._new_session()
        return self._owned_session

    async def close(self) -> None:
        """Stop the websocket and close the session if the client created it."""
        await self._stop_websocket()
        session, self._owned_session = self._owned_session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Self:
        """Use the client as an async context manager; :meth:`close` runs on exit."""
        self._long_lived_session()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        """Close the client."""
        await self.close()

    # --- HTTP plumbing --------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        request_timeout: float | None = None,
    ) -> _Reply:
        """Send one request and return the reply; error statuses raise typed errors."""
        what = f"{method} {path}"
        options: dict[str, Any] = {"headers": self._auth_headers, "ssl": self._verify_ssl}
        if json is not None:
            options["json"] = json
        if form is not None:
            options["data"] = dict(form)
        if request_timeout is not None:
            options["timeout"] = aiohttp.ClientTimeout(total=request_timeout)
        session = self._injected_session or self._owned_session
        if session is None:
            # No session of our own is open (no websocket, no ``async with``): use one for this
            # request only, so a client that is never closed leaks nothing.
            async with self._new_session() as temporary:
                reply, headers = await self._send(temporary, method, path, options)
        else:
            if session.closed:
                raise OpenEVSEConnectionError(f"{what}: the HTTP session is closed")
            reply, headers = await self._send(session, method, path, options)
        _LOGGER.debug("%s %s -> %s", method, path, reply.status)
        if reply.status >= 400:
            raise error_for_status(reply.status, reply.text, headers)
        return reply

    async def _send(
        self, session: aiohttp.ClientSession, method: str, path: str, options: dict[str, Any]
    ) -> tuple[_Reply, dict[str, str]]:
        # The gateway serves one request at a time; queue ours rather than make it juggle.
        async with self._lock:
            with translate_errors(f"{method} {path}"):
                async with session.request(method, self._base.with_path(path), **options) as resp:
                    raw = await resp.read()
                    return _Reply(resp.status, raw.decode("utf-8", errors="replace")), dict(
                        resp.headers
                    )

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = await self._request(method, path, **kwargs)
        return decode_json(reply.text)

    async def _command(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send a command whose success reply is a JSON object (usually ``{"msg": ...}``)."""
        return _object(await self._json(method, path, **kwargs), f"{method} {path}")

    async def _text_command(
        self, path: str, form: Mapping[str, str], request_timeout: float | None
    ) -> str:
        """Send a form command answered with plain text (``/divertmode``, ``/shaper``)."""
        reply = await self._request("POST", path, form=form, request_timeout=request_timeout)
        text = reply.text.strip()
        if text.startswith("<"):
            # An HTML page (captive portal, proxy) instead of the firmware's short text.
            raise OpenEVSEInvalidResponseError(f"POST {path}: unexpected HTML reply")
        return text

    # --- reads ----------------------------------------------------------------------------

    async def update(
        self,
        force_status: bool = False,
        *,
        request_timeout: float | None = None,
        include_config: bool = True,
    ) -> None:
        """Refresh the cache: ``/config``, ``/status`` and whatever their counters say moved.

        While the websocket is connected it already keeps the status current, so ``/status``
        is only fetched when ``force_status`` is set. With ``include_config=False``, ``/config``
        is fetched only when the status says its ``config_version`` moved (a light resync).
        Subscribers are told what changed.
        """
        changed: set[str] = set()
        if include_config:
            config = await self._fetch_config(request_timeout)
            if config is not None:
                changed.add(CHANGED_CONFIG)
        if force_status or not self._status_raw or self.ws_state is not WebsocketState.CONNECTED:
            status = _object(
                await self._json("GET", "/status", request_timeout=request_timeout), "GET /status"
            )
            if "wh" in status:
                status.setdefault("watthour", status.pop("wh"))
            changed |= _changed_keys(self._status_raw, status)
            self._status_raw = status
            self._status = None
        if include_config:
            # /config was just fetched, whatever its counter says.
            self._fetched_versions["config_version"] = (
                as_int(self._status_raw.get("config_version")) or 0
            )
        changed |= await self._refresh_versioned(request_timeout)
        self._notify(changed)

    async def _fetch_config(self, request_timeout: float | None) -> ChargerConfig | None:
        """Fetch ``/config``; return the new model when it differs from the cached one."""
        config = _object(
            await self._json("GET", "/config", request_timeout=request_timeout), "GET /config"
        )
        if config == self._config_raw:
            return None
        self._config_raw = config
        self._config = ChargerConfig.from_dict(config)
        return self._config

    async def _refresh_versioned(self, request_timeout: float | None = None) -> set[str]:
        """Refetch each resource whose ``*_version`` counter differs from the one last fetched.

        Resources are only fetched when the firmware reports their counter, which is also how
        their support is detected.
        """
        changed: set[str] = set()
        try:
            for key, version, name in self._outdated_versions():
                before = self._cached(name)
                await self._fetch(name, request_timeout)
                self._fetched_versions[key] = version
                if self._cached(name) != before:
                    changed.add(name)
            # Everything the counters named is cached now: an earlier failure is resolved.
            self._background_error = None
        finally:
            # Counters may have moved meanwhile, and a failed fetch leaves its counter
            # unrecorded: what is still outdated decides whether the next push retries.
            self._versions_pending = bool(self._outdated_versions())
        return changed

    def _outdated_versions(self) -> list[tuple[str, int, str]]:
        """Return (counter key, cached counter, resource) for each counter not yet fetched."""
        outdated = []
        for key, name in _VERSIONED_RESOURCES:
            version = as_int(self._status_raw.get(key))
            if version is not None and self._fetched_versions.get(key) != version:
                outdated.append((key, version, name))
        return outdated

    def _cached(self, name: str) -> object:
        """Return the cached value of a versioned resource."""
        return {
            CHANGED_CONFIG: self._config_raw,
            CHANGED_OVERRIDE: self._override,
            CHANGED_CLAIM_TARGET: self._claim_target,
            CHANGED_LIMIT: self._limit,
            CHANGED_SCHEDULE: self._schedule,
            CHANGED_SCHEDULE_PLAN: self._schedule_plan,
        }[name]

    async def _fetch(self, name: str, request_timeout: float | None) -> None:
        """Refetch a versioned resource into the cache."""
        if name == CHANGED_CONFIG:
            await self._fetch_config(request_timeout)
        elif name == CHANGED_OVERRIDE:
            await self.get_override(request_timeout=request_timeout)
        elif name == CHANGED_CLAIM_TARGET:
            await self.get_claim_target(request_timeout=request_timeout)
        elif name == CHANGED_SCHEDULE:
            await self.get_schedule(request_timeout=request_timeout)
        elif name == CHANGED_SCHEDULE_PLAN:
            await self.get_schedule_plan(request_timeout=request_timeout)
        else:
            await self.get_limit(request_timeout=request_timeout)

    async def get_status(self, *, request_timeout: float | None = None) -> ChargerStatus:
        """Fetch ``/status`` (without touching the cache) and return it."""
        body = _object(
            await self._json("GET", "/status", request_timeout=request_timeout), "GET /status"
        )
        return ChargerStatus.from_dict(body)

    async def get_config(self, *, request_timeout: float | None = None) -> ChargerConfig:
        """Fetch ``/config``, update the cache and return it."""
        await self._fetch_config(request_timeout)
        return self._config

    async def get_override(self, *, request_timeout: float | None = None) -> Override | None:
        """Fetch the manual override (None when there is none) and cache it."""
        body = _object(
            await self._json("GET", "/override", request_timeout=request_timeout), "GET /override"
        )
        self._override = ClaimProperties.from_dict(body) if body else None
        return self._override

    async def get_claims(self, *, request_timeout: float | None = None) -> list[Claim]:
        """Fetch every active claim."""
        body = _objects(
            await self._json("GET", "/claims", request_timeout=request_timeout), "GET /claims"
        )
        return [Claim.from_dict(item) for item in body]

    async def get_claim(
        self, client_id: int | None = None, *, request_timeout: float | None = None
    ) -> ClaimProperties | None:
        """Fetch one client's claim (ours by default); None when it holds none."""
        client = self._claim_client_id if client_id is None else client_id
        try:
            body = await self._json("GET", f"/claims/{client}", request_timeout=request_timeout)
        except OpenEVSENotFoundError:
            return None
        return ClaimProperties.from_dict(_object(body, "GET /claims"))

    async def get_claim_target(self, *, request_timeout: float | None = None) -> ClaimTarget:
        """Fetch the winning claim values and their owners, and cache them."""
        path = "/claims/target"
        body = _object(
            await self._json("GET", path, request_timeout=request_timeout), f"GET {path}"
        )
        self._claim_target = ClaimTarget.from_dict(body)
        return self._claim_target

    async def get_limit(self, *, request_timeout: float | None = None) -> Limit | None:
        """Fetch the charge limit (None when there is none) and cache it."""
        body = _object(
            await self._json("GET", "/limit", request_timeout=request_timeout), "GET /limit"
        )
        self._limit = Limit.from_dict(body) if body else None
        return self._limit

    async def get_schedule(
        self, *, request_timeout: float | None = None
    ) -> tuple[ScheduleEvent, ...]:
        """Fetch the charging timer's events and cache them."""
        body = _objects(
            await self._json("GET", "/schedule", request_timeout=request_timeout), "GET /schedule"
        )
        self._schedule = tuple(ScheduleEvent.from_dict(item) for item in body)
        return self._schedule

    async def get_schedule_plan(self, *, request_timeout: float | None = None) -> SchedulePlan:
        """Fetch the scheduler's plan of the week and cache it."""
        path = "/schedule/plan"
        body = _object(
            await self._json("GET", path, request_timeout=request_timeout), f"GET {path}"
        )
        self._schedule_plan = SchedulePlan.from_dict(body, received=datetime.now(UTC))
        return self._schedule_plan

    async def set_schedule_events(
        self, events: Sequence[Mapping[str, Any]], *, request_timeout: float | None = None
    ) -> None:
        """Add or replace timer events by ``id`` (one without an id gets a new one).

        Sent as one array to ``/schedule``: the firmware stores that in flash, whereas
        ``POST /schedule/{id}`` only rebuilds the plan in memory (scheduler.cpp deserialize).
        The firmware refuses the request (400) when an event lacks ``state``, ``time`` or
        ``days``, or when all its 50 slots are taken. The development branch's feature and
        limit keys are sent along (released firmware ignores them).
        """
        keys = ("id", "state", "time", "days", *SCHEDULE_FEATURE_KEYS)
        body = [{key: event[key] for key in keys if key in event} for event in events]
        await self._command("POST", "/schedule", json=body, request_timeout=request_timeout)

    async def delete_schedule_event(
        self, event_id: int, *, request_timeout: float | None = None
    ) -> None:
        """Remove one timer event (404 when there is no such event)."""
        await self._command("DELETE", f"/schedule/{event_id}", request_timeout=request_timeout)

    async def get_log_range(self, *, request_timeout: float | None = None) -> tuple[int, int]:
        """Fetch the (first, last) block index of the gateway's event log."""
        body = _object(
            await self._json("GET", "/logs", request_timeout=request_timeout), "GET /logs"
        )
        first, last = as_int(body.get("min")), as_int(body.get("max"))
        if first is None or last is None:
            raise OpenEVSEInvalidResponseError("GET /logs: no block range")
        return first, last

    async def get_log_block(
        self, index: int, *, request_timeout: float | None = None
    ) -> list[LogEntry]:
        """Fetch one block of the event log, oldest entry first (404 when out of range)."""
        body = _objects(
            await self._json("GET", f"/logs/{index}", request_timeout=request_timeout),
            "GET /logs/{n}",
        )
        return [LogEntry.from_dict(item) for item in body]

    # --- commands: claims, override, limit ------------------------------------------------

    async def set_override(
        self,
        *,
        state: ChargeState | str | None = None,
        charge_current: int | None = None,
        max_current: int | None = None,
        auto_release: bool | None = None,
        request_timeout: float | None = None,
    ) -> None:
        """Set the manual override (priority 1000, what the charger's own UI uses).

        The firmware replaces the whole override: properties not given are dropped, and
        ``auto_release`` defaults to true (released when the vehicle is unplugged).
        """
        body = _claim_body(state, charge_current, max_current, auto_release)
        await self._command("POST", "/override", json=body, request_timeout=request_timeout)

    async def clear_override(self, *, request_timeout: float | None = None) -> None:
        """Release the manual override; succeeds when there is none."""
        try:
            await self._command("DELETE", "/override", request_timeout=request_timeout)
        except OpenEVSEServerError:
            # The firmware answers 500 when there is nothing to release.
            if await self.get_override(request_timeout=request_timeout) is not None:
                raise

    async def toggle_override(self, *, request_timeout: float | None = None) -> None:
        """Toggle the manual override the way the charger's button does."""
        await self._command("PATCH", "/override", request_timeout=request_timeout)

    async def make_claim(
        self,
        *,
        state: ChargeState | str | None = None,
        charge_current: int | None = None,
        max_current: int | None = None,
        auto_release: bool = True,
        client_id: int | None = None,
        request_timeout: float | None = None,
    ) -> None:
        """Hold our own claim (priority 500, not written to the controller's EEPROM)."""
        body = _claim_body(state, charge_current, max_current, auto_release)
        client = self._claim_client_id if client_id is None else client_id
        await self._command("POST", f"/claims/{client}", json=body, request_timeout=request_timeout)

    async def release_claim(
        self, client_id: int | None = None, *, request_timeout: float | None = None
    ) -> None:
        """Release our claim (or ``client_id``'s); succeeds when there is none."""
        client = self._claim_client_id if client_id is None else client_id
        try:
            await self._command("DELETE", f"/claims/{client}", request_timeout=request_timeout)
        except OpenEVSENotFoundError:
            _LOGGER.debug("No claim %s to release", client)

    async def set_limit(
        self,
        limit_type: LimitType | str,
        value: int,
        *,
        auto_release: bool = True,
        request_timeout: float | None = None,
    ) -> None:
        """Set a charge limit: minutes, session Wh, battery % or range.

        With ``auto_release`` the limit ends with the charging session.
        """
        kind = LimitType(limit_type)
        if value <= 0:
            raise ValueError("limit value must be positive")
        body = {"type": kind.value, "value": value, "auto_release": auto_release}
        await self._command("POST", "/limit", json=body, request_timeout=request_timeout)

    async def clear_limit(self, *, request_timeout: float | None = None) -> None:
        """Remove the charge limit; succeeds when there is none."""
        await self._command("DELETE", "/limit", request_timeout=request_timeout)

    # --- commands: modes and settings -----------------------------------------------------

    async def set_divert_mode(
        self, mode: DivertMode | str, *, request_timeout: float | None = None
    ) -> None:
        """Switch solar divert between ``fast`` (normal charging) and ``eco`` (follow surplus)."""
        if isinstance(mode, str):
            try:
                level = DivertMode[mode.upper()]
            except KeyError:
                raise ValueError(f"unknown divert mode: {mode!r}") from None
        else:
            level = DivertMode(mode)
        await self._text_command("/divertmode", {"divertmode": str(level.value)}, request_timeout)

    async def set_current_shaper(
        self, enabled: bool, *, request_timeout: float | None = None
    ) -> None:
        """Turn the current shaper (load balancing against the house supply) on or off."""
        await self._text_command("/shaper", {"shaper": "1" if enabled else "0"}, request_timeout)

    async def set_config(
        self, values: Mapping[str, Any], *, request_timeout: float | None = None
    ) -> ChargerConfig:
        """Write config keys (only those in :data:`WRITABLE_CONFIG_KEYS`) and return the config.

        Some keys (``service``, ``max_current_soft``) are written to the controller's EEPROM.
        """
        unknown = set(values) - WRITABLE_CONFIG_KEYS
        if unknown:
            raise ValueError(f"not a writable config key: {', '.join(sorted(unknown))}")
        if not values:
            raise ValueError("nothing to write")
        await self._command("POST", "/config", json=dict(values), request_timeout=request_timeout)
        return await self.get_config(request_timeout=request_timeout)

    async def set_service_level(
        self, level: ServiceLevel | int, *, request_timeout: float | None = None
    ) -> None:
        """Set the J1772 service level (0 automatic, 1 or 2)."""
        await self.set_config(
            {"service": ServiceLevel(level).value}, request_timeout=request_timeout
        )

    async def set_charge_mode(
        self, mode: ChargeMode | str, *, request_timeout: float | None = None
    ) -> None:
        """Set the divert mode used when solar divert is enabled (``fast`` or ``eco``)."""
        await self.set_config(
            {"charge_mode": ChargeMode(mode).value}, request_timeout=request_timeout
        )

    async def set_divert_enabled(
        self, enabled: bool, *, request_timeout: float | None = None
    ) -> None:
        """Enable or disable solar divert."""
        await self.set_config({"divert_enabled": enabled}, request_timeout=request_timeout)

    async def set_vehicle_data_source(
        self, source: VehicleDataSource | int, *, request_timeout: float | None = None
    ) -> None:
        """Choose where the charger takes vehicle data from (HTTP for :meth:`set_vehicle_data`)."""
        await self.set_config(
            {"vehicle_data_src": VehicleDataSource(source).value}, request_timeout=request_timeout
        )

    async def set_led_brightness(
        self, brightness: int, *, request_timeout: float | None = None
    ) -> None:
        """Set the status LED brightness (0-255; RGB-LED builds only)."""
        if not 0 <= brightness <= 255:
            raise ValueError("brightness must be 0-255")
        await self.set_config({"led_brightness": brightness}, request_timeout=request_timeout)

    async def restart_gateway(self, *, request_timeout: float | None = None) -> None:
        """Reboot the WiFi gateway; a connection cut by the reboot counts as success."""
        await self._restart("gateway", request_timeout)

    async def restart_evse(self, *, request_timeout: float | None = None) -> None:
        """Restart the EVSE controller; a connection cut by the restart counts as success.

        Firmware before 5.0 has no EVSE restart (its /restart reboots the gateway whatever is
        asked): when the cached payloads show such a firmware nothing is sent.
        """
        if self._status_raw and self._config_raw and not self.features.evse_restart:
            raise OpenEVSECommandError(0, "this firmware has no EVSE restart")
        await self._restart("evse", request_timeout)

    async def _restart(self, device: str, request_timeout: float | None) -> None:
        what = "POST /restart"
        try:
            reply = await self._request(
                "POST", "/restart", json={"device": device}, request_timeout=request_timeout
            )
        except OpenEVSEConnectionError as err:
            _LOGGER.debug("Connection closed by the %s restart: %s", device, err)
            return
        if reply.text.strip() == _GATEWAY_REBOOTING:
            # 4.1.7 to 4.2.2 answer any /restart with "1" and reboot the gateway, whatever the
            # body asked for: right for the gateway, wrong for the controller.
            if device == "gateway":
                return
            raise OpenEVSECommandError(
                200, "this firmware has no EVSE restart: the gateway restarts instead"
            )
        _object(decode_json(reply.text), what)

    async def start_firmware_update(
        self, url: str, *, request_timeout: float | None = None
    ) -> None:
        """Ask the gateway to download and flash the firmware image at ``url``.

        The gateway answers ``{"msg":"started"}`` before it fetches anything; what follows is
        only pushed on the websocket (``ota`` = ``started`` / ``completed`` / ``failed`` and
        ``ota_progress``, see :attr:`.models.ChargerStatus.ota_state`). A download that cannot
        start is dropped without any message (web_server_update.cpp:50-82,
        http_update.cpp:18-94), so callers must watch for progress with a deadline.
        """
        if not url.startswith(("http://", "https://")):
            raise ValueError("the firmware URL must be http(s)")
        reply = await self._command(
            "POST", "/update", json={"url": url}, request_timeout=request_timeout
        )
        if reply.get("msg") != "started":
            raise OpenEVSECommandError(200, f"firmware update not started: {reply}")

    # --- commands: data fed to the charger (POST /status) ---------------------------------

    async def _post_status(self, body: dict[str, Any], request_timeout: float | None) -> None:
        await self._command("POST", "/status", json=body, request_timeout=request_timeout)

    async def post_status_feeds(
        self,
        *,
        voltage: float | None = None,
        solar: float | None = None,
        grid_ie: float | None = None,
        shaper_live_pwr: float | None = None,
        battery_level: float | None = None,
        battery_range: float | None = None,
        time_to_full_charge: float | None = None,
        vehicle_charge_limit: float | None = None,
        home_battery_soc: float | None = None,
        home_battery_power: float | None = None,
        request_timeout: float | None = None,
    ) -> None:
        """Feed several values to the charger in one ``POST /status`` (the firmware's names).

        ``voltage`` (V, applied between 60 and 300), ``solar`` (W produced) **or** ``grid_ie``
        (W, positive import), ``shaper_live_pwr`` (W, whole-house load), the vehicle's
        ``battery_level`` (%), ``battery_range`` (km or miles as the charger is set),
        ``time_to_full_charge`` (s) and, on newer firmware, ``vehicle_charge_limit`` (%),
        ``home_battery_soc`` (%) and ``home_battery_power`` (W). Values left at None are not
        sent. The charger applies vehicle values only when its vehicle data source is HTTP
        (config ``vehicle_data_src`` 3). One request instead of one per value matters to the
        single-threaded gateway.
        """
        if solar is not None and grid_ie is not None:
            # The firmware applies only solar then, silently dropping grid_ie.
            raise ValueError("feed solar or grid_ie, not both")
        body = _feed_body(
            voltage=voltage,
            solar=solar,
            grid_ie=grid_ie,
            shaper_live_pwr=shaper_live_pwr,
            battery_level=battery_level,
            battery_range=battery_range,
            time_to_full_charge=time_to_full_charge,
            vehicle_charge_limit=vehicle_charge_limit,
            home_battery_soc=home_battery_soc,
            home_battery_power=home_battery_power,
        )
        if not body:
            raise ValueError("no value to feed")
        await self._post_status(body, request_timeout)

    async def set_voltage(self, voltage: float, *, request_timeout: float | None = None) -> None:
        """Tell the charger the grid voltage (applied between 60 and 300 V)."""
        await self._post_status({"voltage": voltage}, request_timeout)

    async def set_solar_production(
        self, watts: float, *, request_timeout: float | None = None
    ) -> None:
        """Feed solar production (W) to the divert logic."""
        await self._post_status({"solar": watts}, request_timeout)

    async def set_grid_power(self, watts: float, *, request_timeout: float | None = None) -> None:
        """Feed grid power (W, positive import, negative export) to the divert logic."""
        await self._post_status({"grid_ie": watts}, request_timeout)

    async def set_shaper_live_power(
        self, watts: float, *, request_timeout: float | None = None
    ) -> None:
        """Feed the whole-house load (W) to the current shaper."""
        await self._post_status({"shaper_live_pwr": watts}, request_timeout)

    async def set_vehicle_data(
        self,
        *,
        soc: float | None = None,
        range_: float | None = None,
        eta: float | None = None,
        request_timeout: float | None = None,
    ) -> None:
        """Feed vehicle data: battery %, range and seconds to full.

        The charger applies it only when its vehicle data source is set to HTTP.
        """
        body = _feed_body(battery_level=soc, battery_range=range_, time_to_full_charge=eta)
        if not body:
            raise ValueError("no vehicle data given")
        await self._post_status(body, request_timeout)

    async def set_home_battery(
        self,
        *,
        soc: float | None = None,
        power: float | None = None,
        request_timeout: float | None = None,
    ) -> None:
        """Feed the home battery's charge (%) and power (W) (newer firmware)."""
        body = _feed_body(home_battery_soc=soc, home_battery_power=power)
        if not body:
            raise ValueError("no home battery data given")
        await self._post_status(body, request_timeout)

    # --- websocket ------------------------------------------------------------------------

    @property
    def websocket(self) -> OpenEVSEWebsocket | None:
        """The websocket, once :meth:`ws_start` created it."""
        return self._websocket

    @property
    def ws_state(self) -> WebsocketState:
        """The websocket's connection state (``stopped`` when it never ran)."""
        return self._websocket.state if self._websocket is not None else WebsocketState.STOPPED

    @property
    def websocket_health(self) -> WebsocketHealth | None:
        """The websocket's health counters, for diagnostics."""
        return self._websocket.health if self._websocket is not None else None

    async def ws_start(self) -> None:
        """Start the websocket that keeps the cache current (no-op when already running)."""
        if self._websocket is None:
            self._websocket = OpenEVSEWebsocket(
                self.url,
                self._on_websocket_event,
                self._user,
                self._password,
                session=self._long_lived_session(),
                options=self._websocket_options,
                verify_ssl=self._verify_ssl,
            )
        await self._websocket.start()

    async def ws_disconnect(self) -> None:
        """Stop the websocket and close the session if the client created it."""
        await self.close()

    def ws_reconnect(self) -> None:
        """Drop the websocket's connection and connect again at once (see its ``reconnect``)."""
        if self._websocket is not None:
            self._websocket.reconnect()

    async def ws_probe(self, wait: float) -> bool:
        """Check the push channel with a JSON ping; it reconnects when nothing came back."""
        if self._websocket is None:
            return False
        return await self._websocket.probe(wait)

    async def _stop_websocket(self) -> None:
        websocket, self._websocket = self._websocket, None
        if websocket is not None:
            await websocket.stop()

    def subscribe(self, callback: ChangeCallback) -> Callable[[], None]:
        """Call ``callback`` with the set of changed keys after each change; returns unsubscribe.

        The keys are ``/status`` keys (with the firmware's names, e.g. ``amp``, ``state``) plus
        :data:`CHANGED_CONFIG`, :data:`CHANGED_OVERRIDE`, :data:`CHANGED_CLAIM_TARGET` and
        :data:`CHANGED_LIMIT` when those cached resources changed. Only keys whose value
        actually changed are reported.
        """
        self._change_callbacks.append(callback)
        return lambda: self._change_callbacks.remove(callback)

    def subscribe_connection(self, callback: StateCallback) -> Callable[[], None]:
        """Call ``callback(state, error)`` on each websocket state change; returns unsubscribe."""
        self._state_callbacks.append(callback)
        return lambda: self._state_callbacks.remove(callback)

    async def _on_websocket_event(self, message_type: str, data: Any, error: str | None) -> None:
        if message_type == SIGNAL_CONNECTION_STATE:
            for state_callback in list(self._state_callbacks):
                state_callback(data, error)
            return
        if message_type != SIGNAL_DATA or not isinstance(data, dict):
            return
        self._notify(await self._apply_delta(data))

    @property
    def background_error(self) -> OpenEVSEError | None:
        """Why the last refetch the client started by itself failed; None once one succeeds.

        A timeout (after ``background_timeout``) is an :class:`OpenEVSETimeoutError`. The
        resource stays outdated and is fetched again on the next push or :meth:`update`.
        """
        return self._background_error

    async def _apply_delta(self, delta: dict[str, Any]) -> set[str]:
        """Merge a pushed delta into the cached status and refetch what its counters moved."""
        changed = self._merge_status(delta)
        if not self._versions_pending:
            return changed
        try:
            # Nobody waits on this work with a deadline of their own, and an injected session's
            # timeout may be long: bound the whole refetch (queueing for the lock included).
            with translate_errors(
                f"refresh after a push ({self._background_timeout:g} s deadline)"
            ):
                async with asyncio.timeout(self._background_timeout):
                    changed |= await self._refresh_versioned()
        except OpenEVSEError as err:
            # The counter stays unrecorded, so the next update or push retries the fetch.
            if self._background_error is None:
                _LOGGER.warning("Could not refresh %s after a push: %s", self.host, err)
            else:
                _LOGGER.debug("Could not refresh %s after a push: %s", self.host, err)
            self._background_error = err
        return changed

    def _merge_status(self, delta: dict[str, Any]) -> set[str]:
        """Merge a pushed delta into the raw status; return the keys whose value changed.

        Only the delta's keys are compared, and the typed model is dropped (not rebuilt): the
        cost of a push is the size of the delta, whatever the size of the status.
        """
        if "wh" in delta:
            delta["watthour"] = delta.pop("wh")
        changed = _changed_values(self._status_raw, delta)
        if not changed:
            return changed
        if self._status is None:
            self._status_raw.update(delta)
        else:
            # The model handed out holds the current dict: leave that snapshot untouched.
            self._status_raw = {**self._status_raw, **delta}
            self._status = None
        if not changed.isdisjoint(_VERSION_KEYS):
            self._versions_pending = True
        return changed

    def _notify(self, changed: set[str]) -> None:
        if not changed:
            return
        keys = frozenset(changed)
        for callback in list(self._change_callbacks):
            callback(keys)

    # --- cached reads ---------------------------------------------------------------------

    @property
    def status(self) -> str | None:
        """The charger's condition in one word (``active``, ``disabled``, ``sleeping`` ...)."""
        return self.status_data.status_text

    @property
    def status_data(self) -> ChargerStatus:
        """The cached ``/status`` (kept current by :meth:`update` and the websocket).

        Each value is a snapshot: later pushes produce a new object and never change it.
        """
        status = self._status
        if status is None:
            status = self._status = ChargerStatus.from_dict(self._status_raw)
        return status

    @property
    def config_data(self) -> ChargerConfig:
        """The cached ``/config``."""
        return self._config

    @property
    def override(self) -> Override | None:
        """The cached manual override (None when none, or not fetched yet)."""
        return self._override

    @property
    def claim_target(self) -> ClaimTarget | None:
        """The cached claim target (None until fetched)."""
        return self._claim_target

    @property
    def limit(self) -> Limit | None:
        """The cached charge limit (None when none, or not fetched yet)."""
        return self._limit

    @property
    def schedule(self) -> tuple[ScheduleEvent, ...] | None:
        """The cached timer events (None when not fetched: no schedule on this firmware)."""
        return self._schedule

    @property
    def schedule_plan(self) -> SchedulePlan | None:
        """The cached plan of the timer's week (None when not fetched)."""
        return self._schedule_plan

    @property
    def features(self) -> ChargerFeatures:
        """What this charger supports, detected from the cached payloads."""
        return ChargerFeatures.detect(self._status_raw, self._config_raw)

    @property
    def firmware_version(self) -> FirmwareVersion:
        """The WiFi gateway firmware version."""
        return self._config.firmware_version

    @property
    def wifi_serial(self) -> str | None:
        """The gateway's serial (its MAC address): the charger's stable identity."""
        return self._config.wifi_serial

    @property
    def state(self) -> EvseState | None:
        """The controller state (None when unknown)."""
        return self.status_data.state

    @property
    def vehicle_connected(self) -> bool | None:
        """Whether a vehicle is plugged in."""
        return self.status_data.vehicle_connected

    @property
    def charging_current(self) -> float | None:
        """Charge current in A."""
        return self.status_data.charging_current

    @property
    def charging_power(self) -> float | None:
        """Charge power in W."""
        return self.status_data.charging_power

    @property
    def usage_session(self) -> float | None:
        """Energy of the current session in Wh."""
        return self.status_data.session_energy

    @property
    def usage_total(self) -> float | None:
        """Lifetime energy in kWh."""
        return self.status_data.total_energy

    @property
    def min_amps(self) -> int | None:
        """Lowest charge current the hardware allows, in A."""
        return self._config.min_current_hard

    @property
    def max_amps(self) -> int | None:
        """Highest charge current the hardware allows, in A."""
        return self._config.max_current_hard
