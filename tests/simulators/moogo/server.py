"""The Moogo cloud simulator: an aiohttp server speaking the vendor's ``v1`` API."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, Final

from aiohttp import web

from .catalog import LIQUID_TYPES, recommended_plans
from .device import COLD_LOCK_BELOW, CONFIG_KEYS_WRITABLE, SimDevice
from .faults import MoogoFaults
from .schedules import Schedule, is_iana_zone, parse_repeat_set, zone_of
from .wire import (
    CODE_BAD_CREDENTIALS,
    CODE_BUSINESS,
    CODE_DEVICE_OFFLINE,
    CODE_FORBIDDEN,
    CODE_NOT_FOUND,
    CODE_SERVER_ERROR,
    CODE_TOO_COLD,
    CODE_UNAUTHORIZED,
    MESSAGE_LOGIN_CAP,
    MESSAGE_OFFLINE,
    BusinessError,
    as_bool,
    as_int,
    as_str,
    query_int,
    read_body,
    reply,
)

DEFAULT_EMAIL: Final = "demo@example.com"
DEFAULT_PASSWORD: Final = "moogo-demo"
DEVICE_LIST_PAGE_SIZE: Final = 999  # server default when a client sends no paging (pymoogo)
SCHEDULE_PAGE_SIZE: Final = 20
LOG_PAGE_SIZE: Final = 20
SHORT_TOKEN_TTL: Final = 86400  # "keep me signed in" unticked; the real value is unknown
SELF_TEST_SECONDS: Final = 180  # the app's pump self-test runs three minutes
DEVICE_NAMES: Final = ("Backyard", "Patio", "Front Porch", "Garden", "Pool Deck")
# What start and stop carry in ``data``: an inner ``code`` 0. The HACS integration's v1.0-v1.5.1
# clients treated a start as done only when ``data.code == 0`` and shipped that way, and
# pymoogo's OpenAPI shows the same shape (reference 2.1 row 6; inferred, not captured).
SPRAY_ACK: Final = {"code": 0}
PUBLIC_ROUTES: Final = frozenset({"/v1/user/login", "/v1/liquid", "/v1/devices/schedules"})
SELF_TEST_MODE: Final = "self-test"
MALFORMED_BODY: Final = '{"code":0,"message":"success","data":{"items":[{"deviceId":'
CLOUDFLARE_PAGE: Final = (
    "<!DOCTYPE html>\n<html><head><title>api.moogo.com | {status}: Connection timed out</title>"
    "</head><body><h1>Error {status}</h1><p>Connection timed out</p>"
    "<p>Cloudflare Ray ID: 8c1f2e3d4a5b6c7d</p></body></html>"
)

type DeviceHandler = Callable[[web.Request, SimDevice], Awaitable[web.Response]]


class MoogoCloudSimulator:
    """A faithful stand-in for ``https://api.moogo.com/`` with one account and its pumps.

    Start it, point a client at :attr:`url`, log in with the constructor's credentials, and
    drive the pumps and the failure modes through the methods and :attr:`faults`.
    """

    def __init__(
        self,
        *,
        email: str = DEFAULT_EMAIL,
        password: str = DEFAULT_PASSWORD,
        token_ttl: int = 31536000,
        spray_confirm_delay: float = 4.0,
        devices: int = 1,
        ota_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the account and ``devices`` pumps; nothing listens until :meth:`start`."""
        self.email = email
        self.password = password
        self.token_ttl = token_ttl
        self.spray_confirm_delay = spray_confirm_delay
        self.ota_seconds = ota_seconds
        self.faults = MoogoFaults()
        self.requests: list[tuple[str, str]] = []
        self.login_count = 0
        self.url = ""
        self.user_id = str(10**17 + int(_digest(email.lower()), 16) % (9 * 10**17))
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._login_attempts_by_day: dict[date, int] = {}
        self._devices: dict[str, SimDevice] = {}
        self._serial = itertools.count(1)
        self._token_serial = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        for _ in range(devices):
            self.add_device()

    # ----- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on ``host``:``port`` (0 picks a free port) and set :attr:`url`."""
        self._closing = asyncio.Event()
        app = web.Application(middlewares=[self._middleware])
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{bound_port}/"

    async def stop(self) -> None:
        """Stop listening; requests held by ``hang`` or ``delay`` are released first."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> MoogoCloudSimulator:
        """Start on a free loopback port."""
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop."""
        await self.stop()

    # ----- control of the simulated world -------------------------------------------------

    def add_device(
        self,
        *,
        name: str | None = None,
        online: bool = True,
        temperature: float = 22.0,
        humidity: int = 55,
        rssi: int = -58,
        water_low: bool = False,
        concentrate_low: bool = False,
        firmware: str = "1.0.8",
        time_zone: str = "America/Los_Angeles",
        spraying_seconds: int = 60,
        liquid_name: str = "Mosquito Concentrate",
        liquid_concentration: int = 100,
    ) -> str:
        """Bind a new pump to the account and return its device id (stable per email and order).

        ``time_zone`` may be empty or a POSIX rule to imitate devices that report one.
        """
        serial = next(self._serial)
        device_id = _digest(f"{self.email.lower()}#{serial}")[:24]
        now = self._clock()
        default_name = DEVICE_NAMES[(serial - 1) % len(DEVICE_NAMES)]
        if serial > len(DEVICE_NAMES):
            default_name = f"{default_name} {serial}"
        device = SimDevice(
            device_id=device_id,
            name=name or default_name,
            created_at=int(now),
            online=online,
            temperature=temperature,
            humidity=humidity,
            rssi=rssi,
            water_low=water_low,
            concentrate_low=concentrate_low,
            firmware=firmware,
            advanced_to=now,
            config={
                "id": f"C{device_id[-10:]}",
                "deviceId": device_id,
                "liquidName": liquid_name,
                "liquidConcentration": liquid_concentration,
                "sprayingSeconds": spraying_seconds,
                "stopTemperature": 10,
                "stopRainy": 1,
                "stopSnow": 1,
                "stopWindstorm": 0,
                "syncStatus": True,
                "timeZone": time_zone,
            },
        )
        self._devices[device_id] = device
        return device_id

    def remove_device(self, device_id: str) -> None:
        """Unbind a pump: its routes now answer code 404 and it leaves the list."""
        del self._devices[device_id]

    def revoke_access(self, device_id: str) -> None:
        """The owner stopped sharing: the pump's routes answer code 403 and it leaves the list."""
        self._get(device_id).access_revoked = True

    @property
    def device_ids(self) -> list[str]:
        """Ids of every pump bound to the account, in the order they were added."""
        return list(self._devices)

    def set_online(self, device_id: str, online: bool) -> None:
        """Take a pump off the network or bring it back."""
        self._advanced(device_id).online = online

    def set_temperature(self, device_id: str, celsius: float) -> None:
        """Set the ambient temperature (below 8 degC the cloud refuses to start a spray)."""
        self._advanced(device_id).temperature = celsius

    def set_humidity(self, device_id: str, percent: int) -> None:
        """Set the relative humidity reading."""
        self._advanced(device_id).humidity = percent

    def set_rssi(self, device_id: str, dbm: int) -> None:
        """Set the Wi-Fi signal reading."""
        self._advanced(device_id).rssi = dbm

    def set_weather(
        self,
        device_id: str,
        *,
        rain: bool | None = None,
        snow: bool | None = None,
        wind: bool | None = None,
    ) -> None:
        """Set the weather at the pump; with the config's stop flags set, schedules do not spray."""
        weather = self._advanced(device_id).weather
        if rain is not None:
            weather.rain = rain
        if snow is not None:
            weather.snow = snow
        if wind is not None:
            weather.wind = wind

    def set_levels(
        self,
        device_id: str,
        *,
        water_low: bool | None = None,
        concentrate_low: bool | None = None,
    ) -> None:
        """Mark the water (mixture) or concentrate tank as low, or refilled."""
        device = self._advanced(device_id)
        if water_low is not None:
            device.water_low = water_low
        if concentrate_low is not None:
            device.concentrate_low = concentrate_low

    def offer_firmware(self, device_id: str, version: str, description: str = "") -> None:
        """Publish a firmware version; ``otaCheck`` then reports ``needUpgrade`` for the pump."""
        device = self._advanced(device_id)
        device.ota.offered = version
        device.ota.description = description

    def start_scheduled_spray(self, device_id: str, seconds: int) -> None:
        """Make the pump spray at once as if one of its schedules fired (no confirm delay)."""
        device = self._advanced(device_id)
        device.begin_spray(self._clock(), seconds)

    def expire_tokens(self) -> None:
        """Expire every token issued so far; the next authenticated call answers HTTP 401."""
        self._tokens.clear()

    def login_attempts_today(self) -> int:
        """Sign-ins to the account tried today (what ``faults.login_cap_after`` is counted on)."""
        return self._login_attempts_by_day.get(self._today(), 0)

    def _today(self) -> date:
        """The cloud's calendar day for its login cap (UTC here; the real boundary is unknown)."""
        return datetime.fromtimestamp(self._clock(), UTC).date()

    def device(self, device_id: str) -> dict[str, Any]:
        """The pump's live ``DeviceStatus``, exactly as ``GET v1/devices/{id}`` returns it."""
        return self._advanced(device_id).status()

    def schedules(self, device_id: str) -> list[dict[str, Any]]:
        """The pump's schedules in wire format."""
        device = self._advanced(device_id)
        page = device.schedules_page(self._clock(), 1, len(device.schedules) or 1)
        items: list[dict[str, Any]] = page["items"]
        return items

    def history(self, device_id: str) -> list[dict[str, Any]]:
        """The pump's spray history rows (oldest first)."""
        return list(self._advanced(device_id).history)

    def config(self, device_id: str) -> dict[str, Any]:
        """The pump's ``DeviceConfig``."""
        return dict(self._advanced(device_id).config)

    async def run_scenario(self, *, step: float = 20.0) -> None:
        """Play the endless demo story until cancelled (see :mod:`.scenario`)."""
        from .scenario import play

        await play(self, step=step)

    def now(self) -> float:
        """The simulator's clock (epoch seconds)."""
        return self._clock()

    # ----- internals: lookup ----------------------------------------------------------------

    def _get(self, device_id: str) -> SimDevice:
        return self._devices[device_id]

    def _advanced(self, device_id: str) -> SimDevice:
        device = self._devices[device_id]
        device.advance(self._clock())
        return device

    def _device_for_request(self, request: web.Request) -> SimDevice:
        device = self._devices.get(request.match_info["device_id"])
        if device is None:
            raise BusinessError(CODE_NOT_FOUND, "Device does not exist")
        if device.access_revoked:
            raise BusinessError(CODE_FORBIDDEN, "No permission to access this device")
        device.advance(self._clock())
        return device

    def _token_valid(self, token: str) -> bool:
        expiry = self._tokens.get(token)
        return expiry is not None and self._clock() < expiry

    # ----- internals: HTTP ------------------------------------------------------------------

    def _add_routes(self, app: web.Application) -> None:
        # Fixed paths are registered before the patterns they would otherwise fall into
        # (``devices/schedules`` vs ``devices/{id}``, ``schedules/switch/open`` vs
        # ``schedules/{id}/enable``).
        device = self._device_route
        base = "/v1/devices/{device_id}"
        schedule = base + "/schedules/{schedule_id}"
        app.router.add_post("/v1/user/login", self._login)
        app.router.add_get("/v1/liquid", self._liquid)
        app.router.add_get("/v1/devices/schedules", self._recommended)
        app.router.add_get("/v1/devices", self._devices_list)
        app.router.add_put(base + "/schedules/switch/open", device(self._switch_open))
        app.router.add_route("*", base + "/schedules/switch/open", self._wrong_method)
        app.router.add_put(base + "/schedules/switch/close", device(self._switch_close))
        app.router.add_route("*", base + "/schedules/switch/close", self._wrong_method)
        app.router.add_get(base + "/schedules", device(self._schedules_list))
        app.router.add_post(base + "/schedules", device(self._schedule_create))
        app.router.add_put(schedule, device(self._schedule_update))
        app.router.add_delete(schedule, device(self._schedule_delete))
        app.router.add_put(schedule + "/enable", device(self._schedule_enable))
        app.router.add_put(schedule + "/disable", device(self._schedule_disable))
        app.router.add_put(schedule + "/skip", device(self._schedule_skip))
        # The live cloud answered POST on enable and skip with HTTP 500 (what pymoogo saw
        # before it switched to PUT); the toggles' other methods answer the same here.
        for toggle in ("/enable", "/disable", "/skip"):
            app.router.add_route("*", schedule + toggle, self._wrong_method)
        app.router.add_get(base, device(self._status))
        app.router.add_delete(base, device(self._unbind))
        app.router.add_post(base + "/start", device(self._start))
        app.router.add_post(base + "/stop", device(self._stop))
        app.router.add_get(base + "/configs", device(self._config_get))
        app.router.add_put(base + "/configs", device(self._config_put))
        app.router.add_get(base + "/logs", device(self._logs))
        app.router.add_post(base + "/otaCheck", device(self._ota_check))
        app.router.add_post(base + "/otaUpdate", device(self._ota_update))
        app.router.add_put(base + "/update", device(self._rename))

    def _device_route(
        self, handler: DeviceHandler
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def route(request: web.Request) -> web.Response:
            return await handler(request, self._device_for_request(request))

        return route

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        faulted = await self._fault_response()
        if faulted is not None:
            return faulted
        matched = request.match_info.http_exception is None
        if (
            matched
            and request.path not in PUBLIC_ROUTES
            and not self._token_valid(request.headers.get("token", ""))
        ):
            status = 200 if self.faults.json_unauthorized else 401
            return reply(code=CODE_UNAUTHORIZED, message="Unauthorized", status=status)
        try:
            return await handler(request)
        except BusinessError as err:
            return reply(code=err.code, message=err.message)
        except web.HTTPNotFound:
            return reply(code=CODE_NOT_FOUND, message="Not Found", status=404)
        except web.HTTPMethodNotAllowed:
            return reply(code=405, message="Method Not Allowed", status=405)

    async def _fault_response(self) -> web.Response | None:
        faults = self.faults
        if faults.hang:
            await self._closing.wait()
            return reply(code=CODE_SERVER_ERROR, message="Server shutting down", status=503)
        if faults.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), faults.delay)
        if faults.html_error:
            return web.Response(
                status=faults.html_status,
                text=CLOUDFLARE_PAGE.format(status=faults.html_status),
                content_type="text/html",
            )
        if faults.http_status is not None:
            headers = {"Retry-After": str(faults.retry_after)} if faults.http_status == 429 else {}
            response = reply(
                code=faults.http_status,
                message=f"HTTP {faults.http_status}",
                status=faults.http_status,
            )
            response.headers.update(headers)
            return response
        if faults.malformed_json:
            return web.Response(status=200, text=MALFORMED_BODY, content_type="application/json")
        return None

    @staticmethod
    async def _wrong_method(request: web.Request) -> web.Response:
        return reply(
            code=CODE_SERVER_ERROR,
            message=f"Request method '{request.method}' not supported",
            status=500,
        )

    # ----- handlers: account and catalogue ------------------------------------------------

    async def _login(self, request: web.Request) -> web.Response:
        if self.faults.login_http_status is not None:
            status = self.faults.login_http_status
            return reply(code=status, message=f"HTTP {status}", status=status)
        body = await read_body(request)
        email = as_str(body, "email")
        password = as_str(body, "password")
        keep = as_bool(body, "keep", default=False)
        account = email.strip().lower() == self.email.lower()
        if account:
            # The cap counts attempts ("Exceeded maximum login attempts today"), refused or not,
            # per calendar day.
            cap = self.faults.login_cap_after
            if cap is not None and self.login_attempts_today() >= cap:
                raise BusinessError(CODE_BUSINESS, MESSAGE_LOGIN_CAP)
            today = self._today()
            self._login_attempts_by_day[today] = self._login_attempts_by_day.get(today, 0) + 1
        if self.faults.wrong_password or not account or password != self.password:
            raise BusinessError(CODE_BAD_CREDENTIALS, "Incorrect email or password")
        ttl = self.token_ttl if keep else min(self.token_ttl, SHORT_TOKEN_TTL)
        token = _digest(f"{self.user_id}/{next(self._token_serial)}/{time.perf_counter_ns()}")[:32]
        self._tokens[token] = self._clock() + ttl
        self.login_count += 1
        return reply(
            {
                "userId": self.user_id,
                "token": token,
                "ttl": ttl,
                "email": self.email,
                "nickname": self.email.split("@", 1)[0],
            }
        )

    async def _liquid(self, _request: web.Request) -> web.Response:
        return reply([dict(item) for item in LIQUID_TYPES])

    async def _recommended(self, _request: web.Request) -> web.Response:
        plans = recommended_plans(self.url)
        return reply({"items": plans, "total": len(plans)})

    async def _devices_list(self, request: web.Request) -> web.Response:
        page = query_int(request, "page", 1)
        page_size = query_int(request, "pageSize", DEVICE_LIST_PAGE_SIZE)
        now = self._clock()
        visible = [device for device in self._devices.values() if not device.access_revoked]
        for device in visible:
            device.advance(now)
        start = (page - 1) * page_size
        items = [device.info() for device in visible[start : start + page_size]]
        return reply({"items": items, "total": len(visible)})

    # ----- handlers: one device -------------------------------------------------------------

    async def _status(self, _request: web.Request, device: SimDevice) -> web.Response:
        return reply(device.status())

    async def _unbind(self, _request: web.Request, device: SimDevice) -> web.Response:
        del self._devices[device.device_id]
        return reply()

    async def _rename(self, request: web.Request, device: SimDevice) -> web.Response:
        name = as_str(await read_body(request), "deviceName").strip()
        if not name or len(name) > 64:
            raise BusinessError(CODE_BUSINESS, "Invalid parameter: deviceName")
        device.name = name
        return reply()

    async def _start(self, request: web.Request, device: SimDevice) -> web.Response:
        mode = await self._spray_mode(request)
        if not device.online:
            raise BusinessError(CODE_DEVICE_OFFLINE, MESSAGE_OFFLINE)
        if device.reported_temperature < COLD_LOCK_BELOW:
            raise BusinessError(
                CODE_TOO_COLD,
                "The temperature is too low, the device is locked to prevent freezing",
            )
        if not self.faults.unconfirmed_commands:
            seconds = SELF_TEST_SECONDS if mode == SELF_TEST_MODE else None
            device.command("start", self._clock(), self.spray_confirm_delay, seconds=seconds)
        return reply(dict(SPRAY_ACK))

    async def _stop(self, request: web.Request, device: SimDevice) -> web.Response:
        await self._spray_mode(request)
        if not device.online:
            raise BusinessError(CODE_DEVICE_OFFLINE, MESSAGE_OFFLINE)
        if not self.faults.unconfirmed_commands:
            device.command("stop", self._clock(), self.spray_confirm_delay)
        return reply(dict(SPRAY_ACK))

    @staticmethod
    async def _spray_mode(request: web.Request) -> object:
        """The ``mode`` a start/stop carries; any value (or none) is accepted.

        The app sends "normal" or "self-test", pymoogo ``{}``, the HACS integration's v1 client
        was observed live with "manual" and "schedule"; nothing shows the cloud checks it.
        """
        return (await read_body(request)).get("mode")

    # ----- handlers: schedules ----------------------------------------------------------------

    async def _schedules_list(self, request: web.Request, device: SimDevice) -> web.Response:
        page = query_int(request, "page", 1)
        page_size = query_int(request, "pageSize", SCHEDULE_PAGE_SIZE)
        return reply(device.schedules_page(self._clock(), page, page_size))

    async def _schedule_create(self, request: web.Request, device: SimDevice) -> web.Response:
        body = await read_body(request)
        hour = as_int(body, "hour", low=0, high=23)
        minute = as_int(body, "minute", low=0, high=59)
        duration = as_int(body, "duration", low=1, high=3600)
        repeat_days = parse_repeat_set(as_str(body, "repeatSet") if "repeatSet" in body else "")
        enabled = as_bool(body, "status", default=True)
        device.check_schedule_room()
        device.check_schedule_slot(hour, minute)
        device.schedules.append(
            Schedule(
                schedule_id=device.next_id("S"),
                hour=hour,
                minute=minute,
                duration=duration,
                repeat_days=repeat_days,
                enabled=enabled,
                updated_at=int(self._clock()),
            )
        )
        return reply()

    async def _schedule_update(self, request: web.Request, device: SimDevice) -> web.Response:
        item = device.find_schedule(request.match_info["schedule_id"])
        body = await read_body(request)
        # The app always sends all five fields; a partial body keeps the other values.
        hour = as_int(body, "hour", low=0, high=23) if "hour" in body else item.hour
        minute = as_int(body, "minute", low=0, high=59) if "minute" in body else item.minute
        duration = (
            as_int(body, "duration", low=1, high=3600) if "duration" in body else item.duration
        )
        repeat_days = (
            parse_repeat_set(as_str(body, "repeatSet")) if "repeatSet" in body else item.repeat_days
        )
        enabled = as_bool(body, "status", default=item.enabled)
        device.check_schedule_slot(hour, minute, ignore=item.schedule_id)
        item.hour, item.minute, item.duration = hour, minute, duration
        item.repeat_days, item.enabled = repeat_days, enabled
        item.updated_at = int(self._clock())
        return reply()

    async def _schedule_delete(self, request: web.Request, device: SimDevice) -> web.Response:
        device.schedules.remove(device.find_schedule(request.match_info["schedule_id"]))
        return reply()

    async def _schedule_enable(self, request: web.Request, device: SimDevice) -> web.Response:
        return self._touch_schedule(request, device, enabled=True)

    async def _schedule_disable(self, request: web.Request, device: SimDevice) -> web.Response:
        return self._touch_schedule(request, device, enabled=False)

    async def _schedule_skip(self, request: web.Request, device: SimDevice) -> web.Response:
        return self._touch_schedule(request, device, skip=True)

    def _touch_schedule(
        self,
        request: web.Request,
        device: SimDevice,
        *,
        enabled: bool | None = None,
        skip: bool = False,
    ) -> web.Response:
        item = device.find_schedule(request.match_info["schedule_id"])
        if enabled is not None:
            item.enabled = enabled
        if skip:
            item.is_skip = True
        item.updated_at = int(self._clock())
        return reply()

    async def _switch_open(self, _request: web.Request, device: SimDevice) -> web.Response:
        device.schedules_master_on = True
        return reply()

    async def _switch_close(self, _request: web.Request, device: SimDevice) -> web.Response:
        device.schedules_master_on = False
        return reply()

    # ----- handlers: configuration, history, firmware ---------------------------------------

    async def _config_get(self, _request: web.Request, device: SimDevice) -> web.Response:
        return reply(dict(device.config))

    async def _config_put(self, request: web.Request, device: SimDevice) -> web.Response:
        body = await read_body(request)
        unknown = sorted(set(body) - CONFIG_KEYS_WRITABLE)
        if unknown:
            allowed = ", ".join(sorted(CONFIG_KEYS_WRITABLE))
            raise BusinessError(
                CODE_SERVER_ERROR,
                f"Invalid field names: {', '.join(unknown)}. Allowed fields: {allowed}",
            )
        update: dict[str, Any] = {}
        if "liquidName" in body:
            update["liquidName"] = as_str(body, "liquidName")
        if "liquidConcentration" in body:
            update["liquidConcentration"] = as_int(body, "liquidConcentration", low=1, high=1000)
        if "sprayingSeconds" in body:
            update["sprayingSeconds"] = as_int(body, "sprayingSeconds", low=1, high=3600)
        for key in ("stopTemperature", "stopRainy", "stopSnow", "stopWindstorm"):
            if key in body:
                update[key] = as_int(body, key)
        # Only IANA names are accepted, and a device whose stored zone is empty or a POSIX rule
        # (some report one) refuses every write that does not replace it with an IANA name.
        zone = as_str(body, "timeZone") if "timeZone" in body else str(device.config["timeZone"])
        if not is_iana_zone(zone):
            raise BusinessError(CODE_BUSINESS, f"Invalid timeZone: {zone!r} is not an IANA zone")
        if "timeZone" in body:
            update["timeZone"] = zone
        device.config.update(update)
        return reply()

    async def _logs(self, request: web.Request, device: SimDevice) -> web.Response:
        first = _query_date(request, "startDate")
        last = _query_date(request, "endDate")
        page = query_int(request, "page", 1)
        page_size = query_int(request, "pageSize", LOG_PAGE_SIZE)
        zone = zone_of(str(device.config["timeZone"]))
        rows = [
            row
            for row in reversed(device.history)
            if (first is None or datetime.fromtimestamp(row["createdAt"], zone).date() >= first)
            and (last is None or datetime.fromtimestamp(row["createdAt"], zone).date() <= last)
        ]
        start = (page - 1) * page_size
        return reply(
            {"items": [dict(row) for row in rows[start : start + page_size]], "total": len(rows)}
        )

    async def _ota_check(self, request: web.Request, device: SimDevice) -> web.Response:
        await read_body(request)
        latest = device.ota.offered or device.firmware
        return reply(
            {
                "currentVersion": device.firmware,
                "isUpdating": device.ota.updating_until is not None,
                "needUpgrade": latest != device.firmware,
                "version": {
                    "code": latest,
                    "description": device.ota.description,
                    "file": f"{self.url}firmware/moogo-{latest}.bin",
                    "status": 1,
                },
            }
        )

    async def _ota_update(self, request: web.Request, device: SimDevice) -> web.Response:
        await read_body(request)
        if not device.online:
            raise BusinessError(CODE_DEVICE_OFFLINE, MESSAGE_OFFLINE)
        if device.ota.offered is None or device.ota.offered == device.firmware:
            raise BusinessError(CODE_BUSINESS, "The firmware is already the latest version")
        if device.ota.updating_until is None:
            device.ota.updating_until = self._clock() + self.ota_seconds
        return reply()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _query_date(request: web.Request, key: str) -> date | None:
    value = request.query.get(key)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise BusinessError(CODE_BUSINESS, f"Invalid parameter: {key}") from err
