"""What holds without Home Assistant, and which requests the circuit refuses.

Two layers keep a circuit within its breaker when Home Assistant is away:

1. The claims themselves. A charger keeps our claim in its own memory (posted without
   ``auto_release``, so unplugging does not drop it) until it restarts. The sequencer keeps the
   members' claims within the budget at every instant, and a member without a car holds a
   paused claim, so a car that plugs in while Home Assistant is unreachable waits paused
   instead of adding current nobody allocated.
2. A static share for a charger that restarts while Home Assistant is away (its claims are
   gone). Each member's share is a split of the limit less the margin, per phase, such that the
   shares add up to no more than that even if every car draws its share at once; a member the
   split cannot give the J1772 minimum gets 0 and must wait paused on its own. Written once
   when the circuit is set up (with the user's consent: it is the charger's own setting, stored
   in its memory), put back when the circuit is removed.

The firmware caps every claim at the charger's own soft maximum (the pilot is the lowest of
the soft maximum and the claims' currents), so a share written there also caps what the
allocator can give that member. :class:`FallbackMode` names the two choices: ``STATIC_SHARE``
(a restarted charger charges at its share; the dynamic allocation is bounded by it) or
``PAUSE`` (the charger's ``default_state`` set to disabled, so a charger with no claim waits
paused until the circuit claims it again; the dynamic allocation is bounded only by the
charger). ``PAUSE`` is the default: on the benchmark's day the static share costs about a
sixth of the energy, because a car alone on the circuit could never take more than its share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from .allocation import MemberTarget, allocate
from .model import AllocatorState, Circuit, Member, Vehicle


class FallbackMode(StrEnum):
    """What a member charger does with no claim of ours."""

    STATIC_SHARE = "static_share"  # charges at its static share (its soft maximum)
    PAUSE = "pause"  # waits paused until the circuit claims it


@dataclass(frozen=True, slots=True)
class FallbackPlan:
    """Each member's static share (0: it must pause on its own) and the mode it is used in."""

    mode: FallbackMode
    shares: dict[str, int]

    def fallback_amps(self, member_id: str) -> int:
        """Return what the member's charger allows on its own (its ``fallback_amps``)."""
        return self.shares[member_id] if self.mode is FallbackMode.STATIC_SHARE else 0

    def ceiling(self, member: Member) -> int:
        """Return the most the allocator can give the member under this plan."""
        if self.mode is FallbackMode.STATIC_SHARE:
            return min(member.max_amps, self.shares[member.member_id])
        return member.max_amps


def static_shares(
    circuit: Circuit, members: Sequence[Member], mode: FallbackMode = FallbackMode.PAUSE
) -> FallbackPlan:
    """Split the limit less the margin among the members as if every car drew at once.

    The split is the allocator's own water-filling with every member charging, no other load
    and no history, so the static shares follow the same fairness and J1772 rules as the live
    allocation: equal shares in whole amperes, each at least the charger's minimum or 0, no
    share above the charger's maximum, the remainder of a capped member going to the others,
    and a three-phase member counted on all three phases.
    """
    everyone = [
        replace(
            m,
            vehicle=Vehicle.CHARGING,
            reachable=True,
            confirmed_amps=None,
            commanded_amps=None,
            fallback_amps=0,
            draw_amps=0.0,
        )
        for m in members
    ]
    allocation = allocate(circuit, everyone, (), 0.0, AllocatorState())
    return FallbackPlan(
        mode=mode,
        shares={member_id: target.amps for member_id, target in allocation.targets.items()},
    )


class RefusalReason(StrEnum):
    """Why a manual request for a member was refused."""

    ABOVE_SHARE = "above_share"  # asks for more than the circuit gives this member now
    PAUSED_BY_CIRCUIT = "paused_by_circuit"  # asks to charge while the circuit pauses it


@dataclass(frozen=True, slots=True)
class Request:
    """A manual override or action on a member, in the charger's claim vocabulary.

    ``active`` True starts charging, False pauses, None leaves the state alone; ``amps`` is
    the current asked for (charge or maximum current, whichever is lower), None for none.
    """

    active: bool | None = None
    amps: int | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused request: why, what was asked, and what the circuit allows this member."""

    member_id: str
    reason: RefusalReason
    requested: int
    allowed: int


def check_request(member: Member, share: MemberTarget, request: Request) -> Refusal | None:
    """Refuse a request that would let a member draw more than its current allocation.

    Pausing and lowering are always allowed. A current below the charger's minimum counts as
    that minimum (the firmware raises the pilot to it). Asking to charge while the circuit
    pauses the member, or asking for more than its allocation, is refused: an override has a
    higher priority than the circuit's claim on the charger, so once sent nothing of ours could
    hold it within the breaker.
    """
    if request.active is False:
        return None
    asked = (
        max(member.min_amps, request.amps)
        if request.amps is not None and request.amps > 0
        else (share.amps if request.amps is None else 0)
    )
    if request.active is None and request.amps in (None, 0):
        return None
    if share.amps == 0 and (request.active is True or asked > 0):
        return Refusal(member.member_id, RefusalReason.PAUSED_BY_CIRCUIT, asked, 0)
    if asked > share.amps:
        return Refusal(member.member_id, RefusalReason.ABOVE_SHARE, asked, share.amps)
    return None
