"""Every fault the soak injects: each fault switch of both simulators, reboots, entry reloads.

A fault is an async function that injects, holds and clears it; the soak notes when it was
called (the fault's start) and when it returned (the moment it cleared). Its class says what
Home Assistant may do meanwhile:

* ``transient``: a glitch a user would not notice (one failed cloud poll, a websocket drop, a
  1 s reboot, a few seconds of HTTP errors): no entity may turn unavailable;
* ``outage``: the device or the cloud is really gone for a while (a 60 s reboot, a frozen
  charger, a proxy that stops forwarding, a cloud that does not answer, sign-in impossible):
  entities may turn unavailable (the push connection must say "off"), an ERROR may be logged;
* ``planned``: an entry reload; entities are removed and come back.

Charger HTTP faults only matter to a client that makes requests; with a healthy websocket it makes
none, so each starts with a websocket drop, which makes the client reconnect into the fault.
A cloud fault meant for one poll is held until a request met it (the next poll), plus 1 s.

Faults that make the integration log in again (a token expiry in any form) are injected only as
often as its login budget allows (:class:`LoginBudget`): tokens live a year on the real cloud,
so more expiries per hour than the budget is not a fault a user meets, and the integration then
rightly refuses to log in until the hour has room again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from custom_components.openevse_moogo.clients.moogo import DEFAULT_MAX_LOGINS_PER_HOUR
from tests.e2e.stack import HomeAssistantApi, HomeAssistantError
from tests.simulators.openevse import ChargerSimulator

from .world import World

type FaultClass = Literal["transient", "outage", "planned"]
type Lane = Literal["charger", "cloud"]


@dataclass
class Context:
    """What a fault acts on."""

    world: World
    api: HomeAssistantApi
    rng: random.Random
    outage: float  # seconds an outage lasts (60 in the full soak)
    entity_ids: dict[tuple[str, str], str]  # (device, key) -> entity id
    charger_entries: list[str]  # config entry ids, in world.chargers order
    account_entry: str
    flows: Callable[[], Awaitable[list[dict[str, Any]]]]
    """The config flows in progress (Home Assistant's websocket API)."""
    expiries: int = 0  # tokens expired so far (each may cost one login)
    capped_logins: int | None = None
    """Login attempts once the daily cap was hit (None: the cap was not injected)."""
    awaiting_poll: bool = False
    """A one-poll fault is armed but no request has met it yet: the cloud still behaves."""


@dataclass(frozen=True)
class Fault:
    name: str
    lane: Lane
    fault_class: FaultClass
    run: Callable[[Context, int], Awaitable[None]]
    """Inject, hold and clear, on the charger with this index (cloud faults: a pump index)."""
    reboot: bool = False  # the charger really restarts (its "Last boot" may move)
    final: bool = False  # never clears within the soak: injected last, once
    login: bool = False  # the integration logs in once (answered) to get through it
    new_password: bool = False  # ends with new credentials: the login budget starts afresh


# ----- chargers ---------------------------------------------------------------------------


def _charger(context: Context, index: int) -> ChargerSimulator:
    return context.world.chargers[index]


async def _websocket_drop(context: Context, index: int) -> None:
    await _charger(context, index).drop_websockets()


async def _reboot_1s(context: Context, index: int) -> None:
    await _charger(context, index).reboot(1.0)


async def _reboot_long(context: Context, index: int) -> None:
    await _charger(context, index).reboot(context.outage)


async def _restart_button(context: Context, index: int) -> None:
    charger = _charger(context, index)
    serial = charger.serial.lower()
    entity_id = context.entity_ids[(serial, "restart_gateway")]
    await context.api.call_action("button", "press", {"entity_id": entity_id})
    async with asyncio.timeout(10):
        while charger.online:  # noqa: ASYNC110 - answers, reboots 50 ms later
            await asyncio.sleep(0.02)
        while not charger.online:  # noqa: ASYNC110 - polled attributes
            await asyncio.sleep(0.02)


async def _frozen(context: Context, index: int) -> None:
    faults = _charger(context, index).faults
    faults.hang = faults.half_open = True
    await asyncio.sleep(context.outage)
    faults.hang = faults.half_open = False


async def _proxy_stops(context: Context, index: int) -> None:
    faults = _charger(context, index).faults
    faults.half_open = True
    await asyncio.sleep(context.outage)
    faults.half_open = False


def _charger_http(name: str, seconds: float) -> Callable[[Context, int], Awaitable[None]]:
    async def run(context: Context, index: int) -> None:
        charger = _charger(context, index)
        if name.startswith("http_"):
            charger.faults.http_status = int(name.removeprefix("http_"))
        elif name == "delay":
            charger.faults.delay = 3.0
        else:
            setattr(charger.faults, name, True)
        await charger.drop_websockets()
        await asyncio.sleep(seconds)
        charger.faults.clear()

    return run


def _charger_content(name: str, seconds: float) -> Callable[[Context, int], Awaitable[None]]:
    async def run(context: Context, index: int) -> None:
        faults = _charger(context, index).faults
        setattr(faults, name, True)
        await asyncio.sleep(seconds)
        setattr(faults, name, False)

    return run


async def _reload_charger(context: Context, index: int) -> None:
    await _reload(context.api, context.charger_entries[index])


async def _reload(api: HomeAssistantApi, entry_id: str) -> None:
    await api._call("POST", f"/api/config/config_entries/entry/{entry_id}/reload")


# ----- the cloud --------------------------------------------------------------------------


async def _until_requested(context: Context, *, within: float = 90.0, extra: float = 1.0) -> None:
    """Wait until a request reached the cloud (the next poll), then ``extra`` seconds more."""
    requests = context.world.cloud.requests
    seen = len(requests)
    context.awaiting_poll = True
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while len(requests) == seen:  # noqa: ASYNC110 - polled attributes
                    await asyncio.sleep(0.05)
    finally:
        context.awaiting_poll = False
    await asyncio.sleep(extra)


def _one_failed_poll(setting: str) -> Callable[[Context, int], Awaitable[None]]:
    async def run(context: Context, _index: int) -> None:
        faults = context.world.cloud.faults
        if setting.startswith("http_"):
            faults.http_status = int(setting.removeprefix("http_"))
            faults.retry_after = 30
        else:
            setattr(faults, setting, True)
        await _until_requested(context)
        context.world.clear_cloud_faults()

    return run


async def _slow_cloud(context: Context, _index: int) -> None:
    context.world.cloud.faults.delay = 5.0
    await _until_requested(context, extra=6.0)
    context.world.clear_cloud_faults()


def _expire(context: Context) -> None:
    context.world.collect_tokens()
    context.world.cloud.expire_tokens()
    context.expiries += 1


async def _until_login(context: Context, *, within: float = 90.0) -> None:
    cloud = context.world.cloud
    logins = cloud.login_count
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within):
            while cloud.login_count == logins:  # noqa: ASYNC110 - polled attributes
                await asyncio.sleep(0.05)
    context.world.collect_tokens()


async def _token_expiry(context: Context, _index: int) -> None:
    _expire(context)
    await _until_login(context)


async def _token_expiry_json_401(context: Context, _index: int) -> None:
    context.world.cloud.faults.json_unauthorized = True
    _expire(context)
    await _until_login(context)
    context.world.clear_cloud_faults()


async def _sign_in_down(context: Context, _index: int) -> None:
    context.world.cloud.faults.login_http_status = 503
    _expire(context)
    await asyncio.sleep(context.outage)
    context.world.clear_cloud_faults()
    await _until_login(context, within=context.outage + 30)


async def _wrong_password(context: Context, _index: int) -> None:
    """The cloud rejects the stored password (changed in the app): Home Assistant asks for it
    again; once the cloud accepts it, the soak enters it the way the user would."""
    context.world.cloud.faults.wrong_password = True
    _expire(context)
    await asyncio.sleep(context.outage)
    context.world.clear_cloud_faults()
    await _complete_reauth(context, {"password": context.world.cloud.password})


async def _complete_reauth(context: Context, user_input: dict[str, str]) -> None:
    for _attempt in range(20):
        flows = await context.flows()
        for flow in flows:
            flow_context = flow.get("context", {})
            if (
                flow_context.get("source") == "reauth"
                and flow_context.get("entry_id") == context.account_entry
            ):
                await context.api._call(
                    "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", json=user_input
                )
                return
        await asyncio.sleep(0.5)


LOGIN_PATH = "/v1/user/login"


async def _login_cap(context: Context, _index: int) -> None:
    """The account reaches the cloud's daily login cap; it lifts at midnight, so the fault never
    clears within the soak: the last fault of the cloud lane. Counts the login attempts made
    after the first refused one (the integration should make none until the next day)."""
    cloud = context.world.cloud
    cloud.faults.login_cap_after = context.world.logins_today()
    _expire(context)
    requests = cloud.requests
    mark = len(requests)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(context.outage + 90):
            while LOGIN_PATH not in (path for _method, path in requests[mark:]):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    await asyncio.sleep(context.outage)
    attempts = sum(1 for _method, path in requests[mark:] if path == LOGIN_PATH)
    context.capped_logins = attempts


async def _cloud_hangs(context: Context, _index: int) -> None:
    context.world.cloud.faults.hang = True
    await asyncio.sleep(context.outage)
    context.world.clear_cloud_faults()


async def _lost_command(context: Context, index: int) -> None:
    """A spray command the cloud acknowledges but the pump never acts on."""
    cloud = context.world.cloud
    pump = cloud.device_ids[index]
    cloud.faults.unconfirmed_commands = True
    try:
        entity_id = context.entity_ids[(pump, "spray")]
        with contextlib.suppress(HomeAssistantError):  # the action fails: never confirmed
            await context.api.call_action("switch", "turn_on", {"entity_id": entity_id})
    finally:
        context.world.clear_cloud_faults()


async def _pump_offline(context: Context, index: int) -> None:
    cloud = context.world.cloud
    pump = cloud.device_ids[index]
    cloud.set_online(pump, False)
    await asyncio.sleep(context.outage)
    cloud.set_online(pump, True)


async def _reload_account(context: Context, _index: int) -> None:
    await _reload(context.api, context.account_entry)


FAULTS: tuple[Fault, ...] = (
    Fault("websocket drop", "charger", "transient", _websocket_drop),
    Fault("reboot 1 s", "charger", "transient", _reboot_1s, reboot=True),
    Fault("Restart gateway button", "charger", "transient", _restart_button, reboot=True),
    Fault("reboot (outage)", "charger", "outage", _reboot_long, reboot=True),
    Fault("frozen charger (outage)", "charger", "outage", _frozen),
    Fault("proxy stops forwarding (outage)", "charger", "outage", _proxy_stops),
    Fault("HTTP 401 for 2 s", "charger", "transient", _charger_http("http_401", 2.0)),
    Fault("HTTP 429 for 2 s", "charger", "transient", _charger_http("http_429", 2.0)),
    Fault("HTTP 500 for 2 s", "charger", "transient", _charger_http("http_500", 2.0)),
    Fault("HTTP 503 for 2 s", "charger", "transient", _charger_http("http_503", 2.0)),
    Fault("HTML error page for 2 s", "charger", "transient", _charger_http("html_error", 2.0)),
    Fault("malformed JSON for 2 s", "charger", "transient", _charger_http("malformed_json", 2.0)),
    Fault("HTTP answers 3 s late for 4 s", "charger", "transient", _charger_http("delay", 4.0)),
    Fault(
        "websocket refused for 3 s", "charger", "transient", _charger_http("refuse_websocket", 3.0)
    ),
    Fault(
        "unknown state code for 10 s", "charger", "transient", _charger_content("unknown_state", 10)
    ),
    Fault(
        "temperatures false for 10 s",
        "charger",
        "transient",
        _charger_content("false_temperatures", 10),
    ),
    Fault("charger entry reload", "charger", "planned", _reload_charger, reboot=False),
    Fault("one poll: HTTP 503", "cloud", "transient", _one_failed_poll("http_503")),
    Fault("one poll: HTTP 429", "cloud", "transient", _one_failed_poll("http_429")),
    Fault("one poll: HTTP 500", "cloud", "transient", _one_failed_poll("http_500")),
    Fault("one poll: Cloudflare HTML page", "cloud", "transient", _one_failed_poll("html_error")),
    Fault("one poll: malformed JSON", "cloud", "transient", _one_failed_poll("malformed_json")),
    Fault("one poll: answers 5 s late", "cloud", "transient", _slow_cloud),
    Fault("token expiry", "cloud", "transient", _token_expiry, login=True),
    Fault("token expiry, JSON 401", "cloud", "transient", _token_expiry_json_401, login=True),
    Fault("spray command never confirmed", "cloud", "transient", _lost_command),
    Fault("pump offline (outage)", "cloud", "transient", _pump_offline),
    Fault("sign-in answers 503 (outage)", "cloud", "outage", _sign_in_down, login=True),
    Fault(
        "password rejected (outage)",
        "cloud",
        "outage",
        _wrong_password,
        login=True,
        new_password=True,
    ),
    Fault(
        "daily login cap (until midnight)", "cloud", "outage", _login_cap, final=True, login=True
    ),
    Fault("cloud does not answer (outage)", "cloud", "outage", _cloud_hangs),
    Fault("account entry reload", "cloud", "planned", _reload_account),
)
"""``pump offline`` is transient for the entities: an offline pump is a state the cloud reports
("Online" turns off), not a reason for the other entities to become unavailable."""


def final_faults(lane: Lane) -> list[Fault]:
    """The faults a lane injects once, after its time is up (they do not clear)."""
    return [fault for fault in FAULTS if fault.lane == lane and fault.final]


@dataclass
class LoginBudget:
    """The integration's login budget as the cloud lane spends it.

    The account's guard allows ``per_hour`` answered logins in any sliding hour (the set-up's
    login is the config flow's, not the entry's) and starts afresh when the user enters a new
    password. One login is always kept back for the final fault (the daily cap must be met by
    a login attempt); a password change may take the last but that one, since it frees them all.
    """

    per_hour: int = DEFAULT_MAX_LOGINS_PER_HOUR
    spent: list[float] = field(default_factory=list)

    def admits(self, fault: Fault, now: float) -> bool:
        """Whether ``fault`` may be injected at ``now`` (monotonic seconds)."""
        if not fault.login:
            return True
        self.spent = [at for at in self.spent if now - at < 3600]
        # Its own login, and one kept back for the final fault unless it is that fault or
        # frees the budget anyway.
        needed = 1 if fault.final or fault.new_password else 2
        return self.per_hour - len(self.spent) >= needed

    def note(self, fault: Fault, now: float) -> None:
        """Account for ``fault`` once it ran."""
        if fault.new_password:
            self.spent.clear()
        elif fault.login:
            self.spent.append(now)


def schedule(lane: Lane, rng: random.Random) -> list[Fault]:
    """One lane's faults for a run: every fault once in a seeded order, then seeded random picks
    (as many as any run can use); the final faults not among them.

    In the first round the password change comes third among the faults that log in, so that
    within the login budget every one of them (and the final daily cap) gets its turn.
    """
    mine = [fault for fault in FAULTS if fault.lane == lane and not fault.final]
    order = rng.sample(mine, len(mine))
    slots = [i for i, fault in enumerate(order) if fault.login]
    if slots:
        logins = [order[i] for i in slots]
        changes = [fault for fault in logins if fault.new_password]
        others = [fault for fault in logins if not fault.new_password]
        for i, fault in zip(slots, [*others[:2], *changes, *others[2:]], strict=True):
            order[i] = fault
    return order + [rng.choice(mine) for _ in range(2000)]
