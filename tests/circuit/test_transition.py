"""Lower before raise, checked on examples and on random event sequences."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custom_components.openevse_moogo.circuit.allocation import allocate
from custom_components.openevse_moogo.circuit.model import (
    ALL_PHASES,
    AllocatorState,
    Circuit,
    Member,
    OtherLoad,
    Phase,
    Tuning,
    Vehicle,
)
from custom_components.openevse_moogo.circuit.transition import (
    Command,
    Direction,
    Sequencer,
    Step,
)

CIRCUIT = Circuit(limit_amps=40, margin_amps=1)


def started(confirmed: dict[str, int], *, settle_s: float = 0) -> Sequencer:
    members = [Member(i, confirmed_amps=a, commanded_amps=a) for i, a in confirmed.items()]
    return Sequencer(CIRCUIT, members, lower_timeout_s=10, settle_s=settle_s)


def test_lowers_go_first_and_raises_wait_for_their_confirmation() -> None:
    seq = started({"a": 20, "b": 13})
    step = seq.set_targets({"a": 13, "b": 20}, (39,), now=0)
    assert [(c.member_id, c.amps, c.direction) for c in step.commands] == [
        ("a", 13, Direction.LOWER)
    ]
    assert step.held == ("b",)
    assert seq.exposure() == (33,)
    # A report from before the charger applied the lower settles nothing.
    assert seq.confirm("a", 20, now=1, seq=None).commands == ()
    lower = step.commands[0]
    raised = seq.confirm("a", 13, now=2, seq=lower.seq)
    assert [(c.member_id, c.amps, c.direction) for c in raised.commands] == [
        ("b", 20, Direction.RAISE)
    ]
    assert seq.exposure() == (33,)
    seq.confirm("b", 20, now=3, seq=raised.commands[0].seq)
    assert seq.pending() == {}
    assert seq.member_exposure("b") == 20
    assert seq.confirmed("b") == 20


def test_raises_also_wait_for_the_lowered_car_to_follow() -> None:
    seq = started({"a": 20, "b": 13}, settle_s=5)
    lower = seq.set_targets({"a": 13, "b": 20}, (39,), now=0).commands[0]
    assert seq.confirm("a", 13, now=1, seq=lower.seq).held == ("b",)
    assert seq.tick(5.5).commands == ()
    assert [(c.member_id, c.amps) for c in seq.tick(6).commands] == [("b", 20)]


def test_an_unconfirmed_lower_blocks_every_raise_and_is_reported() -> None:
    seq = started({"a": 20, "b": 13, "c": 0})
    step = seq.set_targets({"a": 13, "b": 13, "c": 7}, (39,), now=0)
    assert step.held == ("c",)
    assert seq.tick(5).commands == ()
    late = seq.tick(10)
    assert [(o.member_id, o.amps) for o in late.overdue] == [("a", 13)]
    assert [(c.member_id, c.amps, c.direction) for c in late.commands] == [
        ("a", 13, Direction.LOWER)
    ]  # re-sent
    assert late.held == ("c",)
    # The answer to the first send does not settle the re-sent one.
    assert seq.confirm("a", 13, now=11, seq=step.commands[0].seq).commands == ()
    done = seq.confirm("a", 13, now=12, seq=late.commands[0].seq)
    assert [(c.member_id, c.amps) for c in done.commands] == [("c", 7)]


def test_a_further_lower_keeps_the_first_deadline() -> None:
    seq = started({"a": 20})
    first = seq.set_targets({"a": 13}, (39,), now=0).commands[0]
    second = seq.set_targets({"a": 10}, (39,), now=8).commands[0]
    assert (first.amps, second.amps) == (13, 10)
    assert seq.member_exposure("a") == 20
    assert [o.amps for o in seq.tick(10).overdue] == [10]  # due 10 s after the first lower


def test_a_raise_that_does_not_fit_waits() -> None:
    seq = started({"a": 20, "b": 0})
    step = seq.set_targets({"a": 20, "b": 20}, (39,), now=0)
    assert step.commands == ()
    assert step.held == ("b",)
    step = seq.set_targets({"a": 20, "b": 19}, (39,), now=1)
    assert [(c.member_id, c.amps) for c in step.commands] == [("b", 19)]


def test_a_lost_member_keeps_its_exposure_and_stops_blocking() -> None:
    seq = started({"a": 20, "b": 13, "c": 0})
    step = seq.set_targets({"a": 13, "b": 13, "c": 6}, (39,), now=0)
    assert step.held == ("c",)
    after = seq.lose("a", now=1)
    assert seq.member_exposure("a") == 20
    # a may still be at 20: c's raise goes out because it fits beside that (20 + 13 + 6).
    assert [(c.member_id, c.amps) for c in after.commands] == [("c", 6)]
    assert seq.pending() == {"a": 13, "c": 6}
    assert seq.exposure() == (39,)
    # Nothing is sent to a lost member.
    assert seq.set_targets({"a": 0, "b": 13, "c": 6}, (39,), now=2).commands == ()


def test_a_member_back_from_a_reboot_gets_its_target_again() -> None:
    seq = started({"a": 20, "b": 19})
    assert seq.set_targets({"a": 20, "b": 19}, (39,), now=0).commands == ()
    seq.lose("a", now=1)
    # Back with our claim gone (a reboot): it reports 0, still counted at what it may draw.
    seq.confirm("a", 0, now=5)
    assert seq.member_exposure("a") == 20
    step = seq.rejoin("a", now=5)
    assert [(c.member_id, c.amps, c.direction) for c in step.commands] == [
        ("a", 20, Direction.RAISE)
    ]
    assert seq.exposure() == (39,)


def test_an_overdue_raise_is_reported_once_and_stays_counted() -> None:
    seq = started({"a": 6})
    step = seq.set_targets({"a": 16}, (39,), now=0)
    assert [c.direction for c in step.commands] == [Direction.RAISE]
    assert [o.direction for o in seq.tick(10).overdue] == [Direction.RAISE]
    assert seq.tick(20).overdue == ()
    assert seq.member_exposure("a") == 16
    # A report above anything we sent counts as what it may draw.
    seq.confirm("a", 24, now=21)
    assert seq.member_exposure("a") == 24


def test_an_answer_from_before_the_latest_command_settles_nothing() -> None:
    seq = started({"a": 0})
    raised = seq.set_targets({"a": 16}, (39,), now=0).commands[0]
    lowered = seq.set_targets({"a": 0}, (39,), now=1).commands[0]
    assert (raised.direction, lowered.direction) == (Direction.RAISE, Direction.LOWER)
    # The charger answers the raise with its value before it applied it: 0, the lower's value.
    seq.confirm("a", 0, now=2, seq=raised.seq)
    assert seq.member_exposure("a") == 16  # it may still apply the raise before the lower
    seq.confirm("a", 0, now=3, seq=lowered.seq)
    assert seq.member_exposure("a") == 0


def test_a_failed_raise_is_sent_again_and_stays_counted() -> None:
    seq = started({"a": 0, "b": 0})
    raised = seq.set_targets({"a": 20, "b": 0}, (39,), now=0).commands[0]
    assert raised.direction is Direction.RAISE
    # Its request failed: it may or may not have arrived, so it still counts...
    again = seq.retry("a", now=1).commands
    assert [(c.member_id, c.amps, c.direction) for c in again] == [("a", 20, Direction.RAISE)]
    assert again[0].seq != raised.seq
    assert seq.member_exposure("a") == 20
    # ...and the answer to the new command settles it.
    seq.confirm("a", 20, now=2, seq=again[0].seq)
    assert seq.pending() == {}


def test_a_failed_lower_is_sent_again_at_once_and_still_blocks_raises() -> None:
    seq = started({"a": 20, "b": 13})
    lower = seq.set_targets({"a": 13, "b": 20}, (39,), now=0).commands[0]
    step = seq.retry("a", now=1)
    assert [(c.member_id, c.amps, c.direction) for c in step.commands] == [
        ("a", 13, Direction.LOWER)
    ]
    assert step.held == ("b",)
    assert step.commands[0].seq != lower.seq
    assert seq.retry("b", now=2).commands == ()  # nothing pending: nothing to send again


def test_targets_need_one_budget_per_phase() -> None:
    seq = started({"a": 6})
    with pytest.raises(ValueError, match="one budget per circuit phase"):
        seq.set_targets({"a": 6}, (10, 10, 10), now=0)


# --- random event sequences -----------------------------------------------------------------


@dataclass
class Charger:
    """A member as the network and the firmware treat it: commands arrive in order."""

    phases: frozenset[Phase]
    vehicle: Vehicle = Vehicle.UNPLUGGED
    reachable: bool = True
    inbox: list[Command] = field(default_factory=list)
    applied: int = 0
    applied_seq: int | None = None


PHASE_SETS: list[frozenset[Phase]] = [frozenset({1}), frozenset({2}), frozenset({3}), ALL_PHASES]

member = st.integers(0, 3)
# Allocation rounds, deliveries and answers come often, as they do on a live circuit.
events = st.one_of(
    st.tuples(st.just("plug"), member, st.sampled_from(list(Vehicle))),
    st.tuples(st.just("load"), st.floats(0, 45), st.floats(0, 45), st.floats(0, 45)),
    st.tuples(st.just("allocate")),
    st.tuples(st.just("allocate")),
    st.tuples(st.just("deliver"), member),
    st.tuples(st.just("deliver"), member),
    st.tuples(st.just("report"), member),
    st.tuples(st.just("report"), member),
    st.tuples(st.just("push"), st.integers(0, 3)),
    st.tuples(st.just("lose"), st.integers(0, 3)),
    st.tuples(st.just("regain"), st.integers(0, 3)),
    st.tuples(st.just("tick"), st.floats(0.1, 30)),
)


class World:
    """Chargers, cars and a house load around one allocator and one sequencer."""

    def __init__(self, circuit: Circuit, phases: list[frozenset[Phase]]) -> None:
        self.circuit = circuit
        self.chargers = {f"m{i}": Charger(p) for i, p in enumerate(phases)}
        members = [Member(i, phases=c.phases, confirmed_amps=0) for i, c in self.chargers.items()]
        self.seq = Sequencer(circuit, members, lower_timeout_s=10, settle_s=5)
        self.state = AllocatorState()
        self.house: tuple[float, ...] = tuple(0.0 for _ in circuit.phase_ids)
        self.now = 0.0
        self.latest: dict[str, Command] = {}
        self.settled: dict[str, bool] = dict.fromkeys(self.chargers, True)
        self.known_lost: set[str] = set()  # as the sequencer was told

    def ids(self, index: int) -> str:
        return f"m{index % len(self.chargers)}"

    def members(self) -> list[Member]:
        return [
            Member(
                i,
                phases=c.phases,
                vehicle=c.vehicle,
                draw_amps=float(c.applied if c.vehicle is Vehicle.CHARGING else 0),
                reachable=c.reachable,
                confirmed_amps=self.seq.confirmed(i),
                commanded_amps=self.seq.member_exposure(i),
            )
            for i, c in self.chargers.items()
        ]

    def run(self, event: tuple[object, ...]) -> Step | None:
        kind = event[0]
        if kind == "plug":
            self.chargers[self.ids(int(event[1]))].vehicle = event[2]  # type: ignore[call-overload]
        elif kind == "load":
            values = tuple(float(v) for v in event[1:])  # type: ignore[arg-type]
            self.house = values[: len(self.circuit.phase_ids)]
        elif kind == "allocate":
            loads = [OtherLoad("house", amps=self.house)]
            result = allocate(self.circuit, self.members(), loads, self.now, self.state)
            self.state = result.state
            targets = {i: t.amps for i, t in result.targets.items() if self.chargers[i].reachable}
            return self.seq.set_targets(targets, result.member_budget(), self.now)
        elif kind == "deliver":
            charger = self.chargers[self.ids(int(event[1]))]  # type: ignore[call-overload]
            if charger.reachable and charger.inbox:
                command = charger.inbox.pop(0)
                charger.applied, charger.applied_seq = command.amps, command.seq
        elif kind in {"report", "push"}:
            member_id = self.ids(int(event[1]))  # type: ignore[call-overload]
            charger = self.chargers[member_id]
            if charger.reachable:
                seq = charger.applied_seq if kind == "report" else None
                self.known_lost.discard(member_id)
                step = self.seq.confirm(member_id, charger.applied, self.now, seq=seq)
                latest = self.latest.get(member_id)
                if latest is not None and seq == latest.seq:
                    self.settled[member_id] = True
                return step
        elif kind == "lose":
            member_id = self.ids(int(event[1]))  # type: ignore[call-overload]
            self.chargers[member_id].reachable = False
            self.known_lost.add(member_id)
            return self.seq.lose(member_id, self.now)
        elif kind == "regain":
            self.chargers[self.ids(int(event[1]))].reachable = True  # type: ignore[call-overload]
        elif kind == "tick":
            self.now += float(event[1])  # type: ignore[arg-type]
            return self.seq.tick(self.now)
        return None

    def send(self, step: Step) -> None:
        for command in step.commands:
            charger = self.chargers[command.member_id]
            if charger.reachable:
                charger.inbox.append(command)
            self.latest[command.member_id] = command
            self.settled[command.member_id] = False


def phase_sum(world: World, per_member: dict[str, int]) -> list[int]:
    totals = [0] * len(world.circuit.phase_ids)
    for member_id, amps in per_member.items():
        phases = world.chargers[member_id].phases
        for i, phase in enumerate(world.circuit.phase_ids):
            totals[i] += amps * (world.circuit.phases == 1 or phase in phases)
    return totals


@st.composite
def worlds(draw: st.DrawFn) -> World:
    three = draw(st.booleans())
    circuit = Circuit(
        limit_amps=draw(st.integers(12, 50)),
        phases=3 if three else 1,
        margin_amps=draw(st.integers(0, 2)),
    )
    count = draw(st.integers(2, 4))
    phases = [draw(st.sampled_from(PHASE_SETS)) if three else frozenset({1}) for _ in range(count)]
    return World(circuit, phases)


@given(worlds(), st.lists(events, min_size=1, max_size=150))
@settings(max_examples=600, deadline=None)
def test_exposure_never_exceeds_the_budget_through_any_event_sequence(
    world: World, sequence: list[tuple[object, ...]]
) -> None:
    for event in sequence:
        before = world.seq.exposure()
        step = world.run(event)
        if step is None:
            continue
        outstanding_lower = any(
            not world.settled[i]
            and world.latest[i].direction is Direction.LOWER
            and i not in world.known_lost
            for i in world.latest
        )
        world.send(step)
        after = world.seq.exposure()
        budget = world.seq.budget
        directions = {c.direction for c in step.commands}
        if Direction.RAISE in directions:
            # A raise only with every phase within the budget, and never beside a lower.
            assert all(a <= b + 1e-9 for a, b in zip(after, budget, strict=True))
            assert Direction.LOWER not in directions
            assert not outstanding_lower
        # What exceeds the budget (only after the budget fell) never grows.
        for a, b, old in zip(after, budget, before, strict=True):
            assert a <= max(b + 1e-9, old)
        # The sequencer never counts a member below what its charger is acting on.
        for member_id, charger in world.chargers.items():
            assert charger.applied <= world.seq.member_exposure(member_id)
    # The chargers' actual claims fit within what the sequencer counts.
    applied = phase_sum(world, {i: c.applied for i, c in world.chargers.items()})
    assert all(a <= e for a, e in zip(applied, world.seq.exposure(), strict=True))


@given(worlds(), st.lists(events, min_size=1, max_size=60))
@settings(max_examples=150, deadline=None)
def test_with_every_member_answering_the_allocation_is_reached(
    world: World, sequence: list[tuple[object, ...]]
) -> None:
    for event in sequence:
        step = world.run(event)
        if step is not None:
            world.send(step)
    for index in range(len(world.chargers)):
        world.run(("regain", index))
    # Enough 6 s rounds for every member to be lowered and raised once, plus the time after which
    # a car drawing less than allowed is capped (that cap is one more lower, then a raise).
    underdraw_rounds = math.ceil(Tuning().underdraw_after_s / 6.0) + 1
    for _ in range(2 * len(world.chargers) + 4 + underdraw_rounds):
        step = world.run(("tick", 6.0))  # past the settling time of the last lower
        assert step is not None
        world.send(step)
        step = world.run(("allocate",))
        assert step is not None
        world.send(step)
        for index in range(len(world.chargers)):
            member_id = world.ids(index)
            while world.chargers[member_id].inbox:
                world.run(("deliver", index))
            step = world.run(("report", index))
            if step is not None:
                world.send(step)
    result = allocate(
        world.circuit,
        world.members(),
        [OtherLoad("house", amps=world.house)],
        world.now,
        world.state,
    )
    assert world.seq.pending() == {}
    for member_id, target in result.targets.items():
        assert world.chargers[member_id].applied == target.amps
        assert world.seq.member_exposure(member_id) == target.amps
