"""OpenEVSE clients side by side: ours (vendored) vs python-openevse-http, one simulator, one run.

Run through ``bench/run`` (it builds the environment holding both). Measures:

1. compatibility: each client's update, websocket and override/claim/limit commands;
2. time to the first full status + config (cold client, warm session);
3. websocket deltas processed per second (receive, parse, merge, callback);
4. HTTP requests while the websocket is healthy: steady state per hour, and per pushed event;
5. time until push resumes after the websocket drops and the charger comes back (reboot);
6. peak traced memory per client (tracemalloc; simulator in a separate process).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import socket
import sys
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any, Protocol

import aiohttp
from openevsehttp.client import OpenEVSE as PeerCharger
from report import Row, ms, percentile, print_rows, print_table, ratio, targets_met

from custom_components.openevse_moogo.clients.openevse import OpenEVSE as OurCharger
from custom_components.openevse_moogo.clients.openevse import WebsocketOptions, WebsocketState
from tests.simulators.openevse import CLIENT_MANUAL, PROFILES, ChargerSimulator, Claim

ROOT = Path(__file__).resolve().parent.parent
PEER = "python-openevse-http 1.5.0"
RESUME_TARGET = 2.0
# A reboot leaves the websocket silent (no close frame, as the firmware's chip reset does): only
# the keepalive notices it, within keepalive_interval + pong_timeout, then the reconnect follows.
_KEEPALIVE = WebsocketOptions()
REBOOT_TARGET = _KEEPALIVE.keepalive_interval + _KEEPALIVE.pong_timeout + RESUME_TARGET


# ----------------------------------------------------------------------------- adapters


class Client(Protocol):
    """The same steps for both clients, each through its library's own API."""

    name: str

    async def update(self) -> None: ...
    def has_full_state(self) -> bool: ...
    async def start_push(self, on_data: Callable[[], None]) -> None: ...
    def push_connected(self) -> bool: ...
    async def close(self) -> None: ...
    async def set_override(self) -> None: ...
    async def read_override(self) -> None: ...
    async def clear_override(self) -> None: ...
    async def toggle_override(self) -> None: ...
    async def make_claim(self) -> None: ...
    async def read_claim_target(self) -> None: ...
    async def release_claim(self) -> None: ...
    async def limit_round_trip(self) -> None: ...
    async def divert_round_trip(self) -> None: ...


class _SameCommands:
    """Commands both libraries spell the same way (each adapter sets ``self.client``)."""

    client: Any

    async def update(self) -> None:
        await self.client.update()

    async def close(self) -> None:
        await self.client.ws_disconnect()

    async def set_override(self) -> None:
        await self.client.set_override(state="disabled", charge_current=10)

    async def clear_override(self) -> None:
        await self.client.clear_override()

    async def toggle_override(self) -> None:
        await self.client.toggle_override()

    async def make_claim(self) -> None:
        await self.client.make_claim(charge_current=12)

    async def release_claim(self) -> None:
        await self.client.release_claim()

    async def limit_round_trip(self) -> None:
        await self.client.set_limit("energy", 5000)
        await self.client.get_limit()
        await self.client.clear_limit()

    async def divert_round_trip(self) -> None:
        await self.client.set_divert_mode("eco")
        await self.client.set_divert_mode("fast")


class Ours(_SameCommands):
    """Our vendored client."""

    name = "ours"

    def __init__(self, host: str, session: aiohttp.ClientSession) -> None:
        self.client = OurCharger(host, session=session)

    def has_full_state(self) -> bool:
        return self.client.state is not None and self.client.wifi_serial is not None

    async def start_push(self, on_data: Callable[[], None]) -> None:
        self.client.subscribe(lambda _keys: on_data())
        await self.client.ws_start()

    def push_connected(self) -> bool:
        return self.client.ws_state is WebsocketState.CONNECTED

    async def read_override(self) -> None:
        await self.client.get_override()

    async def read_claim_target(self) -> None:
        await self.client.get_claim_target()


class Peer(_SameCommands):
    """python-openevse-http, the library Home Assistant's openevse integrations use."""

    name = "peer"

    def __init__(self, host: str, session: aiohttp.ClientSession) -> None:
        self.client = PeerCharger(host, session=session)

    def has_full_state(self) -> bool:
        return "state" in self.client._status and "wifi_serial" in self.client._config

    async def start_push(self, on_data: Callable[[], None]) -> None:
        self.client.callback = on_data
        await self.client.ws_start()

    def push_connected(self) -> bool:
        return bool(self.client.ws_state == "connected")

    async def read_override(self) -> None:
        await self.client.get_override_state()

    async def read_claim_target(self) -> None:
        await self.client.get_charge_current()


ADAPTERS: tuple[type[Ours] | type[Peer], ...] = (Ours, Peer)


@dataclass(frozen=True)
class Step:
    """One compatibility step; ``peer_raises`` marks an error a real charger causes too."""

    label: str
    run: Callable[[Client], Awaitable[None]]
    peer_raises: bool = False


COMPAT_STEPS = (
    Step("set override (state, current)", lambda c: c.set_override()),
    Step("read override", lambda c: c.read_override()),
    Step("clear override", lambda c: c.clear_override()),
    Step("toggle override (creates one)", lambda c: c.toggle_override()),
    Step("toggle override (releases it)", lambda c: c.toggle_override()),
    # The firmware answers 500 when there is no override; the peer raises on a device too.
    Step("clear override when there is none", lambda c: c.clear_override(), peer_raises=True),
    Step("make claim", lambda c: c.make_claim()),
    Step("read claim target", lambda c: c.read_claim_target()),
    Step("release claim", lambda c: c.release_claim()),
    Step("set / read / clear limit", lambda c: c.limit_round_trip()),
    Step("divert mode eco / fast", lambda c: c.divert_round_trip()),
)


@dataclass
class Counter:
    """Counts data callbacks and lets the bench wait for a number of them."""

    count: int = 0
    target: int | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self) -> None:
        self.count += 1
        if self.target is not None and self.count >= self.target:
            self.reached.set()

    def expect(self, more: int) -> None:
        self.target = self.count + more
        self.reached.clear()


async def until(condition: Callable[[], bool], within: float, step: float = 0.005) -> bool:
    """Poll condition until true or the time runs out; return whether it held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(step)
    return True


async def connected(client: Client, sim: ChargerSimulator, counter: Counter) -> Client:
    """Update then start push, and wait until the socket is up and the first push is in."""
    await client.update()
    await client.start_push(counter)
    if not await until(client.push_connected, 10):
        raise RuntimeError("websocket did not connect")
    await until(lambda: sim.ws_connections > 0, 5)
    await asyncio.sleep(0.2)  # the connect-time full status and any refetch it triggers
    return client


# ----------------------------------------------------------------------------- measurements


async def measure_compat(
    sim: ChargerSimulator, session: aiohttp.ClientSession
) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for adapter in ADAPTERS:
        client = adapter(f"{sim.host}:{sim.port}", session)
        for label, verdict in await _compat_of(client, sim):
            rows.setdefault(label, {})[client.name] = verdict
        await _reset(sim)
    return rows


async def _compat_of(client: Client, sim: ChargerSimulator) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    counter = Counter()
    try:
        await client.update()
        verdict = "pass" if client.has_full_state() else "FAIL: incomplete"
    except Exception as err:
        verdict = f"FAIL: {type(err).__name__} {err}"
    results.append(("update(): status + config", verdict))
    try:
        await client.start_push(counter)
        ok = await until(client.push_connected, 5)
        before = counter.count
        await sim.start_charging()
        ok = ok and await until(lambda: counter.count > before, 5)
        verdict = "pass" if ok else "FAIL: no data"
    except Exception as err:
        verdict = f"FAIL: {type(err).__name__} {err}"
    results.append(("websocket push", verdict))
    for step in COMPAT_STEPS:
        expect_error = isinstance(client, Peer) and step.peer_raises
        results.append((step.label, await _run_step(step, client, expect_error=expect_error)))
    with contextlib.suppress(Exception):
        await client.close()
    return results


async def _run_step(step: Step, client: Client, *, expect_error: bool) -> str:
    try:
        await step.run(client)
    except Exception as err:
        if expect_error:
            return f"pass (raises {type(err).__name__}, as on a device)"
        return f"FAIL: {type(err).__name__} {err}"
    return "FAIL: no error raised" if expect_error else "pass"


async def _reset(sim: ChargerSimulator) -> None:
    """Back to an idle charger with no claims, no limit and no websocket."""
    await sim.unplug()
    for client_id in list(sim.claims.claims):
        await sim.publish(sim.release_claim(client_id) or {})
    if sim.limit is not None:
        await sim.publish(sim.set_limit(None))
    await sim.drop_websockets()
    await asyncio.sleep(0.1)


async def measure_first_state(
    sim: ChargerSimulator, session: aiohttp.ClientSession, rounds: int
) -> dict[str, tuple[list[float], float]]:
    """Seconds per cold update() (new client object, warm session) and requests per update."""
    results: dict[str, tuple[list[float], float]] = {}
    for adapter in ADAPTERS:
        samples = []
        mark = _http_requests(sim)
        for _ in range(rounds):
            client = adapter(f"{sim.host}:{sim.port}", session)
            started = time.perf_counter()
            await client.update()
            samples.append(time.perf_counter() - started)
            if not client.has_full_state():
                raise RuntimeError(f"{client.name}: update() left the state incomplete")
            await client.close()
        results[adapter.name] = (samples, (_http_requests(sim) - mark) / rounds)
    return results


async def measure_throughput(
    sim: ChargerSimulator, session: aiohttp.ClientSession, frames: int
) -> dict[str, float]:
    """Deltas/s from the first frame sent to the last callback (server cost included alike)."""
    payloads = [
        {"amp": 30000 + i, "voltage": 240 + i % 7 / 10, "power": 7200 + i, "session_energy": i}
        for i in range(frames)
    ]
    # Reference: a bare aiohttp websocket that only receives and decodes the same frames.
    rates = {"raw aiohttp + json.loads": await _raw_rate(sim, session, payloads)}
    await _reset(sim)
    for adapter in ADAPTERS:
        counter = Counter()
        client = await connected(adapter(f"{sim.host}:{sim.port}", session), sim, counter)
        counter.expect(frames)
        started = time.perf_counter()
        await _send_all(sim, payloads)
        await asyncio.wait_for(counter.reached.wait(), 120)
        rates[adapter.name] = frames / (time.perf_counter() - started)
        await client.close()
        await _reset(sim)
    return rates


async def _raw_rate(
    sim: ChargerSimulator, session: aiohttp.ClientSession, payloads: list[dict[str, Any]]
) -> float:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()
        started = time.perf_counter()
        sender = asyncio.create_task(_send_all(sim, payloads))
        for _ in payloads:
            await ws.receive_json()
        rate = len(payloads) / (time.perf_counter() - started)
        await sender
    return rate


async def _send_all(sim: ChargerSimulator, payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        await sim.broadcast(payload)


# Assumed events per hour of an automated home (solar-following claims, a few manual changes).
HOURLY_EVENT_MIX = {
    "claim change": 12,
    "override change": 2,
    "config change": 1,
    "limit change": 1,
    "other ws client connects": 1,
}


@dataclass
class RequestCosts:
    """HTTP requests a client sends while its websocket is healthy."""

    steady_per_hour: float = 0.0
    per_event: dict[str, int] = field(default_factory=dict)

    def hourly(self) -> float:
        """Steady polling plus the assumed hourly event mix."""
        events = sum(count * self.per_event[name] for name, count in HOURLY_EVENT_MIX.items())
        return self.steady_per_hour + events


async def measure_requests(
    sim: ChargerSimulator, session: aiohttp.ClientSession, window: float
) -> dict[str, RequestCosts]:
    results: dict[str, RequestCosts] = {}
    for adapter in ADAPTERS:
        client = await connected(adapter(f"{sim.host}:{sim.port}", session), sim, Counter())
        results[adapter.name] = await _request_costs(sim, session, window)
        await client.close()
        await _reset(sim)
    return results


async def _request_costs(
    sim: ChargerSimulator, session: aiohttp.ClientSession, window: float
) -> RequestCosts:
    await sim.start_charging()
    await asyncio.sleep(0.2)
    costs = RequestCosts()
    mark = _http_requests(sim)
    await asyncio.sleep(window)
    costs.steady_per_hour = (_http_requests(sim) - mark) * 3600 / window
    brightness = int(sim.config["led_brightness"])
    # Device-side changes (no HTTP from the bench itself), each pushing its version counter.
    events: dict[str, Callable[[], Awaitable[None]]] = {
        "claim change": lambda: sim.publish(sim.set_claim(20, Claim(500, {"charge_current": 14}))),
        "override change": lambda: sim.publish(
            sim.set_claim(CLIENT_MANUAL, Claim(1000, {"state": "disabled"}))
        ),
        "config change": lambda: sim.update_config(led_brightness=brightness + 1),
        "limit change": lambda: sim.publish(
            sim.set_limit({"type": "time", "value": 90, "auto_release": True})
        ),
        "other ws client connects": lambda: _visit_ws(sim, session),
    }
    for name, event in events.items():
        mark = _http_requests(sim)
        await event()
        await asyncio.sleep(0.4)
        costs.per_event[name] = _http_requests(sim) - mark
    return costs


def _http_requests(sim: ChargerSimulator) -> int:
    return sum(1 for _, path in sim.requests if path != "/ws")


async def _visit_ws(sim: ChargerSimulator, session: aiohttp.ClientSession) -> None:
    async with session.ws_connect(f"{sim.url}/ws") as ws:
        await ws.receive_json()


async def measure_resume(
    sim: ChargerSimulator,
    session: aiohttp.ClientSession,
    downtime: float,
    patience: float,
    *,
    reboot: bool,
) -> dict[str, float | None]:
    """Seconds from the charger being reachable again to the first pushed message.

    ``reboot``: the gateway reboots (its websocket goes silent, it is unreachable for
    ``downtime``); otherwise the connection is cut (a reset the client sees at once).
    """
    results: dict[str, float | None] = {}
    for adapter in ADAPTERS:
        counter = Counter()
        client = await connected(adapter(f"{sim.host}:{sim.port}", session), sim, counter)
        results[adapter.name] = await _resume_after(sim, counter, downtime, patience, reboot)
        await client.close()
        await _reset(sim)
    return results


async def _resume_after(
    sim: ChargerSimulator, counter: Counter, downtime: float, patience: float, reboot: bool
) -> float | None:
    await sim.start_charging()
    await until(lambda: counter.count > 1, 5)
    if reboot:
        await sim.reboot(downtime=downtime)
    else:
        await sim.drop_websockets()
    back = time.perf_counter()
    seen = counter.count
    if not await until(lambda: counter.count > seen, patience, step=0.01):
        return None
    return time.perf_counter() - back


async def measure_memory(window: float, profile: str) -> dict[str, tuple[int, int]]:
    """Peak traced bytes per client while it updates and follows a charging scenario.

    The simulator runs in its own process so tracemalloc sees only the client side.
    """
    port = _free_port()
    command = [sys.executable, "-m", "tests.simulators.openevse", "--port", str(port)]
    command += ["--profile", profile, "--tick", "0.01", "--scenario"]
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=asyncio.subprocess.DEVNULL,
    )
    results: dict[str, tuple[int, int]] = {}
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_http(session, f"http://127.0.0.1:{port}/status")
            for adapter in ADAPTERS:
                client = adapter(f"127.0.0.1:{port}", session)
                results[adapter.name] = await _traced_peak(client, window)
    finally:
        process.terminate()
        await process.wait()
    return results


async def _traced_peak(client: Client, window: float) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    counter = Counter()
    try:
        await client.update()
        await client.start_push(counter)
        await asyncio.sleep(window)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await client.close()
    return peak, counter.count


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_http(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(200):
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(url) as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.05)
    raise RuntimeError("simulator subprocess did not come up")


# ----------------------------------------------------------------------------- report


async def run_on_one_simulator(args: argparse.Namespace, targets: list[Row]) -> None:
    """Measurements (1)-(5): one in-process simulator, both clients one after the other."""
    sim = ChargerSimulator(profile=args.profile, tick=args.tick)
    await sim.start()
    print(
        f"OpenEVSE clients: ours vs {PEER}; simulator {sim.url}"
        f" ({args.profile} profile, tick {args.tick} s)"
    )
    try:
        async with aiohttp.ClientSession() as session:
            await report_compat(sim, session, targets)
            await report_first_state(sim, session, args.rounds)
            await report_throughput(sim, session, args.frames, targets)
            await report_requests(sim, session, args.window, targets)
            await report_resume(sim, session, args, targets)
    finally:
        await sim.stop()


async def report_compat(
    sim: ChargerSimulator, session: aiohttp.ClientSession, targets: list[Row]
) -> None:
    compat = await measure_compat(sim, session)
    rows = [(label, r.get("ours", "-"), r.get("peer", "-")) for label, r in compat.items()]
    print_table(("check", "ours", "peer"), rows, title="(1) compatibility against the simulator")
    for name in ("peer", "ours"):
        passed = sum(r.get(name, "").startswith("pass") for r in compat.values())
        targets.append(
            Row(
                f"{name}: compatibility checks",
                (f"{passed}/{len(compat)} pass",),
                "every check passes",
                passed == len(compat),
            )
        )


async def report_first_state(
    sim: ChargerSimulator, session: aiohttp.ClientSession, rounds: int
) -> None:
    first = await measure_first_state(sim, session, rounds)
    rows = [
        (
            name,
            ms(median(samples)),
            ms(percentile(samples, 90, method="exclusive")),
            f"{requests:.0f}",
        )
        for name, (samples, requests) in first.items()
    ]
    medians = {name: median(samples) for name, (samples, _) in first.items()}
    rows.append(("ours/peer", ratio(medians["ours"], medians["peer"]), "", ""))
    title = f"(2) time to first full status + config (cold client, warm session, {rounds} rounds)"
    print_table(("client", "median", "p90", "requests"), rows, title=title)


async def report_throughput(
    sim: ChargerSimulator,
    session: aiohttp.ClientSession,
    frames: int,
    targets: list[Row],
) -> None:
    rates = await measure_throughput(sim, session, frames)
    rows = [(name, f"{rate:,.0f}") for name, rate in rates.items()]
    throughput = ratio(rates["ours"], rates["peer"])
    rows.append(("ours/peer (target >= 1.0x)", throughput))
    title = f"(3) websocket deltas processed per second ({frames} deltas, server in the same loop)"
    print_table(("client", "deltas/s"), rows, title=title)
    targets.append(
        Row("throughput ratio ours/peer", (throughput,), ">= 1.0x", rates["ours"] >= rates["peer"])
    )


async def report_requests(
    sim: ChargerSimulator,
    session: aiohttp.ClientSession,
    window: float,
    targets: list[Row],
) -> None:
    costs = await measure_requests(sim, session, window)
    ours, peer = costs["ours"], costs["peer"]
    rows = [
        (
            "polling while healthy, per hour",
            f"{ours.steady_per_hour:.0f}",
            f"{peer.steady_per_hour:.0f}",
        )
    ]
    rows += [
        (f"per {event}", str(ours.per_event[event]), str(peer.per_event[event]))
        for event in HOURLY_EVENT_MIX
    ]
    rows.append(("per hour with the event mix", f"{ours.hourly():.0f}", f"{peer.hourly():.0f}"))
    title = f"(4) HTTP requests with a healthy websocket (charging; {window:.0f} s steady window)"
    print_table(("what", "ours", "peer"), rows, title=title)
    print("    event mix per hour: " + ", ".join(f"{k} x{v}" for k, v in HOURLY_EVENT_MIX.items()))
    targets.append(
        Row(
            "ours: polling requests while healthy, per hour",
            (f"{ours.steady_per_hour:.0f}",),
            "0",
            ours.steady_per_hour == 0,
        )
    )


async def report_resume(
    sim: ChargerSimulator,
    session: aiohttp.ClientSession,
    args: argparse.Namespace,
    targets: list[Row],
) -> None:
    cases = (
        ("a dropped connection, from the drop", False, RESUME_TARGET),
        (
            f"a reboot ({args.downtime:.1f} s down, silent socket), from its return",
            True,
            REBOOT_TARGET,
        ),
    )
    for what, reboot, target in cases:
        resume = await measure_resume(sim, session, args.downtime, args.patience, reboot=reboot)
        shown = {
            name: "no push" if value is None else f"{value:.2f} s" for name, value in resume.items()
        }
        rows = list(shown.items())
        rows.append(("peer/ours", ratio(resume["peer"], resume["ours"])))
        print_table(("client", "resume"), rows, title=f"(5) push resumed after {what}")
        resumed = resume["ours"] is not None and resume["ours"] <= target
        targets.append(
            Row(f"ours: push resumed after {what}", (shown["ours"],), f"<= {target:.0f} s", resumed)
        )


async def report_memory(window: float, profile: str) -> None:
    memory = await measure_memory(window, profile)
    rows = [(name, f"{peak / 1024:,.0f} KiB", str(calls)) for name, (peak, calls) in memory.items()]
    rows.append(("ours/peer", ratio(memory["ours"][0], memory["peer"][0]), ""))
    title = f"(6) peak traced memory per client ({window:.0f} s of update + websocket, charging)"
    print_table(("client", "peak", "callbacks"), rows, title=title)


async def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.CRITICAL)  # the peer logs every reconnect as an error
    warnings.simplefilter("ignore", DeprecationWarning)  # the peer builds aiohttp.BasicAuth
    targets: list[Row] = []
    await run_on_one_simulator(args, targets)
    await report_memory(args.memory_window, args.profile)
    print_rows(targets, title="targets")
    return 0 if targets_met(targets) else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, default="v5", help="firmware profile")
    parser.add_argument("--tick", type=float, default=0.05, help="simulator delta interval (s)")
    parser.add_argument("--rounds", type=int, default=40, help="cold updates per client")
    parser.add_argument("--frames", type=int, default=5000, help="deltas for the throughput run")
    parser.add_argument("--window", type=float, default=5.0, help="steady request window (s)")
    parser.add_argument("--downtime", type=float, default=1.0, help="reboot downtime (s)")
    parser.add_argument("--patience", type=float, default=45.0, help="max wait for push (s)")
    parser.add_argument("--memory-window", type=float, default=3.0, help="memory run (s)")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(_arguments())))
