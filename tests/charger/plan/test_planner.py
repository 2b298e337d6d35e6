"""The planner: exact against brute force, the rules it promises, and the edge cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.charger.plan import (
    ChargeMode,
    ChargePlan,
    PlanError,
    PlanStatus,
    PriceSlot,
    plan_charge,
    plan_status,
)

T0 = datetime(2026, 1, 10, 18, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def hourly(prices: list[float], start: datetime = T0, minutes: int = 60) -> list[PriceSlot]:
    step = timedelta(minutes=minutes)
    return [PriceSlot(start + i * step, start + (i + 1) * step, p) for i, p in enumerate(prices)]


def plan_by(slots: list[PriceSlot], *, hours: float, **options: Any) -> ChargePlan:
    """Plan from ``T0`` for a departure ``hours`` later."""
    return plan_charge(slots, now=T0, departure=T0 + timedelta(hours=hours), **options)


# ----- an independent brute force over the same rules ----------------------------------------


@dataclass(frozen=True)
class Cell:
    start: datetime
    end: datetime
    price: float
    capacity: float

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def brute_cells(
    slots: list[PriceSlot],
    *,
    now: datetime,
    departure: datetime,
    power: float,
    ceiling: float | None,
    caps: dict[datetime, float],
) -> list[Cell]:
    cells = []
    for slot in slots:
        start, end = max(slot.start, now), min(slot.end, departure)
        if end <= start or (ceiling is not None and slot.price > ceiling):
            continue
        drawn = min(power, caps.get(slot.start, power))
        cells.append(Cell(start, end, slot.price, drawn * (end - start).total_seconds() / 3600))
    return cells


def runs_of(cells: list[Cell], chosen: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for index in chosen:
        if runs and runs[-1][-1] == index - 1 and cells[index - 1].end == cells[index].start:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def brute_force(
    cells: list[Cell], wanted: float, min_run_hours: float, *, continuous: bool
) -> tuple[bool, float, float]:
    """(reachable, energy, cost) of the best plan, by trying every set of cells."""
    best: tuple[int, float, float] | None = None  # (reached, energy, -cost) maximised
    for mask in product((False, True), repeat=len(cells)):
        chosen = [i for i, on in enumerate(mask) if on]
        energy = cost = 0.0
        used: list[int] = []
        for index in chosen:
            if energy >= wanted - 1e-12 or cells[index].capacity <= 0:
                break
            take = min(cells[index].capacity, wanted - energy)
            used.append(index)
            energy += take
            cost += take * cells[index].price
        if len(used) != len(chosen):
            continue  # a cell after the target is in, or one the car cannot draw in
        reached = energy >= wanted - 1e-9
        runs = runs_of(cells, used)
        if continuous and len(runs) > 1:
            continue
        if any(sum(cells[i].hours for i in run) < min_run_hours - 1e-9 for run in runs[:-1]):
            continue
        key = (int(reached), round(energy, 6), -cost)
        if best is None or key > best:
            best = key
    assert best is not None
    return bool(best[0]), best[1], -best[2]


def check_rules(
    plan: ChargePlan,
    *,
    slots: list[PriceSlot],
    now: datetime,
    departure: datetime,
    ceiling: float | None,
    min_run: timedelta,
) -> None:
    """What every plan promises, whatever its inputs."""
    previous_end = now
    for interval in plan.intervals:
        assert previous_end <= interval.start < interval.end <= departure
        previous_end = interval.end
        for slot in slots:
            if slot.start < interval.end and interval.start < slot.end and ceiling is not None:
                assert slot.price <= ceiling
    for interval in plan.intervals[:-1]:
        assert interval.end - interval.start >= min_run - timedelta(milliseconds=1)
    assert plan.energy_kwh <= plan.energy_wanted_kwh + 1e-6
    assert plan.energy_kwh == pytest.approx(sum(i.energy_kwh for i in plan.intervals))
    assert plan.cost == pytest.approx(sum(i.cost for i in plan.intervals))
    if plan.reachable and not plan.awaiting_prices:
        assert plan.energy_kwh == pytest.approx(plan.energy_wanted_kwh, abs=1e-6)


@st.composite
def instances(draw: st.DrawFn) -> dict[str, object]:
    count = draw(st.integers(1, 8))
    lengths = draw(st.lists(st.sampled_from([15, 30, 60]), min_size=count, max_size=count))
    prices = draw(st.lists(st.integers(-5, 30), min_size=count, max_size=count))
    gaps = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    slots = []
    moment = T0
    for length, price, gap in zip(lengths, prices, gaps, strict=True):
        if gap and draw(st.integers(0, 4)) == 0:
            moment += timedelta(minutes=15)  # a missing price
        slots.append(PriceSlot(moment, moment + timedelta(minutes=length), float(price)))
        moment += timedelta(minutes=length)
    power = draw(st.sampled_from([1.4, 3.7, 7.4, 11.0]))
    caps = {
        slot.start: draw(st.sampled_from([0.0, 2.0, 5.0]))
        for slot in slots
        if draw(st.integers(0, 5)) == 0
    }
    now = T0 + timedelta(minutes=draw(st.sampled_from([0, 0, 5, 20])))
    departure = moment - timedelta(minutes=draw(st.sampled_from([0, 0, 10, 45])))
    departure = max(departure, now + timedelta(minutes=1))
    capacity = power * (departure - now).total_seconds() / 3600
    return {
        "slots": slots,
        "now": now,
        "departure": departure,
        "energy": round(
            draw(st.floats(0.1, 1.0)) * capacity * draw(st.sampled_from([0.3, 1.2])), 3
        ),
        "power": power,
        "caps": caps,
        "ceiling": draw(st.sampled_from([None, None, 10.0, 0.0])),
        "min_run": timedelta(minutes=draw(st.sampled_from([0, 15, 30, 45, 60, 90]))),
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(list(ChargeMode)))
def test_never_costlier_than_any_feasible_alternative(
    case: dict[str, object], mode: ChargeMode
) -> None:
    slots, now, departure = case["slots"], case["now"], case["departure"]
    assert isinstance(slots, list)
    assert isinstance(now, datetime)
    assert isinstance(departure, datetime)
    energy, power, ceiling = case["energy"], case["power"], case["ceiling"]
    assert isinstance(energy, float)
    assert isinstance(power, float)
    assert ceiling is None or isinstance(ceiling, float)
    caps, min_run = case["caps"], case["min_run"]
    assert isinstance(caps, dict)
    assert isinstance(min_run, timedelta)
    plan = plan_charge(
        slots,
        now=now,
        departure=departure,
        energy_kwh=energy,
        power_kw=power,
        price_ceiling=ceiling,
        mode=mode,
        min_run=min_run,
        power_cap_kw=caps,
    )
    check_rules(plan, slots=slots, now=now, departure=departure, ceiling=ceiling, min_run=min_run)
    cells = brute_cells(
        slots, now=now, departure=departure, power=power, ceiling=ceiling, caps=caps
    )
    reachable, best_energy, best_cost = brute_force(
        cells, energy, min_run.total_seconds() / 3600, continuous=mode is ChargeMode.CONTINUOUS
    )
    if plan.prices_complete:
        assert plan.reachable == reachable  # delivers the target whenever it is feasible
        assert plan.energy_kwh == pytest.approx(best_energy, abs=1e-5)
        assert plan.cost <= best_cost + 1e-6
        assert plan.cost == pytest.approx(best_cost, abs=1e-6)  # and it is feasible itself
    if mode is ChargeMode.CONTINUOUS:
        assert plan.starts <= 1


# ----- the cases the issue names -------------------------------------------------------------


def test_split_takes_the_cheapest_hours_and_stops_inside_the_last() -> None:
    slots = hourly([5, 4, 3, 1, 2, 6, 1, 7, 2, 3])
    plan = plan_by(slots, hours=10, energy_kwh=25, power_kw=11)
    assert plan.reachable
    assert plan.cost == pytest.approx(11 * 1 + 11 * 1 + 3 * 2)
    assert [(i.start.hour, i.end.hour) for i in plan.intervals[:2]] == [(21, 22), (0, 1)]
    last = plan.intervals[-1]
    assert last.end - last.start == timedelta(hours=3 / 11)
    assert plan.planned_end == last.end
    assert plan.next_start(T0) == T0 + timedelta(hours=3)
    assert plan.next_start(T0 + timedelta(hours=3, minutes=30)) == T0 + timedelta(hours=3)
    assert plan.next_start(T0 + timedelta(hours=12)) is None


def test_continuous_takes_the_cheapest_window() -> None:
    slots = hourly([5, 4, 3, 1, 2, 6, 1, 7, 2, 3])
    plan = plan_by(slots, hours=10, energy_kwh=25, power_kw=11, mode=ChargeMode.CONTINUOUS)
    assert plan.starts == 1
    assert plan.intervals[0].start == T0 + timedelta(hours=2)
    assert plan.cost == pytest.approx(33 + 11 + 6)


def test_minimum_run_keeps_the_contactor_closed() -> None:
    quarters = hourly([1, 9, 1, 9, 1, 9, 1, 9, 1, 9, 1, 9], minutes=15)
    free = plan_by(quarters, hours=3, energy_kwh=6, power_kw=4)
    assert free.starts == 6  # every cheap quarter on its own
    protected = plan_by(quarters, hours=3, energy_kwh=6, power_kw=4, min_run=timedelta(minutes=45))
    assert protected.starts < free.starts
    for interval in protected.intervals[:-1]:
        assert interval.end - interval.start >= timedelta(minutes=45)
    assert protected.cost > free.cost


def test_fifteen_minute_slots_and_an_exact_partial_end() -> None:
    prices = [3.0] * 8 + [0.5, 0.4, 0.6, 0.5] + [3.0] * 8
    slots = hourly(prices, minutes=15)
    plan = plan_by(slots, hours=5, energy_kwh=10, power_kw=11)
    assert plan.starts == 1
    run = plan.intervals[0]
    assert run.start == T0 + timedelta(hours=2)
    assert run.end == T0 + timedelta(hours=2) + timedelta(hours=10 / 11)
    # The car stops inside the last quarter, so that one is paid in part.
    assert plan.cost == pytest.approx(2.75 * (0.5 + 0.4 + 0.6) + (10 - 8.25) * 0.5)


def test_a_car_drawing_half_of_what_it_may_needs_twice_the_slots() -> None:
    slots = hourly([1, 2, 3, 4, 5, 6, 7, 8])
    full = plan_by(slots, hours=8, energy_kwh=14.8, power_kw=7.4)
    half = plan_by(slots, hours=8, energy_kwh=14.8, power_kw=3.7)
    assert full.planned_end == T0 + timedelta(hours=2)
    assert half.planned_end == T0 + timedelta(hours=4)
    assert half.cost == pytest.approx(3.7 * (1 + 2 + 3 + 4))
    unreachable = plan_by(slots, hours=3, energy_kwh=14.8, power_kw=3.7)
    assert not unreachable.reachable
    assert unreachable.energy_kwh == pytest.approx(3 * 3.7)  # as much as possible


def test_a_circuit_share_caps_the_power_per_slot() -> None:
    slots = hourly([1, 1, 5, 5])
    plan = plan_by(
        slots,
        hours=4,
        energy_kwh=11,
        power_kw=11,
        power_cap_kw={T0: 3.0, T0 + timedelta(hours=1): 3.0},
    )
    assert plan.cost == pytest.approx(3 + 3 + 5 * 5)


def test_price_ceiling_and_target_out_of_reach() -> None:
    slots = hourly([1, 8, 2, 9])
    plan = plan_by(slots, hours=4, energy_kwh=30, power_kw=11, price_ceiling=5)
    assert not plan.reachable
    assert plan.energy_kwh == pytest.approx(22)
    assert plan.cost == pytest.approx(33)
    assert plan_status(plan, T0, car_charging=True) is PlanStatus.NOT_REACHABLE


def test_charge_now_minimum_ignores_price_and_missing_prices() -> None:
    slots = hourly([9, 9, 1, 1], start=T0 + timedelta(hours=1))  # nothing known for the 1st hour
    plan = plan_by(slots, hours=5, energy_kwh=20, power_kw=10, minimum_now_kwh=15, price_ceiling=5)
    first = plan.intervals[0]
    assert (first.start, first.end, first.priced) == (T0, T0 + timedelta(hours=1), False)
    second = plan.intervals[1]
    assert (second.start, second.end) == (T0 + timedelta(hours=1), T0 + timedelta(minutes=90))
    assert second.cost == pytest.approx(5 * 9)
    assert plan.unpriced_energy_kwh == pytest.approx(10)
    assert plan.intervals[-1].start == T0 + timedelta(hours=3)  # the rest where it is cheap
    assert plan.energy_kwh == pytest.approx(20)


def test_charge_now_run_goes_on_into_cheap_slots_and_skips_a_closed_circuit() -> None:
    slots = hourly([9, 1, 1, 8])
    plan = plan_by(
        slots,
        hours=4,
        energy_kwh=20,
        power_kw=10,
        minimum_now_kwh=5,
        min_run=timedelta(hours=2),
        power_cap_kw={T0 + timedelta(hours=1): 0.0},
    )
    # The circuit gives nothing in the second hour: the minimum is charged in the first, and
    # the rest in the third (cheap) hour and the fourth.
    assert [(i.start, i.end) for i in plan.intervals] == [
        (T0, T0 + timedelta(minutes=30)),
        (T0 + timedelta(hours=2), T0 + timedelta(hours=3.5)),
    ]
    assert plan.cost == pytest.approx(5 * 9 + 10 * 1 + 5 * 8)
    merged = plan_by(slots, hours=4, energy_kwh=15, power_kw=10, minimum_now_kwh=10)
    assert [(i.start, i.end) for i in merged.intervals] == [(T0, T0 + timedelta(minutes=90))]
    around = plan_by(
        slots,
        hours=4,
        energy_kwh=20,
        power_kw=10,
        minimum_now_kwh=15,
        power_cap_kw={T0 + timedelta(hours=1): 0.0},
    )
    assert [(i.start, i.end) for i in around.intervals] == [
        (T0, T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    ]


def test_prices_missing_for_tomorrow_but_today_suffices() -> None:
    slots = hourly([4, 3, 1, 2, 2, 5])  # until midnight
    plan = plan_by(slots, hours=13, energy_kwh=10, power_kw=11)
    assert not plan.prices_complete
    assert plan.reachable
    assert not plan.awaiting_prices
    assert plan.intervals[0].start == T0 + timedelta(hours=2)


def test_prices_missing_for_tomorrow_and_today_is_not_enough() -> None:
    slots = hourly([4, 3, 1, 2, 2, 5])
    departure = T0 + timedelta(hours=13)
    plan = plan_charge(slots, now=T0, departure=departure, energy_kwh=70, power_kw=11)
    assert plan.awaiting_prices
    assert plan.intervals == ()
    assert plan.latest_start == departure - timedelta(hours=70 / 11)
    assert plan_status(plan, T0, car_charging=False) is PlanStatus.WAITING_FOR_PRICES
    # Still no prices when waiting longer would miss departure: charge from now on.
    late = plan.latest_start
    assert late is not None
    pressed = plan_charge(slots, now=late, departure=departure, energy_kwh=70, power_kw=11)
    assert not pressed.awaiting_prices
    assert pressed.reachable
    assert pressed.intervals[0].start == late
    assert pressed.planned_end == departure


def test_charging_without_waiting_still_skips_known_prices_above_the_ceiling() -> None:
    slots = hourly([9, 1])  # known for two hours, departure in four
    departure = T0 + timedelta(hours=4)
    plan = plan_charge(
        slots, now=T0, departure=departure, energy_kwh=40, power_kw=10, price_ceiling=5
    )
    assert [(i.start, i.end, i.priced) for i in plan.intervals] == [
        (T0 + timedelta(hours=1), T0 + timedelta(hours=2), True),
        (T0 + timedelta(hours=2), departure, False),
    ]
    assert not plan.reachable
    assert plan.energy_kwh == pytest.approx(30)


def test_departure_before_any_price_arrives() -> None:
    departure = T0 + timedelta(hours=6)
    waiting = plan_charge([], now=T0, departure=departure, energy_kwh=20, power_kw=10)
    assert waiting.awaiting_prices
    assert waiting.latest_start == T0 + timedelta(hours=4)
    late = plan_charge(
        [], now=T0 + timedelta(hours=5), departure=departure, energy_kwh=20, power_kw=10
    )
    assert not late.reachable
    assert late.energy_kwh == pytest.approx(10)
    assert late.unpriced_energy_kwh == pytest.approx(10)
    assert plan_status(late, T0 + timedelta(hours=5), car_charging=True) is (
        PlanStatus.NOT_REACHABLE
    )


@pytest.mark.parametrize(
    ("night", "hours"),
    [(date(2026, 10, 24), 10), (date(2026, 3, 28), 8)],
)
def test_dst_nights_count_real_hours(night: date, hours: int) -> None:
    """22:00 to 07:00 local: ten real hours when clocks go back, eight when they go forward."""
    start = datetime.combine(night, time(22), BERLIN)
    departure = datetime.combine(night + timedelta(days=1), time(7), BERLIN)
    slots = []
    moment = start.astimezone(UTC)
    while moment < departure.astimezone(UTC):
        slots.append(
            PriceSlot(
                moment.astimezone(BERLIN), (moment + timedelta(hours=1)).astimezone(BERLIN), 1
            )
        )
        moment += timedelta(hours=1)
    assert len(slots) == hours
    plan = plan_charge(slots, now=start, departure=departure, energy_kwh=100, power_kw=10)
    assert plan.energy_kwh == pytest.approx(10 * hours)
    assert plan.prices_complete


def test_precondition_keeps_the_charger_available() -> None:
    departure = T0 + timedelta(hours=4)
    plan = plan_charge(
        hourly([1, 2, 3, 4]),
        now=T0,
        departure=departure,
        energy_kwh=5,
        power_kw=10,
        precondition=timedelta(minutes=30),
    )
    assert plan.available_from == departure - timedelta(minutes=30)


def test_nothing_to_do() -> None:
    plan = plan_by(hourly([1]), hours=1, energy_kwh=0, power_kw=7)
    assert plan.reachable
    assert plan.intervals == ()
    past = plan_charge(hourly([1]), now=T0, departure=T0, energy_kwh=5, power_kw=7)
    assert not past.reachable
    no_power = plan_by(hourly([1]), hours=1, energy_kwh=5, power_kw=0)
    assert not no_power.reachable


def test_bad_inputs_raise_plan_errors() -> None:
    with pytest.raises(PlanError, match="timezone-aware"):
        plan_charge([], now=T0.replace(tzinfo=None), departure=T0, energy_kwh=1, power_kw=1)
    with pytest.raises(PlanError, match="negative"):
        plan_charge([], now=T0, departure=T0, energy_kwh=-1, power_kw=1)
    with pytest.raises(PlanError, match="minimum run"):
        plan_charge(
            [], now=T0, departure=T0, energy_kwh=1, power_kw=1, min_run=timedelta(minutes=-1)
        )


# ----- status ----------------------------------------------------------------------------------


def test_status_through_a_night() -> None:
    slots = hourly([5, 1, 5, 1])
    plan = plan_by(slots, hours=4, energy_kwh=5, power_kw=10)
    assert plan_status(None, T0, car_charging=False) is PlanStatus.OFF
    assert plan_status(plan, T0, car_charging=False) is PlanStatus.WAITING
    assert plan_status(plan, T0, car_charging=True) is PlanStatus.CHARGING  # a late boundary
    assert plan_status(plan, T0 + timedelta(hours=1), car_charging=False) is PlanStatus.CHARGING
    assert plan_status(plan, T0 + timedelta(hours=2), car_charging=False) is PlanStatus.DONE
    done = plan_by(slots, hours=4, energy_kwh=0, power_kw=1)
    assert plan_status(done, T0, car_charging=False) is PlanStatus.DONE


def test_status_waiting_for_prices_while_charging_the_minimum() -> None:
    plan = plan_by([], hours=10, energy_kwh=20, power_kw=10, minimum_now_kwh=5)
    assert plan.awaiting_prices
    assert plan_status(plan, T0, car_charging=False) is PlanStatus.CHARGING
    assert plan_status(plan, T0 + timedelta(hours=1), car_charging=False) is (
        PlanStatus.WAITING_FOR_PRICES
    )
