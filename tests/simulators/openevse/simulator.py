"""The simulated charger: device state, the J1772 session model, websockets and lifecycle."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import WSMsgType, web

from .auth import MasterAuth
from .car import CarDraw, CarModel
from .claims import (
    CLIENT_DIVERT,
    CLIENT_LIMIT,
    CLIENT_MANUAL,
    PRIORITY_DEFAULT,
    PRIORITY_DIVERT,
    PRIORITY_LIMIT,
    PRIORITY_TIMER_FEATURE,
    Claim,
    ClaimsEngine,
)
from .divert import DivertMemory
from .energy_logger import ENERGY_SAMPLE_TICKS, EnergyLogger, json_number
from .event_log import INFORMATION, WARNING, EventLog
from .faults import TEMPERATURE_KEYS, UNKNOWN_STATE_CODE, ChargerFaults
from .http_api import HttpApi
from .profiles import (
    PROFILES,
    READ_ONLY_CONFIG_KEYS,
    SECRET_CONFIG_KEYS,
    SECRET_MARKER,
    default_config,
    default_status,
)
from .scheduler import CLIENT_SCHEDULE, PRIORITY_TIMER, Timer

if TYPE_CHECKING:
    from collections.abc import Coroutine

# J1772 / controller state codes (OpenEVSE_Lib).
STATE_STARTING: Final = 0
STATE_NOT_CONNECTED: Final = 1
STATE_CONNECTED: Final = 2
STATE_CHARGING: Final = 3
STATE_SLEEPING: Final = 254
STATE_DISABLED: Final = 255
ERROR_STATES: Final = frozenset(range(4, 12))

# vflags bits.
FLAG_HARD_FAULT: Final = 0x0002
FLAG_RELAY_ON: Final = 0x0040
FLAG_EV_CONNECTED: Final = 0x0100
FLAG_SESSION_ENDED: Final = 0x0200

# LCD colours per state.
COLOUR_RED, COLOUR_GREEN, COLOUR_YELLOW, COLOUR_VIOLET, COLOUR_TEAL = 1, 2, 3, 5, 6

# Fault counters the controller keeps per error state.
_FAULT_COUNTERS: Final = {6: "gfcicount", 9: "gfcicount", 7: "nogndcount", 8: "stuckcount"}

_ENERGY_TOTALS: Final = ("total_day", "total_week", "total_month", "total_year")

# Version counters as a boot leaves them (see _reset_after_boot).
BOOT_VERSIONS: Final = {
    "config_version": 1,
    "claims_version": 0,
    "override_version": 0,
    "schedule_version": 1,
    "schedule_plan_version": 1,
    "limit_version": 0,
}
VERSION_KEYS: Final = tuple(BOOT_VERSIONS)

# Divert (divert.h): modes, feed types, hysteresis in A.
DIVERT_NORMAL: Final = 1
DIVERT_ECO: Final = 2
DIVERT_TYPE_SOLAR: Final = 0
DIVERT_TYPE_GRID: Final = 1
DIVERT_HYSTERESIS: Final = 0.5

# Firmware updates: an ESP32 app image starts with this byte; Update library error codes.
ESP_IMAGE_MAGIC: Final = b"\xe9"
OTA_ERROR_MAGIC_BYTE: Final = 8
OTA_ERROR_ACTIVATE: Final = 9
# ESP-IDF app image: esp_app_desc_t follows the 24-byte image header and the first 8-byte
# segment header; its magic word, then (after secure_version and two reserved words) version[32].
_APP_DESC_OFFSET: Final = 0x20
_APP_DESC_MAGIC: Final = 0xABCD5432
_APP_DESC_VERSION: Final = slice(0x30, 0x50)


def image_version(image: bytes) -> str | None:
    """The version an ESP32 app image names in its app description, if it carries one."""
    if len(image) < _APP_DESC_VERSION.stop:
        return None
    magic = int.from_bytes(image[_APP_DESC_OFFSET : _APP_DESC_OFFSET + 4], "little")
    if magic != _APP_DESC_MAGIC:
        return None
    version = image[_APP_DESC_VERSION].split(b"\0", 1)[0].decode("ascii", errors="replace")
    return version or None


_POLL: Final = 0.02  # how often waits for a fault switch re-check it
# The controller data the gateway pushes whole (changed or not) each time its monitor has read
# both current/voltage (every 1 s poll) and temperatures (every 30th): create_rapi_json with the
# time fields and the energy meter (input.cpp:49-56, 99-158; evse_monitor.cpp:23, 36-38, 51-54,
# 346; time_man.cpp:261-282; energy_meter.cpp:290-300).
DATA_READY_TICKS: Final = 30
DATA_READY_KEYS: Final = (
    "evse_connected", "amp", "voltage", "power", "pilot", "max_current", "temp", "temp_max",
    "temp1", "temp2", "temp3", "temp4", "state", "status", "flags", "vehicle", "colour",
    "manual_override", "freeram", "divertmode", "srssi", "time", "local_time", "offset",
    "uptime", "session_elapsed", "session_energy", "total_energy", "total_day", "total_week",
    "total_month", "total_year", "total_switches", "elapsed", "wattsec", "watthour",
)  # fmt: skip


def compact_json(payload: Any) -> str:
    """Serialise like the firmware (ArduinoJson): no whitespace."""
    return json.dumps(payload, separators=(",", ":"))


class ChargerSimulator:
    """An OpenEVSE WiFi gateway (ESP32 firmware) served over real loopback sockets.

    ``status`` and ``config`` hold the live device state in wire format (``amp`` in mA,
    temperatures in tenths of a degree or ``false``, ``session_energy`` in Wh, ``total_*`` in
    kWh). Change the device through the async methods so websocket clients receive deltas.
    """

    def __init__(  # noqa: PLR0915 - the device's whole state, set in one place
        self,
        *,
        profile: str = "v5",
        username: str | None = None,
        password: str | None = None,
        serial: str = "A4CF12B37C40",
        tick: float = 1.0,
        ws_auth: bool = False,
        restart_downtime: float = 0.5,
        restart_delay: float = 1.0,
        ws_ping_interval: float = 5.0,
        car: CarModel | None = None,
        uptime: float = 0.0,
    ) -> None:
        """Create a charger that is idle, waiting for a car.

        profile: "v5" (5.1.x field set), "v4" (4.1.x: no power/limit/limit_version/uptime...),
        "dev" (a master build: version string "master_a5938d0c", newest field set).
        username/password: enable HTTP Basic auth on every endpoint (as ``www_username``).
        tick: seconds between charging deltas (and other periodic work).
        ws_auth: require Basic auth on the websocket handshake too (newer firmware).
        restart_downtime: seconds the gateway is unreachable after POST/GET /restart.
        restart_delay: seconds between a restart request (or a flashed update) and the reboot;
            the firmware waits one second (main.cpp restart_system).
        ws_ping_interval: an open websocket idle this long gets a protocol PING from the
            server (Mongoose 6 pings every idle websocket after 5 s).
        car: a car that follows the pilot late and may draw less (see :mod:`.car`); None
            (the default) draws the pilot at once.
        uptime: seconds the gateway has been running when ``start()`` is called.
        """
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}, expected one of {PROFILES}")
        self.profile = profile
        self.serial = serial.upper()
        self.tick = tick
        self.ws_auth = ws_auth
        self.restart_downtime = restart_downtime
        self.restart_delay = restart_delay
        self.ws_ping_interval = ws_ping_interval
        self.uptime_at_start = uptime
        self.event_log = EventLog()
        """Every EVSE state change, as ``/logs`` serves it (kept across reboots, like flash)."""
        self.ota_running = False
        self._flashed_version: str | None = None
        self.ws_pings_sent = 0
        """Protocol PINGs the server sent to idle websockets."""
        self.reboots = 0
        """Gateway reboots so far (restart requests, flashed updates, ``reboot()``)."""
        self.boot_times: list[datetime] = []
        """When the gateway booted (UTC, to the millisecond), each start and reboot: the truth
        a client's boot time estimate from ``uptime`` is judged against."""
        self.ws_pings_received = 0
        """Protocol PINGs clients sent (each answered with a PONG unless half-open)."""
        self._clock_offset = 0.0
        self._old_runners: list[web.AppRunner] = []
        self._frozen: set[web.WebSocketResponse] = set()
        self._last_io: dict[web.WebSocketResponse, float] = {}
        self._held: dict[web.WebSocketResponse, list[str]] = {}
        """Frames sent while ``half_open``, per websocket, delivered once the link forwards."""
        self._delivering = False
        self._delivery = asyncio.Lock()
        self.faults = ChargerFaults()
        self.host = "127.0.0.1"
        self.port = 0
        self.requests: list[tuple[str, str]] = []
        self.ws_connections = 0
        """Websockets open right now."""
        self.ws_handshakes = 0
        """Websocket handshakes accepted since the simulator was created."""
        self.secrets: dict[str, str] = {"pass": "garage-wifi-passphrase"}
        self.status: dict[str, Any] = default_status(profile, self.serial)
        self.config: dict[str, Any] = default_config(profile, self.serial)
        if username:
            self.config["www_username"] = username
            self.secrets["www_password"] = password or ""
        self.auth = MasterAuth(self._master_credentials)
        """The development branch's auth (login sessions, throttle); used by "master"."""
        self.claims = ClaimsEngine()
        self.divert = DivertMemory(wall=self.wall_clock)
        self.energy_logger = EnergyLogger()
        """master's one-minute energy samples (energy_logger.cpp), RAM only."""
        """Solar divert's smoothed surplus and minimum charge time (divert.cpp)."""
        self.limit: dict[str, Any] | None = None
        self._rng = random.Random(self.serial)
        self.timer = Timer(
            self._rng, same_day_wrap_fixed=profile == "master", features=profile == "master"
        )
        """The charging timer (scheduler.cpp); empty, as on a charger nobody set one on."""
        self.timer_divert = False
        """master: a timer window holds eco divert (DivertTask::_timer_divert_active)."""
        self.car = None if car is None else CarDraw(car)
        """The car's draw when a car model was given."""
        self._plugged = False
        self._car_ready = False
        self._fault_state: int | None = None
        self._session_ended = False
        self._controller_restarting = False
        self._session_seconds = 0.0
        self._boot = time.monotonic()
        self._sockets: dict[web.WebSocketResponse, asyncio.Transport | None] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._online = False
        self._stopping = False
        self._pushed_fault_view: dict[str, Any] = {}
        self._api = HttpApi(self)
        # A new simulator is a charger that has just booted (its boot is noted by start()).
        self._reset_after_boot()
        self.boot_times.clear()

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Base URL of the gateway, e.g. ``http://127.0.0.1:8080``."""
        return f"http://{self.host}:{self.port}"

    @property
    def online(self) -> bool:
        """True while the gateway answers (False when stopped or rebooting)."""
        return self._online

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving HTTP and /ws; port 0 picks a free port (see ``port`` / ``url``)."""
        self.host = host
        self.port = port
        self._stopping = False
        self._boot = time.monotonic() - self.uptime_at_start
        self._note_boot()
        await self._serve()
        self._spawn(self._ticker())

    async def stop(self) -> None:
        """Close every websocket and the server; leaves no task or socket behind."""
        self._stopping = True
        current = asyncio.current_task()
        tasks = [task for task in self._tasks if task is not current]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
        await self._go_offline()
        self._abort_websockets()
        runners, self._old_runners = self._old_runners, []
        for runner in runners:
            await runner.cleanup()

    async def __aenter__(self) -> ChargerSimulator:
        """Start on a free loopback port."""
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        """Stop."""
        await self.stop()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._api.handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()  # e.g. port taken, or stop() during a reboot
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        self._online = True

    async def _go_offline(self) -> None:
        self._online = False
        self._abort_websockets()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ device state

    async def update_status(self, **fields: Any) -> None:
        """Change status fields and push only the keys whose value changed."""
        await self._publish(self._apply(fields))

    async def update_config(self, **fields: Any) -> None:
        """Change config keys as POST /config would (bumps config_version, pushes it)."""
        await self._publish(self.apply_config(fields))

    async def plug_in(self) -> None:
        """A car is plugged in (not asking for power yet): a new session starts."""
        self._plugged = True
        self._session_ended = False
        self._session_seconds = 0.0
        session = {"session_elapsed": 0, "elapsed": 0, "session_energy": 0, "wattsec": 0}
        session = {key: value for key, value in session.items() if key in self.status}
        await self._publish(self._apply(session) | self._apply(self._derived_state()))

    async def unplug(self) -> None:
        """The car is unplugged: the session ends and auto-release claims/limits are dropped."""
        self._plugged = False
        self._car_ready = False
        self._session_ended = True
        changes: dict[str, Any] = {}
        released = self.claims.release_auto()
        if released:
            changes |= self._bump("claims_version")
            if CLIENT_MANUAL in released:
                changes |= self._bump("override_version")
        if self.limit is not None and self.limit.get("auto_release", True):
            changes |= self._set_limit(None)
        await self._publish(changes | self._apply(self._derived_state()))

    async def start_charging(self) -> None:
        """The car asks for power (plugging it in first if needed)."""
        if not self._plugged:
            await self.plug_in()
        self._car_ready = True
        await self._publish(self._apply(self._derived_state()))

    async def finish_charging(self) -> None:
        """The car's battery is full: it stops drawing current but stays plugged in."""
        self._car_ready = False
        await self._publish(self._apply(self._derived_state()))

    async def raise_fault(self, state: int) -> None:
        """Put the controller into an error state (4..11), e.g. 6 for a GFCI trip."""
        if state not in ERROR_STATES:
            raise ValueError(f"{state} is not an error state (4..11)")
        self._fault_state = state
        changes: dict[str, Any] = {}
        if counter := _FAULT_COUNTERS.get(state):
            changes[counter] = self.status.get(counter, 0) + 1
        await self._publish(self._apply(changes) | self._apply(self._derived_state()))

    async def clear_fault(self) -> None:
        """Leave the error state; the session model decides the state again."""
        self._fault_state = None
        await self._publish(self._apply(self._derived_state()))

    async def drop_websockets(self) -> None:
        """Cut every open websocket abruptly (no close frame); the device keeps running."""
        self._abort_websockets()
        await asyncio.sleep(0)

    async def reboot(self, downtime: float = 0.0) -> None:
        """Reboot the gateway: unreachable for ``downtime``, then back with state reset.

        Websockets just go silent, as when the chip resets: no close frame, no data, no pong.
        Whatever a client sends on such a socket is answered with a reset once the gateway is
        back (it no longer knows the connection). HTTP connections are closed.
        """
        self._online = False
        self.reboots += 1
        self._frozen |= set(self._sockets)
        runner, self._runner = self._runner, None
        if runner is not None:
            self._old_runners.append(runner)
            await self._close_http(runner)
        self._reset_after_boot()
        if downtime > 0:
            await asyncio.sleep(downtime)
        if self._stopping:
            return
        await self._serve()

    async def _close_http(self, runner: web.AppRunner) -> None:
        """Stop listening and drop HTTP connections; the frozen websockets stay open."""
        frozen = {self._sockets.get(ws) for ws in self._frozen}
        for site in list(runner.sites):
            await site.stop()
        server = runner.server
        if server is None:
            return
        for handler in list(server.connections):
            transport = handler.transport
            if transport is not None and transport not in frozen:
                handler.force_close()
                transport.close()

    def _reset_socket(self, ws: web.WebSocketResponse) -> None:
        transport = self._sockets.get(ws)
        if transport is not None:
            transport.abort()
        self._forget(ws)

    def schedule_reboot(self, downtime: float) -> None:
        """Reboot shortly, after the current request has been answered (used by /restart)."""
        self._spawn(self._reboot_soon(downtime))

    async def _reboot_soon(self, downtime: float) -> None:
        await asyncio.sleep(self.restart_delay)
        await self.reboot(downtime)

    def restart_controller(self) -> None:
        """Restart the EVSE controller: it reports ``starting`` for one tick, then resumes."""
        self._spawn(self._restart_controller())

    async def _restart_controller(self) -> None:
        self._controller_restarting = True
        await self._publish(self._apply(self._derived_state()))
        await asyncio.sleep(self.tick)
        self._controller_restarting = False
        await self._publish(self._apply(self._derived_state()))

    async def run_scenario(self) -> None:
        """Loop forever: plug in, charge with energy rising, finish, unplug; faults now and then."""
        cycle = 0
        while True:
            cycle += 1
            await self._sleep_ticks(5)
            await self.plug_in()
            await self._sleep_ticks(3)
            await self.start_charging()
            await self._sleep_ticks(60)
            await self.finish_charging()
            await self._sleep_ticks(10)
            await self.unplug()
            if cycle % 3 == 0:
                await self._sleep_ticks(3)
                await self.raise_fault(self._rng.choice((6, 7, 10)))
                await self._sleep_ticks(5)
                await self.clear_fault()

    def start_scenario(self) -> None:
        """Run ``run_scenario`` in the background until ``stop()``."""
        self._spawn(self.run_scenario())

    async def _sleep_ticks(self, ticks: int) -> None:
        await asyncio.sleep(ticks * self.tick)

    # ------------------------------------------------------------------ helpers for the API

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(username, password) when HTTP auth is enabled (``www_username`` not empty)."""
        username = self.config.get("www_username", "")
        if not username:
            return None
        return username, self.secrets.get("www_password", "")

    def _master_credentials(self) -> tuple[str, str] | None:
        # The development branch keys auth on the password; a blank user gets a default.
        password = self.secrets.get("www_password", "")
        if not password:
            return None
        return str(self.config.get("www_username", "")), password

    def time_fields(self) -> dict[str, Any]:
        """Return GET /time: time, local_time, offset, uptime (time_man.cpp serialise)."""
        zone = self.zone()
        now = datetime.now(UTC) + timedelta(seconds=self._clock_offset)
        local = now.astimezone(zone)
        return {
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "local_time": local.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "offset": local.strftime("%z"),
            "uptime": int(time.monotonic() - self._boot),
        }

    def zone(self) -> Any:
        """The gateway's local time zone (from ``time_zone``)."""
        zone_name = str(self.config.get("time_zone", "")).split("|", 1)[0]
        try:
            return ZoneInfo(zone_name)
        except ValueError, OSError, KeyError:
            return UTC

    def wall_clock(self) -> float:
        """The gateway's wall clock in seconds since the epoch (``gettimeofday``)."""
        return time.time() + self._clock_offset

    def set_clock(self, when: datetime) -> dict[str, Any]:
        """Set the gateway's clock (POST /time with SNTP off); return the pushed time fields."""
        self._clock_offset = (when - datetime.now(UTC)).total_seconds()
        return self.time_fields()

    def wait_for_badge(self) -> dict[str, Any]:
        """/rfid/add: with RFID enabled the reader waits 60 s for a badge (rfid.cpp)."""
        if not self.config.get("rfid_enabled"):
            return {}
        return {"rfid_waiting": 60}

    def reset_energy_meter(self, *, hard: bool) -> dict[str, Any]:
        """DELETE /emeter: session and period totals to 0; ``hard`` also total and switches."""
        fresh: dict[str, Any] = dict.fromkeys(
            ("session_energy", "wattsec", "session_elapsed", "elapsed", *_ENERGY_TOTALS), 0
        )
        if hard:
            fresh |= {"total_energy": 0, "watthour": 0, "wh": 0, "total_switches": 0}
        self._session_seconds = 0.0
        return self._apply({key: value for key, value in fresh.items() if key in self.status})

    # ------------------------------------------------------------------ firmware updates

    async def flash_upload(self, image: bytes) -> int:
        """Flash an uploaded image (POST /update multipart); return the Update error, 0 if OK.

        The websocket sees ``{"ota":"started"}``, ``{"ota_progress":n}`` and then
        ``{"ota":"completed"}`` (the gateway reboots ``restart_delay`` later) or
        ``{"ota":"failed"}``. An image that is not an ESP32 app (first byte 0xE9) fails with
        error 8 (bad magic byte); ``faults.ota_fails`` makes the final check fail (error 9).
        """
        self.ota_running = True
        self.status["ota_update"] = 1
        await self.broadcast({"ota": "started"})
        if image[:1] != ESP_IMAGE_MAGIC:
            await self._ota_finished(ok=False)
            return OTA_ERROR_MAGIC_BYTE
        await self._ota_progress()
        if self.faults.ota_fails:
            await self._ota_finished(ok=False)
            return OTA_ERROR_ACTIVATE
        await self._ota_finished(ok=True, image=image)
        return 0

    def flash_from_url(self, url: str) -> None:
        """Download and flash an image (POST /update {"url"}), in the background.

        The firmware answers "started" before fetching. A download that does not start (bad
        URL, refused, non-200) or an image with a bad first byte is dropped silently: its
        error callbacks do nothing, so no websocket message follows (http_update.cpp).
        ``faults.ota_silent`` makes every download go that way.
        """
        if self.faults.ota_silent:
            return
        self._spawn(self._download_and_flash(url))

    async def _download_and_flash(self, url: str) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url) as response,
            ):
                if response.status != 200:
                    return
                image = await response.read()
        except aiohttp.ClientError, TimeoutError, ValueError:
            return
        self.ota_running = True
        self.status["ota_update"] = 1
        await self.broadcast({"ota": "started"})
        if image[:1] != ESP_IMAGE_MAGIC:
            self.ota_running = False
            self.status["ota_update"] = 0
            return
        await self._ota_progress()
        await self._ota_finished(ok=not self.faults.ota_fails, image=image)

    async def _ota_progress(self) -> None:
        for percent in range(10, 101, 10):
            await self.broadcast({"ota_progress": percent})
            await asyncio.sleep(0)

    async def _ota_finished(self, *, ok: bool, image: bytes = b"") -> None:
        self.ota_running = False
        self.status["ota_update"] = 0
        await self.broadcast({"ota": "completed" if ok else "failed"})
        if ok:
            # The new build reports its own version from the next boot on (simplified: the
            # version its app description names stands for the firmware's build tag).
            self._flashed_version = image_version(image)
            self.schedule_reboot(self.restart_downtime)

    def clock_fields(self) -> dict[str, Any]:
        """Return the time-dependent status fields as of now."""
        zone = self.zone()
        now = datetime.now(UTC) + timedelta(seconds=self._clock_offset)
        local = now.astimezone(zone)
        offset = local.strftime("%z")
        fields = {
            "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "local_time": local.strftime("%Y-%m-%dT%H:%M:%S") + offset,
            "offset": offset,
            "uptime": int(time.monotonic() - self._boot),
        }
        return {key: value for key, value in fields.items() if key in self.status}

    def full_status(self) -> dict[str, Any]:
        """Return /status as the firmware would send it right now (fault view applied)."""
        self.status.update(self.clock_fields())
        return self.wire(self.status)

    def wire(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Return payload as reported on the wire, with fault switches applied."""
        view = self._fault_view()
        return payload | {key: value for key, value in view.items() if key in payload}

    def _fault_view(self) -> dict[str, Any]:
        view: dict[str, Any] = {}
        if self.faults.unknown_state:
            view["state"] = UNKNOWN_STATE_CODE
        if self.faults.false_temperatures:
            view |= {key: False for key in TEMPERATURE_KEYS if key in self.status}
        return view

    def masked_config(self) -> dict[str, Any]:
        """Return /config with secrets masked like the firmware masks them."""
        masked = dict(self.config)
        for key in SECRET_CONFIG_KEYS & masked.keys():
            masked[key] = SECRET_MARKER if self.secrets.get(key) else ""
        return masked

    def apply_config(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a partial config; return the status changes (empty when nothing changed)."""
        changed = False
        for key, value in body.items():
            if key not in self.config or key in READ_ONLY_CONFIG_KEYS:
                continue
            if key == "service" and self.profile == "master" and value not in (1, 2):
                # The development branch dropped "auto" (0): only L1/L2 are taken
                # (app_config.cpp config_deserialize, commit 39c783be).
                continue
            if key in SECRET_CONFIG_KEYS:
                if value != SECRET_MARKER and value != self.secrets.get(key, ""):
                    self.secrets[key] = str(value)
                    changed = True
            elif self.config[key] != value:
                self.config[key] = value
                changed = True
        if not changed:
            return {}
        changes = self._bump("config_version")
        if body.keys() & {"divert_enabled", "charge_mode", "flags"}:
            changes |= self.set_divertmode(self._configured_divertmode())
        return changes | self._apply(self._derived_state())

    def set_divertmode(self, mode: int) -> dict[str, Any]:
        """Switch divert between normal (1) and eco (2); return the status changes.

        Eco makes the divert module hold a priority-10 ``disabled`` claim, so a charger with no
        surplus pauses, and forgets the surplus and the minimum charge time; normal releases
        the divert claim (divert.cpp DivertTask::setMode). While a master timer window holds
        eco, normal is ignored, whoever asks (master divert.cpp:109-119).
        """
        if mode == self.status.get("divertmode"):
            return {}
        if self.timer_divert and mode == DIVERT_NORMAL:
            return {}
        changes = self._apply({"divertmode": mode, "divert_active": False})
        if mode == DIVERT_NORMAL:
            self.divert.leave_eco()
            return changes | (self.release_claim(CLIENT_DIVERT) or {})
        self.divert.enter_eco()
        changes |= self._apply({"charge_rate": 0})
        return changes | self.set_claim(CLIENT_DIVERT, self._divert_claim(active=False))

    def _divert_claim(self, *, active: bool) -> Claim:
        """Divert's claim: charging at its rate (priority 50) or the pause (10); both at 900
        while a master timer window holds eco, above the timer's own claim and below the
        manual override (master divert.cpp:144-150, 250-264)."""
        if active:
            priority = PRIORITY_TIMER_FEATURE if self.timer_divert else PRIORITY_DIVERT
            return Claim(priority, {"state": "active", "charge_current": self.divert.charge_rate})
        priority = PRIORITY_TIMER_FEATURE if self.timer_divert else PRIORITY_DEFAULT
        return Claim(priority, {"state": "disabled"})

    def set_timer_divert(self, active: bool) -> dict[str, Any]:
        """master DivertTask::setTimerDivertActive (divert.cpp:309-350): a divert window starts
        or ends; return the status changes.

        Starting: eco at priority 900, or, already in eco, the claim held (charging at the
        last rate or paused) raised to 900. Ending: back to the mode the stored config asks
        for; staying in eco the claim drops to its usual priority as it is.
        """
        self.timer_divert = active
        held = self.claims.claims.get(CLIENT_DIVERT)
        charging = held is not None and held.properties.get("state") == "active"
        eco = self.status.get("divertmode") == DIVERT_ECO
        wanted = DIVERT_ECO if active else self._configured_divertmode()
        if eco and wanted == DIVERT_ECO:
            return self.set_claim(CLIENT_DIVERT, self._divert_claim(active=charging))
        return self.set_divertmode(wanted)

    def divert_feed(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """A solar or grid reading arrived (DivertTask::update_state).

        Returns (status changes, the divert event the firmware sends). In eco the available
        current is solar / V (divert_type 0) or the export minus what the car draws less the
        PV-ratio reserve (divert_type 1); it is smoothed, and the smoothed value decides: at
        least the trigger current (min current x min(1, ratio)) plus the hysteresis claims
        ``active`` at priority 50 with the current rounded from the unsmoothed value; at most
        the trigger pauses again, once the minimum charge time is over; in between nothing
        changes. The manager applies a claim after the request (evse_man.cpp loop), so the
        state and pilot this reading sees are those from before it: ``divert_active`` follows
        one reading late.
        """
        v4 = self.profile == "v4"
        changes = self._apply({"divert_update": 0})
        config = self.config
        feed_type = self._divert_feed_type()
        event: dict[str, Any] = {"divert_update": 0}
        if feed_type == DIVERT_TYPE_GRID:
            event["grid_ie"] = self.status.get("grid_ie", 0)
        elif feed_type == DIVERT_TYPE_SOLAR or v4:
            event["solar"] = self.status.get("solar", 0)
        if self.status.get("divertmode") != DIVERT_ECO:
            return changes, event
        memory = self.divert
        voltage = float(self.status.get("voltage") or 240)
        if config.get("is_threephase") and not v4:
            voltage *= 3
        ratio = float(config.get("divert_PV_ratio", 1.1))
        available = self._divert_available(feed_type, voltage, ratio)
        smoothed = self._divert_smooth(available)
        rate = math.floor(available)
        if available - rate > min(1.0, ratio):
            rate += 1
        memory.charge_rate = rate
        charging = self.status.get("state") == STATE_CHARGING
        remaining = memory.min_charge_remaining(charging=charging)
        trigger = int(config["min_current_hard"]) * min(1.0, ratio)
        # What the manager has applied so far (the claims as they stood before this reading).
        manager_state, pilot, _ = self._manager_state()
        held = self.claims.claims.get(CLIENT_DIVERT)
        hysteresis = 0.0 if v4 else DIVERT_HYSTERESIS
        if smoothed >= trigger + hysteresis:
            changes |= self.set_claim(CLIENT_DIVERT, self._divert_claim(active=True))
        elif (
            (v4 or smoothed <= trigger)
            and held is not None
            and held.properties.get("state") == "active"
            and remaining == 0
        ):
            changes |= self.set_claim(CLIENT_DIVERT, self._divert_claim(active=False))
        held = self.claims.claims.get(CLIENT_DIVERT)
        was_active = memory.state == "active"
        if held is not None and held.properties.get("state") == manager_state:
            memory.state = manager_state
        active = memory.state == "active"
        changes |= self._apply({"charge_rate": rate, "divert_active": active})
        if not v4 or active != was_active:
            # 4.1.7 names divert_active in the event only when it changed.
            event["divert_active"] = active
        event |= {
            "charge_rate": rate,
            "trigger_current": json_number(trigger),
            "voltage": json_number(voltage),
            "available_current": json_number(available),
            "smoothed_available_current": json_number(smoothed),
            "pilot": pilot,
            "min_charge_end": remaining,
        }
        return changes, event

    def _divert_available(self, feed_type: int | None, voltage: float, ratio: float) -> float:
        """The current the surplus would give, in A (never negative)."""
        available = self.divert.available  # no feed type: the last value stays
        if feed_type == DIVERT_TYPE_SOLAR:
            available = self.status.get("solar", 0) / voltage
        elif feed_type == DIVERT_TYPE_GRID:
            grid = self.status.get("grid_ie", 0) / voltage - self.status.get("amp", 0) / 1000
            available = -grid - 1000.0 * max(ratio - 1.0, 0.0) / voltage if grid < 0 else 0.0
        return max(available, 0.0)

    def _divert_smooth(self, available: float) -> float:
        """Smooth the available current the way this profile's firmware does."""
        config = self.config
        if self.profile == "v4":
            return self.divert.smooth_per_reading(
                available,
                float(config.get("divert_attack_smoothing_factor", 0.4)),
                float(config.get("divert_decay_smoothing_factor", 0.05)),
            )
        return self.divert.smooth_over_time(
            available,
            float(config.get("divert_attack_smoothing_time", 20)),
            float(config.get("divert_decay_smoothing_time", 600)),
        )

    def _divert_feed_type(self) -> int | None:
        """Which reading divert uses: ``divert_type`` (5.x), the MQTT topics (4.1.7)."""
        if self.profile == "v4":
            if self.config.get("mqtt_grid_ie"):
                return DIVERT_TYPE_GRID
            return DIVERT_TYPE_SOLAR if self.config.get("mqtt_solar") else None
        divert_type = self.config.get("divert_type")
        return divert_type if divert_type in (DIVERT_TYPE_SOLAR, DIVERT_TYPE_GRID) else None

    def set_claim(self, client: int, claim: Claim) -> dict[str, Any]:
        """Add/replace a claim (ClaimError when no slot); return the status changes.

        Re-posting an identical claim changes nothing, not even a version counter.
        """
        if not self.claims.set(client, claim):
            return {}
        return self._claims_changed(client)

    def release_claim(self, client: int) -> dict[str, Any] | None:
        """Release a claim; None when the client had none, else the status changes."""
        if not self.claims.release(client):
            return None
        return self._claims_changed(client)

    def _claims_changed(self, client: int) -> dict[str, Any]:
        changes = self._bump("claims_version")
        if client == CLIENT_MANUAL:
            changes |= self._bump("override_version")
        return changes | self._apply(self._derived_state())

    def set_limit(self, limit: dict[str, Any] | None) -> dict[str, Any]:
        """Set or clear the charge limit; return the status changes."""
        changes = self._set_limit(limit)
        if limit is None and CLIENT_LIMIT in self.claims.claims:
            changes |= self.release_claim(CLIENT_LIMIT) or {}
        return changes | self._apply(self._derived_state())

    def _set_limit(self, limit: dict[str, Any] | None) -> dict[str, Any]:
        self.limit = limit
        return self._apply({"limit": limit is not None}) | self._bump("limit_version")

    @property
    def schedule(self) -> list[dict[str, Any]]:
        """The timer's events as ``GET /schedule`` lists them."""
        return self.timer.events

    @schedule.setter
    def schedule(self, events: list[dict[str, Any]]) -> None:
        """Replace the events behind every client's back (no rebuild, no counter moves)."""
        self.timer.events = events

    def local_clock(self) -> tuple[int, int]:
        """(weekday with 0 = Sunday, seconds after midnight) on the gateway's local clock."""
        now = datetime.now(UTC) + timedelta(seconds=self._clock_offset)
        local = now.astimezone(self.zone())
        return (local.weekday() + 1) % 7, local.hour * 3600 + local.minute * 60 + local.second

    def schedule_plan(self) -> dict[str, Any]:
        """GET /schedule/plan as of now."""
        return self.timer.plan(*self.local_clock())

    def schedule_changed(self, *, commit: bool) -> dict[str, Any]:
        """The timer changed: store it (``commit``), rebuild, move its counters, act on it."""
        if commit:
            self.timer.commit()
        self.timer.build(int(self.config.get("scheduler_start_window", 0) or 0))
        changes = self._bump("schedule_version", "schedule_plan_version")
        return changes | self.run_scheduler()

    def run_scheduler(self) -> dict[str, Any]:
        """Scheduler::loop: claim for the event in force when it changed; else nothing.

        On master the feature of the event that ends is cleaned up first, then an active
        event's feature is applied before the timer claims (scheduler.cpp:242-298): a divert
        window switches eco on at priority 900, a ``current`` one sets the claim's current.
        """
        current = self.timer.current(*self.local_clock())
        if current == self.timer.active:
            return {}
        changes: dict[str, Any] = {}
        if self.timer.active_feature == "divert":
            changes |= self.set_timer_divert(False)
        self.timer.active_feature = "none"
        if current is None:
            changes |= self.release_claim(CLIENT_SCHEDULE) or {}
        elif current.state == "active":
            event = self.timer.event(current.event_id)
            feature = str(event.get("feature", "none"))
            amps = int(event.get("feature_value", 0)) if feature == "current" else 0
            properties = {
                "state": "active",
                "charge_current": amps or int(self.config["max_current_hard"]),
            }
            if feature == "divert":
                changes |= self.set_timer_divert(True)
            self.timer.active_feature = feature
            changes |= self.set_claim(CLIENT_SCHEDULE, Claim(PRIORITY_TIMER, properties))
        else:
            properties = {"state": current.state} if current.state == "disabled" else {}
            changes |= self.set_claim(CLIENT_SCHEDULE, Claim(PRIORITY_DEFAULT, properties))
        self.timer.active = current
        return changes | self._bump("schedule_plan_version")

    async def publish(self, changes: dict[str, Any]) -> None:
        """Push status changes to every websocket (nothing when empty)."""
        await self._publish(changes)

    def apply(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Set status fields; return only those whose value changed."""
        return self._apply(changes)

    # ------------------------------------------------------------------ internals

    def _apply(self, changes: dict[str, Any]) -> dict[str, Any]:
        diff = {key: value for key, value in changes.items() if self.status.get(key) != value}
        # `False == 0` in Python but not on the wire: keep type changes too.
        diff |= {
            key: value
            for key, value in changes.items()
            if key not in diff and type(self.status.get(key)) is not type(value)
        }
        self.status.update(diff)
        if "state" in diff:
            self._log_state()
            if diff["state"] == STATE_CHARGING:
                # DivertTask::loop: every start of charging opens the minimum charge time.
                self.divert.charging_started(float(self.config.get("divert_min_charge_time", 0)))
        return diff

    def _log_state(self) -> None:
        """One event-log line per EVSE state change (evse_man.cpp loop)."""
        status = self.status
        self.event_log.log(
            {
                "time": self.time_fields()["time"],
                "type": WARNING if status["state"] in ERROR_STATES else INFORMATION,
                "managerState": status.get("status", "active"),
                "evseState": status["state"],
                "evseFlags": status.get("flags", 0),
                "pilot": status.get("pilot", 0),
                "energy": status.get("session_energy", 0),
                "elapsed": status.get("session_elapsed", status.get("elapsed", 0)),
                "temperature": status.get("temp", 0) / 10 if status.get("temp") else 0,
                "temperatureMax": status.get("temp_max", 0) / 10 if status.get("temp_max") else 0,
                "divertMode": int(bool(status.get("divert_active"))),
                "shaper": int(bool(status.get("shaper"))),
            }
        )

    def _bump(self, *keys: str) -> dict[str, Any]:
        return self._apply({key: self.status[key] + 1 for key in keys if key in self.status})

    def resolved_claims(self) -> tuple[dict[str, Any], dict[str, int]]:
        """Return /claims/target's (target properties, client that supplied each one)."""
        default_state = "active" if self.config.get("default_state", True) else "disabled"
        return self.claims.resolve(default_state)

    def _manager_state(self) -> tuple[str, int, int]:
        """Resolve the claims: (manager state, pilot A, effective max current A)."""
        properties, _ = self.resolved_claims()
        soft = int(self.config["max_current_soft"])
        hard = int(self.config["max_current_hard"])
        max_current = min(properties.get("max_current", soft), soft, hard)
        pilot = min(properties.get("charge_current", max_current), max_current)
        pilot = max(int(pilot), int(self.config["min_current_hard"]))
        return str(properties["state"]), pilot, int(max_current)

    def _derived_state(self) -> dict[str, Any]:
        manager, pilot, max_current = self._manager_state()
        if self._controller_restarting:
            state = STATE_STARTING
        elif self._fault_state is not None:
            state = self._fault_state
        elif manager == "disabled":
            state = STATE_DISABLED if self.config.get("pause_uses_disabled") else STATE_SLEEPING
        elif not self._plugged:
            state = STATE_NOT_CONNECTED
        else:
            state = STATE_CHARGING if self._car_ready else STATE_CONNECTED
        flags = 0
        if self._plugged:
            flags |= FLAG_EV_CONNECTED
        if self._session_ended:
            flags |= FLAG_SESSION_ENDED
        if state == STATE_CHARGING:
            flags |= FLAG_RELAY_ON
        if state in ERROR_STATES:
            flags |= FLAG_HARD_FAULT
        derived: dict[str, Any] = {
            "state": state,
            "status": manager,
            "pilot": pilot,
            "max_current": max_current,
            "flags": flags,
            "vehicle": int(self._plugged),
            "colour": _colour(state),
            "manual_override": int(CLIENT_MANUAL in self.claims.claims),
        }
        if state != STATE_CHARGING:
            derived |= {"amp": 0, "power": 0}
            if self.car is not None:
                self.car.stop()
        elif self.status.get("state") != STATE_CHARGING:
            derived["total_switches"] = self.status.get("total_switches", 0) + 1
        return {key: value for key, value in derived.items() if key in self.status}

    def _reset_after_boot(self) -> None:
        """What a gateway reboot forgets: claims, limit, counters, the running session.

        The claims, override and limit counters start again at 0 (evse_man.cpp begin,
        manual.cpp, limit.cpp); config and schedule come back at 1 (the config counter's
        initial value; loading the stored schedule moves both schedule counters once). The
        divert mode comes back from the stored config, a runtime /divertmode change is lost.
        """
        self._boot = time.monotonic()
        self._note_boot()
        self.claims.claims.clear()
        self.divert = DivertMemory(clock=self.divert.clock, wall=self.divert.wall)
        self.energy_logger = EnergyLogger()
        self.limit = None
        self.ota_running = False
        if self._flashed_version is not None:
            self.config["version"] = self._flashed_version
            self._flashed_version = None
        self._controller_restarting = False
        self._session_seconds = 0.0
        fresh = BOOT_VERSIONS | {
            "limit": False,
            "comm_sent": 0,
            "comm_success": 0,
            "session_elapsed": 0,
            "elapsed": 0,
            "session_energy": 0,
            "wattsec": 0,
            "amp": 0,
            "power": 0,
            "vehicle_state_update": 0,
            "divert_update": 0,
        }
        if "ota_update" in self.status:
            fresh["ota_update"] = 0
        self._apply({key: value for key, value in fresh.items() if key in self.status})
        if self.profile == "master" and self.config.get("divert_type") == -1:
            # DivertTask::begin's upgrade guess, which 5.1.5 only compared and master assigns
            # and stores: a grid topic means grid export, anything else solar.
            grid = bool(self.config.get("mqtt_grid_ie"))
            self.config["divert_type"] = DIVERT_TYPE_GRID if grid else DIVERT_TYPE_SOLAR
        self.status["divertmode"] = DIVERT_NORMAL
        self.timer_divert = False  # a boot forgets the window; the timer's first loop re-applies it
        self._apply(self.set_divertmode(self._configured_divertmode()))
        # Scheduler::setup loads the stored timer (counters at 1), its first loop claims.
        self.timer.restore()
        self.timer.build(int(self.config.get("scheduler_start_window", 0) or 0))
        self._apply(self.run_scheduler())
        self._apply(self._derived_state())
        # The logger's first loop runs as it starts: one sample at boot.
        self._energy_sample()

    def _note_boot(self) -> None:
        booted = datetime.now(UTC) - timedelta(seconds=time.monotonic() - self._boot)
        self.boot_times.append(booted)

    def _configured_divertmode(self) -> int:
        eco = self.config.get("divert_enabled") and self.config.get("charge_mode") == "eco"
        return DIVERT_ECO if eco else DIVERT_NORMAL

    async def _ticker(self) -> None:
        """Periodic device work: charging progress, limits, fault-view changes, data pushes."""
        ticks = 0
        while True:
            await asyncio.sleep(self.tick)
            if not self._online:
                ticks = 0  # the monitor counts again from boot
                continue
            ticks += 1
            changes: dict[str, Any] = self.run_scheduler()
            if self.status.get("state") == STATE_CHARGING:
                changes |= self._charging_step()
                changes |= self._enforce_limit()
            await self._publish(changes)
            await self._push_fault_view_changes()
            if ticks % DATA_READY_TICKS == 0:
                await self._push_data_ready()
            if ticks % ENERGY_SAMPLE_TICKS == 0:
                self._energy_sample()

    def _energy_sample(self) -> None:
        """master's energy logger: current, monitor temperature, session energy (or nothing)."""
        if self.profile != "master":
            return
        status = self.status
        temp = status.get("temp")
        # `false` (no sensor) is stored as 0, the logger's "no valid reading".
        celsius = temp / 10 if isinstance(temp, int | float) and not isinstance(temp, bool) else 0.0
        self.energy_logger.sample(
            int(self.wall_clock()),
            status.get("amp", 0) / 1000,
            celsius,
            float(status.get("session_energy", 0)),
        )

    async def _push_data_ready(self) -> None:
        """The periodic controller data, uptime and clock included, every key whatever changed."""
        self.status.update(self.clock_fields())
        await self.broadcast(
            self.wire({key: self.status[key] for key in DATA_READY_KEYS if key in self.status})
        )

    def _charging_step(self) -> dict[str, Any]:
        """One tick of charging: current near the pilot, energy counters rising."""
        self._session_seconds += self.tick
        if self.car is not None:
            amp = round(self.car.follow(self.status["pilot"], time.monotonic()) * 1000)
        else:
            amp = max(0, self.status["pilot"] * 1000 - 350 + self._rng.randint(-60, 60))
        voltage = round(240 + self._rng.uniform(-1.5, 1.5), 1)
        phases = 3 if self.config.get("is_threephase") else 1
        power = round(amp / 1000 * voltage * phases, 1)
        wh = power * self.tick / 3600
        session_energy = self.status["session_energy"] + wh
        total_energy = self.status["total_energy"] + wh / 1000
        changes: dict[str, Any] = {
            "amp": amp,
            "voltage": voltage,
            "power": power,
            "session_energy": round(session_energy, 4),
            "wattsec": round(session_energy * 3600, 1),
            "session_elapsed": int(self._session_seconds),
            "elapsed": int(self._session_seconds),
            "total_energy": round(total_energy, 6),
            "watthour": round(total_energy * 1000, 3),
            "temp": min(650, self.status["temp"] + self._rng.choice((0, 0, 1))),
        }
        if "wh" in self.status:
            changes["wh"] = changes["watthour"]
        for key in _ENERGY_TOTALS:
            if key in self.status:
                changes[key] = round(self.status[key] + wh / 1000, 6)
        changes["temp2"] = changes["temp"]
        changes["temp_max"] = max(self.status["temp_max"], changes["temp"])
        return self._apply({key: value for key, value in changes.items() if key in self.status})

    def _enforce_limit(self) -> dict[str, Any]:
        """Once the limit is reached, a priority-1100 claim puts the charger to sleep."""
        if self.limit is None or CLIENT_LIMIT in self.claims.claims:
            return {}
        value = self.limit["value"]
        reached = {
            "time": self.status.get("session_elapsed", 0) >= value * 60,
            "energy": self.status.get("session_energy", 0) >= value,
            "soc": self.status.get("battery_level", 0) >= value,
            "range": self.status.get("battery_range", 0) >= value,
        }[self.limit["type"]]
        if not reached:
            return {}
        claim = Claim(priority=PRIORITY_LIMIT, properties={"state": "disabled"}, auto_release=True)
        return self.set_claim(CLIENT_LIMIT, claim)

    async def _push_fault_view_changes(self) -> None:
        """Switching a reporting fault on or off is seen by clients like a device change."""
        view = self._fault_view()
        if view == self._pushed_fault_view:
            return
        keys = view.keys() | self._pushed_fault_view.keys()
        self._pushed_fault_view = view
        await self._publish({key: self.status[key] for key in keys if key in self.status})

    async def _publish(self, changes: dict[str, Any]) -> None:
        if changes:
            await self.broadcast(self.wire(changes))

    async def broadcast(self, payload: dict[str, Any]) -> None:
        """Send one JSON text frame to every open websocket (held back while half-open)."""
        if not payload or not self._sockets:
            return
        text = compact_json(payload)
        if self.faults.half_open:
            self._hold(text)
            return
        async with self._delivery:  # after what a stall held back, never between it
            await self._deliver_held()
            for ws in list(self._sockets):
                if ws.closed or ws in self._frozen:
                    continue
                await self._send(ws, text)

    async def _send(self, ws: web.WebSocketResponse, text: str) -> None:
        try:
            await ws.send_str(text)
            self._last_io[ws] = time.monotonic()
        except ConnectionError, RuntimeError:
            self._forget(ws)

    def _hold(self, text: str) -> None:
        """Keep a frame a stalled link cannot carry, for when it carries again.

        A link that stops forwarding (a stalled proxy or Wi-Fi) loses nothing: TCP keeps what was
        sent and delivers it, in order, once the link forwards again; only a connection the client
        gave up on meanwhile loses it (with the connection). Dropping the frames instead left a
        connection made during the stall without the full status the firmware sends on connect,
        and any connection without the deltas of the stall, wrong until each key changed again.
        """
        for ws in self._sockets:
            if not ws.closed and ws not in self._frozen:
                self._held.setdefault(ws, []).append(text)
        if self._held and not self._delivering:
            self._delivering = True
            self._spawn(self._deliver_when_forwarding())

    async def _deliver_when_forwarding(self) -> None:
        try:
            # Fault switches are plain attributes flipped by tests: poll them.
            while self.faults.half_open and not self._stopping:  # noqa: ASYNC110
                await asyncio.sleep(_POLL)
            async with self._delivery:
                await self._deliver_held()
        finally:
            self._delivering = False

    async def _deliver_held(self) -> None:
        """Send what a stall held back, oldest first, before anything newer."""
        while self._held:
            ws, texts = self._held.popitem()
            for text in texts:
                if ws.closed or ws in self._frozen or ws not in self._sockets:
                    break
                await self._send(ws, text)

    def _socket_alive(self, ws: web.WebSocketResponse) -> bool:
        transport = self._sockets.get(ws)
        return self._online and transport is not None and not transport.is_closing()

    def _forget(self, ws: web.WebSocketResponse) -> None:
        self._sockets.pop(ws, None)
        self._held.pop(ws, None)
        self._frozen.discard(ws)
        self._last_io.pop(ws, None)
        self.ws_connections = len(self._sockets)

    def _abort_websockets(self) -> None:
        for ws, transport in list(self._sockets.items()):
            if transport is not None:
                transport.abort()
            self._forget(ws)

    async def serve_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Run one /ws connection until it closes (auth/refusal are checked by the API)."""
        ws = web.WebSocketResponse(autoping=False, autoclose=False)
        transport = request.transport
        await ws.prepare(request)
        self.ws_handshakes += 1
        self._sockets[ws] = transport
        self._last_io[ws] = time.monotonic()
        self.ws_connections = len(self._sockets)
        pinger = asyncio.create_task(self._ping_when_idle(ws))
        try:
            # The firmware pushes the full status to every client when one connects.
            await self.broadcast(self.full_status())
            await self._receive_loop(ws)
        finally:
            pinger.cancel()
            with suppress(asyncio.CancelledError):
                await pinger
            self._forget(ws)
        return ws

    async def _ping_when_idle(self, ws: web.WebSocketResponse) -> None:
        """Send a protocol PING whenever the socket has been idle ``ws_ping_interval`` s."""
        while not ws.closed:
            idle_for = time.monotonic() - self._last_io.get(ws, time.monotonic())
            if idle_for < self.ws_ping_interval:
                await asyncio.sleep(self.ws_ping_interval - idle_for)
                continue
            if ws in self._frozen or self.faults.half_open:
                await asyncio.sleep(self.ws_ping_interval)
                continue
            try:
                await ws.ping()
            except ConnectionError, RuntimeError:
                return
            self.ws_pings_sent += 1
            self._last_io[ws] = time.monotonic()

    async def _receive_loop(self, ws: web.WebSocketResponse) -> None:
        while True:
            msg = await ws.receive()
            if ws in self._frozen:
                if msg.type in (WSMsgType.CLOSED, WSMsgType.ERROR):
                    return
                # Sent to a gateway that rebooted: reset once it is back (now, or at boot).
                while not self._online and not self._stopping:  # noqa: ASYNC110
                    await asyncio.sleep(_POLL)
                self._reset_socket(ws)
                return
            self._last_io[ws] = time.monotonic()
            if msg.type is WSMsgType.TEXT:
                await self._on_text(ws, msg.data)
            elif msg.type is WSMsgType.PING:
                self.ws_pings_received += 1
                if not self.faults.half_open:
                    await ws.pong(msg.data)
            elif msg.type is WSMsgType.CLOSE:
                # Half-open: the close handshake goes unanswered until the fault clears.
                # Fault switches are plain attributes flipped by tests: poll them.
                while self.faults.half_open and self._socket_alive(ws):  # noqa: ASYNC110
                    await asyncio.sleep(_POLL)
                await ws.close()
                return
            elif msg.type in (WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return

    async def _on_text(self, ws: web.WebSocketResponse, data: str) -> None:
        """Only ``{"ping": <int>}`` means something to the firmware; it answers ``{"pong":1}``."""
        try:
            message = json.loads(data)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        ping = message.get("ping")
        if isinstance(ping, int) and not isinstance(ping, bool) and not self.faults.half_open:
            with suppress(ConnectionError, RuntimeError):
                await ws.send_str(compact_json({"pong": 1}))

    async def wait_while(self, condition_name: str) -> None:
        """Wait while a boolean fault switch is on (and the gateway is up)."""
        # Fault switches are plain attributes flipped by tests: poll them.
        while getattr(self.faults, condition_name) and self._online:  # noqa: ASYNC110
            await asyncio.sleep(_POLL)


def _colour(state: int) -> int:
    if state == STATE_NOT_CONNECTED:
        return COLOUR_GREEN
    if state == STATE_CONNECTED:
        return COLOUR_YELLOW
    if state == STATE_CHARGING:
        return COLOUR_TEAL
    if state in (STATE_SLEEPING, STATE_DISABLED):
        return COLOUR_VIOLET
    if state in ERROR_STATES:
        return COLOUR_RED
    return COLOUR_GREEN
