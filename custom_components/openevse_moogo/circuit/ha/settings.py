"""A charging circuit's settings, read from its config entry into the pure core's values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from ..fallback import FallbackMode
from ..model import ALL_PHASES, Circuit, Phase
from .const import (
    CONF_FALLBACK_MODE,
    CONF_LIMIT,
    CONF_LOAD_CURRENT,
    CONF_LOAD_POWER,
    CONF_MARGIN,
    CONF_MEMBERS,
    CONF_PHASES,
    DEFAULT_MARGIN,
    MEMBER_ENTRY_ID,
    MEMBER_PHASE,
    PHASE_ALL,
)


@dataclass(frozen=True, slots=True)
class MemberSettings:
    """One charger on the circuit: its config entry and the phases it draws on."""

    entry_id: str
    phases: frozenset[Phase]


@dataclass(frozen=True, slots=True)
class CircuitSettings:
    """Everything the circuit's entry says, typed."""

    circuit: Circuit
    members: tuple[MemberSettings, ...]
    load_current: tuple[str, ...]
    load_power: str | None
    fallback_mode: FallbackMode

    @property
    def member_ids(self) -> tuple[str, ...]:
        """Return the members' charger entry ids, in the order the user chose them."""
        return tuple(m.entry_id for m in self.members)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CircuitSettings:
        """Read the entry's data (validated by the config flow)."""
        phases = cast("Literal[1, 3]", int(data[CONF_PHASES]))
        circuit = Circuit(
            limit_amps=float(data[CONF_LIMIT]),
            phases=phases,
            margin_amps=float(data.get(CONF_MARGIN, DEFAULT_MARGIN)),
        )
        members = tuple(
            MemberSettings(
                entry_id=str(member[MEMBER_ENTRY_ID]),
                phases=member_phases(phases, str(member.get(MEMBER_PHASE, "1"))),
            )
            for member in data[CONF_MEMBERS]
        )
        return cls(
            circuit=circuit,
            members=members,
            load_current=tuple(data.get(CONF_LOAD_CURRENT) or ()),
            load_power=data.get(CONF_LOAD_POWER) or None,
            fallback_mode=FallbackMode(data.get(CONF_FALLBACK_MODE, FallbackMode.PAUSE)),
        )


def member_phases(circuit_phases: int, phase: str) -> frozenset[Phase]:
    """Return a charger's phases: phase 1 on a single-phase circuit, else as chosen."""
    if circuit_phases == 1:
        return frozenset((1,))
    if phase == PHASE_ALL:
        return ALL_PHASES
    return frozenset((cast("Phase", int(phase)),))
