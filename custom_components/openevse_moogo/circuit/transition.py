"""Lower before raise: the order in which a new allocation reaches the chargers.

A charger may act on a command before it confirms it, and keeps acting on the previous one
until it does. So while a command is outstanding a member counts at the higher of what it last
confirmed and everything sent to it since (its *exposure*). The sequencer keeps one invariant:

    on every phase, the members' exposures add up to no more than the budget,

except when the budget itself falls (an other load jumps), which only lowers can answer. So it
sends every lower at once, sends no raise while any reachable member's lower is unconfirmed,
and sends a raise only when, with the raise counted, every phase stays within the budget.

A confirmed lower is the charger's pilot, not yet the car's draw: a car has up to 5 s to
follow a lower pilot (IEC 61851-1), so raises also wait ``settle_s`` after the last confirmed
lower, lest a quick car take current a slow one still draws.

A lower that is not confirmed by its deadline is re-sent and reported; nothing is raised
meanwhile. A member that cannot be reached keeps its exposure (it may have acted on anything
it was sent) but no longer blocks the others: the allocator already counts it at the most it
may draw, and the raises that fit beside that exposure are safe.

No I/O and no clock: callers pass the time and carry out the commands returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .model import Circuit, Member, Phase


class Direction(StrEnum):
    """Whether a command lowers or raises a member's allocation."""

    LOWER = "lower"
    RAISE = "raise"


@dataclass(frozen=True, slots=True)
class Command:
    """Set a member's claim to ``amps`` (0 pauses it)."""

    member_id: str
    amps: int
    direction: Direction
    seq: int  # numbers the commands: a confirmation names the one it answers


@dataclass(frozen=True, slots=True)
class Overdue:
    """A command the charger did not confirm by its deadline."""

    member_id: str
    amps: int
    direction: Direction
    sent_at: float


@dataclass(frozen=True, slots=True)
class Step:
    """What one event leads to: commands to send, overdue commands, raises held back."""

    commands: tuple[Command, ...] = ()
    overdue: tuple[Overdue, ...] = ()
    held: tuple[str, ...] = ()  # members whose raise waits for lowers or for room


@dataclass(slots=True)
class _Slot:
    vector: tuple[int, ...]  # 1 on each circuit phase the member draws on
    confirmed: int
    reachable: bool = True
    desired: int | None = None
    pending: int | None = None  # the last command, unconfirmed
    direction: Direction | None = None
    exposure: int = 0  # confirmed, or higher if anything higher is unconfirmed
    sent_at: float = 0.0
    deadline: float = 0.0
    reported_overdue: bool = False
    seq: int = 0  # the number of the last command
    resend: bool = False  # the last command's request failed: send the target again


class Sequencer:
    """The transition state machine for one circuit's members."""

    def __init__(
        self,
        circuit: Circuit,
        members: Sequence[Member],
        *,
        lower_timeout_s: float = 10.0,
        raise_timeout_s: float = 10.0,
        settle_s: float = 5.0,
    ) -> None:
        """Start from what each member last confirmed (or 0)."""
        self._phases: tuple[Phase, ...] = circuit.phase_ids
        self._lower_timeout = lower_timeout_s
        self._raise_timeout = raise_timeout_s
        self._settle = settle_s
        self._settled_at = -math.inf  # when the last lower was confirmed
        self._budget: tuple[float, ...] = tuple(
            circuit.limit_amps - circuit.margin_amps for _ in self._phases
        )
        self._slots: dict[str, _Slot] = {}
        self._seq = 0
        for member in members:
            vector = (
                (1,)
                if circuit.phases == 1
                else tuple(1 if p in member.phases else 0 for p in self._phases)
            )
            held = member.held_amps
            self._slots[member.member_id] = _Slot(
                vector=vector,
                confirmed=member.confirmed_amps or 0,
                reachable=member.reachable,
                exposure=held,
            )

    @property
    def budget(self) -> tuple[float, ...]:
        """The per-phase budget the members must fit in, as last given."""
        return self._budget

    def exposure(self) -> tuple[int, ...]:
        """Per phase, the most the members may be drawing by what they confirmed or were sent."""
        totals = [0] * len(self._phases)
        for slot in self._slots.values():
            for i, on in enumerate(slot.vector):
                totals[i] += on * slot.exposure
        return tuple(totals)

    def member_exposure(self, member_id: str) -> int:
        """Return the most one member may be drawing."""
        return self._slots[member_id].exposure

    def confirmed(self, member_id: str) -> int:
        """Return what one member last reported as in force."""
        return self._slots[member_id].confirmed

    def pending(self) -> dict[str, int]:
        """Return the unconfirmed command of each member that has one."""
        return {i: s.pending for i, s in self._slots.items() if s.pending is not None}

    def set_targets(self, targets: Mapping[str, int], budget: Sequence[float], now: float) -> Step:
        """Take a new allocation and its budget; lowers go out now, raises when safe."""
        if len(budget) != len(self._phases):
            raise ValueError("one budget per circuit phase")
        self._budget = tuple(budget)
        for member_id, amps in targets.items():
            self._slots[member_id].desired = amps
        return self._advance(now, ())

    def confirm(self, member_id: str, amps: int, now: float, *, seq: int | None = None) -> Step:
        """Take the charger's report of ``amps`` as its claim in force (0: paused).

        ``seq`` is the command the report answers (the claim read back after sending it), or
        None for a report that answers no command (a push, a read after a reconnection). Only
        an answer to the *latest* command settles it, and only when it shows that command's
        value: a report from before the charger applied the latest command says nothing about
        what the charger is about to do. Nothing else lowers an exposure; any report above it
        raises it (someone else raised the charger: it counts as drawing that).
        """
        slot = self._slots[member_id]
        slot.confirmed = amps
        slot.reachable = True
        if slot.pending is not None and seq == slot.seq and amps == slot.pending:
            if slot.direction is Direction.LOWER:
                self._settled_at = now
            slot.pending = None
            slot.direction = None
            slot.reported_overdue = False
            slot.exposure = amps
        else:
            slot.exposure = max(slot.exposure, amps)
        return self._advance(now, ())

    def lose(self, member_id: str, now: float) -> Step:
        """Mark a member lost: it keeps its exposure and stops blocking raises."""
        self._slots[member_id].reachable = False
        return self._advance(now, ())

    def retry(self, member_id: str, now: float) -> Step:
        """Send a member's target again: the request carrying its last command failed.

        The charger may or may not have acted on it, so the exposure stays as it is; the
        command is forgotten and the target goes out again, a lower at once, a raise when
        raises are safe (a failed raise would otherwise wait for an answer that never comes).
        """
        slot = self._slots[member_id]
        if slot.pending is not None:
            slot.pending = None
            slot.direction = None
            slot.resend = True
        return self._advance(now, ())

    def rejoin(self, member_id: str, now: float) -> Step:
        """Send a member's target again: it is back after being lost.

        It may have rebooted meanwhile, which clears every claim, so what it holds is only what
        it reports; its exposure stays as it was (it may still draw that) until a command's
        answer settles it, and the target goes out as any other (a raise when raises are safe).
        """
        slot = self._slots[member_id]
        slot.pending = None
        slot.direction = None
        slot.resend = True
        return self._advance(now, ())

    def tick(self, now: float) -> Step:
        """Check deadlines: re-send overdue lowers, report overdue commands."""
        overdue: list[Overdue] = []
        for member_id, slot in self._slots.items():
            if slot.pending is None or slot.direction is None or now < slot.deadline:
                continue
            if not slot.reported_overdue or slot.direction is Direction.LOWER:
                overdue.append(Overdue(member_id, slot.pending, slot.direction, slot.sent_at))
                slot.reported_overdue = True
        return self._advance(now, tuple(overdue))

    def _advance(self, now: float, overdue: tuple[Overdue, ...]) -> Step:
        commands: list[Command] = []
        for member_id, slot in self._slots.items():
            if not slot.reachable or slot.desired is None:
                continue
            wanted = slot.desired
            resend = (
                slot.direction is Direction.LOWER
                and slot.pending == wanted
                and now >= slot.deadline
            )
            if resend or (wanted < slot.exposure and slot.pending != wanted):
                first = slot.direction is not Direction.LOWER
                commands.append(self._send(member_id, slot, wanted, Direction.LOWER, now))
                if first or resend:
                    slot.deadline = now + self._lower_timeout

        waiting_lower = now < self._settled_at + self._settle or any(
            s.reachable and s.direction is Direction.LOWER for s in self._slots.values()
        )
        held: list[str] = []
        for member_id, slot in sorted(self._slots.items()):
            if not slot.reachable or slot.desired is None:
                continue
            if slot.desired <= slot.exposure and not (slot.resend and slot.pending is None):
                continue
            if waiting_lower or not self._fits(slot, slot.desired):
                held.append(member_id)
                continue
            commands.append(self._send(member_id, slot, slot.desired, Direction.RAISE, now))
            slot.deadline = now + self._raise_timeout
        return Step(tuple(commands), overdue, tuple(held))

    def _fits(self, slot: _Slot, amps: int) -> bool:
        totals = self.exposure()
        return all(
            total - on * slot.exposure + on * amps <= limit
            for total, on, limit in zip(totals, slot.vector, self._budget, strict=True)
        )

    def _send(
        self, member_id: str, slot: _Slot, amps: int, direction: Direction, now: float
    ) -> Command:
        self._seq += 1
        slot.seq = self._seq
        slot.pending = amps
        slot.direction = direction
        slot.sent_at = now
        slot.reported_overdue = False
        slot.resend = False
        slot.exposure = max(slot.exposure, amps)
        return Command(member_id, amps, direction, self._seq)
