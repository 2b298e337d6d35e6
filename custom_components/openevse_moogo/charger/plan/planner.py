"""The exact charge planner: the cheapest slots that add the energy wanted by departure.

The problem it solves (every figure in UTC, so a DST change cannot bend a duration):

- Time between ``now`` and ``departure`` is cut into *cells*: the known price slots clipped to
  that window (and to the end of the "charge now" run, below). Time without a known price is
  never planned, except by the "charge now" minimum and by the deadline rule below.
- In a cell the car draws ``power_kw`` (measured by the caller, not the nameplate), or less
  where ``power_cap_kw`` (a circuit's share, by slot start) caps it. A cell's capacity is that
  power times its length; its cost is its price times the energy drawn.
- The charger is switched at slot boundaries (it is carried out by the claim, active or disabled
  per slot). The one exception is the plan's last cell: the car stops inside it once the target
  is in, so only the energy still missing is drawn and paid for.
- ``minimum_now_kwh`` is charged first, from ``now`` on at full power, whatever the price (and
  where no price is known yet); the rest is optimised after it.
- Cells priced above ``price_ceiling`` are never used (the minimum above ignores the ceiling).
- ``SPLIT`` may use several runs; every run but the last lasts at least ``min_run`` (contactor
  protection: a run is short only when no start follows it, e.g. the run that completes the
  target, which ends because the car is full). ``CONTINUOUS`` uses one run. The "charge now" run
  is exempt: the user asked for it.
- When the target cannot be delivered under these rules, the plan delivers the most energy it
  can, at the lowest cost for that energy, and says ``reachable=False``.

Exactness: ``SPLIT`` is a dynamic programme over the cells in time order whose state is (inside a
run, the run's length so far capped at ``min_run``, or closed after a short last run) and whose
labels are (energy so far, cost so
far). A label is dropped only when another in the same state provably does at least as well in
every continuation: it has at least as much energy and costs at most ``m`` per extra kWh more,
where ``m`` is the cheapest price still to come (the dominated plan would have to buy that energy
at no less than ``m``, and the dominating one can always stop earlier; prices may be negative).
The result is therefore the minimum cost under the rules above. Time ``O(n * s * f log f)`` for
``n`` cells, ``s <= 3 + min_run / shortest cell`` states and ``f`` labels per state, at most the
number of distinct energies reachable (``<= n`` when cells have equal capacity). ``CONTINUOUS``
tries every start cell with prefix sums and a binary search for the cell completing the target:
``O(n log n)``.

Unknown prices: when the known prices end before departure and the known cells alone can
deliver the target, the plan uses them (``prices_complete=False``; re-plan when prices arrive,
a cheaper plan may then exist). When they cannot, the plan waits for prices
(``awaiting_prices=True``; only the "charge now" minimum is planned) until ``latest_start``, the
last moment from which charging at full power still makes departure; from then on it charges
without waiting, as long as it takes or until departure (skipping known prices above the
ceiling).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .prices import PriceSlot

EPSILON_KWH = 1e-9
CLOSED = -1  # the run-length state after a short run ended: that was the plan's last run
SHORTEST_CELL = timedelta(seconds=1)  # a sliver of a slot left by clipping is not worth a switch


class PlanError(ValueError):
    """The plan's inputs are inconsistent (naive times, negative energy or power)."""


class ChargeMode(StrEnum):
    """One run, or as many runs as the cheapest slots need."""

    CONTINUOUS = "continuous"
    SPLIT = "split"


@dataclass(frozen=True, slots=True)
class PlannedInterval:
    """One run of the plan: charging from ``start`` to ``end``.

    ``priced`` is False for a stretch charged without a known price (the "charge now" minimum or
    the deadline rule); its energy is then not in ``cost``.
    """

    start: datetime
    end: datetime
    energy_kwh: float
    cost: float
    priced: bool = True


@dataclass(frozen=True, slots=True)
class ChargePlan:
    """What to charge when, and what it delivers and costs.

    ``energy_wanted_kwh`` is what was asked for; ``energy_kwh`` what the plan delivers (less only
    when ``reachable`` is False, or while ``awaiting_prices``). ``cost`` covers the priced energy;
    ``unpriced_energy_kwh`` was planned where no price was known.
    """

    intervals: tuple[PlannedInterval, ...]
    energy_wanted_kwh: float
    energy_kwh: float
    cost: float
    reachable: bool
    awaiting_prices: bool
    prices_complete: bool
    departure: datetime
    latest_start: datetime | None = None
    unpriced_energy_kwh: float = 0.0
    available_from: datetime | None = None

    @property
    def planned_end(self) -> datetime | None:
        """When the last run ends (None: nothing planned)."""
        return self.intervals[-1].end if self.intervals else None

    @property
    def starts(self) -> int:
        """Runs in the plan: how often the contactor closes."""
        return len(self.intervals)

    def interval_at(self, moment: datetime) -> PlannedInterval | None:
        """Return the run in progress at ``moment``, if any."""
        for interval in self.intervals:
            if interval.start <= moment < interval.end:
                return interval
        return None

    def next_start(self, moment: datetime) -> datetime | None:
        """Return the start of the run in progress at ``moment``, or of the next one."""
        for interval in self.intervals:
            if interval.end > moment:
                return interval.start
        return None


@dataclass(frozen=True, slots=True)
class _Cell:
    start: datetime
    end: datetime
    hours: float
    price: float
    power: float
    joined: bool  # starts where the previous cell ends

    @property
    def capacity(self) -> float:
        return self.power * self.hours


@dataclass(frozen=True, slots=True)
class _Step:
    """A persistent list of the cells charged, newest first (shared between labels)."""

    cell: int
    energy: float
    parent: _Step | None


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600.0


def _utc(moment: datetime, name: str) -> datetime:
    if moment.utcoffset() is None:
        raise PlanError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _power_in(slot: PriceSlot | None, power: float, caps: Mapping[datetime, float]) -> float:
    if slot is None:
        return power
    cap = caps.get(slot.start)
    return power if cap is None else max(0.0, min(power, cap))


def _cells(
    slots: Sequence[PriceSlot],
    start: datetime,
    end: datetime,
    power: float,
    caps: Mapping[datetime, float],
) -> list[_Cell]:
    cells: list[_Cell] = []
    for slot in slots:
        cell_start, cell_end = max(slot.start, start), min(slot.end, end)
        if cell_end - cell_start < SHORTEST_CELL:
            continue
        joined = bool(cells) and cells[-1].end == cell_start
        cells.append(
            _Cell(
                cell_start,
                cell_end,
                _hours(cell_end - cell_start),
                slot.price,
                _power_in(slot, power, caps),
                joined,
            )
        )
    return cells


def _charge_now(
    slots: Sequence[PriceSlot],
    *,
    start: datetime,
    end: datetime,
    energy: float,
    power: float,
    caps: Mapping[datetime, float],
    ceiling: float | None = None,
) -> tuple[list[PlannedInterval], datetime]:
    """Charge ``energy`` from ``start`` on without regard to price; the pieces and their end.

    Walks through known slots and the gaps between them (where the car draws ``power``), so a
    piece is priced where a price is known and marked unpriced where not.
    """
    pieces: list[PlannedInterval] = []
    moment, missing = start, energy
    index = 0
    while missing > EPSILON_KWH and moment < end:
        while index < len(slots) and slots[index].end <= moment:
            index += 1
        slot = slots[index] if index < len(slots) and slots[index].start <= moment else None
        if slot is not None:
            stretch_end = min(slot.end, end)
        elif index < len(slots):
            stretch_end = min(slots[index].start, end)
        else:
            stretch_end = end
        drawn = _power_in(slot, power, caps)
        if slot is not None and ceiling is not None and slot.price > ceiling:
            drawn = 0.0  # a known price above the ceiling stays unused
        available = drawn * _hours(stretch_end - moment)
        if drawn <= 0:
            moment = stretch_end
            continue
        take = min(missing, available)
        piece_end = stretch_end if take >= available else moment + timedelta(hours=take / drawn)
        price = slot.price if slot is not None else 0.0
        pieces.append(PlannedInterval(moment, piece_end, take, price * take, slot is not None))
        missing -= take
        moment = piece_end
    return pieces, moment


def _undominated(
    labels: list[tuple[float, float, _Step | None]], price_floor: float
) -> list[tuple[float, float, _Step | None]]:
    """Keep the (energy, cost) labels of one state that no other beats in every continuation.

    A label with more energy dominates when its cost exceeds the other's by at most
    ``price_floor`` per extra kWh: the other still has to buy that energy at no less than
    ``price_floor`` (the cheapest price to come), and the richer one can always stop as soon as
    the target is in. So a label survives only with a lower ``cost - price_floor * energy`` than
    every label holding at least its energy: one sort and one pass.
    """
    if price_floor == float("inf"):  # nothing left to buy: the most energy, then the least cost
        most = max(label[0] for label in labels)
        return [min((label for label in labels if label[0] >= most - EPSILON_KWH), key=_cost)]
    labels.sort(key=lambda label: (-label[0], label[1]))
    kept: list[tuple[float, float, _Step | None]] = []
    lowest = float("inf")
    for label in labels:
        key = label[1] - price_floor * label[0]
        if key < lowest - 1e-12:
            kept.append(label)
            lowest = key
    return kept


def _cost(label: tuple[float, float, _Step | None]) -> float:
    return label[1]


def _split(
    cells: Sequence[_Cell], wanted: float, min_run: float, joined_at_start: bool
) -> _Step | None:
    """Find the cheapest cells delivering ``wanted`` (or the most energy), as charged steps."""
    cap = round(min_run * 3600)
    # Cheapest price from each cell on: what a plan short of energy pays at least per kWh.
    floor = [0.0] * (len(cells) + 1)
    running = float("inf")
    for index in range(len(cells) - 1, -1, -1):
        running = min(running, cells[index].price)
        floor[index] = running
    floor[len(cells)] = float("inf")

    type State = tuple[bool, int]  # inside a run, its length so far in seconds (capped), or CLOSED
    type Label = tuple[float, float, _Step | None]  # energy, cost, steps
    # The "charge now" run, when it ends where the cells begin, may go on (it is exempt).
    states: dict[State, list[Label]] = {(joined_at_start, cap if joined_at_start else 0): [
        (0.0, 0.0, None)
    ]}  # fmt: skip
    best: tuple[float, _Step | None] | None = None  # cost, steps of the cheapest complete plan

    for index, cell in enumerate(cells):
        following: dict[State, list[Label]] = {}
        joined = cell.joined if index else joined_at_start
        seconds = round(cell.hours * 3600)
        for (running_now, length), labels in states.items():
            in_run = running_now and joined
            # A run shorter than the minimum may end only as the plan's last run: from then on
            # the plan is closed. A gap in the cells ends a run as switching off would.
            closed = length == CLOSED or (running_now and not joined and length < cap)
            for energy, cost, steps in labels:
                if closed or (in_run and length < cap):
                    following.setdefault((False, CLOSED), []).append((energy, cost, steps))
                    if closed:
                        continue
                else:
                    following.setdefault((False, 0), []).append((energy, cost, steps))
                missing = wanted - energy
                if cell.capacity >= missing - EPSILON_KWH:
                    total = cost + cell.price * missing
                    if best is None or total < best[0]:
                        best = (total, _Step(index, missing, steps))
                    continue
                new_length = min(cap, (length if in_run else 0) + seconds)
                following.setdefault((True, new_length), []).append(
                    (
                        energy + cell.capacity,
                        cost + cell.price * cell.capacity,
                        _Step(index, cell.capacity, steps),
                    )
                )
        states = {
            state: _undominated(labels, floor[index + 1]) for state, labels in following.items()
        }

    if best is not None:
        return best[1]
    # Not reachable: the most energy, then the least cost for it. Every end state is valid: a
    # run still going at the end is the last run.
    finals = [label for labels in states.values() for label in labels]  # "off" always exists
    most = max(label[0] for label in finals)
    candidates = [label for label in finals if label[0] >= most - 1e-6]
    return min(candidates, key=lambda label: label[1])[2]


def _continuous(cells: Sequence[_Cell], wanted: float) -> _Step | None:
    """Find the cheapest single run delivering ``wanted`` (or the most energy any run can)."""
    energy_sum = [0.0]
    cost_sum = [0.0]
    block = [0] * len(cells)  # cells with the same number are one unbroken stretch
    for index, cell in enumerate(cells):
        energy_sum.append(energy_sum[-1] + cell.capacity)
        cost_sum.append(cost_sum[-1] + cell.capacity * cell.price)
        block[index] = block[index - 1] + (0 if cell.joined else 1) if index else 0
    block_end = list(range(len(cells)))  # the last cell of each cell's stretch
    for index in range(len(cells) - 2, -1, -1):
        if block[index + 1] == block[index]:
            block_end[index] = block_end[index + 1]
    best: tuple[float, float, int, int, float] | None = None  # -energy, cost, first, last, part
    for first in range(len(cells)):
        goal = energy_sum[first] + wanted - EPSILON_KWH
        last = bisect.bisect_left(energy_sum, goal, lo=first + 1) - 1
        if last < len(cells) and last <= block_end[first]:
            before = energy_sum[last] - energy_sum[first]
            part = wanted - before
            delivered = wanted
            cost = cost_sum[last] - cost_sum[first] + cells[last].price * part
        else:
            last = block_end[first]
            part = cells[last].capacity
            delivered = energy_sum[last + 1] - energy_sum[first]
            cost = cost_sum[last + 1] - cost_sum[first]
        key = (-round(delivered, 6), cost, first, last, part)
        if delivered > EPSILON_KWH and (best is None or key[:2] < best[:2]):
            best = key
    if best is None:
        return None
    _, _, first, last, part = best
    steps: _Step | None = None
    for index in range(first, last):
        steps = _Step(index, cells[index].capacity, steps)
    return _Step(last, part, steps)


def _runs(cells: Sequence[_Cell], steps: _Step | None) -> list[PlannedInterval]:
    charged: list[tuple[int, float]] = []
    while steps is not None:
        charged.append((steps.cell, steps.energy))
        steps = steps.parent
    charged.reverse()
    runs: list[PlannedInterval] = []
    previous = -2
    for index, energy in charged:
        cell = cells[index]
        end = cell.end if energy >= cell.capacity - EPSILON_KWH else (
            cell.start + timedelta(hours=energy / cell.power)
        )  # fmt: skip
        cost = energy * cell.price
        if runs and previous == index - 1 and cell.joined and runs[-1].end == cell.start:
            last = runs[-1]
            runs[-1] = PlannedInterval(last.start, end, last.energy_kwh + energy, last.cost + cost)
        else:
            runs.append(PlannedInterval(cell.start, end, energy, cost))
        previous = index
    return runs


def _join(first: list[PlannedInterval], second: list[PlannedInterval]) -> list[PlannedInterval]:
    """Put runs in time order, touching runs merged (priced and unpriced parts stay apart)."""
    runs: list[PlannedInterval] = []
    for run in sorted([*first, *second], key=lambda run: run.start):
        if runs and runs[-1].end == run.start and runs[-1].priced == run.priced:
            last = runs[-1]
            runs[-1] = PlannedInterval(
                last.start, run.end, last.energy_kwh + run.energy_kwh, last.cost + run.cost,
                run.priced,
            )  # fmt: skip
        else:
            runs.append(run)
    return runs


def plan_charge(
    slots: Sequence[PriceSlot],
    *,
    now: datetime,
    departure: datetime,
    energy_kwh: float,
    power_kw: float,
    minimum_now_kwh: float = 0.0,
    price_ceiling: float | None = None,
    mode: ChargeMode = ChargeMode.SPLIT,
    min_run: timedelta = timedelta(0),
    power_cap_kw: Mapping[datetime, float] | None = None,
    precondition: timedelta | None = None,
) -> ChargePlan:
    """Plan adding ``energy_kwh`` by ``departure`` at the lowest price (see the module's rules).

    ``slots`` must be normalised (:func:`.prices.normalize_slots`: sorted, without overlaps).
    ``precondition`` keeps the charger available for that long before departure (the car may
    draw for heating or cooling; not planned energy): it only sets ``available_from``.
    """
    now, departure = _utc(now, "now"), _utc(departure, "departure")
    if energy_kwh < 0 or minimum_now_kwh < 0 or power_kw < 0:
        raise PlanError("energy and power cannot be negative")
    if min_run < timedelta(0):
        raise PlanError("the minimum run length cannot be negative")
    caps = {start.astimezone(UTC): cap for start, cap in (power_cap_kw or {}).items()}
    ordered = sorted(
        (PriceSlot(s.start.astimezone(UTC), s.end.astimezone(UTC), s.price) for s in slots),
        key=lambda slot: slot.start,
    )
    known_until = ordered[-1].end if ordered else None
    prices_complete = known_until is not None and known_until >= departure
    available_from = departure - precondition if precondition else None
    if departure <= now or power_kw <= 0:
        return ChargePlan(
            intervals=(),
            energy_wanted_kwh=energy_kwh,
            energy_kwh=0.0,
            cost=0.0,
            reachable=energy_kwh <= EPSILON_KWH,
            awaiting_prices=False,
            prices_complete=prices_complete,
            departure=departure,
            available_from=available_from,
        )
    wanted = energy_kwh

    forced, forced_end = _charge_now(
        ordered,
        start=now,
        end=departure,
        energy=min(minimum_now_kwh, wanted),
        power=power_kw,
        caps=caps,
    )
    forced_energy = sum(piece.energy_kwh for piece in forced)
    rest = wanted - forced_energy
    cells = _cells(ordered, forced_end, departure, power_kw, caps)
    # Cells the car cannot use (above the ceiling, or no power on the circuit) are left out: a
    # run cannot pass through them, just as through a gap in prices.
    usable = [
        cell
        for cell in cells
        if cell.power > 0 and (price_ceiling is None or cell.price <= price_ceiling)
    ]
    cells = [
        _Cell(c.start, c.end, c.hours, c.price, c.power, i > 0 and usable[i - 1].end == c.start)
        for i, c in enumerate(usable)
    ]
    joined_at_start = bool(forced) and bool(cells) and cells[0].start == forced_end
    if rest <= EPSILON_KWH:
        steps = None
    elif mode is ChargeMode.CONTINUOUS:
        steps = _continuous(cells, rest)
    else:
        steps = _split(cells, rest, _hours(min_run), joined_at_start)
    planned = _runs(cells, steps)
    planned_energy = sum(run.energy_kwh for run in planned)
    reachable = forced_energy + planned_energy >= wanted - 1e-6
    awaiting = False
    latest_start: datetime | None = None

    if not reachable and not prices_complete:
        # The known prices cannot do it: wait for the rest, unless waiting would miss departure.
        latest_start = departure - timedelta(hours=rest / power_kw)
        if forced_end >= latest_start:
            deadline, _ = _charge_now(
                ordered,
                start=forced_end,
                end=departure,
                energy=rest,
                power=power_kw,
                caps=caps,
                ceiling=price_ceiling,
            )
            planned = deadline
            planned_energy = sum(piece.energy_kwh for piece in deadline)
            reachable = forced_energy + planned_energy >= wanted - 1e-6
        else:
            planned, planned_energy, awaiting, reachable = [], 0.0, True, True

    intervals = _join(forced, planned)
    return ChargePlan(
        intervals=tuple(intervals),
        energy_wanted_kwh=energy_kwh,
        energy_kwh=forced_energy + planned_energy,
        cost=sum(run.cost for run in intervals),
        reachable=reachable,
        awaiting_prices=awaiting,
        prices_complete=prices_complete,
        departure=departure,
        latest_start=latest_start,
        unpriced_energy_kwh=sum(run.energy_kwh for run in intervals if not run.priced),
        available_from=available_from,
    )
