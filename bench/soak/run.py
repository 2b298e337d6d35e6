"""The soak: the world, a real Home Assistant, two lanes of faults, and what was seen meanwhile.

Home Assistant runs as ``scripts/develop`` starts it (``tests/e2e/stack.py``: a ``hass``
process, onboarded and configured through its HTTP APIs), with the soak's probe integration
beside ours. Two lanes inject faults concurrently, one on the chargers (each fault on a random
charger) and one on the cloud; each lane injects a fault, holds it, clears it, then waits until
the affected devices' entities equal the simulators' truth (or the bound passes), and after a
pause of 2-6 s (seeded) injects the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.stack import (
    HomeAssistantApi,
    HomeAssistantProcess,
    add_charger,
    add_moogo_account,
)

from .faults import Context, Fault, Lane, LoginBudget, final_faults, schedule
from .observe import LogTail, ProcessSampler, StateStream
from .world import CHARGING, Check, World, charger_checks, pump_checks

PROBE_DIR = Path(__file__).with_name("probe") / "soak_probe"
CHARGER_BOUND = 10.0
"""Seconds after a charger fault clears (the charger serves again) until its entities must equal
the truth: 5x the charger benchmark's 2 s "fresh after a reboot" target, to absorb the bench's
0.5 s REST polling and the websocket reconnect backoff."""
PUMP_BOUND = 75.0
"""Seconds after a cloud fault clears until the pumps' entities must equal the truth: one idle
poll interval (60 s, the entry's default) plus the 10 s request timeout and 5 s of slack."""
SAMPLE_EVERY = 0.5


@dataclass
class Window:
    """One injected fault: when it started and cleared, and how its devices recovered."""

    fault: Fault
    target: int  # charger index, or pump index for cloud faults
    started: float
    cleared: float = 0.0
    settled: float = 0.0  # when the verification ended (matched or bound passed)
    recovered: dict[str, float | None] = field(default_factory=dict)
    """Device -> seconds from the clear until its entities equalled the truth (None: never)."""
    mismatches: dict[str, list[str]] = field(default_factory=dict)
    """Device -> what still differed when the bound passed."""
    error: str | None = None

    @property
    def lane(self) -> Lane:
        return self.fault.lane


@dataclass
class Tally:
    """Requests attributed to quiet time (no fault, healthy connection, steady state)."""

    requests: float = 0.0
    seconds: float = 0.0

    def per_hour(self) -> float | None:
        return None if self.seconds <= 0 else self.requests * 3600 / self.seconds


@dataclass
class Observations:
    duration: float
    seed: int
    outage: float
    windows: list[Window]
    changes: list[Any]
    log: list[Any]  # from the moment the first entry is added
    startup_log: list[Any]  # Home Assistant's start-up and onboarding, before that
    samples: list[Any]
    entity_ids: dict[tuple[str, str], str]
    device_of: dict[str, str]  # entity id -> device (charger serial or pump id)
    chargers: list[str]  # serials (lowercase)
    pumps: list[str]
    logins: int
    expiries: int
    capped_logins: int | None
    secrets: dict[str, str]
    charging_requests: list[Tally]
    idle_requests: list[Tally]
    pump_requests: list[Tally]
    simulator_errors: list[str]
    final_recovered: dict[str, float | None]
    final_mismatches: dict[str, list[str]]
    entries_not_loaded: list[str]
    flows_in_progress: list[str]
    start_seconds: float
    started_at: float  # monotonic start of the fault phase
    ended_at: float
    boots: dict[str, list[datetime]] = field(default_factory=dict)
    """Charger serial (lowercase) -> when its gateway really booted (the simulator's truth)."""


class SimulatorErrors(contextlib.AbstractContextManager["SimulatorErrors"]):
    """Errors and tracebacks the simulators (this process) log or leave unhandled."""

    def __init__(self) -> None:
        import logging

        self.lines: list[str] = []
        self._logging = logging
        outer = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if record.levelno >= logging.ERROR or record.exc_info:
                    text = record.getMessage()
                    if record.exc_info and record.exc_info[1] is not None:
                        text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
                    outer.lines.append(f"{record.name}: {text}")

        self._handler = Handler()

    def __enter__(self) -> SimulatorErrors:
        self._logging.getLogger().addHandler(self._handler)
        loop = asyncio.get_running_loop()

        def unhandled(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            self.lines.append(f"asyncio: {context.get('message')} {context.get('exception')!r}")

        loop.set_exception_handler(unhandled)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._logging.getLogger().removeHandler(self._handler)


class Soak:
    def __init__(self, *, duration: float, seed: int, outage: float, config_dir: Path) -> None:
        self.duration = duration
        self.seed = seed
        self.outage = outage
        self.world = World()
        self.hass = HomeAssistantProcess(
            config_dir=config_dir,
            integration_log_level="info",
            extra_configuration="soak_probe:\n",
            extra_components=(PROBE_DIR,),
        )
        self.windows: list[Window] = []
        self.entity_ids: dict[tuple[str, str], str] = {}
        self.device_of: dict[str, str] = {}
        self.active: dict[Lane, Window | None] = {"charger": None, "cloud": None}
        self.quiet_after: dict[Lane, float] = {"charger": 0.0, "cloud": 0.0}
        self.charging = [Tally() for _ in range(3)]
        self.idle = [Tally() for _ in range(3)]
        self.pump_tallies: list[Tally] = []

    # ----- set-up ---------------------------------------------------------------------------

    async def _add_everything(self, api: HomeAssistantApi) -> tuple[list[str], str]:
        chargers = []
        for charger in self.world.chargers:
            entry = await add_charger(api, port=charger.port, host=charger.host)
            chargers.append(entry["result"]["entry_id"])
        cloud = self.world.cloud
        account = await add_moogo_account(
            api, email=cloud.email, password=cloud.password, cloud_url=cloud.url
        )
        return chargers, account["result"]["entry_id"]

    def _map_entities(self, registry: Iterable[dict[str, Any]]) -> None:
        devices = [c.serial.lower() for c in self.world.chargers] + [
            p.lower() for p in self.world.pump_ids
        ]
        for entry in registry:
            if entry.get("platform") != "openevse_moogo" or entry.get("disabled_by"):
                continue
            unique_id = str(entry["unique_id"]).lower()
            for device in devices:
                if unique_id.startswith(f"{device}_"):
                    key = unique_id.removeprefix(f"{device}_")
                    self.entity_ids[(device, key)] = entry["entity_id"]
                    self.device_of[entry["entity_id"]] = device

    # ----- truth --------------------------------------------------------------------------

    def _checks(self, device: str) -> list[Check]:
        world = self.world
        serials = [c.serial.lower() for c in world.chargers]
        if device in serials:
            return charger_checks(world.chargers[serials.index(device)])
        pump = next(p for p in world.pump_ids if p.lower() == device)
        return pump_checks(world.cloud, pump)

    def _mismatches(
        self, device: str, checks: list[Check], states: dict[str, dict[str, Any]]
    ) -> list[str]:
        wrong = []
        for check in checks:
            entity_id = self.entity_ids.get((device, check.key))
            if entity_id is None:
                wrong.append(f"{check.key}: no entity")
                continue
            state = states.get(entity_id)
            shown = "absent" if state is None else state["state"]
            if state is None or not check.matches(shown, state["attributes"]):
                wrong.append(f"{entity_id}={shown} (truth {check.expected})")
        return wrong

    async def _converge(
        self, api: HomeAssistantApi, devices: list[str], bound: float
    ) -> tuple[dict[str, float | None], dict[str, list[str]]]:
        """Wait until each device's entities show its truth; return when each did (or failed).

        A charger pushes its changes, so its entities are compared with its state now. A pump is
        read every minute while its story moves every 20 s: a read just before a beat shows a
        state that was true for a moment only, which a comparison every 0.5 s with the state
        now can miss until the read after next. So a pump's entities may show any one state
        the cloud held since the wait began (all of them from that same moment): what a read
        made after the fault cleared shows, and what no stale value or failed read does.
        """
        start = time.monotonic()
        recovered: dict[str, float | None] = {}
        last: dict[str, list[str]] = {}
        held: dict[str, list[list[Check]]] = {device: [] for device in devices}
        chargers = {c.serial.lower() for c in self.world.chargers}
        while True:
            with contextlib.suppress(Exception):
                states = await api.states()
                for device in devices:
                    checks = self._checks(device)
                    truths = held[device]
                    if device in chargers:
                        truths.clear()
                    if not truths or [c.expected for c in truths[-1]] != [
                        c.expected for c in checks
                    ]:
                        truths.append(checks)
                for device in devices:
                    if device in recovered:
                        continue
                    wrongs = [self._mismatches(device, t, states) for t in held[device]]
                    if not all(wrongs):
                        recovered[device] = time.monotonic() - start
                    last[device] = wrongs[-1]
            if len(recovered) == len(devices) or time.monotonic() - start > bound:
                break
            await asyncio.sleep(SAMPLE_EVERY)
        failed = {d: last.get(d, ["no answer"]) for d in devices if d not in recovered}
        for device in failed:
            recovered[device] = None
        return recovered, failed

    # ----- the lanes ----------------------------------------------------------------------

    async def _lane(self, lane: Lane, context: Context, until: float) -> None:
        rng = random.Random(f"{self.seed}-{lane}")
        budget = LoginBudget()
        for fault in schedule(lane, rng):
            if time.monotonic() >= until:
                break
            if not budget.admits(fault, time.monotonic()):
                continue  # a token expiry the hour's logins cannot pay for: pick another
            await self._inject(fault, lane, context, rng)
            budget.note(fault, time.monotonic())
        for fault in final_faults(lane):
            await self._inject(fault, lane, context, rng)

    async def _inject(self, fault: Fault, lane: Lane, context: Context, rng: random.Random) -> None:
        api = context.api
        target = rng.randrange(3 if lane == "charger" else len(self.world.pump_ids))
        window = Window(fault, target, time.monotonic())
        self.windows.append(window)
        self.active[lane] = window
        try:
            await fault.run(context, target)
        except Exception as err:  # recorded and reported: the soak goes on
            window.error = f"{type(err).__name__}: {err}"
        window.cleared = time.monotonic()
        if fault.final:  # it does not clear: nothing to recover
            devices, bound = [], 0.0
        elif lane == "charger":
            devices = [self.world.chargers[target].serial.lower()]
            bound = CHARGER_BOUND
        else:
            devices = [p.lower() for p in self.world.pump_ids]
            bound = PUMP_BOUND
        window.recovered, window.mismatches = await self._converge(api, devices, bound)
        window.settled = time.monotonic()
        self.active[lane] = None
        self.quiet_after[lane] = window.settled + 5.0
        await asyncio.sleep(rng.uniform(2.0, 6.0))

    # ----- request budgets ----------------------------------------------------------------

    async def _count_requests(self, context: Context) -> None:
        """Every 0.5 s, credit the requests since the last look to quiet time, when quiet."""
        world = self.world
        pumps = world.pump_ids
        self.pump_tallies = [Tally() for _ in pumps]
        seen_charger = [len(c.requests) for c in world.chargers]
        steady_since = [time.monotonic()] * 3
        last_state = [c.status.get("state") for c in world.chargers]
        seen_cloud = len(world.cloud.requests)
        last_spray = [0.0] * len(pumps)
        last = time.monotonic()
        while True:
            await asyncio.sleep(SAMPLE_EVERY)
            now = time.monotonic()
            span, last = now - last, now
            charger_quiet = self.active["charger"] is None and now > self.quiet_after["charger"]
            for index, charger in enumerate(world.chargers):
                new = [r for r in charger.requests[seen_charger[index] :] if r != ("GET", "/ws")]
                seen_charger[index] = len(charger.requests)
                state = charger.status.get("state")
                if state != last_state[index]:
                    last_state[index], steady_since[index] = state, now
                healthy = charger.ws_connections > 0 and not charger.faults.half_open
                if charger_quiet and healthy and now - steady_since[index] > 3.0:
                    tally = self.charging[index] if state == CHARGING else self.idle[index]
                    tally.requests += len(new)
                    tally.seconds += span
            requests = world.cloud.requests[seen_cloud:]
            seen_cloud += len(requests)
            spraying = []
            for index, pump in enumerate(pumps):
                if world.cloud.device(pump)["runStatus"] == 1:
                    last_spray[index] = now
                spraying.append(now - last_spray[index] < 30.0)
            cloud_quiet = context.awaiting_poll or (
                self.active["cloud"] is None and now > self.quiet_after["cloud"]
            )
            if not cloud_quiet:
                continue
            shared = [path for _method, path in requests if not any(p in path for p in pumps)]
            for index, pump in enumerate(pumps):
                if spraying[index]:
                    continue
                own = sum(1 for _method, path in requests if pump in path)
                tally = self.pump_tallies[index]
                tally.requests += own + len(shared) / len(pumps)
                tally.seconds += span

    # ----- the whole run ------------------------------------------------------------------

    async def run(self) -> Observations:
        world = self.world
        with SimulatorErrors() as simulator_errors:
            await world.start()
            try:
                return await self._with_world(simulator_errors)
            finally:
                await world.stop()

    async def _with_world(self, simulator_errors: SimulatorErrors) -> Observations:
        hass = self.hass
        begun = time.monotonic()
        # Home Assistant must import custom_components from its configuration directory (where
        # the probe is linked), not from the repository that bench/run puts on PYTHONPATH.
        pythonpath = os.environ.pop("PYTHONPATH", None)
        try:
            await hass.start(within=120)
        finally:
            if pythonpath is not None:
                os.environ["PYTHONPATH"] = pythonpath
        try:
            async with aiohttp.ClientSession() as session:
                return await self._with_hass(session, begun, simulator_errors)
        finally:
            await hass.stop()

    async def _with_hass(
        self, session: aiohttp.ClientSession, begun: float, simulator_errors: SimulatorErrors
    ) -> Observations:
        hass, world = self.hass, self.world
        assert hass.process is not None
        api = HomeAssistantApi(session, hass.url)
        await api.onboard(name="Soak", username="soak", password="soak-owner-password")
        assert api.token is not None
        log = LogTail(hass.config_dir / "home-assistant.log")
        log.start()
        stream = StateStream(session, hass.url, api.token)
        await stream.start()
        # The onboarding token expires after 30 minutes; the soak's REST calls outlive it.
        api.token = await stream.call(
            {"type": "auth/long_lived_access_token", "client_name": "soak", "lifespan": 1}
        )
        log.read()
        startup_lines = len(log.lines)  # Home Assistant's own start-up and onboarding
        charger_entries, account_entry = await self._add_everything(api)
        self._map_entities(await stream.entity_registry())
        all_devices = [c.serial.lower() for c in world.chargers] + [
            p.lower() for p in world.pump_ids
        ]
        await self._converge(api, all_devices, 120.0)  # every entity shows the truth
        start_seconds = time.monotonic() - begun
        world.collect_tokens()
        sampler = ProcessSampler(hass.process.pid, api)
        sampler.start()
        context = Context(
            world,
            api,
            random.Random(self.seed),
            self.outage,
            self.entity_ids,
            charger_entries,
            account_entry,
            lambda: stream.call({"type": "config_entries/flow/progress"}),
        )
        started = time.monotonic()
        until = started + self.duration
        counter = asyncio.create_task(self._count_requests(context))
        lanes = [
            asyncio.create_task(self._lane("charger", context, until)),
            asyncio.create_task(self._lane("cloud", context, until)),
        ]
        try:
            await asyncio.gather(*lanes)
        finally:
            counter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await counter
        ended = time.monotonic()
        # Nothing left wrong: every device equals the truth, every entry loaded, no flow open.
        # The pumps stay unavailable while the daily login cap lasts (until midnight).
        capped = context.capped_logins is not None
        final_devices = all_devices[: len(world.chargers)] if capped else all_devices
        final_recovered, final_mismatches = await self._converge(api, final_devices, PUMP_BOUND)
        entries = await stream.call({"type": "config_entries/get", "domain": "openevse_moogo"})
        not_loaded = [f"{e['title']}: {e['state']}" for e in entries if e["state"] != "loaded"]
        flows = await stream.call({"type": "config_entries/flow/progress"})
        open_flows = [f"{f['handler']} {f.get('context', {}).get('source')}" for f in flows]
        await sampler.stop()
        await stream.stop()
        world.collect_tokens()
        await log.stop()
        return Observations(
            duration=self.duration,
            seed=self.seed,
            outage=self.outage,
            windows=self.windows,
            changes=stream.changes,
            log=log.lines[startup_lines:],
            startup_log=log.lines[:startup_lines],
            samples=sampler.samples,
            entity_ids=self.entity_ids,
            device_of=self.device_of,
            chargers=[c.serial.lower() for c in world.chargers],
            pumps=[p.lower() for p in world.pump_ids],
            logins=world.cloud.login_count,
            expiries=context.expiries,
            capped_logins=context.capped_logins,
            secrets=world.secrets(),
            charging_requests=self.charging,
            idle_requests=self.idle,
            pump_requests=self.pump_tallies,
            simulator_errors=list(simulator_errors.lines),
            final_recovered=final_recovered,
            final_mismatches=final_mismatches,
            entries_not_loaded=not_loaded,
            flows_in_progress=open_flows,
            start_seconds=start_seconds,
            started_at=started,
            ended_at=ended,
            boots={c.serial.lower(): list(c.boot_times) for c in world.chargers},
        )


async def soak(
    *, duration: float, seed: int, outage: float, config_dir: Path | None = None
) -> Observations:
    """Run the soak for ``duration`` seconds of faults; outages last ``outage`` seconds."""
    if config_dir is not None:
        return await Soak(duration=duration, seed=seed, outage=outage, config_dir=config_dir).run()
    with tempfile.TemporaryDirectory(prefix="soak-") as directory:
        return await Soak(
            duration=duration, seed=seed, outage=outage, config_dir=Path(directory) / "config"
        ).run()
