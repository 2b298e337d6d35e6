"""Charge plan benchmark: our planner against an exact optimum and the anchors' strategies.

A seeded year of day-ahead-shaped prices (bidding zone in Europe/Berlin time: a seasonal level,
a morning and an evening peak, a night trough, a solar dip at noon deepening in summer, weekend
dips, weather that lasts a few days, hourly noise and occasional negative prices) in 15-minute
products and as hourly averages of them. Every night a car arrives (around 18:30), leaves the
next morning (around 07:00), wants 4 to 50 kWh and may draw 3.7, 7.4 or 11 kW; one car in three
draws less than it is allowed (45 to 95 %), as cars do when cold, nearly full or limited on board.

Measured per night and resolution:

- ours: ``plan_charge`` in split mode with a 30-minute minimum run, given the power the car
  really draws (what the charger measures in the session), and in continuous mode;
- the exact optimum of the same problem (switching at slot boundaries, the car stopping inside
  the last slot, every run but the last at least 30 minutes), a mixed-integer programme solved
  by scipy's HiGHS, written here from the rules and never calling our planner;
- the LP bound: the cheapest energy with no switching rules at all (fractions of any slot), for
  reference;
- the anchors as their documentation describes them (ev_smart_charging's "continuous charging
  preferred" and its cheapest-slots mode; evcc's continuous plan is the same window): the number
  of slots is the energy over the configured charging speed, rounded up; the cheapest window of
  that many consecutive slots (or the cheapest that many slots) before departure; the car stops
  when full. Their speed is a setting, so they are run with the allowed power (nameplate) and,
  for the window, also with the power the car really draws (the best a user could configure).

Reported: cost as a share of the optimum (mean, max; over the feasible nights on which the
strategy delivered the target), deadlines met on feasible nights, contactor starts per session,
and time per plan. Run with ``bench/run plan`` (scipy comes from bench/requirements.txt).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from report import Row, ms, percentile, print_rows, print_table, targets_met
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # running the file directly rather than through bench/run
    sys.path.insert(0, str(REPO_ROOT))

from custom_components.openevse_moogo.charger.plan import (  # noqa: E402
    ChargeMode,
    PriceSlot,
    plan_charge,
)

ZONE = ZoneInfo("Europe/Berlin")
YEAR = 2026
MIN_RUN = timedelta(minutes=30)
POWERS = (3.7, 7.4, 11.0)
POWER_WEIGHTS = (0.25, 0.25, 0.5)
COST_TARGET = 1.01


# ----- prices ---------------------------------------------------------------------------------


def day_ahead_year(seed: int) -> list[PriceSlot]:
    """Quarter-hour prices in EUR/kWh from 1 January to 3 January of the next year."""
    rng = random.Random(seed)
    start = datetime(YEAR, 1, 1, tzinfo=ZONE).astimezone(UTC)
    end = datetime(YEAR + 1, 1, 3, tzinfo=ZONE).astimezone(UTC)
    weather = 0.0  # wind and sun over days: a slow random walk pulled back to zero
    noise = 0.0
    windy_night = False
    current_day: date | None = None
    slots: list[PriceSlot] = []
    moment = start
    while moment < end:
        local = moment.astimezone(ZONE)
        if local.date() != current_day:
            current_day = local.date()
            weather = 0.7 * weather + rng.gauss(0, 0.018)
            windy_night = rng.random() < 0.05
        if local.minute == 0:
            noise = 0.6 * noise + rng.gauss(0, 0.007)
        hour = local.hour + (local.minute + 7.5) / 60
        day_of_year = local.timetuple().tm_yday
        winter = math.cos(2 * math.pi * (day_of_year - 15) / 365)  # 1 in January, -1 in July
        weekend = local.weekday() >= 5
        level = (0.085 + 0.035 * winter) * (0.85 if weekend else 1.0)
        peaks = 0.035 * math.exp(-(((hour - 8) / 1.6) ** 2)) + 0.05 * math.exp(
            -(((hour - 19) / 2.0) ** 2)
        )
        trough = -0.025 * math.exp(-(((hour - 3.5) / 2.2) ** 2))
        solar = -(0.02 + 0.06 * (1 - winter) / 2) * math.exp(-(((hour - 13) / 2.5) ** 2))
        wind = -0.09 * math.exp(-(((hour - 2) / 3.0) ** 2)) if windy_night else 0.0
        price = (
            level
            + peaks * (0.6 if weekend else 1.0)
            + trough
            + solar * (1.3 if weekend else 1.0)
            + wind
            + weather
            + noise
            + rng.gauss(0, 0.004)
        )
        price = min(0.6, max(-0.2, price))
        slots.append(PriceSlot(moment, moment + timedelta(minutes=15), round(price, 5)))
        moment += timedelta(minutes=15)
    return slots


def hourly(quarters: Sequence[PriceSlot]) -> list[PriceSlot]:
    """Hourly products as the mean of their quarters (UTC hours: Berlin is whole hours off)."""
    hours: list[PriceSlot] = []
    for index in range(0, len(quarters) - 3, 4):
        group = quarters[index : index + 4]
        price = statistics.fmean(slot.price for slot in group)
        hours.append(PriceSlot(group[0].start, group[-1].end, round(price, 5)))
    return hours


# ----- nights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Night:
    arrival: datetime
    departure: datetime
    energy: float
    allowed: float  # kW the charger allows (what a user would configure as charging speed)
    drawn: float  # kW the car really draws


def nights(seed: int, count: int) -> list[Night]:
    rng = random.Random(seed + 1)
    result = []
    for offset in range(count):
        day = date(YEAR, 1, 1) + timedelta(days=offset)
        arrival_hour = min(23.0, max(15.0, rng.gauss(18.5, 1.5)))
        departure_hour = min(9.5, max(5.0, rng.gauss(7.0, 1.0)))
        arrival = datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(
            minutes=round(arrival_hour * 60)
        )
        following = day + timedelta(days=1)
        departure = datetime(following.year, following.month, following.day, tzinfo=ZONE)
        departure += timedelta(minutes=round(departure_hour * 60))
        allowed = rng.choices(POWERS, POWER_WEIGHTS)[0]
        drawn = allowed if rng.random() < 2 / 3 else round(allowed * rng.uniform(0.45, 0.95), 2)
        result.append(Night(arrival, departure, round(rng.uniform(4, 50), 1), allowed, drawn))
    return result


# ----- the cells of a night (the benchmark's own, from the rules) -------------------------------


@dataclass(frozen=True)
class Cell:
    start: datetime
    end: datetime
    price: float
    hours: float


def cells_of(slots: Sequence[PriceSlot], night: Night) -> list[Cell]:
    arrival, departure = night.arrival.astimezone(UTC), night.departure.astimezone(UTC)
    cells = []
    for slot in slots:
        if slot.end <= arrival or slot.start >= departure:
            continue
        start, end = max(slot.start, arrival), min(slot.end, departure)
        cells.append(Cell(start, end, slot.price, (end - start).total_seconds() / 3600))
    return cells


@dataclass(frozen=True)
class Outcome:
    energy: float
    cost: float
    starts: int
    seconds: float = 0.0


def outcome_of(cells: Sequence[Cell], energies: Sequence[float]) -> Outcome:
    starts = sum(
        1
        for i, energy in enumerate(energies)
        if energy > 1e-9 and (i == 0 or energies[i - 1] <= 1e-9)
    )
    cost = sum(cell.price * energy for cell, energy in zip(cells, energies, strict=True))
    return Outcome(sum(energies), cost, starts)


def exact_optimum(cells: Sequence[Cell], wanted: float, power: float) -> Outcome:
    """The MILP of the rules: full cells, one final partial cell, runs but the last >= MIN_RUN.

    Variables per cell i: y (charged in full), z (the final cell, charged in part), x (the
    final cell's share), s (a run starts), t (a run ended just before i), later (a run starts
    after i).
    """
    n = len(cells)
    capacity = np.array([power * cell.hours for cell in cells])
    price = np.array([cell.price for cell in cells])
    y, z, x, s, t, later = (np.arange(n) + k * n for k in range(6))
    width = 6 * n
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(coefficients: dict[int, float], low: float, high: float) -> None:
        row = np.zeros(width)
        for index, value in coefficients.items():
            row[index] += value
        rows.append(row)
        lower.append(low)
        upper.append(high)

    energy = {int(y[i]): capacity[i] for i in range(n)} | {int(x[i]): capacity[i] for i in range(n)}
    add(energy, wanted, wanted)
    add({int(z[i]): 1 for i in range(n)}, 0, 1)
    for i in range(n):
        add({int(y[i]): 1, int(z[i]): 1}, 0, 1)  # on at most once
        add({int(x[i]): 1, int(z[i]): -1}, -np.inf, 0)  # a share only of the final cell
        # No full cell at or after the final one.
        add({int(y[i]): 1} | {int(z[k]): 1 for k in range(i + 1)}, -np.inf, 1)
        # s_i >= on_i - on_{i-1}
        starts = {int(s[i]): 1, int(y[i]): -1, int(z[i]): -1}
        if i > 0:
            starts |= {int(y[i - 1]): 1, int(z[i - 1]): 1}
        add(starts, 0, np.inf)
        if i > 0:  # t_i >= on_{i-1} - on_i
            add({int(t[i]): 1, int(y[i - 1]): -1, int(z[i - 1]): -1, int(y[i]): 1, int(z[i]): 1},
                0, np.inf)  # fmt: skip
        if i + 1 < n:  # later_i >= s_{i+1}, later_i >= later_{i+1}
            add({int(later[i]): 1, int(s[i + 1]): -1}, 0, np.inf)
            add({int(later[i]): 1, int(later[i + 1]): -1}, 0, np.inf)
    minimum = MIN_RUN.total_seconds() / 3600
    for k in range(1, n):
        # A run ending before cell k with another run after it covers the MIN_RUN before k.
        boundary = cells[k - 1].end
        window_start = boundary - timedelta(hours=minimum)
        covering = [q for q in range(k) if cells[q].end > window_start]
        if window_start < cells[0].start:
            add({int(t[k]): 1, int(later[k]): 1}, -np.inf, 1)
        for q in covering:
            add({int(t[k]): 1, int(later[k]): 1, int(y[q]): -1, int(z[q]): -1}, -np.inf, 1)
    objective = np.zeros(width)
    objective[y] = price * capacity
    objective[x] = price * capacity
    integrality = np.ones(width)
    integrality[x] = 0
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=integrality,
        bounds=Bounds(0, 1),
    )
    if not result.success:
        raise RuntimeError(f"MILP failed: {result.message}")
    values = result.x
    energies = [capacity[i] * (round(values[y[i]]) + values[x[i]]) for i in range(n)]
    return outcome_of(cells, energies)


def lp_bound(cells: Sequence[Cell], wanted: float, power: float) -> float:
    """The cheapest energy with no switching rules: any share of any cell."""
    capacity = np.array([power * cell.hours for cell in cells])
    price = np.array([cell.price for cell in cells])
    result = linprog(price * capacity, A_eq=[capacity], b_eq=[wanted], bounds=(0, 1))
    if not result.success:
        raise RuntimeError(f"LP failed: {result.message}")
    return float(result.fun)


# ----- the anchors ----------------------------------------------------------------------------


def anchor(cells: Sequence[Cell], night: Night, speed: float, *, continuous: bool) -> Outcome:
    """ev_smart_charging's plan: ceil(energy / speed) whole slots, the car stops when full.

    The slot at arrival counts as a whole slot although part of it has passed, as in the
    anchor (it schedules slots, not minutes).
    """
    whole = list(cells)
    slot_hours = max(cell.hours for cell in whole)
    count = min(len(whole), math.ceil(night.energy / (speed * slot_hours) - 1e-9))
    if continuous:
        best = min(
            range(len(whole) - count + 1),
            key=lambda first: sum(cell.price for cell in whole[first : first + count]),
        )
        chosen = set(range(best, best + count))
    else:
        chosen = set(sorted(range(len(whole)), key=lambda i: whole[i].price)[:count])
    energies = []
    missing = night.energy
    for index, cell in enumerate(whole):
        take = min(missing, night.drawn * cell.hours) if index in chosen else 0.0
        energies.append(take)
        missing -= take
    return outcome_of(whole, energies)


# ----- ours -----------------------------------------------------------------------------------


def ours(
    slots: Sequence[PriceSlot], night: Night, mode: ChargeMode, min_run: timedelta = MIN_RUN
) -> Outcome:
    started = time.perf_counter()
    plan = plan_charge(
        slots,
        now=night.arrival,
        departure=night.departure,
        energy_kwh=night.energy,
        power_kw=night.drawn,
        mode=mode,
        min_run=min_run,
    )
    seconds = time.perf_counter() - started
    assert plan.prices_complete
    return Outcome(plan.energy_kwh, plan.cost, plan.starts, seconds)


# ----- the run --------------------------------------------------------------------------------


@dataclass
class Tally:
    ratios: list[float] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)  # EUR over the optimum, nights that met it
    cost: float = 0.0  # summed over the nights that met the target
    optimum: float = 0.0  # the optimum's cost over the same nights
    met: int = 0
    feasible: int = 0
    starts: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


def run(
    resolution: str, slots: Sequence[PriceSlot], all_nights: Sequence[Night]
) -> dict[str, Tally]:
    strategies: dict[str, Callable[[Sequence[PriceSlot], Sequence[Cell], Night], Outcome]] = {
        "ours, split (30 min min run)": lambda s, c, n: ours(s, n, ChargeMode.SPLIT),
        "ours, split (no min run)": lambda s, c, n: ours(s, n, ChargeMode.SPLIT, timedelta(0)),
        "ours, continuous": lambda s, c, n: ours(s, n, ChargeMode.CONTINUOUS),
        "anchor: cheapest window, nameplate": lambda s, c, n: anchor(
            c, n, n.allowed, continuous=True
        ),
        "anchor: cheapest window, drawn power": lambda s, c, n: anchor(
            c, n, n.drawn, continuous=True
        ),
        "anchor: cheapest slots, nameplate": lambda s, c, n: anchor(
            c, n, n.allowed, continuous=False
        ),
    }
    tallies = {name: Tally() for name in [*strategies, "exact optimum (MILP)", "LP bound"]}
    unreachable = 0
    index_by_start = {slot.start: i for i, slot in enumerate(slots)}
    for night in all_nights:
        arrival = night.arrival.astimezone(UTC)
        first = index_by_start[arrival.replace(minute=0, second=0)]
        window = slots[max(0, first - 1) : first + 24 * (4 if resolution == "15 min" else 1)]
        cells = cells_of(window, night)
        possible = night.drawn * sum(cell.hours for cell in cells)
        feasible = night.energy <= possible + 1e-9
        if not feasible:
            # Not reachable: ours must charge all it can; that is checked, not costed.
            outcome = ours(window, night, ChargeMode.SPLIT)
            if abs(outcome.energy - possible) > 1e-6:
                raise AssertionError(f"{night}: {outcome.energy} kWh of {possible} possible")
            unreachable += 1
            continue
        started = time.perf_counter()
        optimum = exact_optimum(cells, night.energy, night.drawn)
        optimum_seconds = time.perf_counter() - started
        bound = lp_bound(cells, night.energy, night.drawn)
        for name, tally in tallies.items():
            tally.feasible += 1
            if name == "exact optimum (MILP)":
                result = Outcome(optimum.energy, optimum.cost, optimum.starts, optimum_seconds)
            elif name == "LP bound":
                result = Outcome(night.energy, bound, 0)
            else:
                result = strategies[name](window, cells, night)
            tally.starts.append(result.starts)
            tally.seconds.append(result.seconds)
            if result.energy >= night.energy - 1e-6:
                tally.met += 1
                tally.ratios.append(share(result.cost, optimum.cost))
                tally.extra.append(result.cost - optimum.cost)
                tally.cost += result.cost
                tally.optimum += optimum.cost
    print(
        f"\n{resolution}: {unreachable} nights cannot reach their target by departure; on each"
        " ours delivered all the energy the car could take (checked)"
    )
    return tallies


def share(cost: float, optimum: float) -> float:
    """Cost over the optimum; near a zero optimum (negative prices), measured from its size."""
    if abs(optimum) < 1e-9:
        return 1.0 if abs(cost) < 1e-9 else math.inf
    return 1 + (cost - optimum) / abs(optimum)


def timing(seconds: Sequence[float]) -> str:
    if not any(seconds):
        return "-"
    return f"{ms(statistics.fmean(seconds))} / {ms(percentile(seconds, 99))}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--nights", type=int, default=365)
    options = parser.parse_args()
    started = time.monotonic()
    quarters = day_ahead_year(options.seed)
    series = {"15 min": quarters, "60 min": hourly(quarters)}
    every_night = nights(options.seed, options.nights)
    prices = [slot.price for slot in quarters]
    negative = sum(price < 0 for price in prices) / len(prices)
    print(
        f"Charge plans: {len(every_night)} nights of {YEAR}, seed {options.seed}; quarter-hour "
        f"prices {min(prices):.3f} to {max(prices):.3f} EUR/kWh, "
        f"mean {statistics.fmean(prices):.3f}, {negative:.1%} negative"
    )
    rows: list[Row] = []
    for resolution, slots in series.items():
        tallies = run(resolution, slots, every_night)
        table = []
        for name, tally in tallies.items():
            table.append(
                (
                    name,
                    f"{statistics.fmean(tally.ratios):.4f}" if tally.ratios else "-",
                    f"{max(tally.ratios):.4f}" if tally.ratios else "-",
                    f"{tally.cost / tally.optimum:.4f}" if tally.optimum else "-",
                    f"{statistics.fmean(tally.extra):+.3f}" if tally.extra else "-",
                    f"{tally.met / tally.feasible:.1%} ({tally.met}/{tally.feasible})",
                    f"{statistics.fmean(tally.starts):.2f}",
                    timing(tally.seconds),
                )
            )
        print_table(
            (
                "strategy",
                "cost/optimum mean",
                "max",
                "year/optimum",
                "EUR/night over",
                "deadlines met",
                "starts",
                "time mean / p99",
            ),
            table,
            title=f"{resolution} prices (feasible nights; cost ratios over nights that met the "
            "target)",
        )
        split = tallies["ours, split (30 min min run)"]
        rows.append(
            Row(
                f"{resolution}: ours / optimum, worst night",
                (f"{max(split.ratios):.4f}",),
                f"<= {COST_TARGET}",
                max(split.ratios) <= COST_TARGET,
            )
        )
        rows.append(
            Row(
                f"{resolution}: deadlines met when feasible",
                (f"{split.met / split.feasible:.1%}",),
                "100 %",
                split.met == split.feasible,
            )
        )
    print_rows(rows, title="Targets")
    print(f"\nTotal bench time {time.monotonic() - started:.0f} s")
    return 0 if targets_met(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
