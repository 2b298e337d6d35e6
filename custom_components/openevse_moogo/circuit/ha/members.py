"""A member charger as the circuit sees it: read from its own entry's coordinator.

The circuit owns no connection: each member is a charger entry of this integration, and the
circuit reads that entry's coordinator and acts only through the charger's own claim (the
claim's ``max_current``; ``state`` disabled to pause). Nothing here writes EEPROM.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from ...charger.coordinator import ChargerCoordinator
from ...charger.data import ChargerData
from ...charger.planning.controller import DEFAULT_VOLTAGE
from ...charger.runtime import ChargerRuntimeData
from ...clients.openevse.models import ChargeState, ClaimTarget, EvseState
from ..model import J1772_MIN_AMPS, Member, Vehicle
from .settings import MemberSettings

# The firmware's manual override: what the charger's own web page sets.
MANUAL_OVERRIDE_CLIENT = 0x00010001
NOMINAL_STEP_V = 10  # mains voltages are nominally 220, 230, 240 V


def member_runtime(hass: HomeAssistant, entry_id: str) -> ChargerRuntimeData | None:
    """Return what a loaded charger entry holds; None while it is not loaded."""
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        return None
    runtime = entry.runtime_data
    return runtime if isinstance(runtime, ChargerRuntimeData) else None


def member_coordinator(hass: HomeAssistant, entry_id: str) -> ChargerCoordinator | None:
    """Return the coordinator of a loaded charger entry; None while it is not loaded."""
    runtime = member_runtime(hass, entry_id)
    return runtime.coordinator if runtime is not None else None


def share_kw(member: Member, amps: int, data: ChargerData) -> float:
    """Return a member's allocation as power: amperes x its mains voltage x its phases, in kW.

    The voltage is the nominal one nearest to the charger's report (230 V, 240 V...): the
    measured one moves a little all the time, and each move would re-plan the charge plan.
    """
    reported = data.status.voltage or DEFAULT_VOLTAGE  # the plan's assumption too
    nominal = round(reported / NOMINAL_STEP_V) * NOMINAL_STEP_V
    return round(amps * nominal * len(member.phases) / 1000, 3)


def in_force(data: ChargerData, target: ClaimTarget | None = None) -> int:
    """Return the current the charger's claims allow (0: paused), by the charger's report.

    The firmware's rule: the state and currents of the winning claims, the pilot the lowest of
    the claims' currents and the soft and hard maxima, never below the hard minimum. ``target``
    is a fresher read of ``/claims/target`` than the snapshot's.
    """
    target = target or data.claim_target
    if target is None:
        return 0 if data.status.manager_status is ChargeState.DISABLED else _ceiling(data)
    properties = target.properties
    if properties.state is ChargeState.DISABLED:
        return 0
    values = [
        v
        for v in (properties.charge_current, properties.max_current, _ceiling(data))
        if v is not None
    ]
    return max(min(values), data.config.min_current_hard or J1772_MIN_AMPS)


def _ceiling(data: ChargerData) -> int:
    config = data.config
    values = [v for v in (config.max_current_soft, config.max_current_hard) if v]
    return min(values) if values else 32


@dataclass(frozen=True, slots=True)
class Outranked:
    """A member whose current someone else's claim decides, above what we hold."""

    amps: int
    by_override: bool  # the charger's manual override (its own web page, or an override action)


def outranked(data: ChargerData, ours: int) -> Outranked | None:
    """Tell whether a claim other than ours lets the member draw more than ``ours``."""
    target = data.claim_target
    allowed = in_force(data)
    if target is None or allowed <= ours:
        return None
    owners = {v for v in target.owners.values() if v != data.own_client_id}
    if not owners:
        return None  # no claim decides: the charger's default, which we are about to lower
    return Outranked(allowed, MANUAL_OVERRIDE_CLIENT in owners)


def read_member(
    settings: MemberSettings,
    coordinator: ChargerCoordinator | None,
    *,
    draw_age_s: float,
    confirmed: int | None,
    commanded: int | None,
    fallback_amps: int,
) -> Member:
    """Describe one member for the allocator; a member not loaded or not answering is lost."""
    data = coordinator.data if coordinator is not None else None
    if coordinator is None or data is None or not coordinator.answering:
        return Member(
            member_id=settings.entry_id,
            phases=settings.phases,
            reachable=False,
            confirmed_amps=confirmed,
            commanded_amps=commanded,
            fallback_amps=fallback_amps,
        )
    status = data.status
    config = data.config
    low = max(config.min_current_hard or J1772_MIN_AMPS, J1772_MIN_AMPS)
    if status.vehicle_connected is False:
        vehicle = Vehicle.UNPLUGGED
    elif status.state is EvseState.CHARGING:
        vehicle = Vehicle.CHARGING
    else:
        vehicle = Vehicle.PLUGGED
    return Member(
        member_id=settings.entry_id,
        phases=settings.phases,
        min_amps=low,
        max_amps=max(low, _ceiling(data)),
        vehicle=vehicle,
        draw_amps=status.charging_current or 0.0,
        draw_age_s=draw_age_s,
        reachable=True,
        confirmed_amps=confirmed,
        commanded_amps=commanded,
        fallback_amps=fallback_amps,
    )
