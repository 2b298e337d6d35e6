"""The plan's status, as the charger's plan sensor shows it (an ENUM)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .planner import EPSILON_KWH, ChargePlan


class PlanStatus(StrEnum):
    """What the plan is doing; the values are the sensor's states (translation keys)."""

    OFF = "off"
    WAITING_FOR_PRICES = "waiting_for_prices"
    WAITING = "waiting"
    CHARGING = "charging"
    DONE = "done"
    NOT_REACHABLE = "not_reachable"


def plan_status(  # noqa: PLR0911  (one return per state, in priority order)
    plan: ChargePlan | None, now: datetime, *, car_charging: bool
) -> PlanStatus:
    """Derive the status of ``plan`` at ``now`` (None: the plan is switched off).

    In order: nothing left to add is ``done``; a plan waiting for prices says so unless it is
    charging its "charge now" minimum; a target out of reach says so from the moment it is known
    (early, as the user can still act), even while the plan charges what it can; inside a
    planned run it is ``charging``; after the last run ``done``; a car drawing outside the plan
    (a run's boundary not yet applied, or a manual start) shows as ``charging``.
    """
    if plan is None:
        return PlanStatus.OFF
    if plan.energy_wanted_kwh <= EPSILON_KWH:
        return PlanStatus.DONE
    active = plan.interval_at(now) is not None
    if plan.awaiting_prices:
        return PlanStatus.CHARGING if active or car_charging else PlanStatus.WAITING_FOR_PRICES
    if not plan.reachable:
        return PlanStatus.NOT_REACHABLE
    if active:
        return PlanStatus.CHARGING
    planned_end = plan.planned_end
    if planned_end is None or now >= planned_end:
        return PlanStatus.DONE
    return PlanStatus.CHARGING if car_charging else PlanStatus.WAITING
