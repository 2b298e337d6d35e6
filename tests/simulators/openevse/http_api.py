"""The gateway's HTTP API: routing, auth, fault injection and one handler per endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

from aiohttp import BasicAuth, BodyPartReader, hdrs, web

from .claims import (
    CLIENT_MANUAL,
    PRIORITY_API,
    PRIORITY_MANUAL,
    Claim,
    ClaimError,
    parse_claim_properties,
)
from .scheduler import ScheduleRejectedError

if TYPE_CHECKING:
    from .simulator import ChargerSimulator

Handler = Callable[[web.Request, str], Awaitable[web.StreamResponse]]

_CACHE_CONTROL: Final = (
    "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0"
)
_LIMIT_TYPES: Final = ("time", "energy", "soc", "range")
_UPDATE_FORM: Final = (
    "<html><form method='POST' action='/update' enctype='multipart/form-data'>"
    "<input type='file' name='firmware'> "
    "<input type='submit' value='Update'>"
    "</form></html>"
)
_HTML_ERROR: Final = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    "<body><h1>Internal Server Error</h1><p>The gateway could not answer.</p></body></html>"
)
# RAPI commands release builds let through /r; everything else is blocked.
_RAPI_ALLOWED_PREFIXES: Final = ("$G", "$F0", "$FB")
_RAPI_CONTROLLER_PROTOCOL: Final = "5.0.1"
# The browser form the firmware wraps non-JSON replies in (web_server.cpp handleRapi).
_RAPI_PAGE: Final = (
    "<html><font size='20'><font color=006666>Open</font><b>EVSE</b></font><p>"
    "<b>Open Source Hardware</b><p>RAPI Command Sent<p>Common Commands:<p>"
    "Set Current - $SC XX<p>Set Service Level - $SL 1 - $SL 2 - $SL A<p>"
    "Get Real-time Current - $GG<p>Get Temperatures - $GP<p>"
    "<p>"
    "<form method='get' action='r'><label><b><i>RAPI Command:</b></i></label>"
    "<input id='rapi' name='rapi' length=32><p><input type='submit'></form>"
)
_RAPI_PAGE_END: Final = (
    "<script type='text/javascript'>document.getElementById('rapi').focus();</script>"
    "<p></html>\r\n\r\n"
)


def _arduino_string(value: Any) -> str:
    """ArduinoJson's ``as<String>()``: strings as they are, null as "null", others as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _json_error(text: str, err: ValueError) -> str:
    """ArduinoJson's DeserializationError names: empty input or not JSON."""
    return "EmptyInput" if not text.strip() else "InvalidInput"


def _client_gone(request: web.Request) -> bool:
    """Whether the client closed the connection (or it broke) before the answer."""
    transport = request.transport
    return transport is None or transport.is_closing()


async def _read_upload(request: web.Request) -> bytes:
    """The first file part of a multipart upload (the firmware takes any field name)."""
    reader = await request.multipart()
    async for part in reader:
        if isinstance(part, BodyPartReader):
            return bytes(await part.read())
    return b""


def _to_int(text: str) -> int:
    """Arduino's ``String.toInt()``: leading whitespace, a sign and digits, else 0."""
    digits = text.lstrip(" \t\n\r\f\v")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.removeprefix("-").removeprefix("+") if digits[:1] in "+-" else digits
    end = 0
    while end < len(digits) and digits[end].isdigit() and digits[end].isascii():
        end += 1
    return sign * int(digits[:end]) if end else 0


def _bounded(params: dict[str, str], name: str, size: int) -> str | None:
    """``getParam(name, buf, size)``: None when absent or too long for the buffer."""
    value = params.get(name)
    if value is None or len(value) > size - 1:
        return None
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _BadRequestError(Exception):
    """The request body is not what the endpoint needs."""


@dataclass(frozen=True)
class _Route:
    """One registered endpoint: a Mongoose URI pattern and its handler."""

    pattern: str
    handler: Handler
    public: bool = False
    """Served without HTTP auth (the handler checks what it needs itself)."""

    @property
    def prefix(self) -> str:
        return self.pattern.removesuffix("$")

    def matches(self, path: str) -> bool:
        folded, prefix = path.lower(), self.prefix.lower()
        if self.pattern.endswith("$"):
            return folded == prefix
        return folded.startswith(prefix)


class HttpApi:
    """Answers every HTTP request of one simulated gateway."""

    def __init__(self, simulator: ChargerSimulator) -> None:
        """Bind the API to the device it serves."""
        self._sim = simulator
        self._routes = self._register(simulator.profile)

    def _register(self, profile: str) -> list[_Route]:
        """The routes the firmware registers (web_server.cpp web_server_setup) per profile.

        A pattern ending in "$" must match the whole path; the others match any path they
        begin, and the longest match wins (Mongoose 6). Matching ignores case.
        """
        routes = [
            _Route("/status$", self._status),
            _Route("/config$", self._config),
            _Route("/settime$", self._settime),
            _Route("/restart$", self._restart if profile != "v4" else self._restart_v4),
            _Route("/rapi$", self._rapi),
            _Route("/r$", self._rapi),
            _Route("/divertmode$", self._divertmode),
            _Route("/shaper$", self._shaper),
            _Route("/emoncms/describe$", self._describe, public=True),
            _Route("/rfid/add$", self._rfid_add),
            _Route("/schedule/plan$", self._schedule_plan),
            _Route("/schedule", self._schedule),
            _Route("/claims/target$", self._claims_target),
            _Route("/claims", self._claims),
            _Route("/override$", self._override),
            _Route("/logs", self._logs),
            _Route("/update$", self._update),
            _Route("/ws$", self._websocket, public=True),
        ]
        if profile == "master":
            # The browser login (web_server.cpp handleLogin / handleLogout) checks by itself.
            routes += [
                _Route("/login$", self._login, public=True),
                _Route("/logout$", self._logout, public=True),
                # The energy history of the default builds (without ENABLE_TSDB: no weekly).
                _Route("/energy/raw$", self._energy_raw),
                _Route("/energy/daily$", self._energy_summary("daily")),
                _Route("/energy/monthly$", self._energy_summary("monthly")),
                _Route("/energy/annual$", self._energy_summary("annual")),
            ]
        if profile != "v4":
            # Added in 4.2 / 5.0 (absent from 4.1.7's web_server_setup).
            routes += [
                _Route("/limit", self._limit),
                _Route("/emeter", self._emeter),
                _Route("/time", self._time),
            ]
        return routes

    # ------------------------------------------------------------------ entry point

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record, inject faults, authenticate, then dispatch."""
        self._sim.requests.append((request.method, request.path))
        if (faulty := await self._injected_fault()) is not None:
            return faulty
        if _client_gone(request):
            # The client gave up while the fault held the request (a frozen charger, late
            # answers): the connection is gone, so the request is never carried out.
            return web.Response(status=408)
        try:
            return await self._dispatch(request)
        except ConnectionResetError:
            # Lost while the body was read or the websocket handshake answered: nobody to answer
            # (aiohttp would log it as an error with a traceback; a charger logs nothing).
            return web.Response(status=408)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        route, rest = self._route(request.path)
        if route is None:
            return await self._not_found(request)
        if not route.public and (refused := self._gate(request)) is not None:
            return refused
        try:
            return await route.handler(request, rest)
        except _BadRequestError as err:
            return self._json({"msg": str(err)}, status=400)

    def _route(self, path: str) -> tuple[_Route | None, str]:
        best: _Route | None = None
        for route in self._routes:
            if route.matches(path) and (best is None or len(route.prefix) > len(best.prefix)):
                best = route
        if best is None:
            return None, ""
        return best, path[len(best.prefix) :]

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        """No route: the static UI files, else a bare 404; both behind the auth check first
        (web_server_static.cpp web_static_handle)."""
        if (refused := self._gate(request)) is not None:
            return refused
        if request.path.lower() in ("/", "/index.html"):
            return await self._home(request, "")
        # ArduinoMongoose's send(404): the reason phrase as text/plain, then close.
        response = web.Response(status=404, text="Not Found", content_type="text/plain")
        response.force_close()
        return response

    async def _injected_fault(self) -> web.Response | None:
        faults = self._sim.faults
        if faults.delay > 0:
            await asyncio.sleep(faults.delay)
        await self._sim.wait_while("hang")
        if faults.html_error:
            return web.Response(status=500, text=_HTML_ERROR, content_type="text/html")
        if faults.http_status is not None:
            return self._fault_response(faults.http_status)
        return None

    # ------------------------------------------------------------------ responses

    def _json(self, payload: Any, status: int = 200) -> web.Response:
        body = json.dumps(payload, separators=(",", ":"))
        if self._sim.faults.malformed_json:
            body = body[: max(2, len(body) // 2)].rstrip("}]") or '{"'
        return web.Response(
            status=status,
            text=body,
            content_type="application/json",
            headers={hdrs.CACHE_CONTROL: _CACHE_CONTROL},
        )

    def _text(self, text: str, status: int = 200, content_type: str = "text/plain") -> web.Response:
        """A reply as requestPreProcess makes it: the given type and the no-cache header."""
        return web.Response(
            status=status,
            text=text,
            content_type=content_type,
            headers={hdrs.CACHE_CONTROL: _CACHE_CONTROL},
        )

    def _msg(self, text: str, status: int = 200) -> web.Response:
        return self._json({"msg": text}, status=status)

    def _method_not_allowed(self) -> web.Response:
        return self._msg("Method not allowed", status=405)

    def _challenge(self) -> web.Response:
        # The firmware's challenge: empty body, realm = hostname without quotes, then close.
        realm = self._sim.config.get("hostname", "openevse")
        response = web.Response(status=401, headers={hdrs.WWW_AUTHENTICATE: f"Basic realm={realm}"})
        response.force_close()
        return response

    def _fault_response(self, status: int) -> web.Response:
        if status == 401:
            return self._challenge()
        if status == 429:
            return self._msg("locked", status=429)
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "error"
        return self._msg(reason, status=status)

    # ------------------------------------------------------------------ request parsing

    def _gate(self, request: web.Request) -> web.Response | None:
        """The firmware's requestPreProcess auth step: None to go on, else the refusal."""
        if self._sim.profile != "master":
            return None if self._authorized(request) else self._challenge()
        allowed, used_cookie, bad_credential = self._sim.auth.check(request)
        spa = request.headers.get("X-Requested-With") == "OpenEVSE"
        if not allowed:
            # Only wrong credentials are throttled; none at all still gets the challenge.
            if bad_credential and self._sim.auth.locked():
                return self._msg("locked", status=429)
            return self._msg("auth", status=401) if spa else self._challenge()
        if used_cookie and request.method != hdrs.METH_GET and not spa:
            return self._msg("csrf", status=403)
        return None

    def _authorized(self, request: web.Request) -> bool:
        """Is the request allowed (5.1.5: Basic auth when www_username is set)?"""
        if self._sim.profile == "master":
            return self._sim.auth.check(request)[0]
        credentials = self._sim.credentials
        if credentials is None:
            return True
        header = request.headers.get(hdrs.AUTHORIZATION, "")
        try:
            auth = BasicAuth.decode(header)
        except ValueError:
            return False
        return (auth.login, auth.password) == credentials

    @staticmethod
    async def _json_body(request: web.Request, error: str) -> Any:
        try:
            return json.loads(await request.text())
        except ValueError as err:
            raise _BadRequestError(error) from err

    @staticmethod
    async def _params(request: web.Request) -> dict[str, str]:
        """Form parameters: the query string for GET, the (urlencoded) body for anything else."""
        if request.method == hdrs.METH_GET:
            return dict(request.query)
        parsed = parse_qs(await request.text(), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}

    # ------------------------------------------------------------------ websocket

    async def _describe(self, request: web.Request, _: str) -> web.StreamResponse:
        # Identity probe, with CORS open to everyone.
        return web.Response(text="openevse", headers={"Access-Control-Allow-Origin": "*"})

    async def _websocket(self, request: web.Request, _: str) -> web.StreamResponse:
        sim = self._sim
        if sim.faults.refuse_websocket:
            return web.Response(status=503)
        # 5.1.5 serves /ws without auth; the development branch checks it (onWsAuthenticate).
        if (sim.ws_auth or sim.profile == "master") and not self._authorized(request):
            return self._challenge()
        return await sim.serve_websocket(request)

    # ------------------------------------------------------------------ endpoints

    async def _home(self, request: web.Request, _: str) -> web.StreamResponse:
        page = "<!DOCTYPE html><html><head><title>OpenEVSE</title></head><body></body></html>"
        return web.Response(text=page, content_type="text/html")

    async def _status(self, request: web.Request, _: str) -> web.StreamResponse:
        sim = self._sim
        if request.method == hdrs.METH_GET:
            return self._json(sim.full_status())
        if request.method != hdrs.METH_POST:
            return self._method_not_allowed()
        body = await self._json_body(request, "Could not parse JSON")
        if not isinstance(body, dict):
            raise _BadRequestError("Could not parse JSON")
        changes, echo = self._status_feed(body)
        applied = sim.apply(changes)
        if "solar" in body or "grid_ie" in body:
            # The divert module sends the event (web_server.cpp handleStatusPost).
            changes, event = sim.divert_feed()
            await sim.publish(applied | changes)
            await sim.broadcast(sim.wire(event))
        else:
            # Without divert data the firmware re-broadcasts the posted document as an event.
            await sim.broadcast(sim.wire(echo | applied))
        return self._json(echo)

    def _status_feed(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (status changes, response echo) for a POST /status document."""
        sim = self._sim
        changes: dict[str, Any] = {}
        echo = dict(body)
        voltage: Any = body.get("voltage")
        if _is_number(voltage) and 60 <= voltage <= 300:
            changes["voltage"] = voltage
        # Solar wins when both divert feeds are sent.
        for key in ("solar", "grid_ie"):
            if _is_number(body.get(key)):
                changes[key] = int(body[key])
                break
        if _is_number(body.get("shaper_live_pwr")):
            changes |= {"shaper_live_pwr": int(body["shaper_live_pwr"]), "shaper_updated": True}
        if sim.config.get("vehicle_data_src") == 3:
            vehicle_keys = ["battery_level", "battery_range", "time_to_full_charge"]
            if sim.profile in ("dev", "master"):
                vehicle_keys.append("vehicle_charge_limit")
            vehicle = {key: body[key] for key in vehicle_keys if _is_number(body.get(key))}
            if vehicle:
                changes |= vehicle | {"vehicle_state_update": 0}
                echo["vehicle_state_update"] = 0
        if sim.profile in ("dev", "master"):
            for key in ("home_battery_soc", "home_battery_power"):
                if _is_number(body.get(key)):
                    changes[key] = body[key]
        return changes, echo

    async def _config(self, request: web.Request, _: str) -> web.StreamResponse:
        sim = self._sim
        if request.method == hdrs.METH_GET:
            return self._json(sim.masked_config())
        if request.method == hdrs.METH_OPTIONS:
            return web.Response()
        if request.method != hdrs.METH_POST:
            return web.Response(status=405)
        body = await self._json_body(request, "Could not parse JSON")
        if not isinstance(body, dict):
            raise _BadRequestError("Could not parse JSON")
        if request.headers.get("X-Storage") == "factory" and sim.config.get("factory_write_lock"):
            return self._msg("Factory settings locked", status=423)
        changes = sim.apply_config(body)
        await sim.publish(changes)
        msg = "done" if changes else "no change"
        return self._json({"config_version": sim.status["config_version"], "msg": msg})

    async def _by_method(
        self, request: web.Request, handlers: Mapping[str, Callable[[], Awaitable[web.Response]]]
    ) -> web.Response:
        if handler := handlers.get(request.method):
            return await handler()
        return self._method_not_allowed()

    async def _override(self, request: web.Request, _: str) -> web.StreamResponse:
        sim = self._sim
        manual = sim.claims.claims.get(CLIENT_MANUAL)

        async def get() -> web.Response:
            if manual is None:
                return self._json({})
            return self._json({**manual.properties, "auto_release": manual.auto_release})

        async def post() -> web.Response:
            body = await self._json_body(request, "Failed to parse JSON")
            properties, auto_release = parse_claim_properties(body, default_auto_release=True)
            claim = Claim(PRIORITY_MANUAL, properties, auto_release)
            try:
                await sim.publish(sim.set_claim(CLIENT_MANUAL, claim))
            except ClaimError:
                return self._msg("Failed to claim manual override", status=500)
            return self._msg("Created", status=201)

        async def toggle() -> web.Response:
            # No override: make one opposite to the current state; else release it.
            if manual is not None:
                await sim.publish(sim.release_claim(CLIENT_MANUAL) or {})
            else:
                opposite = "disabled" if sim.status.get("status") == "active" else "active"
                claim = Claim(PRIORITY_MANUAL, {"state": opposite}, auto_release=True)
                await sim.publish(sim.set_claim(CLIENT_MANUAL, claim))
            return self._msg("Updated")

        async def delete() -> web.Response:
            changes = sim.release_claim(CLIENT_MANUAL)
            if changes is None:
                return self._msg("Failed to release manual override", status=500)
            await sim.publish(changes)
            return self._msg("Deleted")

        handlers = {"GET": get, "POST": post, "PATCH": toggle, "DELETE": delete}
        return await self._by_method(request, handlers)

    async def _claims_target(self, request: web.Request, _: str) -> web.StreamResponse:
        # Any method reads the target (web_server_claims.cpp handleEvseClaimsTarget).
        properties, sources = self._sim.resolved_claims()
        return self._json({"properties": properties, "claims": sources})

    async def _claims(self, request: web.Request, rest: str) -> web.StreamResponse:
        # The client id is what follows "/claims/", read like Arduino's String.toInt(): a
        # non-number is client 0, which means the whole list (web_server_claims.cpp).
        client = _to_int(rest[1:]) if len(rest) > 1 else 0
        if client == 0:
            sim = self._sim

            async def listing() -> web.Response:
                return self._json(sim.claims.listing())

            return await self._by_method(request, {"GET": listing})
        return await self._claim(request, client)

    async def _claim(self, request: web.Request, client: int) -> web.Response:
        sim = self._sim
        claim = sim.claims.claims.get(client)

        async def get() -> web.Response:
            if claim is None:
                return self._msg("Not found", status=404)
            return self._json(claim.as_wire())

        async def post() -> web.Response:
            body = await self._json_body(request, "Could not parse JSON")
            properties, auto_release = parse_claim_properties(body, default_auto_release=False)
            try:
                changes = sim.set_claim(client, Claim(PRIORITY_API, properties, auto_release))
            except ClaimError as err:
                raise _BadRequestError("Could not make claim") from err
            await sim.publish(changes)
            return self._msg("done")

        async def delete() -> web.Response:
            released = sim.release_claim(client)
            if released is None:
                return self._msg("Not found", status=404)
            await sim.publish(released)
            return self._msg("done")

        return await self._by_method(request, {"GET": get, "POST": post, "DELETE": delete})

    async def _schedule_plan(self, request: web.Request, _: str) -> web.StreamResponse:
        return self._json(self._sim.schedule_plan())

    async def _schedule(self, request: web.Request, rest: str) -> web.StreamResponse:
        # The event id is what follows "/schedule/" (toInt: not a number is 0, the whole list).
        event_id = _to_int(rest[1:]) if len(rest) > 1 else 0
        sim = self._sim
        current = next((event for event in sim.schedule if event["id"] == event_id), None)

        async def get() -> web.Response:
            if event_id == 0:
                return self._json(sim.schedule)
            return self._json(current) if current else self._msg("Not found", status=404)

        async def post() -> web.Response:
            body = await self._json_body(request, "Could not parse JSON")
            # /schedule takes an object or an array and stores the result in flash;
            # /schedule/{id} takes one object and only rebuilds the plan (scheduler.cpp).
            if event_id == 0 and isinstance(body, list):
                events = [event for event in body if isinstance(event, dict)]
            elif isinstance(body, dict):
                events = [body]
            else:
                raise _BadRequestError("Could not parse JSON")
            try:
                for event in events:
                    sim.timer.upsert(event, event_id)
            except ScheduleRejectedError as err:
                # Events before the refused one stay in memory, neither built nor stored.
                raise _BadRequestError("Could not parse JSON") from err
            await sim.publish(sim.schedule_changed(commit=event_id == 0))
            return self._msg("done")

        async def delete() -> web.Response:
            if event_id == 0:
                return self._method_not_allowed()
            if not sim.timer.remove(event_id):
                return self._msg("Not found", status=404)
            await sim.publish(sim.schedule_changed(commit=True))
            return self._msg("done")

        return await self._by_method(request, {"GET": get, "POST": post, "DELETE": delete})

    async def _limit(self, request: web.Request, _: str) -> web.StreamResponse:
        sim = self._sim
        if request.method == hdrs.METH_GET:
            return self._json(sim.limit or {})
        if request.method == hdrs.METH_POST:
            body = await self._json_body(request, "failed to parse JSON")
            if (
                not isinstance(body, dict)
                or body.get("type") not in _LIMIT_TYPES
                or not _is_number(body.get("value"))
                or body["value"] <= 0
            ):
                raise _BadRequestError("failed to parse JSON")
            limit = {
                "type": body["type"],
                "value": body["value"],
                "auto_release": bool(body.get("auto_release", True)),
            }
            await sim.publish(sim.set_limit(limit))
            return self._msg("done", status=201)
        if request.method == hdrs.METH_DELETE:
            if sim.limit is None:
                return self._msg("no limit")
            await sim.publish(sim.set_limit(None))
            return self._msg("done")
        return self._method_not_allowed()

    async def _divertmode(self, request: web.Request, _: str) -> web.StreamResponse:
        # toInt() of the parameter: 1 normal, 2 eco; other values change nothing one can see.
        mode = _to_int((await self._params(request)).get("divertmode", ""))
        if mode in (1, 2):
            await self._sim.publish(self._sim.set_divertmode(mode))
        return self._text("Divert Mode changed")

    async def _shaper(self, request: web.Request, _: str) -> web.StreamResponse:
        # Always applied: toInt() of the parameter == 1 enables, anything else (or none)
        # disables (web_server.cpp handleCurrentShaper).
        enabled = _to_int((await self._params(request)).get("shaper", "")) == 1
        sim = self._sim
        changes = sim.apply({"shaper": int(enabled)})
        if not enabled:
            changes |= sim.apply({"shaper_cur": 0})
        await sim.publish(changes)
        return self._text("Current Shaper state changed")

    async def _restart(self, request: web.Request, _: str) -> web.StreamResponse:  # noqa: PLR0911 - one reply per firmware branch
        # 5.x: every reply is text/plain, the JSON ones included (web_server.cpp handleRestart).
        sim = self._sim
        if (
            sim.profile == "master"
            and request.method == hdrs.METH_GET
            and request.headers.get("X-Requested-With") != "OpenEVSE"
        ):
            # A bare GET could come from a cross-site <img> (actuatorMethodAllowed).
            return self._text("Forbidden: use POST or the app", status=403)
        if request.method == hdrs.METH_GET:
            sim.schedule_reboot(sim.restart_downtime)
            return self._text("1")
        if request.method != hdrs.METH_POST:
            return self._text('{"msg":"Method not allowed"}', status=405)
        try:
            body = json.loads(await request.text())
        except ValueError:
            return self._text('{"msg":"Couldn\'t parse json"}', status=400)
        if not isinstance(body, dict) or "device" not in body:
            return self._text('{"msg":"wrong payload"}', status=400)
        if body["device"] == "gateway":
            sim.schedule_reboot(sim.restart_downtime)
            return self._text('{"msg":"restart gateway"}')
        if body["device"] == "evse":
            sim.restart_controller()
            return self._text('{"msg":"restart evse"}')
        return self._text('{"msg":"unknown device"}', status=404)

    async def _login(self, request: web.Request, _: str) -> web.StreamResponse:
        """POST /login {user, pass, remember}: a session cookie, or 401 / 429 when locked."""
        no_store = {hdrs.CACHE_CONTROL: "no-store"}
        if request.method != hdrs.METH_POST:
            return web.Response(status=405, content_type="application/json", headers=no_store)
        try:
            body = json.loads(await request.text())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._login_reply(400, "bad json")
        auth = self._sim.auth
        if not auth.matches(str(body.get("user") or ""), str(body.get("pass") or "")):
            auth.failed()
            return (
                self._login_reply(429, "locked")
                if auth.locked()
                else self._login_reply(401, "invalid")
            )
        auth.succeeded()
        token = auth.new_session()
        cookie = f"oevse_session={token}; Path=/; HttpOnly; SameSite=Strict"
        if body.get("remember"):
            cookie += "; Max-Age=2592000"
        response = self._login_reply(200, "ok")
        response.headers[hdrs.SET_COOKIE] = cookie
        return response

    async def _logout(self, request: web.Request, _: str) -> web.StreamResponse:
        if request.method != hdrs.METH_POST:
            return web.Response(status=405, content_type="application/json")
        response = self._login_reply(200, "ok")
        response.headers[hdrs.SET_COOKIE] = (
            "oevse_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        )
        return response

    def _login_reply(self, status: int, msg: str) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps({"msg": msg}, separators=(",", ":")),
            content_type="application/json",
            headers={hdrs.CACHE_CONTROL: "no-store"},
        )

    async def _restart_v4(self, request: web.Request, _: str) -> web.StreamResponse:
        # 4.1.7: any method, any body: text "1" and the gateway reboots (web_server.cpp).
        sim = self._sim
        sim.schedule_reboot(sim.restart_downtime)
        return self._text("1")

    async def _time(self, request: web.Request, _: str) -> web.StreamResponse:
        if request.method == hdrs.METH_GET:
            return self._json(self._sim.time_fields())
        if request.method == hdrs.METH_POST:
            return await self._set_time(request, default_type="application/json")
        if request.method == hdrs.METH_OPTIONS:
            return self._text("", content_type="application/json")
        return self._text("", status=405, content_type="application/json")

    async def _settime(self, request: web.Request, _: str) -> web.StreamResponse:
        # /settime: any method, handled like POST /time but answered as text by default.
        return await self._set_time(request, default_type="text/plain")

    async def _set_time(self, request: web.Request, *, default_type: str) -> web.Response:
        """Set the clock and time settings (web_server_time.cpp handleTimePost).

        A form body reads ``tz`` (default ``UTC0``), ``ntp`` and ``time``; a JSON body reads
        ``sntp_enabled``, ``time`` and ``time_zone`` (a missing one becomes the text "null", as
        ArduinoJson's ``as<String>()`` makes it). The settings are stored first; with SNTP off
        the time must be ``YYYY-MM-DDTHH:MM:SSZ``. Any other content type sets nothing usable.
        """
        sim = self._sim
        content_type = request.content_type.lower()
        text_reply = content_type != "application/json"
        reply_type = default_type
        if content_type == "application/x-www-form-urlencoded":
            reply_type = "text/plain"
            params = await self._params(request)
            zone = params.get("tz") or "UTC0"
            sntp = params.get("ntp") in ("", "1", "true") if "ntp" in params else False
            clock = params.get("time", "")
        elif content_type == "application/json":
            reply_type = "application/json"
            try:
                body = json.loads(await request.text())
            except ValueError:
                return self._text('{"msg":"Could not parse JSON"}', 400, reply_type)
            body = body if isinstance(body, dict) else {}
            sntp = bool(body.get("sntp_enabled", False))
            clock = _arduino_string(body.get("time"))
            zone = _arduino_string(body.get("time_zone"))
        else:
            sntp, clock, zone = False, "", ""
        await sim.publish(sim.apply_config({"sntp_enabled": sntp, "time_zone": zone}))
        if not sntp:
            try:
                when = datetime.strptime(clock, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            except ValueError:
                error = "could not parse time" if text_reply else '{"msg":"Could not parse time"}'
                return self._text(error, 400, reply_type)
            await sim.publish(sim.set_clock(when))
        return self._text("set" if text_reply else '{"msg":"done"}', 200, reply_type)

    async def _rfid_add(self, request: web.Request, _: str) -> web.StreamResponse:
        # Any method: the reader waits for a badge (web_server.cpp handleAddRFID).
        response = self._msg("Waiting for badge")
        response.headers["Access-Control-Allow-Origin"] = "*"
        await self._sim.publish(self._sim.wait_for_badge())
        return response

    async def _logs(self, request: web.Request, rest: str) -> web.StreamResponse:
        # "/logs" + anything (web_server_events.cpp handleEventLogs).
        if request.method != hdrs.METH_GET:
            return self._method_not_allowed()
        log = self._sim.event_log
        # The block is toInt() of what follows the first six characters ("/logs/").
        if len(rest) <= 1:
            return self._json({"min": log.min_index, "max": log.max_index})
        block = _to_int(rest[1:])
        if not log.min_index <= block <= log.max_index:
            return self._msg("Block out of range", status=404)
        return self._json(log.block(block))

    def _energy_reply(self, request: web.Request) -> web.Response | None:
        """OPTIONS 200 and anything but GET 405, both empty (web_server_energy_logger.cpp)."""
        if request.method == hdrs.METH_GET:
            return None
        status = 200 if request.method == hdrs.METH_OPTIONS else 405
        return self._text("", status=status, content_type="application/json")

    async def _energy_raw(self, request: web.Request, _: str) -> web.StreamResponse:
        if (reply := self._energy_reply(request)) is not None:
            return reply
        params = dict(request.query)
        # Read into 8- and 12-byte buffers: a longer value is no value (mg_get_http_var).
        # atoi / atol read like String.toInt(): leading blanks, a sign, digits.
        max_samples = _to_int(_bounded(params, "max", 8) or "")
        before = _to_int(_bounded(params, "before", 12) or "")
        sim = self._sim
        return self._json(sim.energy_logger.raw(max_samples, before, sim.zone()))

    def _energy_summary(self, kind: str) -> Handler:
        """/energy/daily, /monthly, /annual: the summaries flash holds (none in the simulator).

        The year (2020-2100) and quarter (1-4) parameters only choose which file to read.
        """

        async def handler(request: web.Request, _: str) -> web.StreamResponse:
            if (reply := self._energy_reply(request)) is not None:
                return reply
            return self._json({kind: []})

        return handler

    async def _emeter(self, request: web.Request, _: str) -> web.StreamResponse:
        if request.method != hdrs.METH_DELETE:
            return self._method_not_allowed()
        try:
            body = json.loads(await request.text())
        except ValueError:
            return self._msg("reset Failed", status=500)
        if not isinstance(body, dict) or not {"hard", "import"} <= body.keys():
            return self._msg("Reset Failed", status=500)
        await self._sim.publish(self._sim.reset_energy_meter(hard=bool(body["hard"])))
        return self._msg("Reset done")

    async def _update(self, request: web.Request, _: str) -> web.StreamResponse:  # noqa: PLR0911 - one reply per firmware branch
        sim = self._sim
        if request.method == hdrs.METH_GET:
            return self._text(_UPDATE_FORM, content_type="text/html")
        if request.method != hdrs.METH_POST:
            # Other methods get no answer from the firmware; the connection just closes.
            response = web.Response(status=200, text="")
            response.force_close()
            return response
        if request.content_type.startswith("multipart/"):
            if sim.ota_running:
                return self._text("Error: Upgrade in progress", status=500)
            image = await _read_upload(request)
            error = await sim.flash_upload(image)
            if error:
                return self._text(f"Error: {error}", status=500)
            return self._text("OK")
        text = await request.text()
        try:
            body = json.loads(text)
        except ValueError as err:
            # The firmware's own reply here lacks the closing brace.
            return self._text(f'{{"msg":"{_json_error(text, err)}"', 400, "application/json")
        url = _arduino_string(body.get("url") if isinstance(body, dict) else None)
        sim.flash_from_url(url)
        return self._msg("started")

    async def _rapi(self, request: web.Request, _: str) -> web.StreamResponse:
        params = await self._params(request)
        command = params.get("rapi", "")
        # isPositive(): present with no value, "1" or "true".
        as_json = params.get("json") in ("", "1", "true") if "json" in params else False
        sim = self._sim
        page = "" if as_json else _RAPI_PAGE
        if "rapi" not in params:
            # No command: JSON callers get an empty body, the browser form just the page.
            return self._rapi_response(page, as_json=as_json, status=200)
        sim.apply({"comm_sent": sim.status.get("comm_sent", 0) + 1})
        reply = self._rapi_reply(command)
        if reply is None:
            # Blocked before it reaches the controller (web_server.cpp handleRapi).
            error = "RAPI_RESPONSE_BLOCKED"
            if as_json:
                return self._json({"cmd": command, "error": error}, status=400)
            text = f"{page}{command}<p><strong>Error:</strong>{error}"
            return self._rapi_response(text, as_json=False, status=400)
        # The controller answered, $OK or $NK: both take the success path with code 200.
        sim.apply({"comm_success": sim.status.get("comm_success", 0) + 1})
        if as_json:
            return self._json({"cmd": command, "ret": reply})
        return self._rapi_response(f"{page}{command}<p>&gt;{reply}", as_json=False, status=200)

    def _rapi_response(self, text: str, *, as_json: bool, status: int) -> web.Response:
        if as_json:
            return web.Response(status=status, text=text, content_type="application/json")
        return web.Response(status=status, text=text + _RAPI_PAGE_END, content_type="text/html")

    def _rapi_reply(self, command: str) -> str | None:
        """Answer a RAPI command as the controller would; None when the gateway blocks it."""
        sim = self._sim
        if sim.profile == "v4":
            # 4.1.7 blocks only $ST (evse_man.cpp isRapiCommandBlocked).
            if command.startswith("$ST"):
                return None
        elif not command.startswith(_RAPI_ALLOWED_PREFIXES):
            return None
        status, config = sim.status, sim.config
        name = command.split(" ", 1)[0]
        if name == "$FR":
            sim.restart_controller()
            return "$OK"
        replies = {
            "$GV": f"$OK {config.get('firmware', '')} {_RAPI_CONTROLLER_PROTOCOL}",
            "$GE": f"$OK {status.get('pilot', 0)} {status.get('flags', 0):04x}",
            "$GG": f"$OK {int(status.get('amp', 0))} {int(status.get('voltage', 0) * 1000)}",
            "$GC": f"$OK {config['min_current_hard']} {config['max_current_hard']}",
            "$GP": f"$OK {status.get('temp', 0)} -2560 -2560",
            "$GS": f"$OK {status.get('state', 0):02x} {status.get('session_elapsed', 0)}",
            "$F0": "$OK",
            "$FB": "$OK",
        }
        # Commands the simulated controller does not model answer as an unknown one does.
        return replies.get(name, "$NK")
