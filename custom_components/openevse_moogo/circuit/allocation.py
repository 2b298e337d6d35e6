"""The circuit's allocator: one pure function from what is known now to each member's current.

Per phase, the budget is the breaker limit less the margin, less the other loads (counted
conservatively when their sensors are stale or unavailable), less what unreachable members may
be drawing. What is left is shared among the members whose cars are plugged in by max-min
fair water-filling in whole amperes (the firmware's pilot is whole amperes): every car gets the
J1772 minimum first, then the lowest allocation is raised one ampere at a time until a phase
is full or every car reaches its ceiling. A car that draws less than it is allowed is capped at
its draw plus some headroom, so the rest goes to the cars that can use it.

Every member is counted at its *allocation*, not at its draw: the allocation is the claim the
charger holds, and a car may draw up to it at any moment (and keeps it if Home Assistant goes
away), so the sum of allocations within the budget is what keeps the breaker closed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .model import (
    J1772_MIN_AMPS,
    AllocatorState,
    Circuit,
    LoadHistory,
    Member,
    MemberHistory,
    OtherLoad,
    Phase,
    Staleness,
    Tuning,
    Vehicle,
)


class Reason(StrEnum):
    """Why a member was given what it was given (shown on the circuit's sensors)."""

    UNPLUGGED = "unplugged"  # no car: paused, counted as 0
    UNREACHABLE = "unreachable"  # held at the most it may be drawing; nothing sent
    NO_ROOM = "no_room"  # the budget cannot give it the J1772 minimum: paused
    TAKING_TURNS = "taking_turns"  # not every car fits at the minimum: paused for its turn
    FAIR_SHARE = "fair_share"  # limited by the circuit, level with the others
    CHARGER_MAX = "charger_max"  # at its charger's own maximum
    DRAWS_LESS = "draws_less"  # its car draws less than allowed: capped at draw + headroom


class LoadTreatment(StrEnum):
    """How an other load's reading was counted."""

    FRESH = "fresh"  # as reported
    STALE = "stale"  # reported value plus the largest rise seen recently
    RATED = "rated"  # sensor lost: the load's rated current
    WHOLE_BUDGET = "whole_budget"  # sensor lost, no rating: the whole remaining budget


@dataclass(frozen=True, slots=True)
class MemberTarget:
    """One member's allocation and why; ``amps`` 0 means paused."""

    member_id: str
    amps: int
    reason: Reason
    ceiling: int  # the most it could have been given by its own bounds and its car's draw


@dataclass(frozen=True, slots=True)
class LoadCount:
    """One other load as the allocator counted it, per circuit phase."""

    load_id: str
    amps: tuple[float, ...]
    treatment: LoadTreatment


@dataclass(frozen=True, slots=True)
class Allocation:
    """The result of one round: targets per member, the per-phase figures and the next state.

    ``budget`` is limit less margin; ``other_loads`` what the other loads were counted at;
    ``allocated`` the members' allocations (unreachable members at what they hold);
    ``headroom`` = budget - other_loads - allocated, never negative when the loads leave room.
    """

    targets: Mapping[str, MemberTarget]
    phases: tuple[Phase, ...]
    budget: tuple[float, ...]
    other_loads: tuple[float, ...]
    allocated: tuple[float, ...]
    loads: tuple[LoadCount, ...]
    state: AllocatorState

    @property
    def headroom(self) -> tuple[float, ...]:
        """What the circuit could still carry per phase, by the conservative counts."""
        return tuple(
            b - o - a for b, o, a in zip(self.budget, self.other_loads, self.allocated, strict=True)
        )

    def member_budget(self) -> tuple[float, ...]:
        """Return the per-phase budget the members' allocations must fit in."""
        return tuple(b - o for b, o in zip(self.budget, self.other_loads, strict=True))


def load_currents(load: OtherLoad, circuit: Circuit) -> tuple[float, ...]:
    """Return a load's reported current per circuit phase, never negative.

    A power reading is divided by its voltage. On a three-phase circuit a reading that names no
    phase (a total power, or one current) is counted in full on every phase: how it splits is
    unknown, and all of it on any one phase is possible. Negative readings (a meter that also
    sees generation) count as 0: export is no headroom a breaker can rely on.
    """
    phases = circuit.phase_ids
    if load.amps is not None:
        values = tuple(max(0.0, a) for a in load.amps)
        if len(values) == len(phases):
            return values
        if len(values) != 1:
            raise ValueError(f"{load.load_id}: one current, or one per circuit phase")
        single = values[0]
    else:
        single = max(0.0, load.watts or 0.0) / load.volts
    if load.phase is not None and len(phases) == 3:
        return tuple(single if p == load.phase else 0.0 for p in phases)
    return tuple(single for _ in phases)


def largest_rise(history: LoadHistory, since: float) -> tuple[float, ...] | None:
    """Return the largest rise from a reading to a later one since ``since``, per phase."""
    samples = [values for stamp, values in history.samples if stamp >= since]
    if not samples:
        return None
    rises: list[float] = []
    for phase in range(len(samples[0])):
        lowest = math.inf
        rise = 0.0
        for values in samples:
            lowest = min(lowest, values[phase])
            rise = max(rise, values[phase] - lowest)
        rises.append(rise)
    return tuple(rises)


def count_load(
    load: OtherLoad,
    circuit: Circuit,
    history: LoadHistory,
    *,
    now: float,
    staleness: Staleness,
    room: Sequence[float],
) -> tuple[LoadCount, LoadHistory]:
    """Count one other load conservatively and remember its reading.

    - Fresh (reported within ``load_fresh_s``): as reported.
    - Stale (older, up to ``load_dead_s``): the last value plus the largest rise seen within
      ``rise_window_s``. A household load steps (a hob, an oven, a heat pump starting); the
      steps this load made recently are the best bound on what it did since it last reported,
      and a sensor that updates slowly or missed a report or two keeps the chargers going.
    - Unavailable, or older than ``load_dead_s``: the load's rated current when the user gave
      one; otherwise it is taken to fill ``room``, the whole budget left after the other loads,
      so every member pauses. With nothing known of a load, any current left to the cars could
      be the one that trips the breaker, and a paused charger is safe and shows why.
    """
    samples = history.samples
    if load.available:
        reading = load_currents(load, circuit)
        stamp = now - load.age_s
        if not samples or stamp > samples[-1][0]:
            samples = (*samples, (stamp, reading))
    cutoff = now - staleness.rise_window_s
    samples = tuple(s for s in samples if s[0] >= cutoff)
    kept = LoadHistory(samples)
    if not load.available or load.age_s > staleness.load_dead_s:
        if load.rated_amps is not None:
            amps = load_currents(
                OtherLoad(load.load_id, amps=(load.rated_amps,), phase=load.phase), circuit
            )
            return LoadCount(load.load_id, amps, LoadTreatment.RATED), kept
        return LoadCount(load.load_id, tuple(room), LoadTreatment.WHOLE_BUDGET), kept
    reading = load_currents(load, circuit)
    if load.age_s <= staleness.load_fresh_s:
        return LoadCount(load.load_id, reading, LoadTreatment.FRESH), kept
    rise = largest_rise(kept, cutoff) or tuple(0.0 for _ in reading)
    amps = tuple(r + d for r, d in zip(reading, rise, strict=True))
    return LoadCount(load.load_id, amps, LoadTreatment.STALE), kept


def _phase_vector(circuit: Circuit, member: Member, amps: float) -> tuple[float, ...]:
    """Spread a member's current over the circuit's phases."""
    if circuit.phases == 1:
        return (amps,)
    return tuple(amps if p in member.phases else 0.0 for p in circuit.phase_ids)


def _add(total: list[float], vector: Iterable[float]) -> None:
    for i, value in enumerate(vector):
        total[i] += value


def _underdraw(
    member: Member, history: MemberHistory, now: float, staleness: Staleness, tuning: Tuning
) -> tuple[int | None, MemberHistory]:
    """Return the cap of a car drawing less than it is allowed, and the history to keep.

    Only a fresh draw decides: an old one says nothing about what the car does now. The cap
    never goes below the charger's minimum, so a car that is waiting or full can still start.
    """
    if member.draw_age_s > staleness.draw_fresh_s or history.allocated <= 0:
        return history.underdraw_cap, history
    draw = member.draw_amps
    cap = history.underdraw_cap
    if cap is not None and draw >= cap - tuning.reopen_amps:
        # The car uses what it was capped at: give it its full share again.
        return None, replace(history, underdraw_since=None, underdraw_cap=None)
    if draw > history.allocated - tuning.underdraw_amps:
        return cap, replace(history, underdraw_since=None)
    since = history.underdraw_since if history.underdraw_since is not None else now
    if now - since < tuning.underdraw_after_s:
        return cap, replace(history, underdraw_since=since)
    cap = max(member.min_amps, math.ceil(draw + tuning.headroom_amps))
    return cap, replace(history, underdraw_since=since, underdraw_cap=cap)


def _turn_order(
    candidates: Sequence[Member],
    histories: Mapping[str, MemberHistory],
    now: float,
    tuning: Tuning,
) -> list[Member]:
    """Who is admitted first when not every car fits at the J1772 minimum.

    A car that started charging less than ``rotate_after_s`` ago keeps its turn; then come the
    cars that have waited at least that long (longest first); then the cars that have charged
    longer (shortest-running first, so the longest-running yields); then the other waiting cars.
    So cars that cannot all charge take turns of ``rotate_after_s`` each, and a turn is never cut
    short by a car that just arrived.
    """

    def key(member: Member) -> tuple[int, float, str]:
        history = histories[member.member_id]
        if history.allocated > 0:
            running = now - (history.running_since if history.running_since is not None else now)
            return (0 if running < tuning.rotate_after_s else 2, running, member.member_id)
        waited = now - (history.paused_since if history.paused_since is not None else now)
        return (1 if waited >= tuning.rotate_after_s else 3, -waited, member.member_id)

    return sorted(candidates, key=key)


def _count_loads(
    circuit: Circuit,
    loads: Sequence[OtherLoad],
    *,
    now: float,
    state: AllocatorState,
    staleness: Staleness,
    budget: Sequence[float],
) -> tuple[list[float], list[LoadCount], dict[str, LoadHistory]]:
    """Count every other load; a lost sensor is counted last, against what the rest left."""
    other = [0.0] * len(budget)
    counts: list[LoadCount] = []
    histories = dict(state.loads)
    reporting = [x for x in loads if x.available and x.age_s <= staleness.load_dead_s]
    lost = [x for x in loads if not x.available or x.age_s > staleness.load_dead_s]
    for load in [*reporting, *lost]:
        room = [max(0.0, b - o) for b, o in zip(budget, other, strict=True)]
        count, histories[load.load_id] = count_load(
            load,
            circuit,
            state.loads.get(load.load_id, LoadHistory()),
            now=now,
            staleness=staleness,
            room=room,
        )
        counts.append(count)
        _add(other, count.amps)
    return other, counts, histories


def _admit(
    circuit: Circuit,
    ordered: Sequence[Member],
    *,
    room: list[float],
    alone: Sequence[float],
    ceilings: Mapping[str, int],
    targets: dict[str, MemberTarget],
) -> dict[str, int]:
    """Give each car its minimum in turn order while it fits; pause the others (in ``targets``).

    ``room`` is what the members may share and is reduced by what is given; ``alone`` is the
    same before anyone was admitted, to tell a car that waits its turn from one that cannot
    charge on this budget at all.
    """
    given: dict[str, int] = {}
    for member in ordered:
        low = max(member.min_amps, J1772_MIN_AMPS)
        need = _phase_vector(circuit, member, low)
        if all(n <= r for n, r in zip(need, room, strict=True)):
            given[member.member_id] = low
            room[:] = [r - n for r, n in zip(room, need, strict=True)]
            continue
        fits_alone = all(n <= r for n, r in zip(need, alone, strict=True))
        reason = Reason.TAKING_TURNS if fits_alone else Reason.NO_ROOM
        targets[member.member_id] = MemberTarget(
            member.member_id, 0, reason, ceilings[member.member_id]
        )
    return given


def _fill(
    circuit: Circuit,
    given: dict[str, int],
    *,
    room: list[float],
    by_id: Mapping[str, Member],
    ceilings: Mapping[str, int],
    previous: Mapping[str, MemberHistory],
) -> None:
    """Raise the lowest allocation by one ampere until no phase or no ceiling allows more.

    Lowest first is max-min fairness. A tie goes to the member that had more last round, so an
    odd ampere stays where it was and an allocation does not flap between equals.
    """
    steps = {i: _phase_vector(circuit, by_id[i], 1) for i in given}
    while True:
        growable = [
            member_id
            for member_id, amps in given.items()
            if amps < ceilings[member_id]
            and all(n <= r for n, r in zip(steps[member_id], room, strict=True))
        ]
        if not growable:
            return
        chosen = min(growable, key=lambda i: (given[i], -previous[i].allocated, i))
        given[chosen] += 1
        room[:] = [r - n for r, n in zip(room, steps[chosen], strict=True)]


def _remember(history: MemberHistory, amps: int, now: float) -> MemberHistory:
    """Carry a candidate's turn clocks into the next round."""
    if amps > 0:
        running = history.running_since if history.running_since is not None else now
        return replace(history, allocated=amps, running_since=running, paused_since=None)
    paused = history.paused_since if history.paused_since is not None else now
    return replace(
        history,
        allocated=0,
        running_since=None,
        paused_since=paused,
        underdraw_since=None,
        underdraw_cap=None,
    )


def allocate(
    circuit: Circuit,
    members: Sequence[Member],
    loads: Sequence[OtherLoad],
    now: float,
    state: AllocatorState,
    *,
    staleness: Staleness | None = None,
    tuning: Tuning | None = None,
) -> Allocation:
    """Compute each member's current for this instant, why, and the state for the next round.

    Unreachable members are held (no command can reach them) and counted at the largest of
    what they last confirmed, what they were last sent, their fallback and their last draw:
    whichever of these the charger is acting on, it draws no more than that.
    """
    staleness = staleness or Staleness()
    tuning = tuning or Tuning()
    budget = [circuit.limit_amps - circuit.margin_amps] * len(circuit.phase_ids)
    other, counts, load_histories = _count_loads(
        circuit, loads, now=now, state=state, staleness=staleness, budget=budget
    )

    targets: dict[str, MemberTarget] = {}
    histories: dict[str, MemberHistory] = {}
    allocated = [0.0] * len(budget)
    candidates: list[Member] = []
    ceilings: dict[str, int] = {}
    for member in members:
        history = state.members.get(member.member_id, MemberHistory())
        if not member.reachable:
            held = max(member.held_amps, member.fallback_amps, math.ceil(member.draw_amps))
            targets[member.member_id] = MemberTarget(
                member.member_id, held, Reason.UNREACHABLE, held
            )
            histories[member.member_id] = replace(history, allocated=held)
            _add(allocated, _phase_vector(circuit, member, held))
        elif member.vehicle is Vehicle.UNPLUGGED:
            targets[member.member_id] = MemberTarget(member.member_id, 0, Reason.UNPLUGGED, 0)
            histories[member.member_id] = MemberHistory()
        else:
            cap, history = _underdraw(member, history, now, staleness, tuning)
            ceilings[member.member_id] = min(member.max_amps, cap or member.max_amps)
            histories[member.member_id] = history
            candidates.append(member)

    room = [b - o - a for b, o, a in zip(budget, other, allocated, strict=True)]
    ordered = _turn_order(candidates, histories, now, tuning)
    given = _admit(
        circuit, ordered, room=room, alone=tuple(room), ceilings=ceilings, targets=targets
    )
    by_id = {m.member_id: m for m in candidates}
    _fill(circuit, given, room=room, by_id=by_id, ceilings=ceilings, previous=histories)

    for member_id, amps in given.items():
        member = by_id[member_id]
        ceiling = ceilings[member_id]
        if amps >= member.max_amps:
            reason = Reason.CHARGER_MAX
        elif amps >= ceiling:
            reason = Reason.DRAWS_LESS
        else:
            reason = Reason.FAIR_SHARE
        targets[member_id] = MemberTarget(member_id, amps, reason, ceiling)
        _add(allocated, _phase_vector(circuit, member, amps))
    for member in candidates:
        histories[member.member_id] = _remember(
            histories[member.member_id], targets[member.member_id].amps, now
        )

    return Allocation(
        targets=targets,
        phases=circuit.phase_ids,
        budget=tuple(budget),
        other_loads=tuple(other),
        allocated=tuple(allocated),
        loads=tuple(counts),
        state=AllocatorState(members=histories, loads=load_histories),
    )
