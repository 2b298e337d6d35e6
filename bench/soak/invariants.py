"""The soak's invariants, judged from what was observed, as rows of the shared report table."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bench.report import Row

from .faults import FAULTS
from .observe import Change, HeapMeasurement, LogLine, Sample
from .run import CHARGER_BOUND, PUMP_BOUND, Observations, Tally, Window

UNAVAILABLE = "unavailable"
LOG_LEVEL = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (?P<level>[A-Z]+) ")
MARGIN = 1.0  # seconds: log lines are stamped when read (every 0.5 s)
# Seconds a shown boot time may be off the real one: whole-second uptime, the delivery of the
# reading, and the integration's rounding to the second.
BOOT_MATCH = 3.0

CHARGER_DELTA_BUDGET = 0.0  # requests per hour caused by charging deltas
CHARGER_IDLE_BUDGET = 12.0  # requests per hour, idle, healthy websocket
PUMP_IDLE_BUDGET = 70.0  # requests per idle pump and hour
HEAP_SLOPE = 2.0  # Python's live heap (blocks after a full collection), % of its warm level/h
TASK_SLOPE = 5.0  # asyncio tasks per hour
FD_SLOPE = 2.0  # open file descriptors per hour
# Tasks and file descriptors are judged on their floor: the lowest count in each window this
# long. Both hold things in flight (a request's connection, a reconnecting websocket, a fault's
# retry), so a sample lands on a peak or a trough by chance and the raw fit moves with where the
# faults fall; a leak never closes, so it raises every window's floor.
FLOOR_WINDOW = 120.0


@dataclass(frozen=True)
class Verdicts:
    rows: list[Row]
    details: list[str]  # lines printed under the table: what failed, with figures


def _lane_of(device: str, observations: Observations) -> str:
    return "charger" if device in observations.chargers else "cloud"


def _windows_covering(
    observations: Observations, device: str, at: float, *, slack: float = 0.0
) -> list[Window]:
    lane = _lane_of(device, observations)
    found = []
    for window in observations.windows:
        if window.lane != lane:
            continue
        if lane == "charger" and observations.chargers[window.target] != device:
            continue
        end = window.settled or observations.ended_at
        if window.started - slack <= at <= end + slack:
            found.append(window)
    return found


def _floors(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The lowest value in each ``FLOOR_WINDOW`` from the first point, at the window's middle."""
    if not points:
        return []
    start = points[0][0]
    lowest: dict[int, float] = {}
    for at, value in points:
        window = int((at - start) // FLOOR_WINDOW)
        lowest[window] = min(value, lowest.get(window, value))
    return [(start + (w + 0.5) * FLOOR_WINDOW, value) for w, value in sorted(lowest.items())]


def _slope_per_hour(points: Sequence[tuple[float, float]]) -> float | None:
    if len(points) < 3:
        return None
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope * 3600


def _rate(tallies: Sequence[Tally]) -> str:
    rates = [t.per_hour() for t in tallies]
    return ", ".join("-" if r is None else f"{r:.1f}" for r in rates)


def _truth(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 1. Every entity equals the truth within its bound after each fault clears.
    windows = [w for w in o.windows if w.cleared]
    unrecovered = [w for w in windows if any(v is None for v in w.recovered.values())]
    worst: dict[str, float] = {"charger": 0.0, "cloud": 0.0}
    for window in windows:
        for seconds in window.recovered.values():
            if seconds is not None:
                worst[window.lane] = max(worst[window.lane], seconds)
    rows.append(
        Row(
            "entities equal the simulators' truth after each fault clears",
            (
                (
                    f"{len(windows) - len(unrecovered)}/{len(windows)} faults; slowest charger "
                    f"{worst['charger']:.1f} s, pumps {worst['cloud']:.1f} s"
                ),
            ),
            f"all, chargers <= {CHARGER_BOUND:.0f} s, pumps <= {PUMP_BOUND:.0f} s",
            not unrecovered,
        )
    )
    for window in unrecovered:
        details.append(
            f"'{window.fault.name}' at {window.started - o.started_at:.0f} s into the run, "
            f"cleared {window.cleared - window.started:.1f} s later"
        )
        for device, wrong in window.mismatches.items():
            details.append(
                f"not recovered after '{window.fault.name}' ({device}): {'; '.join(wrong[:4])}"
            )
            # When each wrong entity last changed tells a read that never came from one that
            # came and showed something else.
            for mismatch in wrong[:4]:
                entity_id = mismatch.split("=", 1)[0]
                moved = [c.at for c in o.changes if c.entity_id == entity_id]
                seen = [at - window.cleared for at in moved if at <= window.settled]
                last = f"{seen[-1]:+.1f} s from the clear" if seen else "never in the run"
                details.append(f"  {entity_id} last changed {last}")
        if window.error:
            details.append(f"  the fault itself raised {window.error}")


def _flaps(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 2. No entity flaps on a transient fault (nor turns unavailable unprovoked).
    windows = [w for w in o.windows if w.cleared]
    flaps: Counter[str] = Counter()
    flapped: dict[str, set[str]] = {}
    for change in o.changes:
        device = o.device_of.get(change.entity_id)
        if device is None or change.new != UNAVAILABLE or change.old in (None, UNAVAILABLE):
            continue
        covering = _windows_covering(o, device, change.at, slack=MARGIN)
        if any(w.fault.fault_class != "transient" for w in covering):
            continue
        cause = covering[0].fault.name if covering else "no fault at all"
        flaps[cause] += 1
        flapped.setdefault(cause, set()).add(change.entity_id)
    rows.append(
        Row(
            "no entity turns unavailable on a transient fault",
            (f"{sum(flaps.values())} flaps in {len(flaps)} kinds of fault",),
            "0",
            not flaps,
        )
    )
    transient_runs = Counter(w.fault.name for w in windows if w.fault.fault_class == "transient")
    for cause, count in flaps.most_common():
        entities = sorted(flapped[cause])
        runs = transient_runs.get(cause)
        details.append(
            f"flaps during '{cause}'{f' (injected {runs}x)' if runs else ''}: {count} "
            f"unavailable transitions of {len(entities)} entities, e.g. {', '.join(entities[:3])}"
        )


def _push_connection(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 3. The push connection says "off", never unavailable, while the charger is unreachable.
    push_ids = {
        o.entity_ids[(c, "push_connection")]
        for c in o.chargers
        if (c, "push_connection") in o.entity_ids
    }
    push_unavailable = [
        c
        for c in o.changes
        if c.entity_id in push_ids
        and c.new == UNAVAILABLE
        and c.old not in (None, UNAVAILABLE)
        and not any(
            w.fault.fault_class == "planned"
            for w in _windows_covering(o, o.device_of[c.entity_id], c.at, slack=MARGIN)
        )
    ]
    rows.append(
        Row(
            "Push connection off (not unavailable) while a charger is unreachable",
            (f"{len(push_unavailable)} times unavailable",),
            "0",
            not push_unavailable,
        )
    )


def _last_boot(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 4. "Last boot" moves only when the charger rebooted: to the moment it really booted. A
    # reboot nobody announced is noticed whenever the client's keepalive finds the socket
    # dead, possibly after its fault window settled, so the value is judged, not the moment.
    boot_ids = {
        o.entity_ids[(c, "boot_time")]: c for c in o.chargers if (c, "boot_time") in o.entity_ids
    }
    creeping = [
        change
        for change in o.changes
        if change.entity_id in boot_ids
        and change.old not in (None, UNAVAILABLE, "unknown")
        and change.new not in (None, UNAVAILABLE, "unknown")
        and change.old != change.new
        and not _is_a_boot(change.new, o.boots.get(boot_ids[change.entity_id], []))
        and not any(
            w.fault.fault_class == "planned"
            for w in _windows_covering(o, boot_ids[change.entity_id], change.at, slack=MARGIN)
        )
    ]
    hours = (o.ended_at - o.started_at) / 3600
    rows.append(
        Row(
            "Last boot moves only on a reboot (to when it booted)",
            (
                (
                    f"{len(creeping)} moves without a reboot "
                    f"({len(creeping) / hours / 3:.0f}/h per charger)"
                ),
            ),
            "0",
            not creeping,
        )
    )
    for change in creeping[:4]:
        details.append(f"Last boot moved to {change.new} (from {change.old}): no boot then")


def _is_a_boot(shown: str, boots: Sequence[datetime]) -> bool:
    """Whether a shown boot time is one of the charger's real boots (to BOOT_MATCH)."""
    try:
        when = datetime.fromisoformat(shown)
    except ValueError:
        return False
    return any(abs((when - boot).total_seconds()) <= BOOT_MATCH for boot in boots)


def _log_errors(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 5. No unexpected ERROR, no traceback in Home Assistant's log.
    windows = [w for w in o.windows if w.cleared]
    mask = _masker(o.secrets)
    outages = [w for w in windows if w.fault.fault_class == "outage"]
    unexpected: Counter[str] = Counter()
    others: Counter[str] = Counter()
    expected = 0
    tracebacks = 0
    for record in _records(o.log):
        head = record[0]
        text = "\n".join(line.text for line in record)
        match = LOG_LEVEL.match(head.text)
        is_error = match is not None and match["level"] in ("ERROR", "CRITICAL")
        if not is_error and "Traceback (most recent call last)" not in text:
            continue
        if "openevse_moogo" not in text:  # another integration's (e.g. a missing library)
            others[_message(head, mask)] += 1
            continue
        if "Traceback (most recent call last)" in text:
            tracebacks += 1
        elif any(
            w.started - MARGIN <= head.at <= w.settled + MARGIN
            for w in outages
            if _concerns(o, w, text)
        ):
            expected += 1
            continue
        unexpected[_message(head, mask)] += 1
    rows.append(
        Row(
            "no unexpected ERROR and no traceback in Home Assistant's log",
            (
                (
                    f"{sum(unexpected.values())} ERROR, {tracebacks} tracebacks "
                    f"({expected} ERROR during outages)"
                ),
            ),
            "0, 0",
            not unexpected and tracebacks == 0,
        )
    )
    for message, count in unexpected.most_common(8):
        details.append(f"unexpected ERROR x{count}: {message}")
    for message, count in others.most_common(3):
        details.append(f"not judged, another integration's ERROR x{count}: {message}")


def _records(lines: Sequence[LogLine]) -> list[list[LogLine]]:
    """Log lines grouped into records: a stamped line and the lines (a traceback) under it."""
    records: list[list[LogLine]] = []
    for line in lines:
        if LOG_LEVEL.match(line.text) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return records


def _concerns(o: Observations, window: Window, text: str) -> bool:
    """Whether a log record may be about the device of ``window`` (its charger, or the cloud)."""
    if window.lane == "charger":
        return f"openevse-{o.chargers[window.target][-4:]}" in text.lower()
    lowered = text.lower()
    return "moogo account" in lowered or "moogo cloud" in lowered


def _secrets(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 6. No secret in the log.
    mask = _masker(o.secrets)
    everything = [*o.startup_log, *o.log]
    text = "\n".join(line.text for line in everything)
    leaked = {
        what: text.lower().count(secret.lower())
        for what, secret in o.secrets.items()
        if secret and secret.lower() in text.lower()
    }
    rows.append(
        Row(
            "no secret in the log (password, tokens, e-mail, user id)",
            (", ".join(f"{what} x{n}" for what, n in leaked.items()) or "none",),
            "none",
            not leaked,
        )
    )
    for what in leaked:
        for line in everything:
            if o.secrets[what].lower() in line.text.lower():
                details.append(f"{what} in the log: {_message(line, mask)}")
                break


def _logins(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 7. Logins: at most one per token expiry (plus the first).
    allowed = 1 + o.expiries
    rows.append(
        Row(
            "logins at most one per token expiry",
            (f"{o.logins} logins, {o.expiries} expiries",),
            f"<= {allowed}",
            o.logins <= allowed,
        )
    )
    attempts = o.capped_logins
    rows.append(
        Row(
            "daily login cap respected (no login attempt after the refused one)",
            ("-" if attempts is None else f"{attempts} login attempts after the cap",),
            "1",
            None if attempts is None else attempts <= 1,
        )
    )


def _requests(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 8-10. Request budgets in quiet time.
    charging = Tally(
        sum(t.requests for t in o.charging_requests), sum(t.seconds for t in o.charging_requests)
    )
    rate = charging.per_hour()
    rows.append(
        Row(
            "charger requests per hour from deltas (charging, healthy websocket)",
            (
                (
                    f"{'-' if rate is None else f'{rate:.1f}'} ({charging.requests:.0f} in "
                    f"{charging.seconds / 60:.1f} charger-min)"
                ),
            ),
            "0",
            None if rate is None else rate <= CHARGER_DELTA_BUDGET,
        )
    )
    idle_rates = [t.per_hour() for t in o.idle_requests]
    known = [r for r in idle_rates if r is not None]
    rows.append(
        Row(
            "charger requests per hour, idle, healthy websocket (per charger)",
            (
                (
                    f"{_rate(o.idle_requests)} "
                    f"(over {sum(t.seconds for t in o.idle_requests) / 60:.1f} charger-min)"
                ),
            ),
            f"<= {CHARGER_IDLE_BUDGET:.0f}",
            None if not known else max(known) <= CHARGER_IDLE_BUDGET,
        )
    )
    pump_rates = [r for r in (t.per_hour() for t in o.pump_requests) if r is not None]
    rows.append(
        Row(
            "cloud requests per idle pump and hour (max over pumps)",
            (
                f"{max(pump_rates):.1f} (mean {sum(pump_rates) / len(pump_rates):.1f}, over "
                f"{sum(t.seconds for t in o.pump_requests) / 60:.1f} pump-min)"
                if pump_rates
                else "-",
            ),
            f"<= {PUMP_IDLE_BUDGET:.0f}",
            None if not pump_rates else max(pump_rates) <= PUMP_IDLE_BUDGET,
        )
    )


def _resources(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 11-14. Resources flat, fitted after the warm-up. The resident memory is quoted, not
    # judged: it holds the recorder's SQLite page cache (Home Assistant sets 16 MiB), which
    # fills as the database grows during the soak; Python's own heap (every object Home
    # Assistant and this integration hold, none of SQLite's) is what a leak of ours would grow.
    warm = o.started_at + min(300.0, 0.2 * o.duration)
    samples: list[Sample] = [s for s in o.samples if s.at >= warm]
    # One point per probe measurement (the sampler reads each one several times).
    measured: dict[int, tuple[float, HeapMeasurement]] = {}
    for s in samples:
        if s.heap is not None:
            measured.setdefault(s.heap.number, (s.at, s.heap))
    blocks = [(at, float(heap.blocks)) for at, heap in measured.values()]
    heap_level = blocks[0][1] if blocks else 0.0
    if measured:
        pauses = sorted(heap.pause_ms for _, heap in measured.values())
        details.append(
            f"Python heap: {len(pauses)} measurements after a full collection every 2 min "
            f"(the collection held the loop {pauses[len(pauses) // 2]:.0f} ms at the median, "
            f"{pauses[-1]:.0f} ms at most)"
        )
    tasks = [(s.at, float(s.tasks)) for s in samples if s.tasks is not None]
    fds = [(s.at, float(s.fds)) for s in samples]
    for label, points in (("asyncio tasks", tasks), ("open file descriptors", fds)):
        raw = _slope_per_hour(points)
        if raw is not None:
            details.append(
                f"{label}: every sample fitted gives {raw:+.1f}/h ({len(points)} samples); "
                f"judged on the lowest count per {FLOOR_WINDOW:.0f} s window"
            )
    for label, unit, limit, values, noun in (
        ("resident memory", "MiB", None, [(s.at, s.rss_mib) for s in samples], "samples"),
        (
            "Python live heap (blocks after a full collection)",
            "%",
            HEAP_SLOPE,
            [(at, 100.0 * value / heap_level) for at, value in blocks] if heap_level else [],
            "measurements",
        ),
        ("asyncio tasks (floor)", "tasks", TASK_SLOPE, _floors(tasks), "windows"),
        ("open file descriptors (floor)", "fds", FD_SLOPE, _floors(fds), "windows"),
    ):
        slope = _slope_per_hour(values)
        first = values[0][1] if values else 0.0
        last = values[-1][1] if values else 0.0
        if unit == "%" and blocks:
            level = f"{blocks[0][1] / 1e6:.2f}M -> {blocks[-1][1] / 1e6:.2f}M blocks"
        else:
            level = f"{first:.0f} -> {last:.0f}"
        target = (
            "quoted (holds SQLite's page cache)" if limit is None else f"<= {limit:.0f} {unit}/h"
        )
        rows.append(
            Row(
                f"{label} flat (slope per hour after warm-up)",
                (
                    "-"
                    if slope is None
                    else f"{slope:+.1f} {unit}/h ({level}, {len(values)} {noun})",
                ),
                target + ("" if full or limit is None else " (full soak only)"),
                # A slope per hour fitted to two minutes is warm-up and collector noise (the
                # short soak has seen "+26 tasks/h" from 20 tasks to 20): judged on 30 minutes.
                None if slope is None or not full or limit is None else slope <= limit,
            )
        )


def _simulators(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 14. The simulators log no traceback.
    sim = Counter(o.simulator_errors)
    rows.append(
        Row(
            "simulators log no error or traceback",
            (f"{sum(sim.values())}",),
            "0",
            not sim,
        )
    )
    for message, count in sim.most_common(5):
        details.append(f"simulator x{count}: {message[:160]}")


def _left_wrong(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 15. Nothing left wrong at the end.
    left = [f"{d}: {'; '.join(w[:3])}" for d, w in o.final_mismatches.items()]
    left += o.entries_not_loaded + [f"flow in progress: {f}" for f in o.flows_in_progress]
    rows.append(
        Row(
            "nothing left wrong at the end (truth, entries loaded, no flow open)",
            (f"{len(left)} problems",),
            "0",
            not left,
        )
    )
    details.extend(f"at the end: {item}" for item in left)


def _coverage(o: Observations, rows: list[Row], details: list[str], *, full: bool) -> None:
    # 16. Coverage: every fault injected.
    windows = [w for w in o.windows if w.cleared]
    injected = {w.fault.name for w in windows}
    missing = [f.name for f in FAULTS if f.name not in injected]
    rows.append(
        Row(
            "every fault injected at least once",
            (f"{len(injected)}/{len(FAULTS)} kinds, {len(windows)} faults",),
            "all" if full else "all (full soak only)",
            not missing if full else None,
        )
    )
    if missing:
        details.append(f"not injected: {', '.join(missing)}")


def judge(observations: Observations, *, full: bool) -> Verdicts:
    rows: list[Row] = []
    details: list[str] = []
    for invariant in (
        _truth,
        _flaps,
        _push_connection,
        _last_boot,
        _log_errors,
        _secrets,
        _logins,
        _requests,
        _resources,
        _simulators,
        _left_wrong,
        _coverage,
    ):
        invariant(observations, rows, details, full=full)
    return Verdicts(rows, details)


def _masker(secrets: dict[str, str]) -> re.Pattern[str] | None:
    values = [re.escape(v) for v in secrets.values() if v]
    return re.compile("|".join(values), re.IGNORECASE) if values else None


def _message(line: LogLine, mask: re.Pattern[str] | None) -> str:
    text = line.text
    match = LOG_LEVEL.match(text)
    if match is not None:
        text = text[match.end() :]
    text = re.sub(r"^\(\w+\) ", "", text)
    if mask is not None:
        text = mask.sub("<secret>", text)
    return text[:180]


__all__ = ["Change", "Verdicts", "judge"]
