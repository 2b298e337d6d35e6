"""The allocator: fairness, redistribution, the 6 A rule, stale sensors, unreachable members."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.circuit.allocation import (
    Allocation,
    LoadTreatment,
    Reason,
    allocate,
    largest_rise,
    load_currents,
)
from custom_components.openevse_moogo.circuit.model import (
    ALL_PHASES,
    J1772_MIN_AMPS,
    AllocatorState,
    Circuit,
    LoadHistory,
    Member,
    OtherLoad,
    Phase,
    Staleness,
    Tuning,
    Vehicle,
)

CIRCUIT = Circuit(limit_amps=40, margin_amps=1)


def charging(member_id: str, **changes: object) -> Member:
    """A member whose car draws all it is allowed, unless told otherwise."""
    member = Member(member_id, vehicle=Vehicle.CHARGING, draw_amps=48.0)
    return replace(member, **changes)  # type: ignore[arg-type]


def amps(allocation: Allocation) -> dict[str, int]:
    return {i: t.amps for i, t in allocation.targets.items()}


def house(value: float, *, age: float = 0.0, available: bool = True) -> OtherLoad:
    return OtherLoad("house", amps=(value,), age_s=age, available=available)


def test_equal_split_when_every_car_wants_more() -> None:
    result = allocate(
        CIRCUIT, [charging("a"), charging("b"), charging("c")], [], 0, AllocatorState()
    )
    assert amps(result) == {"a": 13, "b": 13, "c": 13}
    assert {t.reason for t in result.targets.values()} == {Reason.FAIR_SHARE}
    assert result.headroom == (0.0,)


def test_a_capped_charger_leaves_the_rest_to_the_others() -> None:
    members = [charging("a"), charging("b", max_amps=10), charging("c")]
    result = allocate(CIRCUIT, members, [house(4)], 0, AllocatorState())
    assert amps(result) == {"a": 13, "b": 10, "c": 12}
    assert result.targets["b"].reason is Reason.CHARGER_MAX


def test_the_odd_ampere_stays_where_it_was() -> None:
    members = [charging("a"), charging("b"), charging("c")]
    first = allocate(CIRCUIT, members, [house(2)], 0, AllocatorState())
    assert sorted(amps(first).values()) == [12, 12, 13]
    later = allocate(CIRCUIT, members, [house(2)], 1, first.state)
    assert amps(later) == amps(first)


def test_unplugged_members_get_nothing_and_leave_everything() -> None:
    members = [charging("a"), Member("b"), Member("c")]
    result = allocate(CIRCUIT, members, [house(3)], 0, AllocatorState())
    assert amps(result) == {"a": 32, "b": 0, "c": 0}
    assert result.targets["a"].reason is Reason.CHARGER_MAX
    assert result.targets["b"].reason is Reason.UNPLUGGED


def test_a_car_drawing_less_is_capped_after_a_while_and_reopened_when_it_rises() -> None:
    tuning = Tuning(underdraw_after_s=60, headroom_amps=2, underdraw_amps=2, reopen_amps=1)
    members = [charging("a"), charging("b"), charging("c")]
    state = allocate(CIRCUIT, members, [], 0, AllocatorState(), tuning=tuning).state
    slow = [charging("a", draw_amps=7.2), charging("b", draw_amps=13), charging("c", draw_amps=13)]
    early = allocate(CIRCUIT, slow, [], 30, state, tuning=tuning)
    assert amps(early) == {"a": 13, "b": 13, "c": 13}  # not yet: it may be ramping up
    capped = allocate(CIRCUIT, slow, [], 91, early.state, tuning=tuning)
    assert amps(capped) == {"a": 10, "b": 15, "c": 14}
    assert capped.targets["a"].reason is Reason.DRAWS_LESS
    rising = [replace(slow[0], draw_amps=9.5), *slow[1:]]
    reopened = allocate(CIRCUIT, rising, [], 92, capped.state, tuning=tuning)
    assert amps(reopened)["a"] == 13
    assert reopened.targets["a"].reason is Reason.FAIR_SHARE


def test_a_full_car_keeps_the_minimum_so_it_can_start_again() -> None:
    tuning = Tuning(underdraw_after_s=10)
    members = [charging("a"), Member("b", vehicle=Vehicle.PLUGGED)]
    state = allocate(CIRCUIT, members, [], 0, AllocatorState(), tuning=tuning).state
    members[1] = replace(members[1], draw_amps=0.0)
    state = allocate(CIRCUIT, members, [], 5, state, tuning=tuning).state
    result = allocate(CIRCUIT, members, [], 20, state, tuning=tuning)
    assert amps(result) == {"a": 32, "b": J1772_MIN_AMPS}


def test_an_old_draw_reading_decides_nothing() -> None:
    tuning = Tuning(underdraw_after_s=10)
    members = [charging("a"), charging("b", draw_amps=0.0, draw_age_s=60)]
    state = allocate(CIRCUIT, members, [], 0, AllocatorState(), tuning=tuning).state
    result = allocate(CIRCUIT, members, [], 100, state, tuning=tuning)
    assert amps(result) == {"a": 20, "b": 19}


def test_nobody_is_given_less_than_six_amperes() -> None:
    members = [charging("a"), charging("b"), charging("c")]
    result = allocate(CIRCUIT, members, [house(24)], 0, AllocatorState())
    assert sorted(amps(result).values()) == [0, 7, 8]
    paused = [t for t in result.targets.values() if t.amps == 0]
    assert [t.reason for t in paused] == [Reason.TAKING_TURNS]


def test_no_room_for_even_one_car() -> None:
    result = allocate(CIRCUIT, [charging("a"), charging("b")], [house(34)], 0, AllocatorState())
    assert amps(result) == {"a": 0, "b": 0}
    assert {t.reason for t in result.targets.values()} == {Reason.NO_ROOM}


def test_cars_that_cannot_all_charge_take_turns() -> None:
    tuning = Tuning(rotate_after_s=900)
    members = [charging("a"), charging("b"), charging("c")]
    loads = [house(26)]  # 13 A left: room for two cars at 6 A
    served: dict[str, float] = {"a": 0.0, "b": 0.0, "c": 0.0}
    state = AllocatorState()
    for now in range(0, 3 * 3600, 60):
        result = allocate(CIRCUIT, members, loads, now, state, tuning=tuning)
        state = result.state
        assert sum(t.amps for t in result.targets.values()) <= 13
        for member_id, target in result.targets.items():
            assert target.amps == 0 or target.amps >= J1772_MIN_AMPS
            served[member_id] += 60 * (target.amps > 0)
    # Three hours, two slots: each car charged for two of them, within one turn.
    for seconds in served.values():
        assert abs(seconds - 7200) <= 900


def test_a_turn_is_not_cut_short_by_a_car_that_just_arrived() -> None:
    tuning = Tuning(rotate_after_s=900)
    loads = [house(30)]  # room for one car
    state = allocate(CIRCUIT, [charging("a")], loads, 0, AllocatorState(), tuning=tuning).state
    members = [charging("a"), charging("b")]
    state = allocate(CIRCUIT, members, loads, 100, state, tuning=tuning).state
    during = allocate(CIRCUIT, members, loads, 950, state, tuning=tuning)
    assert amps(during) == {"a": 9, "b": 0}  # a started at 0, b waited only 850 s
    after = allocate(CIRCUIT, members, loads, 1001, during.state, tuning=tuning)
    assert amps(after) == {"a": 0, "b": 9}


def test_a_fresh_reading_counts_as_it_is() -> None:
    result = allocate(CIRCUIT, [charging("a")], [house(10, age=5)], 0, AllocatorState())
    assert result.loads[0].treatment is LoadTreatment.FRESH
    assert result.other_loads == (10.0,)


def test_a_stale_reading_counts_with_the_largest_recent_rise() -> None:
    staleness = Staleness(load_fresh_s=15, load_dead_s=120, rise_window_s=900)
    state = AllocatorState()
    for now, value in ((0, 2.0), (10, 12.0), (20, 3.0), (30, 5.0)):
        state = allocate(
            CIRCUIT, [charging("a")], [house(value)], now, state, staleness=staleness
        ).state
    result = allocate(
        CIRCUIT, [charging("a")], [house(5.0, age=30)], 60, state, staleness=staleness
    )
    assert result.loads[0].treatment is LoadTreatment.STALE
    assert result.other_loads == (15.0,)  # 5 A plus the 10 A step seen at 10 s
    assert amps(result) == {"a": 24}
    # Outside the window the step no longer counts.
    later = allocate(
        CIRCUIT, [charging("a")], [house(5.0, age=100)], 1000, result.state, staleness=staleness
    )
    assert later.loads[0].treatment is LoadTreatment.STALE
    assert later.other_loads == (5.0,)


def test_a_lost_sensor_takes_the_whole_budget() -> None:
    loads = [house(3, available=False), OtherLoad("oven", amps=(4.0,))]
    result = allocate(CIRCUIT, [charging("a"), charging("b")], loads, 0, AllocatorState())
    assert amps(result) == {"a": 0, "b": 0}
    assert {c.load_id: c.treatment for c in result.loads} == {
        "house": LoadTreatment.WHOLE_BUDGET,
        "oven": LoadTreatment.FRESH,
    }
    assert result.other_loads == (39.0,)
    assert result.targets["a"].reason is Reason.NO_ROOM


def test_a_dead_sensor_with_a_rating_counts_at_its_rating() -> None:
    load = OtherLoad("heat_pump", amps=(2.0,), age_s=600, rated_amps=16)
    result = allocate(CIRCUIT, [charging("a"), charging("b")], [load], 0, AllocatorState())
    assert result.loads[0].treatment is LoadTreatment.RATED
    assert amps(result) == {"a": 12, "b": 11}


def test_an_unreachable_member_counts_at_the_most_it_may_draw() -> None:
    lost = Member(
        "b",
        vehicle=Vehicle.CHARGING,
        reachable=False,
        confirmed_amps=10,
        commanded_amps=14,
        fallback_amps=12,
        draw_amps=9.0,
    )
    result = allocate(CIRCUIT, [charging("a"), lost, charging("c")], [], 0, AllocatorState())
    assert amps(result) == {"a": 13, "b": 14, "c": 12}
    assert result.targets["b"].reason is Reason.UNREACHABLE
    fallback = replace(lost, fallback_amps=20)
    result = allocate(CIRCUIT, [charging("a"), fallback], [], 0, AllocatorState())
    assert amps(result) == {"a": 19, "b": 20}


def test_three_phases_with_single_phase_members_on_different_phases() -> None:
    circuit = Circuit(limit_amps=25, phases=3, margin_amps=1)
    members = [
        charging("three", phases=ALL_PHASES),
        charging("on2", phases=frozenset({2})),
        charging("on3", phases=frozenset({3})),
    ]
    loads = [OtherLoad("oven", watts=2300, volts=230, phase=2)]
    result = allocate(circuit, members, loads, 0, AllocatorState())
    assert result.other_loads == (0.0, 10.0, 0.0)
    assert amps(result) == {"three": 7, "on2": 7, "on3": 17}
    assert result.allocated == (7.0, 14.0, 24.0)
    assert result.headroom == (17.0, 0.0, 0.0)


def test_a_load_of_unknown_phase_counts_on_every_phase() -> None:
    circuit = Circuit(limit_amps=25, phases=3)
    assert load_currents(OtherLoad("house", watts=2300), circuit) == (10.0, 10.0, 10.0)
    assert load_currents(OtherLoad("grid", watts=-3000), circuit) == (0.0, 0.0, 0.0)
    assert load_currents(OtherLoad("split", amps=(1.0, 2.0, 3.0)), circuit) == (1.0, 2.0, 3.0)
    assert load_currents(OtherLoad("oven", amps=(5.0,), phase=2), circuit) == (0.0, 5.0, 0.0)
    assert largest_rise(LoadHistory(), since=0) is None
    with pytest.raises(ValueError, match="one per circuit phase"):
        load_currents(OtherLoad("bad", amps=(1.0, 2.0)), circuit)


def test_inputs_no_allocation_could_be_safe_on_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        Circuit(limit_amps=0)
    with pytest.raises(ValueError, match="margin"):
        Circuit(limit_amps=10, margin_amps=10)
    with pytest.raises(ValueError, match="phase"):
        Member("a", phases=frozenset())
    with pytest.raises(ValueError, match="bounds"):
        Member("a", min_amps=4)
    with pytest.raises(ValueError, match="either"):
        OtherLoad("x", amps=(1.0,), watts=5.0)
    with pytest.raises(ValueError, match="voltage"):
        OtherLoad("x", watts=5.0, volts=0)


PHASE_SETS: list[frozenset[Phase]] = [
    frozenset({1}),
    frozenset({2}),
    frozenset({3}),
    ALL_PHASES,
]


@st.composite
def scenes(draw: st.DrawFn) -> tuple[Circuit, list[Member], list[OtherLoad]]:
    three = draw(st.booleans())
    circuit = Circuit(
        limit_amps=draw(st.integers(10, 80)),
        phases=3 if three else 1,
        margin_amps=draw(st.integers(0, 3)),
    )
    members = []
    for i in range(draw(st.integers(1, 5))):
        low = draw(st.integers(6, 10))
        members.append(
            Member(
                f"m{i}",
                phases=draw(st.sampled_from(PHASE_SETS)) if three else frozenset({1}),
                min_amps=low,
                max_amps=draw(st.integers(low, 48)),
                vehicle=draw(st.sampled_from(list(Vehicle))),
                draw_amps=draw(st.floats(0, 48)),
                reachable=draw(st.booleans()) or draw(st.booleans()),
                confirmed_amps=draw(st.none() | st.integers(0, 32)),
                commanded_amps=draw(st.none() | st.integers(0, 32)),
                fallback_amps=draw(st.integers(0, 16)),
            )
        )
    width = 3 if three else 1
    loads = [
        OtherLoad(
            "house",
            amps=tuple(draw(st.floats(-5, 60)) for _ in range(width)),
            age_s=draw(st.floats(0, 300)),
            available=draw(st.booleans()) or draw(st.booleans()),
        )
    ]
    return circuit, members, loads


@given(scenes())
@settings(max_examples=400, deadline=None)
def test_every_allocation_fits_is_whole_and_fair(
    scene: tuple[Circuit, list[Member], list[OtherLoad]],
) -> None:
    circuit, members, loads = scene
    result = allocate(circuit, members, loads, 0, AllocatorState())
    by_id = {m.member_id: m for m in members}
    held = [0.0] * len(circuit.phase_ids)
    given = [0.0] * len(circuit.phase_ids)
    for member_id, target in result.targets.items():
        member = by_id[member_id]
        on = [p in member.phases or circuit.phases == 1 for p in circuit.phase_ids]
        for i, is_on in enumerate(on):
            (held if not member.reachable else given)[i] += target.amps * is_on
        if member.reachable:
            # Paused, or between the charger's minimum and maximum: never 1-5 A.
            assert target.amps == 0 or member.min_amps <= target.amps <= member.max_amps
            if member.vehicle is Vehicle.UNPLUGGED:
                assert target.amps == 0
        else:
            assert target.amps >= max(member.held_amps, member.fallback_amps)
    for i in range(len(circuit.phase_ids)):
        room = result.budget[i] - result.other_loads[i] - held[i]
        # The reachable members never take more than the room left, and none when none is.
        assert given[i] <= max(0.0, room) + 1e-9
    # Max-min fairness: a member below another on the same phases is at its own ceiling.
    admitted = [t for t in result.targets.values() if t.amps > 0 and by_id[t.member_id].reachable]
    for low in admitted:
        for high in admitted:
            if by_id[low.member_id].phases == by_id[high.member_id].phases:
                forced = high.amps == by_id[high.member_id].min_amps  # its charger's minimum
                assert low.amps >= high.amps - 1 or low.amps == low.ceiling or forced
