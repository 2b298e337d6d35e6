"""Moogo benchmark: our vendored client side by side with the peer pymoogo 0.1.3.

Both clients run in one process against the project's Moogo cloud simulator over loopback,
each with its own injected aiohttp session whose requests are counted by a trace hook. Every
measurement starts from a fresh simulator with identical settings, so the figures of one client
cannot leak into the other's.

Measured:

1. compatibility: each client logs in, lists the pumps, reads a status, starts and stops a spray
   (waiting for the pump to confirm), and reads schedules, configuration and the catalogue;
2. logins needed from credentials to the first status and on through 100 polls, with every
   token expired after poll 50; the same run when the sign-in service is down for the five
   polls after the expiry (does the client recover?), and when the password is also changed
   at that point (a login storm is what locks an account out for the day);
3. requests per poll cycle for 1, 5 and 20 pumps: a full refresh (device list plus each status)
   for both clients, and the peer's own Home Assistant integration cycle (30 s interval, its
   caches in effect, averaged over 10 minutes of virtual time);
4. a spray start that the pump never confirms: wall time until the call gives up and commands
   sent (the simulator acknowledges but never flips ``runStatus``). Runs both clients at once;
   the peer's retries take about a minute and a half.

Run it with ``bench/run`` (which provides the peer), or directly with the repository root and
pymoogo importable: ``python bench/moogo_bench.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from report import Row, print_rows, print_table, ratio, targets_met

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # running the file directly rather than through bench/run
    sys.path.insert(0, str(REPO_ROOT))

# The simulator and the peer's client are set up as the peer guard sets them up.
from tests.peers.pymoogo.adapter import peer_client, simulator  # noqa: E402

POLLS = 100
EXPIRE_AFTER_POLL = 50
FLEET_SIZES = (1, 5, 20)
HA_POLL_INTERVAL = timedelta(seconds=30)  # the peer integration's interval when logged in
HA_VIRTUAL_MINUTES = 10
COMPAT_CONFIRM_DELAY = 1.0  # seconds until runStatus flips in the compatibility run

OURS = "ours"
PEER = "pymoogo 0.1.3"


# ----- shared plumbing -------------------------------------------------------------------------


@dataclass
class RequestLog:
    """Every HTTP request one client sent, as ``(method, path)``."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def count(self, *, method: str | None = None, suffix: str = "") -> int:
        return sum(
            1
            for sent_method, path in self.sent
            if (method is None or sent_method == method) and path.endswith(suffix)
        )

    def trace(self) -> aiohttp.TraceConfig:
        async def on_start(
            _session: aiohttp.ClientSession,
            _context: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            self.sent.append((params.method, params.url.path))

        config = aiohttp.TraceConfig()
        config.on_request_start.append(on_start)
        return config


@contextlib.asynccontextmanager
async def traced_session() -> AsyncIterator[tuple[aiohttp.ClientSession, RequestLog]]:
    log = RequestLog()
    async with aiohttp.ClientSession(trace_configs=[log.trace()]) as session:
        yield session, log


def ours_client(sim: Any, session: aiohttp.ClientSession) -> Any:
    from custom_components.openevse_moogo.clients.moogo import MoogoClient

    return MoogoClient(email=sim.email, password=sim.password, session=session, base_url=sim.url)


def login_attempts(log: RequestLog) -> int:
    return log.count(method="POST", suffix="/v1/user/login")


class VirtualTime:
    """Time that the bench moves forward by hand, so polling intervals cost no waiting."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def advance(self, step: timedelta) -> None:
        self.offset += step

    def monotonic(self) -> float:
        """A monotonic clock for our client's login guard."""
        return time.monotonic() + self.offset.total_seconds()


@contextlib.contextmanager
def peer_virtual_clock(virtual: VirtualTime) -> Iterator[None]:
    """Let the peer see virtual time: its caches and re-login limits read ``datetime.now``."""
    import pymoogo.api
    import pymoogo.client
    import pymoogo.device

    class ShiftedDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + virtual.offset

    modules = (pymoogo.api, pymoogo.client, pymoogo.device)
    for module in modules:
        module.datetime = ShiftedDatetime  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in modules:
            module.datetime = datetime  # type: ignore[attr-defined]


# ----- 1. compatibility ------------------------------------------------------------------------

type Step = tuple[str, Callable[[], Awaitable[object]]]


async def run_steps(steps: list[Step]) -> dict[str, str]:
    results: dict[str, str] = {}
    for name, action in steps:
        try:
            outcome = await action()
        except Exception as err:
            results[name] = f"FAIL {type(err).__name__}: {err}"[:70]
        else:
            results[name] = "ok" if outcome is not False else "FAIL (returned False)"
    return results


async def compatibility_ours() -> dict[str, str]:
    from custom_components.openevse_moogo.clients.moogo import CommandState

    async with (
        simulator(spray_confirm_delay=COMPAT_CONFIRM_DELAY) as sim,
        traced_session() as (session, _log),
    ):
        client = ours_client(sim, session)
        pump = sim.device_ids[0]

        async def devices() -> bool:
            return [item.device_id for item in await client.get_devices()] == [pump]

        async def status() -> bool:
            return (await client.get_device_status(pump)).online is True

        async def spray(start: bool) -> bool:
            command = client.start_spray if start else client.stop_spray
            result = await client.confirm_spray(await command(pump), poll_interval=0.25)
            return bool(
                result.state is CommandState.CONFIRMED and sim.device(pump)["runStatus"] == start
            )

        async def start() -> bool:
            return await spray(True)

        async def stop() -> bool:
            return await spray(False)

        steps: list[Step] = [
            ("authenticate", client.authenticate),
            ("list devices", devices),
            ("read status", status),
            ("start spray (confirmed)", start),
            ("stop spray (confirmed)", stop),
            ("read schedules", lambda: client.get_schedules(pump)),
            ("read config", lambda: client.get_device_config(pump)),
            ("liquid types", client.get_liquid_types),
            ("recommended plans", client.get_recommended_plans),
            ("firmware check", lambda: client.check_firmware_update(pump)),
        ]
        try:
            return await run_steps(steps)
        finally:
            await client.close()


async def compatibility_peer() -> dict[str, str]:
    async with (
        simulator(spray_confirm_delay=COMPAT_CONFIRM_DELAY) as sim,
        traced_session() as (session, _log),
    ):
        client = peer_client(sim, session)
        pump = sim.device_ids[0]

        async def devices() -> bool:
            return [item.id for item in await client.get_devices()] == [pump]

        async def status() -> bool:
            return bool((await client.get_device_status(pump, force_refresh=True)).is_online)

        async def start() -> bool:
            confirmed = await client.start_spray(pump, mode="normal", poll_interval=0.5)
            return bool(confirmed and sim.device(pump)["runStatus"] == 1)

        async def stop() -> bool:
            confirmed = await client.stop_spray(pump, poll_interval=0.5)
            return bool(confirmed and sim.device(pump)["runStatus"] == 0)

        steps: list[Step] = [
            ("authenticate", client.authenticate),
            ("list devices", devices),
            ("read status", status),
            ("start spray (confirmed)", start),
            ("stop spray (confirmed)", stop),
            ("read schedules", lambda: client.get_device_schedules(pump)),
            ("read config", lambda: client.get_device_config(pump)),
            ("liquid types", client.get_liquid_types),
            ("recommended plans", client.get_recommended_schedules),
            ("firmware check", lambda: client.check_firmware_update(pump)),
        ]
        try:
            return await run_steps(steps)
        finally:
            await client.close()


# ----- 2. logins -----------------------------------------------------------------------------


@dataclass
class LoginRun:
    logins: int  # login requests sent
    successful: int  # logins the cloud accepted
    requests: int
    failed_polls: int
    recovered_after: timedelta | None  # from the expiry to the next good poll


LOGIN_OUTAGE_POLLS = 5
OUTAGE_RUN_POLLS = 250  # long enough for an hourly login budget to refill


async def login_run(
    *, ours: bool, polls: int = POLLS, change_password: bool = False, outage: bool = False
) -> LoginRun:
    """Credentials -> first status -> ``polls`` polls 30 s apart (virtual time), all tokens
    expired after poll 50.

    ``change_password``: the account's password changes at the expiry (logins keep failing).
    ``outage``: the sign-in service answers HTTP 503 for the first polls after the expiry, then
    recovers (the rest of the API keeps answering).
    """
    virtual = VirtualTime()
    async with simulator() as sim, traced_session() as (session, log):
        if ours:
            from custom_components.openevse_moogo.clients.moogo import LoginGuard, MoogoClient

            client = MoogoClient(
                email=sim.email,
                password=sim.password,
                session=session,
                base_url=sim.url,
                login_guard=LoginGuard(clock=virtual.monotonic),
            )
        else:
            client = peer_client(sim, session)
        pump = sim.device_ids[0]

        async def read() -> object:
            if ours:
                return await client.get_device_status(pump)
            return await client.get_device_status(pump, force_refresh=True)

        failed = 0
        recovered_after: timedelta | None = None
        with contextlib.ExitStack() as stack:
            if not ours:
                stack.enter_context(peer_virtual_clock(virtual))
            try:
                await client.authenticate()
                await client.get_devices()
                await read()
                for poll in range(1, polls + 1):
                    virtual.advance(HA_POLL_INTERVAL)
                    if poll == EXPIRE_AFTER_POLL + 1:
                        sim.expire_tokens()
                        sim.faults.wrong_password = change_password
                        sim.faults.login_http_status = 503 if outage else None
                    if poll == EXPIRE_AFTER_POLL + 1 + LOGIN_OUTAGE_POLLS:
                        sim.faults.login_http_status = None
                    try:
                        await read()
                    except Exception:
                        failed += 1
                    else:
                        if poll > EXPIRE_AFTER_POLL and recovered_after is None:
                            recovered_after = HA_POLL_INTERVAL * (poll - EXPIRE_AFTER_POLL - 1)
            finally:
                await client.close()
        return LoginRun(
            login_attempts(log), sim.login_count, len(log.sent), failed, recovered_after
        )


def recovery(run: LoginRun) -> str:
    if run.recovered_after is None:
        return "never"
    return f"{run.recovered_after.total_seconds() / 60:.1f} min"


# ----- 3. requests per poll cycle --------------------------------------------------------------


async def full_refresh_requests(*, ours: bool, pumps: int, cycles: int = 5) -> float:
    """Requests per cycle to learn the pumps and every pump's live status."""
    async with simulator(devices=pumps) as sim, traced_session() as (session, log):
        client = ours_client(sim, session) if ours else peer_client(sim, session)
        try:
            await client.authenticate()
            before = len(log.sent)
            for _ in range(cycles):
                if ours:
                    for device in await client.get_devices():
                        await client.get_device_status(device.device_id)
                else:
                    for device in await client.get_devices(force_refresh=True):
                        await client.get_device_status(device.id, force_refresh=True)
            return (len(log.sent) - before) / cycles
        finally:
            await client.close()


async def peer_integration_requests(*, pumps: int) -> float:
    """Requests per 30 s cycle of the peer's Home Assistant coordinator, caches in effect."""
    cycles = int(timedelta(minutes=HA_VIRTUAL_MINUTES) / HA_POLL_INTERVAL)
    virtual = VirtualTime()
    async with simulator(devices=pumps) as sim, traced_session() as (session, log):
        client = peer_client(sim, session)
        try:
            await client.authenticate()
            before = len(log.sent)
            with peer_virtual_clock(virtual):
                for _ in range(cycles):
                    await client.get_liquid_types()
                    await client.get_recommended_schedules()
                    for device in await client.get_devices():
                        await device.refresh()
                    virtual.advance(HA_POLL_INTERVAL)
            return (len(log.sent) - before) / cycles
        finally:
            await client.close()


# ----- 4. a start that is never confirmed ------------------------------------------------------


@dataclass
class UnconfirmedRun:
    seconds: float
    commands: int
    status_reads: int
    outcome: str


async def unconfirmed_start(*, ours: bool) -> UnconfirmedRun:
    async with simulator() as sim, traced_session() as (session, log):
        sim.faults.unconfirmed_commands = True
        client = ours_client(sim, session) if ours else peer_client(sim, session)
        pump = sim.device_ids[0]
        try:
            await client.authenticate()
            started = time.monotonic()
            try:
                if ours:
                    result = await client.confirm_spray(await client.start_spray(pump))
                    outcome = f"returns {result.state.value}"
                else:
                    outcome = f"returns {await client.start_spray(pump, mode='normal')}"
            except Exception as err:
                outcome = f"raises {type(err).__name__}"
            elapsed = time.monotonic() - started
        finally:
            await client.close()
        return UnconfirmedRun(
            seconds=elapsed,
            commands=log.count(method="POST", suffix="/start"),
            status_reads=log.count(method="GET", suffix=f"/v1/devices/{pump}"),
            outcome=outcome,
        )


# ----- report ----------------------------------------------------------------------------------


def number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


async def main() -> int:
    logging.getLogger("pymoogo").setLevel(logging.CRITICAL)  # its retries log at warning/error
    versions = peer_version()
    print(f"Moogo benchmark: {OURS} vs {PEER} (installed: {versions}) on the cloud simulator")
    started = time.monotonic()

    # 4 runs longest (the peer's retries), so it runs in the background meanwhile.
    unconfirmed = asyncio.gather(unconfirmed_start(ours=True), unconfirmed_start(ours=False))

    ours_compat, peer_compat = await compatibility_ours(), await compatibility_peer()
    print_table(
        ("step", OURS, PEER),
        [(step, ours_compat[step], peer_compat.get(step, "-")) for step in ours_compat],
        title="1. Compatibility with the simulator",
    )

    rows: list[tuple[str, ...]] = []
    cases: list[tuple[str, dict[str, Any]]] = [
        ("token expiry", {}),
        (
            f"expiry + sign-in down {LOGIN_OUTAGE_POLLS} polls",
            {"outage": True, "polls": OUTAGE_RUN_POLLS},
        ),
        ("expiry + password changed", {"change_password": True}),
    ]
    for label, case in cases:
        ours_run = await login_run(ours=True, **case)
        peer_run = await login_run(ours=False, **case)
        polls = case.get("polls", POLLS)
        rows.append(
            (
                f"{label} ({polls} polls): login requests",
                number(ours_run.logins),
                number(peer_run.logins),
                ratio(peer_run.logins, ours_run.logins),
            )
        )
        rows.append(
            (
                "  failed polls / all requests",
                f"{ours_run.failed_polls} / {ours_run.requests}",
                f"{peer_run.failed_polls} / {peer_run.requests}",
                ratio(peer_run.failed_polls, ours_run.failed_polls),
            )
        )
        rows.append(("  polling works again after", recovery(ours_run), recovery(peer_run), ""))
    print_table(
        ("measure", OURS, PEER, "peer/ours"),
        rows,
        title="2. Logins from credentials to first status, then polls every 30 s (virtual time), "
        f"all tokens expired after poll {EXPIRE_AFTER_POLL}",
    )

    rows = []
    for pumps in FLEET_SIZES:
        ours_full = await full_refresh_requests(ours=True, pumps=pumps)
        peer_full = await full_refresh_requests(ours=False, pumps=pumps)
        peer_ha = await peer_integration_requests(pumps=pumps)
        rows.append(
            (
                str(pumps),
                number(ours_full),
                number(peer_full),
                ratio(peer_full, ours_full),
                number(peer_ha),
            )
        )
    print_table(
        ("pumps", f"{OURS} full", f"{PEER} full", "peer/ours", f"{PEER} HA cycle, cached"),
        rows,
        title="3. Requests per poll cycle (full refresh = device list + every status)",
    )

    ours_never, peer_never = await unconfirmed
    print_table(
        ("measure", OURS, PEER, "peer/ours"),
        [
            (
                "time until the call gives up (s)",
                f"{ours_never.seconds:.1f}",
                f"{peer_never.seconds:.1f}",
                ratio(peer_never.seconds, ours_never.seconds),
            ),
            (
                "start commands sent",
                str(ours_never.commands),
                str(peer_never.commands),
                ratio(peer_never.commands, ours_never.commands),
            ),
            (
                "status reads",
                str(ours_never.status_reads),
                str(peer_never.status_reads),
                ratio(peer_never.status_reads, ours_never.status_reads),
            ),
            ("outcome", ours_never.outcome, peer_never.outcome, ""),
        ],
        title="4. Spray start never confirmed by the pump (client defaults)",
    )
    targets = [compat_row(OURS, ours_compat), compat_row(PEER, peer_compat)]
    print_rows(targets, title="Targets")
    print(f"\nTotal bench time {time.monotonic() - started:.0f} s")
    return 0 if targets_met(targets) else 1


def compat_row(client: str, steps: dict[str, str]) -> Row:
    passed = sum(outcome == "ok" for outcome in steps.values())
    return Row(
        f"{client}: compatibility steps",
        (f"{passed}/{len(steps)} ok",),
        "every step ok",
        passed == len(steps),
    )


def peer_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"pymoogo {version('pymoogo')}"
    except PackageNotFoundError:
        return "pymoogo (version unknown)"


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
